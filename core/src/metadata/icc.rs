//! ICC profiles: only the description is read, for the report.

fn be32(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The profile's description ('desc' tag, v2 text or v4 multi-localised).
pub(crate) fn description(profile: &[u8]) -> Option<String> {
    let count = be32(profile, 128)?.min(256);
    for i in 0..count {
        let entry = 132 + 12 * i;
        if profile.get(entry..entry + 4)? != b"desc" {
            continue;
        }
        let offset = be32(profile, entry + 4)?;
        let size = be32(profile, entry + 8)?;
        let tag = profile.get(offset..offset.checked_add(size)?)?;
        return match tag.get(0..4)? {
            b"desc" => {
                let len = be32(tag, 8)?;
                let text = tag.get(12..12usize.checked_add(len)?)?;
                Some(super::clip(&super::text(text)))
            }
            b"mluc" => {
                let records = be32(tag, 8)?;
                if records == 0 {
                    return None;
                }
                let len = be32(tag, 20)?;
                let at = be32(tag, 24)?;
                let raw = tag.get(at..at.checked_add(len)?)?;
                let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                Some(super::clip(&String::from_utf16_lossy(&units)))
            }
            _ => None,
        };
    }
    None
}
