//! PNG text chunks (tEXt, zTXt, iTXt): decoded, inflated within a limit, and
//! itemised by keyword. ImageMagick's "Raw profile type" chunks are unpacked
//! to report the EXIF, IPTC or XMP hidden in them.

use super::{exif, irb, text, xmp, Item};
use crate::limits::MAX_INFLATED_TEXT;
use crate::report::Category;

/// Keyword and text of a chunk, or the reason it cannot be read.
pub(crate) fn decode(chunk: &[u8; 4], body: &[u8]) -> Result<(String, Vec<u8>), String> {
    let nul = body.iter().position(|&b| b == 0).ok_or("no keyword terminator")?;
    let keyword = text(&body[..nul]);
    let rest = &body[nul + 1..];
    let value = match chunk {
        b"tEXt" => rest.to_vec(),
        b"zTXt" => inflate(rest.get(1..).ok_or("no compression method")?)?,
        b"iTXt" => {
            let (&compressed, rest) = rest.split_first().ok_or("no compression flag")?;
            let rest = rest.get(1..).ok_or("no compression method")?;
            let lang_end = rest.iter().position(|&b| b == 0).ok_or("no language terminator")?;
            let rest = &rest[lang_end + 1..];
            let key_end = rest.iter().position(|&b| b == 0).ok_or("no translated keyword terminator")?;
            let rest = &rest[key_end + 1..];
            if compressed == 1 {
                inflate(rest)?
            } else {
                rest.to_vec()
            }
        }
        _ => return Err("not a text chunk".into()),
    };
    Ok((keyword, value))
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, String> {
    fdeflate::decompress_to_vec_bounded(data, MAX_INFLATED_TEXT).map_err(|e| match e {
        fdeflate::BoundedDecompressionError::OutputTooLarge { .. } => "too large to inflate".to_string(),
        fdeflate::BoundedDecompressionError::DecompressionError { inner } => format!("cannot inflate ({inner:?})"),
    })
}

pub(crate) fn read(chunk: &[u8; 4], body: &[u8]) -> Vec<Item> {
    let name = String::from_utf8_lossy(chunk).into_owned();
    let (keyword, value) = match decode(chunk, body) {
        Ok(kv) => kv,
        Err(e) => return vec![Item::new(Category::Text, format!("PNG {name}"), "Text chunk (unreadable)", e)],
    };
    if keyword == "XML:com.adobe.xmp" {
        return xmp::read(&value);
    }
    if let Some(kind) = keyword.strip_prefix("Raw profile type ") {
        if let Some(raw) = unhex_profile(&value) {
            let items = match kind {
                "exif" | "APP1" => exif::read(raw.strip_prefix(b"Exif\0\0").unwrap_or(&raw)).items,
                "iptc" | "8bim" => {
                    let raw = raw.strip_prefix(b"Photoshop 3.0\0").unwrap_or(&raw);
                    if raw.first() == Some(&0x1C) {
                        irb::read_iim(raw)
                    } else {
                        irb::read(raw)
                    }
                }
                "xmp" => xmp::read(&raw),
                _ => Vec::new(),
            };
            if !items.is_empty() {
                return items;
            }
        }
    }
    let category = match keyword.as_str() {
        "Author" | "Copyright" | "Disclaimer" => Category::People,
        "Creation Time" | "date:create" | "date:modify" | "date:timestamp" => Category::Time,
        "Software" => Category::Software,
        "Source" => Category::Device,
        _ => Category::Text,
    };
    vec![Item::new(category, format!("PNG {name} {keyword}"), keyword.clone(), text(&value))]
}

/// ImageMagick's raw profile: "\n<type>\n<length>\n<hex digits...>".
fn unhex_profile(value: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(value).ok()?;
    let mut lines = s.trim_start().splitn(3, '\n');
    let _kind = lines.next()?;
    let len: usize = lines.next()?.trim().parse().ok()?;
    let hex: Vec<u8> = lines.next()?.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    let bytes: Vec<u8> = hex.chunks_exact(2).take(len).map(|p| (hex_val(p[0]) << 4) | hex_val(p[1])).collect();
    Some(bytes)
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}
