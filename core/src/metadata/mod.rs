//! Readers for the metadata payloads found in containers. Each turns a payload
//! into plain-language items; none of them can fail the inspection: a payload
//! that cannot be read is still reported, and still removed.

use crate::limits::MAX_VALUE_CHARS;
use crate::report::Category;

pub(crate) mod exif;
mod exif_words;
pub(crate) mod gain_map;
pub(crate) mod icc;
pub(crate) mod icc_device;
pub(crate) mod irb;
mod maker_note;
pub(crate) mod mpf;
pub(crate) mod png_text;
pub(crate) mod xmp;

/// One thing a payload reveals, before it is tied to a block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub category: Category,
    pub key: String,
    pub label: String,
    pub value: String,
}

impl Item {
    pub fn new(category: Category, key: impl Into<String>, label: impl Into<String>, value: impl Into<String>) -> Self {
        Item { category, key: key.into(), label: label.into(), value: clip(&value.into()) }
    }
}

/// Shortens a value for display, at a character boundary.
pub(crate) fn clip(value: &str) -> String {
    // One line: control characters and whitespace runs become single spaces.
    let flat: String = value
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let trimmed = flat.as_str();
    if trimmed.chars().count() <= MAX_VALUE_CHARS {
        return trimmed.to_string();
    }
    let mut out: String = trimmed.chars().take(MAX_VALUE_CHARS).collect();
    out.push('…');
    out
}

/// Bytes as text: UTF-8 where valid, else Latin-1 (what old writers used).
pub(crate) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Formats a byte count for people.
pub(crate) fn human_bytes(n: usize) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}
