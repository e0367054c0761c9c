//! What a movie's metadata boxes say, in the vocabulary of photos: Apple's
//! `mdta` keys with their `ilst` values, iTunes-style `ilst` atoms, QuickTime
//! user data (`©xyz`, `©mak`, ...), the 3GPP boxes (`loci`, `auth`, `titl`,
//! ...) and XMP. Only for the report: cleaning removes these boxes whole,
//! whatever they hold.

use crate::container::isobmff::boxes::{BoxHeader, Walker};
use crate::metadata::Item;
use crate::report::{Category, GpsPosition};

/// What inspecting one box found, and the position it gives, if any.
#[derive(Default)]
pub(crate) struct Found {
    pub items: Vec<Item>,
    pub location: Option<GpsPosition>,
}

impl Found {
    fn push(&mut self, category: Category, key: String, label: &str, value: String) {
        if category == Category::Location && self.location.is_none() {
            self.location = iso6709(&value);
        }
        self.items.push(Item::new(category, key, label, value));
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches('\0').trim().to_string()
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The category and label of a metadata name: an Apple key such as
/// `com.apple.quicktime.location.ISO6709`, or a user-data or `ilst` atom.
fn classify(name: &str) -> (Category, &'static str) {
    let n = name.to_ascii_lowercase();
    // Words are looked for after Apple's prefix: "quicktime" holds "time", which
    // made every other Apple key (author, title, comment) a date.
    let words = n.strip_prefix("com.apple.quicktime.").unwrap_or(&n);
    let has = |w: &str| words.contains(w);
    match n.as_str() {
        "©xyz" | "loci" => (Category::Location, "Location"),
        "©mak" => (Category::Device, "Camera make"),
        "©mod" => (Category::Device, "Camera model"),
        "©swr" | "©too" => (Category::Software, "Software"),
        "©day" => (Category::Time, "Date"),
        "©art" | "aart" | "©aut" | "auth" | "©wrt" | "perf" => (Category::People, "Author"),
        "cprt" | "©cpy" => (Category::People, "Copyright"),
        "©nam" | "titl" => (Category::Text, "Title"),
        "©cmt" | "©des" | "desc" | "dscp" => (Category::Text, "Description"),
        // An iPhone's Live Photo: the same identifier is in the photo's maker notes, pairing the two.
        "com.apple.quicktime.content.identifier" => (Category::Identifiers, "Live Photo pairing identifier"),
        "com.apple.quicktime.location.accuracy.horizontal" => (Category::Location, "Location accuracy (metres)"),
        _ if has("location") || has("gps") || has("iso6709") => (Category::Location, "Location"),
        _ if has("serial") => (Category::CameraSerial, "Serial number"),
        _ if has("identifier") || has("uuid") => (Category::Identifiers, "Identifier"),
        _ if has("make") || has("model") || has("camera") || has("lens") => (Category::Device, "Device"),
        _ if has("software") => (Category::Software, "Software"),
        _ if has("date") || has("time") => (Category::Time, "Date"),
        _ if has("author") || has("artist") || has("owner") || has("copyright") || has("publisher") => {
            (Category::People, "Name")
        }
        _ if has("title") || has("comment") || has("description") || has("keywords") => (Category::Text, "Text"),
        _ => (Category::Other, "Metadata"),
    }
}

/// A position in ISO 6709 form, as phones write it: `+37.3349-122.0090+012.345/`.
pub(crate) fn iso6709(value: &str) -> Option<GpsPosition> {
    let v = value.trim().trim_end_matches('/');
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in v.char_indices().skip(1) {
        if c == '+' || c == '-' {
            parts.push(&v[start..i]);
            start = i;
        }
    }
    parts.push(&v[start..]);
    let number = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite());
    let latitude = number(parts.first()?)?;
    let longitude = number(parts.get(1)?)?;
    let altitude = parts.get(2).and_then(|a| number(a));
    ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(GpsPosition {
        latitude,
        longitude,
        altitude,
    })
}

/// The value of a `data` box: UTF-8 or UTF-16 text, or a number.
fn data_value(body: &[u8]) -> String {
    let (Some(kind), Some(payload)) = (be32(body, 0), body.get(8..)) else { return String::new() };
    match kind & 0x00FF_FFFF {
        1 => text(payload),
        2 => String::from_utf16_lossy(
            &payload.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>(),
        ),
        21 | 22 if payload.len() <= 8 => {
            let v = payload.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
            v.to_string()
        }
        23 if payload.len() == 4 => f32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]).to_string(),
        24 if payload.len() == 8 => f64::from_be_bytes(payload.try_into().unwrap_or([0; 8])).to_string(),
        _ => format!("{} bytes", payload.len()),
    }
}

