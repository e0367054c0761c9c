//! CIPA DC-007 Multi-Picture Format: the APP2 index that says where the other
//! pictures of a JPEG (an HDR gain map, a stereo pair, a preview) start and end.
//! Read to find an Ultra HDR gain map; written afresh, with only the two entries
//! a kept gain map needs, so nothing else in the original index survives.
//!
//! Written out rather than taken from kamadak-exif: its reader stops at the TIFF
//! header's IFD and does not give the MP entry table, and the writer is 60 lines.

/// The identifier that starts an MPF APP2 payload; the TIFF structure follows it.
const ID: &[u8] = b"MPF\0";
/// Offsets in the MP entries count from the TIFF header: the byte after `ID`.
pub(crate) const TIFF_START: usize = ID.len();

const MP_VERSION: u16 = 0xB000;
const NUMBER_OF_IMAGES: u16 = 0xB001;
const MP_ENTRY: u16 = 0xB002;
/// Type code of a baseline primary image, with the "representative image" flag.
const PRIMARY: u32 = 0x2003_0000;

/// One picture in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Flags (top 5 bits), format (3 bits) and type (24 bits).
    pub attributes: u32,
    pub size: u32,
    /// From the TIFF header; 0 for the primary image.
    pub offset: u32,
}

/// The entries of an MPF index (its TIFF structure, after `MPF\0`), or None when
/// it is not a readable index. At most 16 entries are read: no phone
/// writes more, and a hostile count cannot make the reader loop long.
pub(crate) fn entries(tiff: &[u8]) -> Option<Vec<Entry>> {
    let big = match tiff.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    // A `len`-byte number at `at`, in the index's byte order.
    let number_at = |at: usize, len: usize| -> Option<u32> {
        let bytes = tiff.get(at..at.checked_add(len)?)?;
        let fold = |n: u32, b: &u8| n << 8 | u32::from(*b);
        Some(if big { bytes.iter().fold(0, fold) } else { bytes.iter().rev().fold(0, fold) })
    };
    let u16_at = |at: usize| number_at(at, 2);
    let u32_at = |at: usize| number_at(at, 4);
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    let (mut number, mut table) = (None, None);
    for i in 0..count.min(64) {
        let entry = ifd + 2 + 12 * i;
        match u16_at(entry)? as u16 {
            NUMBER_OF_IMAGES => number = Some(u32_at(entry + 8)? as usize),
            MP_ENTRY => table = Some((u32_at(entry + 4)? as usize, u32_at(entry + 8)? as usize)),
            _ => {}
        }
    }
    let number = number?.min(16);
    let (bytes, at) = table?;
    if bytes < 16 * number {
        return None;
    }
    let mut entries = Vec::with_capacity(number);
    for i in 0..number {
        let e = at + 16 * i;
        entries.push(Entry { attributes: u32_at(e)?, size: u32_at(e + 4)?, offset: u32_at(e + 8)? });
    }
    Some(entries)
}

/// A fresh big-endian MPF payload (`MPF\0` and its TIFF structure) for a primary
/// image and one more picture; the sizes and offset are patched in by `patch`
/// once the file is laid out.
pub(crate) fn two_pictures(second_attributes: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(PAYLOAD_LEN);
    p.extend_from_slice(ID);
    p.extend_from_slice(b"MM\0*");
    p.extend_from_slice(&8u32.to_be_bytes());
    // The index IFD: version, number of images, the entry table; no next IFD.
    p.extend_from_slice(&3u16.to_be_bytes());
    let tag = |p: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        p.extend_from_slice(&tag.to_be_bytes());
        p.extend_from_slice(&ty.to_be_bytes());
        p.extend_from_slice(&count.to_be_bytes());
        p.extend_from_slice(&value);
    };
    const UNDEFINED: u16 = 7;
    const LONG: u16 = 4;
    tag(&mut p, MP_VERSION, UNDEFINED, 4, *b"0100");
    tag(&mut p, NUMBER_OF_IMAGES, LONG, 1, 2u32.to_be_bytes());
    tag(&mut p, MP_ENTRY, UNDEFINED, 32, (TABLE as u32).to_be_bytes());
    p.extend_from_slice(&0u32.to_be_bytes());
    debug_assert_eq!(p.len(), ID.len() + TABLE);
    for attributes in [PRIMARY, second_attributes] {
        p.extend_from_slice(&attributes.to_be_bytes());
        p.extend_from_slice(&[0; 12]);
    }
    debug_assert_eq!(p.len(), PAYLOAD_LEN);
    p
}

/// Where the entry table starts, from the TIFF header: header (8), entry count
/// (2), three tags (36), next-IFD offset (4).
const TABLE: usize = 8 + 2 + 3 * 12 + 4;
/// The length of what `two_pictures` writes.
pub(crate) const PAYLOAD_LEN: usize = ID.len() + TABLE + 2 * 16;

/// Writes the primary image's size and the second picture's size and offset into a
/// payload made by `two_pictures`.
pub(crate) fn patch(payload: &mut [u8], primary_size: u32, second_size: u32, second_offset: u32) {
    let table = ID.len() + TABLE;
    payload[table + 4..table + 8].copy_from_slice(&primary_size.to_be_bytes());
    payload[table + 16 + 4..table + 16 + 8].copy_from_slice(&second_size.to_be_bytes());
    payload[table + 16 + 8..table + 16 + 12].copy_from_slice(&second_offset.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let mut p = two_pictures(0);
        patch(&mut p, 1000, 200, 990);
        let e = entries(&p[ID.len()..]).unwrap();
        assert_eq!(
            e,
            [Entry { attributes: PRIMARY, size: 1000, offset: 0 }, Entry { attributes: 0, size: 200, offset: 990 }]
        );
    }

    #[test]
    fn little_endian_indexes_and_bad_ones() {
        // A Photoshop-written index (libavif's paris_exif_xmp_gainmap_littleendian.jpg).
        let hex = "4d50460049492a0008000000030000b00700040000003031303001b00400010000000200000002b007002000\
                   0000320000000000000000000300cf8200000000000000000000000000000c370000e772000000000000";
        let p: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        let e = entries(&p[ID.len()..]).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[1].size, e[1].offset), (14092, 29415));
        assert!(entries(&p[ID.len()..p.len() - 20]).is_none(), "a cut table");
        assert!(entries(b"XX*\0").is_none());
        assert!(entries(b"MM\0*\xff\xff\xff\xff").is_none());
    }
}
