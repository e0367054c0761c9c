//! The device an ICC profile was made for. A display's profile, which a
//! screenshot carries (macOS embeds the display's own), can name the display's
//! maker and model, hold its serial number and its calibration; none of that
//! changes how a colour converts. Such a profile is rewritten without those
//! parts, so the picture keeps its colours: the tag table and tag data written
//! afresh, the header's date, device maker and model zeroed. A profile without
//! them (sRGB, Display P3, a camera's Adobe RGB) is left byte for byte as it is.
//!
//! Written here rather than with a crate: qcms (the engine's colour management)
//! reads profiles but cannot write one, and moxcms, which can, is in the
//! converter module only and writes a profile from its own model of it (what it
//! does not model goes); here every tag but the device's stays byte for byte.

use crate::metadata::Item;
use crate::report::Category;

/// Tags of the device and its calibration: Apple's make and model (`mmod`:
/// maker, model, serial number, date of manufacture from the display's EDID),
/// the OpenICC `meta` dictionary (EDID fields, serial included, as colord and
/// DisplayCAL write them), the display's native primaries (`ndin`), its video
/// card's curves (`vcgt`), the calibration's date (`calt`) and target (`targ`),
/// Microsoft's embedded WCS profiles (`MS00`), and the device settings (`DevD`).
const DEVICE_TAGS: [(&[u8; 4], Category, &str, &str); 8] = [
    (b"mmod", Category::Identifiers, "ICC mmod", "Display make, model and serial number (colour profile)"),
    (b"meta", Category::Identifiers, "ICC meta", "Device details (colour profile)"),
    (b"ndin", Category::Other, "ICC ndin", "Display's native colours (colour profile)"),
    (b"vcgt", Category::Other, "ICC vcgt", "Display calibration curves (colour profile)"),
    (b"calt", Category::Time, "ICC calt", "Calibration date (colour profile)"),
    (b"targ", Category::Other, "ICC targ", "Calibration target (colour profile)"),
    (b"MS00", Category::Other, "ICC MS00", "Windows colour settings (colour profile)"),
    (b"DevD", Category::Other, "ICC DevD", "Device settings (colour profile)"),
];

/// What a display's profile keeps when it is written again: the tags colour management
/// reads (the transforms, colourants, curves, white and black points, adaptation,
/// luminance, gamut), its copyright, and its description (as "Display"). The rest goes:
/// the device's maker and model as text (`dmnd`, `dmdd`, which standard profiles use for
/// their own origin, sRGB's "IEC http://www.iec.ch", so they go only with the device tags
/// above), Apple's localised names (`dscm`: "DELL U2720Q" in every language),
/// DisplayCAL's measurements (`CIED`), a maker's private tags, the viewing conditions'
/// words, the measurement's and technology's notes (a review kept a private tag holding a
/// serial number, when every tag but the device's and these names stayed).
const COLOUR_TAGS: [&[u8; 4]; 30] = [
    b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"D2B0", b"D2B1", b"D2B2", b"D2B3", b"B2D0", b"B2D1",
    b"B2D2", b"B2D3", b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC", b"kTRC", b"wtpt", b"bkpt", b"chad",
    b"chrm", b"cicp", b"lumi", b"gamt", b"cprt", b"desc",
];

const HEADER: usize = 128;
/// Tags in a profile, at most: real ones hold a few dozen.
const MAX_TAGS: usize = 1024;

/// What a profile says about its device.
pub(crate) enum Device {
    /// Nothing: keep the profile as it is.
    None,
    /// What the device parts were, and the profile again without them.
    Named { profile: Vec<u8>, items: Vec<Item> },
    /// Device tags in a tag table that does not read: the profile cannot be kept.
    Unreadable,
}

struct Tag {
    signature: [u8; 4],
    offset: usize,
    size: usize,
}