/// A `meta` box: Apple's `keys` + `ilst`, or iTunes-style `ilst` atoms.
/// QuickTime writes `meta` as a plain box, ISO files as a full box.
pub(crate) fn meta(walker: &mut Walker, meta: &BoxHeader, found: &mut Found) {
    let data = walker.data;
    let full = data.get(meta.body.start + 4..meta.body.start + 8) != Some(b"hdlr");
    let Ok(children) = walker.children(meta, if full { 4 } else { 0 }) else { return };
    let mut keys: Vec<String> = Vec::new();
    if let Some(k) = children.iter().find(|c| c.is(b"keys")) {
        let body = &data[k.body.clone()];
        let mut at = 8;
        while let Some(size) = be32(body, at).map(|s| s as usize) {
            let Some(name) = body.get(at + 8..at + size.max(8)) else { break };
            keys.push(text(name));
            at += size.max(8);
        }
    }
    for list in children.iter().filter(|c| c.is(b"ilst")) {
        let Ok(entries) = walker.children(list, 0) else { continue };
        for entry in entries {
            let index = u32::from_be_bytes(entry.fourcc) as usize;
            let name = match keys.get(index.wrapping_sub(1)) {
                Some(key) if !keys.is_empty() => key.clone(),
                _ => String::from_utf8_lossy(&entry.fourcc).replace('\u{FFFD}', "©"),
            };
            let Ok(parts) = walker.children(&entry, 0) else { continue };
            for d in parts.iter().filter(|p| p.is(b"data")) {
                let (category, label) = classify(&name);
                found.push(category, format!("QuickTime {name}"), label, data_value(&data[d.body.clone()]));
            }
        }
    }
}

/// A `udta` box: QuickTime text atoms, 3GPP boxes, XMP, nested `meta`, and
/// vendor boxes, each named.
pub(crate) fn user_data(walker: &mut Walker, udta: &BoxHeader, found: &mut Found) {
    let data = walker.data;
    let Ok(children) = walker.children(udta, 0) else { return };
    for child in children {
        let body = &data[child.body.clone()];
        let fourcc = child.fourcc;
        let name = if fourcc[0] == 0xA9 {
            format!("©{}", String::from_utf8_lossy(&fourcc[1..]))
        } else {
            String::from_utf8_lossy(&fourcc).into_owned()
        };
        match &fourcc {
            [0xA9, ..] => {
                // One or more (length, language, text) records.
                let len = be16(body, 0).map_or(0, usize::from);
                let value = body.get(4..4 + len).map(text).unwrap_or_default();
                let (category, label) = classify(&name);
                found.push(category, format!("QuickTime {name}"), label, value);
            }
            b"loci" => {
                // Full box, language, name, role, then 16.16 longitude, latitude, altitude.
                let name_end = body.iter().skip(6).position(|&b| b == 0).map(|p| 6 + p);
                let fixed = |at: usize| be32(body, at).map(|v| f64::from(v as i32) / 65536.0);
                let position = name_end.and_then(|n| Some((fixed(n + 2)?, fixed(n + 6)?, fixed(n + 10))));
                let value = match position {
                    Some((lon, lat, alt)) => {
                        let p = GpsPosition { latitude: lat, longitude: lon, altitude: alt };
                        found.location = found.location.or(Some(p));
                        format!("{lat:.5}, {lon:.5}")
                    }
                    None => format!("{} bytes", body.len()),
                };
                found.items.push(Item::new(Category::Location, "3GPP loci", "Location", value));
            }
            b"auth" | b"titl" | b"dscp" | b"cprt" | b"perf" | b"gnre" | b"kywd" | b"albm" => {
                let (category, label) = classify(&name);
                found.push(category, format!("3GPP {name}"), label, body.get(6..).map(text).unwrap_or_default());
            }
            b"XMP_" => found.items.extend(crate::metadata::xmp::read(body)),
            b"meta" => meta(walker, &child, found),
            _ => {
                let label = match &fourcc {
                    b"GPMF" => "GoPro metadata (can hold GPS and the camera's serial number)",
                    b"smta" => "Samsung metadata",
                    b"Xtra" => "Microsoft metadata",
                    b"hinf" | b"hnti" => "Streaming hints",
                    _ => "Vendor data",
                };
                found.items.push(Item::new(Category::Other, format!("QuickTime {name}"), label, human(body.len())));
            }
        }
    }
}

pub(crate) fn human(bytes: usize) -> String {
    crate::metadata::human_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_keys_are_named_as_for_photos() {
        let id = classify("com.apple.quicktime.content.identifier");
        assert_eq!(id, (Category::Identifiers, "Live Photo pairing identifier"));
        let accuracy = classify("com.apple.quicktime.location.accuracy.horizontal");
        assert_eq!(accuracy, (Category::Location, "Location accuracy (metres)"));
        assert_eq!(classify("com.apple.quicktime.location.ISO6709"), (Category::Location, "Location"));
        assert_eq!(classify("com.apple.quicktime.make").0, Category::Device);
        assert_eq!(classify("com.apple.quicktime.creationdate"), (Category::Time, "Date"));
        assert_eq!(classify("com.apple.quicktime.author"), (Category::People, "Name"));
        assert_eq!(classify("com.apple.quicktime.title"), (Category::Text, "Text"));
        assert_eq!(classify("com.apple.quicktime.comment"), (Category::Text, "Text"));
        assert_eq!(classify("com.apple.quicktime.location.name"), (Category::Location, "Location"));
    }
}
