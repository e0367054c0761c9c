#![no_main]
//! Structure-aware JPEG fuzzing: a small real JPEG (fuzz/bases) with segments
//! of every kind the cleaner meets inserted among its own (EXIF with a
//! thumbnail, XMP and extended XMP, ICC chunks, MPF, IPTC, comments, JFIF and
//! JFXX thumbnails, Adobe, any APPn, raw markers) and a trailer, then perhaps
//! one byte flipped. Blind mutation seldom builds a valid segment chain with a
//! TIFF inside; this does on every run.
//!
//! Every segment the cleaner must remove carries a marker. If cleaning
//! succeeds: the marker is nowhere in the output, the output inspects as
//! display-only, cleaning is idempotent, and (nothing flipped) the entropy-coded
//! scan data is in the output byte for byte.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use traceless_core::{clean, inspect, Category, Policy};

const SECRET: &[u8; 16] = b"SECRET-META-8f3a";
const BASES: [&[u8]; 2] = [include_bytes!("../bases/420.jpg"), include_bytes!("../bases/444.jpg")];

#[derive(Arbitrary, Debug)]
struct Spec {
    base: bool,
    /// Where each segment goes: after the n-th of the base's own segments.
    segments: Vec<(u8, Segment)>,
    trailer: Option<Trailer>,
    flip: Option<(u16, u8)>,
}

#[derive(Arbitrary, Debug)]
enum Segment {
    Exif { little_endian: bool, gps: bool, thumbnail: bool },
    Xmp,
    XmpExtended { offset: u16 },
    Icc { seq: u8, count: u8, len: u8 },
    Mpf,
    Iptc,
    Comment,
    Jfif { thumbnail: bool },
    Jfxx,
    Adobe { transform: u8 },
    App { n: u8 },
    /// Any marker with any body (no marker in it: high bytes only).
    Raw { marker: u8, body: Vec<u8> },
}

#[derive(Arbitrary, Debug)]
enum Trailer {
    Secret,
    /// A whole second JPEG after EOI (a Motion Photo, an MPF image).
    Jpeg,
}

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let len = (body.len() + 2).min(0xFFFF);
    let mut out = vec![0xFF, marker, (len >> 8) as u8, len as u8];
    out.extend_from_slice(&body[..len - 2]);
    out
}

/// A TIFF with Make = the marker, optionally a GPS IFD and an IFD1 thumbnail
/// (a small JPEG that itself holds the marker in a comment).
fn tiff(le: bool, gps: bool, thumbnail: bool) -> Vec<u8> {
    let u16b = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let u32b = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let thumb = [&[0xFF, 0xD8][..], &segment(0xFE, SECRET), &[0xFF, 0xD9]].concat();
    let entries = 1 + u16::from(gps);
    // IFD0 at 8: count, entries, next-IFD offset; then Make's value, the GPS IFD, IFD1, the thumbnail.
    let ifd0_end = 8 + 2 + 12 * u32::from(entries) + 4;
    let make_at = ifd0_end;
    let gps_at = make_at + 16;
    let gps_len = if gps { 2 + 12 + 4 } else { 0 };
    let ifd1_at = gps_at + gps_len;
    let thumb_at = ifd1_at + 2 + 24 + 4;
    let mut t = if le { b"II\x2a\0".to_vec() } else { b"MM\0\x2a".to_vec() };
    t.extend(u32b(8));
    t.extend(u16b(entries));
    t.extend([u16b(0x010F), u16b(2)].concat());
    t.extend([u32b(16), u32b(make_at)].concat());
    if gps {
        t.extend([u16b(0x8825), u16b(4)].concat());
        t.extend([u32b(1), u32b(gps_at)].concat());
    }
    t.extend(u32b(if thumbnail { ifd1_at } else { 0 }));
    t.extend_from_slice(SECRET);
    if gps {
        // GPSVersionID only: a GPS IFD, however small, is a finding.
        t.extend(u16b(1));
        t.extend([u16b(0), u16b(1)].concat());
        t.extend(u32b(4));
        t.extend_from_slice(&[2, 3, 0, 0]);
        t.extend(u32b(0));
    }
    if thumbnail {
        t.extend(u16b(2));
        t.extend([u16b(0x0201), u16b(4)].concat());
        t.extend([u32b(1), u32b(thumb_at)].concat());
        t.extend([u16b(0x0202), u16b(4)].concat());
        t.extend([u32b(1), u32b(thumb.len() as u32)].concat());
        t.extend(u32b(0));
        t.extend_from_slice(&thumb);
    }
    t
}

