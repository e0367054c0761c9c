//! EXIF (a TIFF structure) read with kamadak-exif, and the minimal EXIF that
//! cleaning writes back (orientation, and opted-in author/copyright).

use exif::{Context, Field, In, Reader, Tag, Value};

use super::exif_words::{
    self, DNG_CAMERA_SERIAL, HOST_COMPUTER, PROCESSING_SOFTWARE, XP_AUTHOR, XP_COMMENT, XP_KEYWORDS, XP_SUBJECT,
    XP_TITLE,
};
use super::{human_bytes, maker_note, text, Item};
use crate::limits::MAX_PARSED_METADATA;
use crate::report::{Category, GpsPosition};

/// What an EXIF payload says, itemised, plus the few facts cleaning needs.
#[derive(Debug, Default)]
pub(crate) struct ExifFacts {
    pub items: Vec<Item>,
    pub orientation: Option<u16>,
    pub gps: Option<GpsPosition>,
    pub artist: Option<String>,
    pub copyright: Option<String>,
}

/// Text values kamadak-exif may be asked to hold: it keeps each NUL-ended string as a
/// vector of its own (24 bytes, one per NUL), so a megabyte of zeros is 24 MB.
const MAX_TEXT_VALUE_BYTES: u64 = 1 << 20;

/// Whether kamadak-exif may read `tiff`. It reads every entry of every directory it is
/// pointed to, and every value an entry names, and entries and directories may share
/// bytes: a review's 63.5 KB JPEG, 2,700 entries each naming the same 32,000 zeros, took
/// 2.3 GB (a 6 KB PNG, in its compressed text, more than there was); a review of that
/// mend, 1,800 directories overlapping 12 bytes apart, 1,800 entries each, 442 MB. The
/// directories are walked here as it walks them (a chain, and each EXIF, GPS and
/// interoperability directory an entry points to), each entry counted as its 12 bytes
/// and its value's, before any is read: in a real EXIF nothing is shared, so it fits.
fn fits(tiff: &[u8]) -> std::result::Result<(), &'static str> {
    let big = tiff.starts_with(b"MM");
    let (mut all, mut text) = (0u64, 0u64);
    let mut seen: Vec<usize> = Vec::new();
    let mut directories = vec![uint(tiff, big, 4, 4)];
    while let Some(at) = directories.pop() {
        if at == 0 || seen.contains(&at) {
            continue;
        }
        // Real ones have a handful (the chain of two, EXIF, GPS, interoperability).
        if seen.len() == 64 {
            return Err("too many parts");
        }
        seen.push(at);
        let count = uint(tiff, big, at, 2);
        for entry in (0..count).map(|i| at.wrapping_add(2 + 12 * i)) {
            let (kind, n) =
                (uint(tiff, big, entry.wrapping_add(2), 2), uint(tiff, big, entry.wrapping_add(4), 4) as u64);
            all += 12 + n * [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4].get(kind).copied().unwrap_or(0);
            text += n * u64::from(kind == 2);
            if matches!(uint(tiff, big, entry, 2), 0x8769 | 0x8825 | 0xA005) {
                directories.push(uint(tiff, big, entry.wrapping_add(8), 4));
            }
        }
        directories.push(uint(tiff, big, at.wrapping_add(2 + 12 * count), 4));
    }
    if all > 2 * tiff.len() as u64 + 65_536 || text > MAX_TEXT_VALUE_BYTES {
        return Err("its parts overlap");
    }
    Ok(())
}

/// The `n`-byte number at `at` (0 where the EXIF ends first: no entries, no next directory).
#[inline(never)]
fn uint(tiff: &[u8], big: bool, at: usize, n: usize) -> usize {
    (0..n).fold(0, |v, i| {
        v << 8 | usize::from(tiff.get(at.wrapping_add(if big { i } else { n - 1 - i })).copied().unwrap_or(0))
    })
}

