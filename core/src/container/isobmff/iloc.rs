//! `iloc`, the item location box: where each item's bytes are. Versions 0, 1
//! and 2; offset, length, base-offset and index fields of 0, 4 or 8 bytes;
//! construction method 0 (offsets in the file) and 1 (offsets in `idat`).
//! Extents are resolved to absolute byte ranges of the input when read, and
//! written back with fresh offsets.

use std::ops::Range;

use super::boxes::{finish_box, limit, put16, put32, put_uint, start_full_box, unsupported, BoxHeader, Fields, Result};
use crate::error::Error;
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
    locations: &mut Vec<Location>,
) -> Result<()> {
    let mut f = Fields::new(data, format, iloc);
    let (version, _) = f.full_box()?;
    if version > 2 {
        return Err(f.error(format_args!("version {version} is not 0, 1 or 2")));
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
            return Err(f.error(format_args!("{what} size {size} is not 0, 4 or 8")));
        }
    }
    let count = if version < 2 { u64::from(f.u16()?) } else { u64::from(f.u32()?) };
    if count > MAX_ITEMS as u64 {
        return Err(limit(format, iloc.start, format_args!("'iloc' lists {count} items; the limit is {MAX_ITEMS}")));
    }
    let mut extents_seen = 0usize;
    for _ in 0..count {
        let entry_at = f.pos();
        let item = if version < 2 { u32::from(f.u16()?) } else { f.u32()? };
        let method = if version == 0 { 0 } else { (f.u16()? & 0xF) as u8 };
        let reference = f.u16()?;
        let base = f.uint(base_size)?;
        let extent_count = f.u16()?;
        let refuse = |what: &str| {
            unsupported(format, entry_at, format_args!("item {item}'s data is {what}; this is not supported"))
        };
        if reference != 0 {
            return Err(refuse("in another file (a data reference)"));
        }
        // The container the offsets count from.
        let container = match method {
            0 => 0..data.len(),
            1 => {
                idat.clone().ok_or_else(|| f.error(format_args!("item {item} is in 'idat', but there is no 'idat'")))?
            }
            2 => return Err(refuse("built from other items (construction method 2)")),
            m => return Err(f.error(format_args!("item {item} has construction method {m}"))),
        };
        let mut extents = Vec::new();
        for _ in 0..extent_count {
            extents_seen += 1;
            if extents_seen > MAX_EXTENTS {
                return Err(limit(format, f.pos(), format_args!("more than {MAX_EXTENTS} item extents")));
            }
            // The extent index only matters to construction method 2.
            f.uint(index_size)?;
            let offset = f.uint(offset_size)?;
            let length = f.uint(length_size)?;
            let extent = resolve(&container, base, offset, length)
                .ok_or_else(|| extent_error(&f, item, &container, base, offset, length, method))?;
            extents.push(extent);
        }
        locations.push(Location { item, method, extents });
    }
    // Bytes after the last item are read by nobody: a count one short (one changed byte)
    // leaves the last item's location there, and its data, unlocated, may lie inside an
    // extent that runs to the end of the file, copied as that item's (found by the
    // heif_structure fuzz target: an XMP packet inside the picture's extent).
    if f.remaining() != 0 {
        return Err(f.error(format_args!("{} bytes after its {count} items", f.remaining())));
    }
    Ok(())
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

#[cold]
fn extent_error(
    f: &Fields,
    item: u32,
    container: &Range<usize>,
    base: u64,
    offset: u64,
    length: u64,
    method: u8,
) -> Box<Error> {
    let within = if method == 0 { "the file" } else { "'idat'" };
    f.error(format_args!(
        "item {item}'s extent (base {base} + offset {offset}, length {length}) is empty or outside {within} ({} bytes)",
        container.len()
    ))
}

/// Writes an `iloc` box for `locations` (the kept ones, in order) with their
/// bytes laid out anew, each method's extents one after another: method 0
/// from `mdat_start` in the file, method 1 from the start of `idat`. With
/// `moved`, a method-0 extent is at `mdat_start + moved(its old offset)`
/// instead (an image sequence's `mdat`, where the items stay among the frames).
/// Fields are the smallest that hold every value.
pub(crate) fn write(out: &mut Vec<u8>, locations: &[&Location], mdat_start: u64, moved: Option<&dyn Fn(u64) -> u64>) {
    // Each extent's new offset and length, in order.
    let placed = || {
        let (mut in_mdat, mut in_idat) = (mdat_start, 0u64);
        let extents = locations.iter().flat_map(|l| l.extents.iter().map(move |e| (l.method, e)));
        extents.map(move |(method, e)| {
            let length = e.len() as u64;
            if let (0, Some(moved)) = (method, moved) {
                return (mdat_start + moved(e.start as u64), length);
            }
            let end = if method == 0 { &mut in_mdat } else { &mut in_idat };
            *end += length;
            (*end - length, length)
        })
    };
    let big_ids = locations.len() > usize::from(u16::MAX) || locations.iter().any(|l| l.item > u32::from(u16::MAX));
    let version = if big_ids {
        2
    } else if locations.iter().any(|l| l.method != 0) {
        1
    } else {
        0
    };
    let big = u64::from(u32::MAX);
    let offset_size = if placed().any(|(offset, _)| offset > big) { 8 } else { 4 };
    let length_size = if placed().any(|(_, length)| length > big) { 8 } else { 4 };
    let at = start_full_box(out, b"iloc", version, 0);
    out.push(((offset_size << 4) | length_size) as u8);
    // No base offsets, no extent indexes.
    out.push(0);
    if version < 2 {
        put16(out, locations.len() as u16);
    } else {
        put32(out, locations.len() as u32);
    }
    let mut placed = placed();
    for loc in locations {
        if version < 2 {
            put16(out, loc.item as u16);
        } else {
            put32(out, loc.item);
        }
        if version > 0 {
            put16(out, u16::from(loc.method));
        }
        // Data reference 0: this file.
        put16(out, 0);
        // The parser read at most u16::MAX extents per item.
        put16(out, loc.extents.len() as u16);
        for (offset, length) in placed.by_ref().take(loc.extents.len()) {
            put_uint(out, offset_size, offset);
            put_uint(out, length_size, length);
        }
    }
    finish_box(out, at);
}
