//! PNG text chunks (tEXt, zTXt, iTXt): decoded, inflated within a limit, and
//! itemised by keyword. ImageMagick's "Raw profile type" chunks are unpacked
//! to report the EXIF, IPTC or XMP hidden in them.

use super::{exif, irb, text, xmp, Item};
use crate::limits::MAX_INFLATED_TEXT;

/// What a file's compressed text chunks may still inflate to (limits::MAX_INFLATED_TEXT_TOTAL).
pub(crate) type Budget = usize;
use crate::report::Category;

/// Keyword and text of a chunk, or the reason it cannot be read.
fn decode(chunk: &[u8; 4], body: &[u8], budget: &mut Budget) -> Result<(String, Vec<u8>), String> {
    let nul = body.iter().position(|&b| b == 0).ok_or("no keyword terminator")?;
    let keyword = text(&body[..nul]);
    let rest = &body[nul + 1..];
    let value = match chunk {
        b"tEXt" => rest.to_vec(),
        b"zTXt" => inflate(rest.get(1..).ok_or("no compression method")?, budget)?,
        b"iTXt" => {
            let (&compressed, rest) = rest.split_first().ok_or("no compression flag")?;
            let rest = rest.get(1..).ok_or("no compression method")?;
            let lang_end = rest.iter().position(|&b| b == 0).ok_or("no language terminator")?;
            let rest = &rest[lang_end + 1..];
            let key_end = rest.iter().position(|&b| b == 0).ok_or("no translated keyword terminator")?;
            let rest = &rest[key_end + 1..];
            if compressed == 1 {
                inflate(rest, budget)?
            } else {
                rest.to_vec()
            }
        }
        _ => return Err("not a text chunk".into()),
    };
    Ok((keyword, value))
}

fn inflate(data: &[u8], budget: &mut Budget) -> Result<Vec<u8>, String> {
    if *budget == 0 {
        return Err("not inflated: past the file's limit".into());
    }
    let limit = MAX_INFLATED_TEXT.min(*budget);
    let inflated = fdeflate::decompress_to_vec_bounded(data, limit);
    // What it cost; failing, at most what its bytes could inflate to (deflate's most is
    // 1,032 to 1): a damaged stream of 20 bytes does not spend 8 MB of the budget.
    *budget -= inflated.as_ref().map_or(limit.min(data.len().saturating_mul(1032)), Vec::len);
    inflated.map_err(|e| match e {
        fdeflate::BoundedDecompressionError::OutputTooLarge { .. } => "too large to inflate".to_string(),
        fdeflate::BoundedDecompressionError::DecompressionError { inner } => format!("cannot inflate ({inner:?})"),
    })
}

pub(crate) fn read(chunk: &[u8; 4], body: &[u8], budget: &mut Budget) -> Vec<Item> {
    let name = String::from_utf8_lossy(chunk).into_owned();
    let (keyword, value) = match decode(chunk, body, budget) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_text_inflates_within_one_budget_for_the_file() {
        let chunk = |zeros: usize| {
            let mut body = b"Comment\0\0".to_vec();
            body.extend(fdeflate::compress_to_vec(&vec![0; zeros]));
            body
        };
        let mut budget: Budget = 1 << 20;
        // Read while the budget lasts, the budget then spent.
        assert_eq!(read(b"zTXt", &chunk(600 << 10), &mut budget)[0].label, "Comment");
        assert_eq!(budget, (1 << 20) - (600 << 10));
        let over = read(b"zTXt", &chunk(600 << 10), &mut budget);
        assert_eq!(over[0].value, "too large to inflate");
        assert_eq!(budget, 0);
        let unread = read(b"zTXt", &chunk(10), &mut budget);
        assert!(unread[0].value.starts_with("not inflated"), "{unread:?}");
        // A damaged stream spends at most what its bytes could have inflated to.
        let mut budget: Budget = 64 << 20;
        let damaged = read(b"zTXt", b"Comment\0\0\x78\x9c\xff\xff\xff\xff", &mut budget);
        assert!(damaged[0].value.starts_with("cannot inflate"), "{damaged:?}");
        assert!(budget >= (64 << 20) - 6 * 1032, "{budget}");
        // Uncompressed text costs nothing.
        assert_eq!(read(b"tEXt", b"Comment\0hello", &mut budget)[0].value, "hello");
    }
}