pub(crate) fn read(tiff: &[u8]) -> ExifFacts {
    let mut facts = ExifFacts::default();
    if tiff.len() > MAX_PARSED_METADATA {
        facts.items.push(Item::new(
            Category::Other,
            "EXIF",
            "EXIF data",
            format!("{} (too large to itemise)", human_bytes(tiff.len())),
        ));
        return facts;
    }
    let parsed = fits(tiff).map_err(exif::Error::InvalidFormat).and_then(|()| {
        Reader::new().continue_on_error(true).read_raw(tiff.to_vec()).or_else(|e| e.distill_partial_result(|_| {}))
    });
    let exif = match parsed {
        Ok(exif) => exif,
        Err(e) => {
            facts.items.push(Item::new(
                Category::Other,
                "EXIF",
                "EXIF data (unreadable)",
                format!("{} ({e})", human_bytes(tiff.len())),
            ));
            return facts;
        }
    };
    let mut other = Vec::new();
    let mut thumbnail_len = None;
    for field in exif.fields() {
        if field.ifd_num == In::THUMBNAIL {
            if field.tag == Tag::JPEGInterchangeFormatLength {
                thumbnail_len = field.value.get_uint(0);
            }
            continue;
        }
        if field.ifd_num != In::PRIMARY {
            continue;
        }
        if exif_words::folded_into_another(field.tag, &exif) {
            continue;
        }
        let name = tag_name(field.tag);
        let value = display(field, &exif);
        match classify(field.tag) {
            Some(Category::Display) => {
                facts.orientation =
                    field.value.get_uint(0).and_then(|v| u16::try_from(v).ok()).filter(|v| (1..=8).contains(v));
                // The normal orientation needs no tag: it is neither news nor kept.
                if facts.orientation.is_some_and(|o| o != 1) {
                    facts.items.push(Item::new(
                        Category::Display,
                        format!("EXIF {name}"),
                        label(field.tag, &name),
                        value,
                    ));
                }
            }
            // An empty string, or numbers that are all 0/0 (a GPS block written empty), reveal nothing.
            Some(_) if value.trim().is_empty() || no_number(field) => {}
            Some(category) => {
                if field.tag == Tag::Artist {
                    facts.artist = ascii(field);
                } else if field.tag == Tag::Copyright {
                    facts.copyright = ascii(field);
                }
                facts.items.push(Item::new(category, format!("EXIF {name}"), label(field.tag, &name), value));
            }
            None => other.push(name),
        }
    }
    if let Some(Value::Undefined(note, at)) = exif.get_field(Tag::MakerNote, In::PRIMARY).map(|f| &f.value) {
        let make = exif.get_field(Tag::Make, In::PRIMARY).and_then(ascii).unwrap_or_default();
        let big = tiff.starts_with(b"MM");
        facts.items.extend(maker_note::read(tiff, *at as usize, note.len(), big, &make));
    }
    if let Some(len) = thumbnail_len {
        facts.items.push(Item::new(
            Category::Thumbnail,
            "EXIF IFD1 thumbnail",
            "Embedded thumbnail image",
            human_bytes(len as usize),
        ));
    }
    if !other.is_empty() {
        let sample: Vec<_> = other.iter().take(6).cloned().collect();
        let value =
            format!("{} fields: {}{}", other.len(), sample.join(", "), if other.len() > 6 { ", …" } else { "" });
        facts.items.push(Item::new(Category::Other, "EXIF other", "Camera settings and other EXIF fields", value));
    }
    if facts.items.is_empty() {
        facts.items.push(Item::new(Category::Other, "EXIF", "EXIF data (no readable fields)", human_bytes(tiff.len())));
    }
    facts.gps = gps(&exif);
    if let Some(pos) = facts.gps {
        let value = format!("{:.6}, {:.6}", pos.latitude, pos.longitude);
        facts.items.insert(0, Item::new(Category::Location, "EXIF GPS position", "GPS position", value));
    }
    facts
}

