//! Photoshop image resource blocks (JPEG APP13) and the IPTC-IIM records inside them.

use super::{human_bytes, text, Item};
use crate::report::Category;

const IPTC_NAA: u16 = 0x0404;
const THUMBNAIL_OLD: u16 = 0x0409;
const THUMBNAIL: u16 = 0x040C;
const ICC: u16 = 0x040F;
const EXIF_1: u16 = 0x0422;
const EXIF_3: u16 = 0x0423;
const XMP: u16 = 0x0424;

/// Itemises a resource-block stream ("8BIM" records).
pub(crate) fn read(data: &[u8]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut pos = 0;
    let mut others = 0;
    while pos + 12 <= data.len() {
        let signature = &data[pos..pos + 4];
        if !matches!(signature, b"8BIM" | b"PHUT" | b"AgHg" | b"DCSR" | b"MeSa") {
            items.push(Item::new(
                Category::Other,
                "Photoshop",
                "Photoshop data (unreadable)",
                format!("bad resource signature at {pos}"),
            ));
            return items;
        }
        let id = u16::from_be_bytes([data[pos + 4], data[pos + 5]]);
        // A Pascal-string name, padded so that length byte + name is even.
        let name_len = data[pos + 6] as usize;
        let size_at = pos + 6 + ((name_len + 2) & !1);
        if size_at + 4 > data.len() {
            break;
        }
        let size =
            u32::from_be_bytes([data[size_at], data[size_at + 1], data[size_at + 2], data[size_at + 3]]) as usize;
        let start = size_at + 4;
        let Some(end) = start.checked_add(size).filter(|&e| e <= data.len()) else {
            items.push(Item::new(Category::Other, "Photoshop", "Photoshop data (truncated)", human_bytes(data.len())));
            break;
        };
        let body = &data[start..end];
        match id {
            IPTC_NAA => items.extend(read_iim(body)),
            THUMBNAIL | THUMBNAIL_OLD => items.push(Item::new(
                Category::Thumbnail,
                "Photoshop thumbnail",
                "Photoshop thumbnail image",
                human_bytes(body.len()),
            )),
            EXIF_1 | EXIF_3 => items.extend(super::exif::read(body).items),
            XMP => items.extend(super::xmp::read(body)),
            ICC => items.push(Item::new(
                Category::Other,
                "Photoshop ICC",
                "Copy of the ICC profile",
                human_bytes(body.len()),
            )),
            _ => others += 1,
        }
        pos = end + (size & 1);
    }
    if others > 0 {
        items.push(Item::new(Category::Other, "Photoshop other", "Photoshop settings", format!("{others} resources")));
    }
    items
}

/// Itemises IPTC-IIM datasets (0x1C, record, dataset, length, value).
pub(crate) fn read_iim(data: &[u8]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut pos = 0;
    let mut others = 0;
    while pos + 5 <= data.len() && data[pos] == 0x1C {
        let record = data[pos + 1];
        let dataset = data[pos + 2];
        let mut len = u16::from_be_bytes([data[pos + 3], data[pos + 4]]) as usize;
        let mut start = pos + 5;
        if len & 0x8000 != 0 {
            // Extended dataset: the low bits give the size of the length field.
            let n = len & 0x7FFF;
            if n > 4 || start + n > data.len() {
                break;
            }
            len = data[start..start + n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize);
            start += n;
        }
        let Some(end) = start.checked_add(len).filter(|&e| e <= data.len()) else {
            break;
        };
        let value = text(&data[start..end]);
        match (record, iim_name(record, dataset)) {
            (2, Some(_)) if value.trim().is_empty() => {}
            (2, Some((category, name))) => {
                let key = format!("IPTC {name}");
                if let Some(existing) = items.iter_mut().find(|i| i.key == key) {
                    if existing.value.len() < 200 {
                        existing.value = super::clip(&format!("{}; {}", existing.value, value));
                    }
                } else {
                    items.push(Item::new(category, key, name, value));
                }
            }
            _ => others += 1,
        }
        pos = end;
    }
    if others > 0 {
        items.push(Item::new(Category::Other, "IPTC other", "Other IPTC fields", format!("{others} fields")));
    }
    items
}

fn iim_name(record: u8, dataset: u8) -> Option<(Category, &'static str)> {
    if record != 2 {
        return None;
    }
    Some(match dataset {
        5 => (Category::Text, "Object name"),
        25 => (Category::Text, "Keywords"),
        40 => (Category::Text, "Special instructions"),
        55 => (Category::Time, "Date created"),
        60 => (Category::Time, "Time created"),
        62 => (Category::Time, "Digital creation date"),
        63 => (Category::Time, "Digital creation time"),
        65 => (Category::Software, "Originating program"),
        80 => (Category::People, "By-line (author)"),
        85 => (Category::People, "By-line title"),
        90 => (Category::Location, "City"),
        92 => (Category::Location, "Sub-location"),
        95 => (Category::Location, "Province/State"),
        100 => (Category::Location, "Country code"),
        101 => (Category::Location, "Country"),
        103 => (Category::Identifiers, "Original transmission reference"),
        105 => (Category::Text, "Headline"),
        110 => (Category::People, "Credit"),
        115 => (Category::People, "Source"),
        116 => (Category::People, "Copyright notice"),
        118 => (Category::People, "Contact"),
        120 => (Category::Text, "Caption"),
        122 => (Category::People, "Caption writer"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iptc_inside_8bim() {
        let mut iim = vec![0x1C, 2, 80, 0, 4];
        iim.extend_from_slice(b"Jane");
        iim.extend_from_slice(&[0x1C, 2, 90, 0, 5]);
        iim.extend_from_slice(b"Paris");
        let mut irb = b"8BIM\x04\x04\0\0".to_vec();
        irb.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        irb.extend_from_slice(&iim);
        let items = read(&irb);
        assert!(items.iter().any(|i| i.category == Category::People && i.value == "Jane"), "{items:?}");
        assert!(items.iter().any(|i| i.category == Category::Location && i.value == "Paris"));
        // Truncated and garbage inputs are reported, not fatal.
        assert!(!read(&irb[..irb.len() - 3]).is_empty());
        assert!(!read(b"garbage garbage").is_empty());
    }
}
