//! `iloc`, the item location box: where each item's bytes are. Versions 0, 1
//! and 2; offset, length, base-offset and index fields of 0, 4 or 8 bytes;
//! construction method 0 (offsets in the file) and 1 (offsets in `idat`).
//! Extents are resolved to absolute byte ranges of the input when read, and
//! written back with fresh offsets.

use std::ops::Range;

use super::boxes::{finish_box, put_uint, start_full_box, BoxHeader, Fields};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::{MAX_EXTENTS, MAX_ITEMS};

/// Where one item's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub item: u32,
    /// 0: in the file (an `mdat`); 1: in `idat`.
    pub method: u8,
    /// Absolute, non-empty byte ranges of the input, in item order.
    pub extents: Vec<Range<usize>>,
}

pub(crate) fn parse(
    data: &[u8],
    format: &'static str,
    iloc: &BoxHeader,
    idat: Option<Range<usize>>,
) -> Result<Vec<Location>> {
    let mut f = Fields::new(data, format, iloc);
    let (version, _) = f.full_box()?;
    if version > 2 {
        return Err(f.error(format!("version {version} is not 0, 1 or 2")));
    }
    let sizes = f.u8()?;
    let (offset_size, length_size) = (usize::from(sizes >> 4), usize::from(sizes & 0xF));
    let sizes = f.u8()?;
    let base_size = usize::from(sizes >> 4);
    // Version 0 has no extent index; its low nibble is reserved.
    let index_size = if version == 0 { 0 } else { usize::from(sizes & 0xF) };
    for (what, size) in
        [("offset", offset_size), ("length", length_size), ("base offset", base_size), ("index", index_size)]
    {
        if !matches!(size, 0 | 4 | 8) {
            return Err(f.error(format!("{what} size {size} is not 0, 4 or 8")));
        }
    }
    let count = if version < 2 { u64::from(f.u16()?) } else { u64::from(f.u32()?) };
    if count > MAX_ITEMS as u64 {
        return Err(
            Error::limit(format, format!("'iloc' lists {count} items; the limit is {MAX_ITEMS}")).at(iloc.start)
        );
    }
    let mut locations = Vec::new();
    let mut extents_seen = 0usize;
    for _ in 0..count {
        let entry_at = f.pos();
        let item = if version < 2 { u32::from(f.u16()?) } else { f.u32()? };
        let method = if version == 0 { 0 } else { (f.u16()? & 0xF) as u8 };
        let reference = f.u16()?;
        let base = f.uint(base_size)?;
        let extent_count = f.u16()?;
        let unsupported = |what: &str| {
            Error::new(ErrorKind::Unsupported, format!("item {item}'s data is {what}; this is not supported"))
                .in_format(format)
                .at(entry_at)
        };
        if reference != 0 {
            return Err(unsupported("in another file (a data reference)"));
        }
        // The container the offsets count from.
        let container = match method {
            0 => 0..data.len(),
            1 => idat.clone().ok_or_else(|| f.error(format!("item {item} is in 'idat', but there is no 'idat'")))?,
            2 => return Err(unsupported("built from other items (construction method 2)")),
            m => return Err(f.error(format!("item {item} has construction method {m}"))),
        };
        let mut extents = Vec::new();
        for _ in 0..extent_count {
            extents_seen += 1;
            if extents_seen > MAX_EXTENTS {
                return Err(Error::limit(format, format!("more than {MAX_EXTENTS} item extents")).at(f.pos()));
            }
            // The extent index only matters to construction method 2.
            f.uint(index_size)?;
            let offset = f.uint(offset_size)?;
            let length = f.uint(length_size)?;
            let extent = resolve(&container, base, offset, length)
                .ok_or_else(|| f.error(extent_message(item, &container, base, offset, length, method)))?;
            extents.push(extent);
        }
        locations.push(Location { item, method, extents });
    }
    Ok(locations)
}

/// The absolute range of an extent, if it is non-empty and inside its
/// container. A length of 0 means "to the end of the container".
fn resolve(container: &Range<usize>, base: u64, offset: u64, length: u64) -> Option<Range<usize>> {
    let relative = base.checked_add(offset)?;
    let start = u64::try_from(container.start).ok()?.checked_add(relative)?;
    let end = if length == 0 { u64::try_from(container.end).ok()? } else { start.checked_add(length)? };
    let (start, end) = (usize::try_from(start).ok()?, usize::try_from(end).ok()?);
    (start < end && end <= container.end).then_some(start..end)
}

fn extent_message(item: u32, container: &Range<usize>, base: u64, offset: u64, length: u64, method: u8) -> String {
    let within = if method == 0 { "the file" } else { "'idat'" };
    format!(
        "item {item}'s extent (base {base} + offset {offset}, length {length}) is empty or outside {within} ({} bytes)",
        container.len()
    )
}

/// One item's entry as the writer places it: offsets from the start of the
/// file (method 0) or of `idat` (method 1).
pub(crate) struct Placed {
    pub item: u32,
    pub method: u8,
    pub extents: Vec<(u64, u64)>,
}

/// Writes an `iloc` box with the smallest fields that hold every value.
pub(crate) fn write(out: &mut Vec<u8>, entries: &[Placed]) {
    let big_ids = entries.len() > usize::from(u16::MAX) || entries.iter().any(|e| e.item > u32::from(u16::MAX));
    let version = if big_ids {
        2
    } else if entries.iter().any(|e| e.method != 0) {
        1
    } else {
        0
    };
    let size_for = |max: u64| if max > u64::from(u32::MAX) { 8 } else { 4 };
    let offset_size = size_for(entries.iter().flat_map(|e| &e.extents).map(|x| x.0).max().unwrap_or(0));
    let length_size = size_for(entries.iter().flat_map(|e| &e.extents).map(|x| x.1).max().unwrap_or(0));
    let at = start_full_box(out, b"iloc", version, 0);
    out.push(((offset_size << 4) | length_size) as u8);
    // No base offsets, no extent indexes.
    out.push(0);
    if version < 2 {
        out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    } else {
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    }
    for entry in entries {
        if version < 2 {
            out.extend_from_slice(&(entry.item as u16).to_be_bytes());
        } else {
            out.extend_from_slice(&entry.item.to_be_bytes());
        }
        if version > 0 {
            out.extend_from_slice(&u16::from(entry.method).to_be_bytes());
        }
        // Data reference 0: this file.
        out.extend_from_slice(&[0, 0]);
        // The parser read at most u16::MAX extents per item.
        out.extend_from_slice(&(entry.extents.len() as u16).to_be_bytes());
        for &(offset, length) in &entry.extents {
            put_uint(out, offset_size, offset);
            put_uint(out, length_size, length);
        }
    }
    finish_box(out, at);
}