fn classify(tag: Tag) -> Option<Category> {
    // The format's version and the map datum ("WGS-84") say nothing of where.
    if tag == Tag::GPSVersionID || tag == Tag::GPSMapDatum {
        return None;
    }
    if tag.context() == Context::Gps {
        return Some(Category::Location);
    }
    if tag.context() == Context::Interop {
        return None;
    }
    let category = match tag {
        Tag::Orientation => Category::Display,
        Tag::Make | Tag::Model | Tag::LensMake | Tag::LensModel | Tag::LensSpecification => Category::Device,
        Tag::BodySerialNumber | Tag::LensSerialNumber => Category::CameraSerial,
        Tag::CameraOwnerName | Tag::Artist | Tag::Copyright => Category::People,
        Tag::DateTime
        | Tag::DateTimeOriginal
        | Tag::DateTimeDigitized
        | Tag::OffsetTime
        | Tag::OffsetTimeOriginal
        | Tag::OffsetTimeDigitized
        | Tag::SubSecTime
        | Tag::SubSecTimeOriginal
        | Tag::SubSecTimeDigitized => Category::Time,
        Tag::Software => Category::Software,
        Tag::MakerNote => Category::MakerNotes,
        Tag::ImageUniqueID => Category::Identifiers,
        Tag::ImageDescription | Tag::UserComment => Category::Text,
        _ => match tag.number() {
            XP_AUTHOR => Category::People,
            XP_TITLE | XP_COMMENT | XP_KEYWORDS | XP_SUBJECT => Category::Text,
            PROCESSING_SOFTWARE => Category::Software,
            DNG_CAMERA_SERIAL => Category::CameraSerial,
            HOST_COMPUTER => Category::Device,
            _ => return None,
        },
    };
    Some(category)
}

fn tag_name(tag: Tag) -> String {
    match tag.number() {
        XP_TITLE if tag.context() == Context::Tiff => "XPTitle".into(),
        XP_COMMENT if tag.context() == Context::Tiff => "XPComment".into(),
        XP_AUTHOR if tag.context() == Context::Tiff => "XPAuthor".into(),
        XP_KEYWORDS if tag.context() == Context::Tiff => "XPKeywords".into(),
        XP_SUBJECT if tag.context() == Context::Tiff => "XPSubject".into(),
        DNG_CAMERA_SERIAL if tag.context() == Context::Tiff => "CameraSerialNumber".into(),
        HOST_COMPUTER if tag.context() == Context::Tiff => "HostComputer".into(),
        _ => tag.to_string(),
    }
}

fn label(tag: Tag, name: &str) -> String {
    exif_words::label(tag, name)
}

fn display(field: &Field, exif: &exif::Exif) -> String {
    if let Some(value) = exif_words::value(field, exif) {
        return value;
    }
    match &field.value {
        Value::Ascii(_) => ascii(field).unwrap_or_default(),
        Value::Undefined(bytes, _) if field.tag == Tag::MakerNote => human_bytes(bytes.len()),
        Value::Byte(bytes) if (XP_TITLE..=XP_SUBJECT).contains(&field.tag.number()) => utf16le(bytes),
        Value::Undefined(bytes, _) if field.tag == Tag::UserComment => {
            // An 8-byte character-code prefix, then the comment.
            text(bytes.get(8..).unwrap_or(&[])).trim_matches(char::from(0)).trim().to_string()
        }
        Value::Undefined(bytes, _) if bytes.len() > 64 => human_bytes(bytes.len()),
        _ => field.display_value().with_unit(exif).to_string(),
    }
}

fn ascii(field: &Field) -> Option<String> {
    match &field.value {
        Value::Ascii(parts) => {
            let joined: Vec<String> = parts.iter().map(|p| text(p)).collect();
            Some(joined.join(" ").trim().to_string()).filter(|s| !s.is_empty())
        }
        _ => None,
    }
}

fn utf16le(bytes: &[u8]) -> String {
    let units: Vec<u16> =
        bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|&u| u != 0).collect();
    String::from_utf16_lossy(&units)
}