impl Segment {
    fn build(&self) -> Vec<u8> {
        match *self {
            Segment::Exif { little_endian, gps, thumbnail } => {
                segment(0xE1, &[b"Exif\0\0".as_slice(), &tiff(little_endian, gps, thumbnail)].concat())
            }
            Segment::Xmp => segment(
                0xE1,
                &[b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>".as_slice(), SECRET, b"</x:xmpmeta>"]
                    .concat(),
            ),
            Segment::XmpExtended { offset } => segment(
                0xE1,
                &[
                    b"http://ns.adobe.com/xmp/extension/\0".as_slice(),
                    &[b'A'; 32],
                    &100u32.to_be_bytes(),
                    &u32::from(offset).to_be_bytes(),
                    SECRET,
                ]
                .concat(),
            ),
            Segment::Icc { seq, count, len } => {
                segment(0xE2, &[b"ICC_PROFILE\0".as_slice(), &[seq, count], &vec![0xC3; usize::from(len)]].concat())
            }
            Segment::Mpf => segment(0xE2, &[b"MPF\0MM\0\x2a\0\0\0\x08".as_slice(), SECRET].concat()),
            Segment::Iptc => segment(
                0xED,
                &[b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x14\x1c\x02\x50\0\x10".as_slice(), SECRET].concat(),
            ),
            Segment::Comment => segment(0xFE, SECRET),
            Segment::Jfif { thumbnail } => {
                let mut b = b"JFIF\0\x01\x02\x01\0\x48\0\x48".to_vec();
                if thumbnail {
                    // A 16 x 1 RGB thumbnail: 48 bytes, the marker three times.
                    b.extend_from_slice(&[16, 1]);
                    b.extend(SECRET.iter().cycle().take(48));
                } else {
                    b.extend_from_slice(&[0, 0]);
                }
                segment(0xE0, &b)
            }
            Segment::Jfxx => segment(0xE0, &[b"JFXX\0\x13\x02\x01".as_slice(), SECRET].concat()),
            Segment::Adobe { transform } => segment(0xEE, &[b"Adobe\0\x64\0\0\0\0".as_slice(), &[transform % 3]].concat()),
            Segment::App { n } => segment(0xE3 + n % 11, &[b"Vendor\0".as_slice(), SECRET].concat()),
            Segment::Raw { marker, ref body } => {
                // Markers without a length (SOI, EOI, RSTn, TEM) and SOS would end the
                // segment chain; a vendor APP stands in for them.
                let marker = match marker {
                    0x00 | 0x01 | 0xD0..=0xDA | 0xFF => 0xEF,
                    m => m,
                };
                segment(marker, &body.iter().take(300).map(|b| b | 0x80).collect::<Vec<u8>>())
            }
        }
    }
}

/// The offsets just after each of the base's segments before the scan (SOI
/// included), and the entropy-coded data of its scans.
fn layout(base: &[u8]) -> (Vec<usize>, &[u8]) {
    let mut cuts = vec![2];
    let mut pos = 2;
    while base[pos + 1] != 0xDA {
        pos += 2 + usize::from(u16::from_be_bytes([base[pos + 2], base[pos + 3]]));
        cuts.push(pos);
    }
    let scan_start = pos + 2 + usize::from(u16::from_be_bytes([base[pos + 2], base[pos + 3]]));
    (cuts, &base[scan_start..base.len() - 2])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|spec: Spec| {
    let base = BASES[usize::from(spec.base)];
    let (cuts, scan) = layout(base);
    let mut inserts: Vec<(usize, Vec<u8>)> =
        spec.segments.iter().take(12).map(|(at, s)| (cuts[usize::from(*at) % cuts.len()], s.build())).collect();
    inserts.sort_by_key(|(at, _)| *at);
    let mut file = Vec::new();
    let mut from = 0;
    for (at, bytes) in inserts {
        file.extend_from_slice(&base[from..at]);
        file.extend_from_slice(&bytes);
        from = at;
    }
    file.extend_from_slice(&base[from..]);
    match spec.trailer {
        Some(Trailer::Secret) => file.extend_from_slice(SECRET),
        Some(Trailer::Jpeg) => file.extend([&[0xFF, 0xD8][..], &segment(0xFE, SECRET), &base[2..]].concat()),
        None => {}
    }
    if let Some((at, xor)) = spec.flip {
        let len = file.len();
        file[usize::from(at) % len] ^= xor;
    }
    for policy in [Policy::default(), Policy::strict()] {
        let Ok(cleaned) = clean(&file, &policy) else { continue };
        assert!(!contains(&cleaned.data, SECRET), "a removable segment survived cleaning");
        let report = inspect(&cleaned.data).expect("cleaned output parses");
        assert!(report.findings.iter().all(|f| f.category == Category::Display), "{:?}", report.findings);
        let again = clean(&cleaned.data, &policy).expect("cleaned output cleans again");
        assert_eq!(again.data, cleaned.data, "cleaning is idempotent");
        if spec.flip.is_none() {
            assert!(contains(&cleaned.data, scan), "the scan data changed");
        }
    }
});