fn be32(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The tag table, each tag's data inside the profile; None if it does not read.
fn tags(profile: &[u8]) -> Option<Vec<Tag>> {
    let count = be32(profile, HEADER)?;
    if count > MAX_TAGS {
        return None;
    }
    (0..count)
        .map(|i| {
            let entry = HEADER + 4 + 12 * i;
            let signature: [u8; 4] = profile.get(entry..entry + 4)?.try_into().ok()?;
            let (offset, size) = (be32(profile, entry + 4)?, be32(profile, entry + 8)?);
            profile.get(offset..offset.checked_add(size)?)?;
            Some(Tag { signature, offset, size })
        })
        .collect()
}

/// Whether the table names a device tag, read without trusting the table.
fn names_device(profile: &[u8]) -> bool {
    let count = be32(profile, HEADER).unwrap_or(0).min(MAX_TAGS);
    (0..count).any(|i| {
        let entry = HEADER + 4 + 12 * i;
        profile.get(entry..entry + 4).is_some_and(|s| DEVICE_TAGS.iter().any(|(t, ..)| t.as_slice() == s))
    })
}

/// The device parts of `profile`, and the profile without them.
pub(crate) fn device(profile: &[u8]) -> Device {
    if profile.len() < HEADER + 4 {
        return Device::None;
    }
    // More tags than any profile has: a device tag past those looked at could not be seen.
    if be32(profile, HEADER).is_none_or(|count| count > MAX_TAGS) {
        return Device::Unreadable;
    }
    if !names_device(profile) {
        return Device::None;
    }
    let Some(tags) = tags(profile) else { return Device::Unreadable };
    let mut items = Vec::new();
    for tag in &tags {
        // Named, not told: each tag's bytes are the device's, not words (and every formatted
        // string costs the image module room it has not got).
        if let Some((_, category, key, label)) = DEVICE_TAGS.iter().find(|(t, ..)| **t == tag.signature) {
            items.push(Item::new(*category, *key, *label, "present"));
        }
    }
    let Ok(profile) = rewritten(profile, &tags) else { return Device::Unreadable };
    Device::Named { profile, items }
}

/// `profile` with its colour tags only (COLOUR_TAGS), its description "Display", its
/// header's date and device zeroed; Err if the new profile would outgrow the old.
fn rewritten(profile: &[u8], tags: &[Tag]) -> Result<Vec<u8>, ()> {
    let gone = |t: &Tag| !COLOUR_TAGS.contains(&&t.signature);
    let kept: Vec<&Tag> = tags.iter().filter(|t| !gone(t)).collect();
    // The header, then the table, then each tag's data once (tags may share it), each
    // starting on a 4-byte boundary as the format asks.
    let mut out = profile[..HEADER].to_vec();
    out.extend_from_slice(&(kept.len() as u32).to_be_bytes());
    let table = out.len();
    out.resize(table + 12 * kept.len(), 0);
    // Tags that share data share it again: each tag's first twin in table order, found by a
    // sort (a search per tag is quadratic in a hostile table's thousand tags, and a HEIF
    // may hold hundreds of profiles). Tags whose data overlaps otherwise each get a copy,
    // which a hostile table could make a thousand times the profile: a new profile larger
    // than the old one (and its alignment) does not read as one. (With room for the new
    // description, which may be longer than the old.)
    let mut by_data: Vec<(usize, usize, usize)> = kept.iter().enumerate().map(|(i, t)| (t.offset, t.size, i)).collect();
    crate::sort::sort(&mut by_data, |a, b| a <= b);
    let mut twin: Vec<usize> = (0..kept.len()).collect();
    for pair in by_data.windows(2) {
        let ((offset, size, first), (next_offset, next_size, next)) = (pair[0], pair[1]);
        if (offset, size) == (next_offset, next_size) {
            twin[next] = twin[first];
        }
    }
    let mut placed_at = vec![0usize; kept.len()];
    let limit = profile.len() + 4 * kept.len() + 128;
    let description = description_like(profile, tags);
    for (i, tag) in kept.iter().enumerate() {
        let at = if twin[i] != i {
            placed_at[twin[i]]
        } else {
            out.resize(out.len().next_multiple_of(4), 0);
            let at = out.len();
            let data = if &tag.signature == b"desc" { description.as_deref() } else { None };
            let data = data.unwrap_or(&profile[tag.offset..tag.offset + tag.size]);
            if at + data.len() > limit {
                return Err(());
            }
            out.extend_from_slice(data);
            at
        };
        placed_at[i] = at;
        let size = if &tag.signature == b"desc" { description.as_ref().map_or(tag.size, Vec::len) } else { tag.size };
        let entry = table + 12 * i;
        out[entry..entry + 4].copy_from_slice(&tag.signature);
        out[entry + 4..entry + 8].copy_from_slice(&(at as u32).to_be_bytes());
        out[entry + 8..entry + 12].copy_from_slice(&(size as u32).to_be_bytes());
    }
    out.resize(out.len().next_multiple_of(4), 0);
    let len = out.len() as u32;
    out[0..4].copy_from_slice(&len.to_be_bytes());
    // The date the profile was made (on this machine, for a display's), the device's
    // maker and model, and the profile's ID (an MD5 of the old bytes: zero is "none").
    for range in [24..36, 48..56, 84..100] {
        out[range].fill(0);
    }
    Ok(out)
}

/// A description tag saying "Display", in the form of the profile's own (v2 text or v4
/// localised), or None if it has neither (it is then kept as it is).
fn description_like(profile: &[u8], tags: &[Tag]) -> Option<Vec<u8>> {
    const WORD: &str = "Display";
    let tag = tags.iter().find(|t| &t.signature == b"desc")?;
    match profile.get(tag.offset..tag.offset + 4)? {
        // textDescriptionType: ASCII with its NUL, then empty Unicode and ScriptCode parts.
        b"desc" => {
            let mut t = b"desc\0\0\0\0".to_vec();
            t.extend_from_slice(&(WORD.len() as u32 + 1).to_be_bytes());
            t.extend_from_slice(WORD.as_bytes());
            t.push(0);
            t.extend_from_slice(&[0; 8]); // Unicode language and count
            t.extend_from_slice(&[0; 3]); // ScriptCode code and count
            t.extend_from_slice(&[0; 67]);
            Some(t)
        }
        // multiLocalizedUnicodeType: one record, en-US, UTF-16BE.
        b"mluc" => {
            let text: Vec<u8> = WORD.encode_utf16().flat_map(u16::to_be_bytes).collect();
            let mut t = b"mluc\0\0\0\0".to_vec();
            t.extend_from_slice(&1u32.to_be_bytes());
            t.extend_from_slice(&12u32.to_be_bytes());
            t.extend_from_slice(b"enUS");
            t.extend_from_slice(&(text.len() as u32).to_be_bytes());
            t.extend_from_slice(&28u32.to_be_bytes());
            t.extend_from_slice(&text);
            Some(t)
        }
        _ => None,
    }
}

/// What `profile` says of its device, and the profile to use without it: as it was,
/// written again, or none if its tag table does not read (it cannot be kept).
pub(crate) fn split(profile: Vec<u8>) -> (Vec<Item>, Option<Vec<u8>>) {
    match device(&profile) {
        Device::None => (Vec::new(), Some(profile)),
        Device::Named { profile, items } => (items, Some(profile)),
        Device::Unreadable => {
            let item = Item::new(Category::Other, "ICC device", "Device named in the colour profile", "unreadable");
            (vec![item], None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile of `tags` (signature, data), each tag's data in turn.
    fn profile(tags: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut p = vec![0u8; HEADER];
        p[36..40].copy_from_slice(b"acsp");
        p[24..36].copy_from_slice(&[0, 7, 0, 1, 0, 2, 3, 4, 5, 6, 0, 0]);
        p[48..52].copy_from_slice(b"APPL");
        p.extend_from_slice(&(tags.len() as u32).to_be_bytes());
        let mut data_at = p.len() + 12 * tags.len();
        let mut data = Vec::new();
        for (sig, body) in tags {
            p.extend_from_slice(*sig);
            p.extend_from_slice(&(data_at as u32).to_be_bytes());
            p.extend_from_slice(&(body.len() as u32).to_be_bytes());
            data.extend_from_slice(body);
            data_at += body.len();
        }
        p.extend_from_slice(&data);
        let len = p.len() as u32;
        p[0..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    #[test]
    fn a_standard_profile_is_left_alone() {
        let p = profile(&[(b"desc", b"descsRGB"), (b"dmnd", b"IEC http://www.iec.ch"), (b"wtpt", b"XYZ 0000")]);
        assert!(matches!(device(&p), Device::None));
    }

    #[test]
    fn a_display_profile_loses_its_device_and_keeps_its_colours() {
        let p = profile(&[
            (b"desc", b"descDELL U2720Q"),
            (b"mmod", b"mmod\0\0\0\0SERIAL-1234"),
            (b"dmdd", b"descDELL U2720Q"),
            (b"wtpt", b"XYZ 0000"),
            (b"vcgt", b"vcgt curves"),
            (b"pSER", b"text SERIAL-99"),
        ]);
        let Device::Named { profile: out, items } = device(&p) else { panic!("device parts found") };
        assert_eq!(items.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), ["ICC mmod", "ICC vcgt"]);
        let kept = tags(&out).expect("the new table reads");
        let names: Vec<&[u8; 4]> = kept.iter().map(|t| &t.signature).collect();
        assert_eq!(names, [b"desc", b"wtpt"]);
        assert_eq!(&out[kept[1].offset..kept[1].offset + kept[1].size], b"XYZ 0000");
        assert_eq!(be32(&out, 0), Some(out.len()));
        assert!(out[24..36].iter().all(|&b| b == 0) && out[48..56].iter().all(|&b| b == 0));
        assert_eq!(&out[36..40], b"acsp");
        assert!(!out.windows(6).any(|w| w == b"SERIAL"));
        assert!(!out.windows(4).any(|w| w == b"DELL"), "the description names no display");
        assert_eq!(super::super::icc::description(&out).as_deref(), Some("Display"));
        assert!(matches!(device(&out), Device::None), "once is enough");
    }

    #[test]
    fn tags_whose_data_overlaps_cannot_make_the_profile_grow() {
        // A review found a thousand tags over one region, each a byte shorter, copied
        // each in full: a profile of megabytes became gigabytes (wasm aborts).
        let region = vec![7u8; 4000];
        let names: Vec<[u8; 4]> = COLOUR_TAGS.iter().map(|n| **n).collect();
        let mut tags: Vec<(&[u8; 4], &[u8])> = vec![(b"mmod", b"mmod\0\0\0\0"), (&names[0], &region)];
        tags.extend(names[1..].iter().map(|n| (n, b"x".as_slice())));
        let mut p = profile(&tags);
        // Every tag after the region's points into it, each a byte shorter.
        let region_at = be32(&p, HEADER + 4 + 12 + 4).unwrap();
        for i in 2..tags.len() {
            let entry = HEADER + 4 + 12 * i;
            p[entry + 4..entry + 8].copy_from_slice(&(region_at as u32).to_be_bytes());
            p[entry + 8..entry + 12].copy_from_slice(&((4000 - i) as u32).to_be_bytes());
        }
        assert!(matches!(device(&p), Device::Unreadable));
    }

    #[test]
    fn more_tags_than_any_profile_has_make_it_unreadable() {
        let mut p = profile(&[(b"desc", b"descsRGB")]);
        p[HEADER..HEADER + 4].copy_from_slice(&5000u32.to_be_bytes());
        assert!(matches!(device(&p), Device::Unreadable));
    }

    #[test]
    fn device_tags_in_a_table_that_does_not_read_make_it_unreadable() {
        let mut p = profile(&[(b"mmod", b"mmod\0\0\0\0SERIAL")]);
        let size_at = HEADER + 4 + 8;
        p[size_at..size_at + 4].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert!(matches!(device(&p), Device::Unreadable));
    }
}