/// Whether the field's numbers are fractions that are all 0/0: no value at all.
fn no_number(field: &Field) -> bool {
    match &field.value {
        Value::Rational(v) => v.iter().all(|r| r.denom == 0),
        Value::SRational(v) => v.iter().all(|r| r.denom == 0),
        _ => false,
    }
}

/// A field's fractions as numbers: unsigned, as the standard has them, or signed, as some
/// phones write them (HMD's Nokia 8.3 5G); None if any is 0/0.
fn fractions(value: &Value) -> Option<Vec<f64>> {
    match value {
        Value::Rational(v) => v.iter().map(|r| (r.denom != 0).then(|| r.to_f64())).collect(),
        Value::SRational(v) => v.iter().map(|r| (r.denom != 0).then(|| r.to_f64())).collect(),
        _ => None,
    }
}

fn gps(exif: &exif::Exif) -> Option<GpsPosition> {
    let coord = |tag: Tag, reference: Tag, negative: u8| -> Option<f64> {
        let parts = fractions(&exif.get_field(tag, In::PRIMARY)?.value)?;
        let [d, m, s, ..] = parts[..] else { return None };
        let deg = d + m / 60.0 + s / 3600.0;
        let south_or_west = match exif.get_field(reference, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Ascii(v)) => v.first().and_then(|s| s.first()) == Some(&negative),
            _ => false,
        };
        Some(if south_or_west { -deg.abs() } else { deg }).filter(|d| d.is_finite())
    };
    let latitude = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let longitude = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    let altitude = exif.get_field(Tag::GPSAltitude, In::PRIMARY).and_then(|f| {
        let height = *fractions(&f.value)?.first()?;
        let below =
            matches!(exif.get_field(Tag::GPSAltitudeRef, In::PRIMARY).and_then(|f| f.value.get_uint(0)), Some(1));
        Some(if below { -height } else { height })
    });
    Some(GpsPosition { latitude, longitude, altitude })
}

/// Longest author or copyright string carried into the minimal EXIF, in bytes.
const MAX_KEPT_TEXT: usize = 2048;

/// A minimal big-endian TIFF/EXIF structure with only what the policy keeps,
/// or None when there is nothing to keep. Deterministic, so cleaning twice
/// gives the same bytes.
pub(crate) fn minimal(orientation: Option<u16>, artist: Option<&str>, copyright: Option<&str>) -> Option<Vec<u8>> {
    let mut entries: Vec<(u16, u16, Vec<u8>)> = Vec::new(); // tag, type, value bytes
    if let Some(o) = orientation.filter(|o| *o != 1) {
        entries.push((0x0112, 3, o.to_be_bytes().to_vec()));
    }
    let ascii_value = |s: &str| {
        let mut bytes: Vec<u8> = s.as_bytes().iter().copied().filter(|&b| b != 0).take(MAX_KEPT_TEXT).collect();
        // Do not cut a UTF-8 sequence in half.
        while std::str::from_utf8(&bytes).is_err() {
            bytes.pop();
        }
        bytes.push(0);
        bytes
    };
    if let Some(a) = artist.filter(|s| !s.is_empty()) {
        entries.push((0x013B, 2, ascii_value(a)));
    }
    if let Some(c) = copyright.filter(|s| !s.is_empty()) {
        entries.push((0x8298, 2, ascii_value(c)));
    }
    if entries.is_empty() {
        return None;
    }
    let ifd_len = 2 + 12 * entries.len() + 4;
    let mut out = b"MM\0\x2a\0\0\0\x08".to_vec();
    let mut extra = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (tag, ty, value) in &entries {
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&ty.to_be_bytes());
        let count = if *ty == 3 { 1u32 } else { value.len() as u32 };
        out.extend_from_slice(&count.to_be_bytes());
        if value.len() <= 4 {
            let mut inline = value.clone();
            inline.resize(4, 0);
            out.extend_from_slice(&inline);
        } else {
            let offset = (8 + ifd_len + extra.len()) as u32;
            out.extend_from_slice(&offset.to_be_bytes());
            extra.extend_from_slice(value);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
        }
    }
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&extra);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_exif_round_trips_through_kamadak() {
        let tiff = minimal(Some(6), Some("Ada Lovelace"), Some("© 2026 Ada")).unwrap();
        let facts = read(&tiff);
        assert_eq!(facts.orientation, Some(6));
        assert_eq!(facts.artist.as_deref(), Some("Ada Lovelace"));
        assert_eq!(facts.copyright.as_deref(), Some("© 2026 Ada"));
        assert_eq!(minimal(Some(1), None, None), None);
        assert_eq!(minimal(None, None, None), None);
        let only = minimal(Some(8), None, None).unwrap();
        assert_eq!(only.len(), 8 + 2 + 12 + 4);
        assert_eq!(read(&only).orientation, Some(8));
    }

    /// An EXIF whose `entries` text fields all name the same `zeros` bytes.
    fn overlapping(entries: usize, zeros: usize) -> Vec<u8> {
        let values = 8 + 2 + 12 * entries + 4;
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        tiff.extend((entries as u16).to_be_bytes());
        for i in 0..entries {
            // Private tags, ASCII, `zeros` long, all at `values`.
            tiff.extend((0xC000 + i as u16).to_be_bytes());
            tiff.extend(2u16.to_be_bytes());
            tiff.extend((zeros as u32).to_be_bytes());
            tiff.extend((values as u32).to_be_bytes());
        }
        tiff.extend([0; 4]);
        tiff.resize(values + zeros, 0);
        tiff
    }

    #[test]
    fn fields_that_all_name_the_same_bytes_are_not_read() {
        // The shape of a review's 63.5 KB JPEG that took 2.3 GB (2,700 entries naming one
        // run of 32,000 zeros), kept small: 200 entries over 3,000 zeros, 14 MB read whole.
        let facts = read(&overlapping(200, 3000));
        assert_eq!(facts.items.len(), 1, "{:?}", facts.items);
        assert_eq!(facts.items[0].label, "EXIF data (unreadable)");
        assert!(facts.items[0].value.contains("its parts overlap"), "{:?}", facts.items);
        // A few entries over the same bytes are within the allowance: read.
        let own = overlapping(3, 40);
        assert!(fits(&own).is_ok());
        assert_ne!(read(&own).items[0].label, "EXIF data (unreadable)");
        // Directories 12 bytes apart, each of many entries, pointed to by as many entries:
        // a review's 63.6 KB JPEG of this shape (1,800 of 1,800) took 442 MB. Each 12 bytes
        // read as a count (100) and, from 2 bytes on, as an entry whose value holds the next.
        let n = 100usize;
        let mut t = b"MM\0*\0\0\0\x08".to_vec();
        t.extend((n as u16).to_be_bytes());
        let tables = 8 + 2 + 12 * n + 4;
        for i in 0..n {
            t.extend([0x87, 0x69, 0, 4, 0, 0, 0, 1]);
            t.extend(((tables + 12 * i) as u32).to_be_bytes());
        }
        t.extend([0; 4]);
        for _ in 0..2 * n + 1 {
            t.extend([0x00, 0x64, 0x01, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x64]);
        }
        assert!(fits(&t).is_err(), "{n} directories of {n} entries sharing their tables");
        // A directory that names itself as the next is walked once.
        let mut looped = minimal(Some(6), None, None).unwrap();
        let next = looped.len() - 4;
        looped[next..].copy_from_slice(&8u32.to_be_bytes());
        assert!(fits(&looped).is_ok());
    }

    #[test]
    fn garbage_is_reported_not_fatal() {
        let facts = read(b"MM\0\x2a\xff\xff\xff\xff");
        assert_eq!(facts.items.len(), 1);
        assert!(facts.items[0].label.contains("EXIF data ("), "{:?}", facts.items);
        let facts = read(b"");
        assert_eq!(facts.orientation, None);
    }
}
