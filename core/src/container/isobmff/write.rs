//! Rebuilding a HEIF/AVIF file from the kept items: `ftyp` as it was, a new
//! `meta` listing only kept items (their properties, `pitm`, `dinf` and
//! entity groups copied, but a colour profile naming its device written
//! again without it; `hdlr` and `infe` rewritten without names; `iinf`,
//! `iloc`, `iref`, `ipma` and `idat` rewritten), then one new `mdat` holding
//! only the kept items' bytes. Nothing else of the input is
//! copied, so removed bytes cannot survive in a `free` box or an unused
//! stretch of `mdat`; whether `mdat` came before or after `meta`, the new
//! offsets count from the new layout.

use super::boxes::codes::*;
use std::ops::Range;

use super::boxes::{code, finish_box, put, put16, put32, start_box, start_full_box, BoxHeader};
use super::heif::{Heif, Meta, Reference};
use super::iloc::{self, Location};
use super::layout::Part;
use super::props::{Association, Info};
use crate::container::Decision;
use crate::metadata::icc_device::{self, Device};

/// What the decisions keep, per model element.
struct Kept {
    /// Per item (index into `Meta::items`).
    items: Vec<bool>,
    /// Per property: kept, and its new 1-based index.
    properties: Vec<Option<u16>>,
    /// Per property: a colour profile to write again without the device it names.
    profiles: Vec<bool>,
    /// Per `meta` child the writer does not rebuild: copied.
    children: Vec<bool>,
}

pub(crate) fn write(heif: &Heif, data: &[u8], parts: &[Part], decisions: &[Decision]) -> Vec<u8> {
    let meta = &heif.meta;
    let kept = kept(meta, parts, decisions);
    let locations: Vec<&Location> = meta.locations.iter().filter(|l| kept.has(meta, l.item)).collect();
    // The kept bytes in the new mdat: method 0's extents, in `iloc` order (as
    // `iloc::write` places them).
    let items = || locations.iter().filter(|l| l.method == 0).flat_map(|l| l.extents.iter());
    let items_len: u64 = items().map(|e| e.len() as u64).sum();
    let ftyp = &data[heif.top[0].range()];
    let (meta_bytes, mdat_header) = lay_out(meta, data, &kept, &locations, ftyp.len(), items_len, None);
    let mut out = Vec::with_capacity(ftyp.len() + meta_bytes.len() + mdat_header + items_len as usize);
    put(&mut out, ftyp);
    put(&mut out, &meta_bytes);
    if items_len > 0 {
        put_mdat_header(&mut out, mdat_header, items_len);
        for e in items() {
            put(&mut out, &data[e.clone()]);
        }
    }
    out
}

/// The new `meta` of a file that is `before` bytes (`ftyp`, and a sequence's
/// `moov`), then `meta`, then an `mdat` of `mdat_len` bytes; with the header
/// `mdat` needs (8 bytes, or 16 past 4 GB). The items' offsets are laid out as
/// `iloc::write` says (`moved`: see there).
fn lay_out(
    meta: &Meta,
    data: &[u8],
    kept: &Kept,
    locations: &[&Location],
    before: usize,
    mdat_len: u64,
    moved: Option<&dyn Fn(u64) -> u64>,
) -> (Vec<u8>, usize) {
    // The kept items stored in `idat` (method 1), in `iloc` order.
    let mut idat = Vec::new();
    for loc in locations.iter().filter(|l| l.method == 1) {
        for e in &loc.extents {
            put(&mut idat, &data[e.clone()]);
        }
    }
    let mdat_header = if mdat_len + 8 > u64::from(u32::MAX) { 16 } else { 8 };
    // iloc's field sizes follow the offsets, which follow meta's size: a
    // second round settles it, a third at most (only the offset size
    // depends on where mdat starts, and it only grows, from 4 to 8 bytes).
    let mut mdat_start = (before + mdat_header) as u64;
    let mut meta_bytes = build_meta(meta, data, kept, locations, &idat, mdat_start, moved);
    loop {
        let start = (before + meta_bytes.len() + mdat_header) as u64;
        if start == mdat_start {
            break;
        }
        mdat_start = start;
        meta_bytes = build_meta(meta, data, kept, locations, &idat, mdat_start, moved);
    }
    (meta_bytes, mdat_header)
}

fn put_mdat_header(out: &mut Vec<u8>, header: usize, body_len: u64) {
    let len = body_len + header as u64;
    if header == 16 {
        put32(out, 1);
        put(out, b"mdat");
        put(out, &len.to_be_bytes());
    } else {
        put32(out, len as u32);
        put(out, b"mdat");
    }
}

/// An image sequence rebuilt (see `sequence`): `ftyp` as it was, a new `meta` as
/// for a still image, the cleaned `moov` (`movie`'s removals and zeroed fields),
/// and one new `mdat` holding the kept items' bytes and the kept tracks' chunks
/// (`chunks`: sorted, merged), in their order in the file: a still that is also
/// the first frame (as ffmpeg writes them) stays one copy. Every item offset and
/// chunk offset is pointed at the new place. A removed item whose bytes lie in a
/// kept chunk cannot be taken out of it: the file is refused.
#[cfg(feature = "video")]
pub(crate) fn write_sequence(
    heif: &Heif,
    data: &[u8],
    parts: &[Part],
    decisions: &[Decision],
    moov: &[u8],
    movie: &crate::video::movie::Movie,
    chunks: &[std::ops::Range<u64>],
) -> crate::error::Result<Vec<u8>> {
    use crate::error::{Error, ErrorKind};
    let meta = &heif.meta;
    let kept = kept(meta, parts, decisions);
    let inside_chunk = |e: &std::ops::Range<usize>| {
        let i = chunks.partition_point(|c| c.start < e.end as u64);
        i > 0 && chunks[i - 1].end > e.start as u64
    };
    for loc in meta.locations.iter().filter(|l| l.method == 0 && !kept.has(meta, l.item)) {
        if let Some(e) = loc.extents.iter().find(|e| inside_chunk(e)) {
            let message =
                format!("item {} shares bytes with the sequence's frames; removing it would cut them", loc.item);
            return Err(Error::new(ErrorKind::Unsupported, message).in_format(heif.format).at(e.start));
        }
    }
    let locations: Vec<&Location> = meta.locations.iter().filter(|l| kept.has(meta, l.item)).collect();
    // What the new mdat holds: the kept items' extents and the chunks, in file
    // order, overlapping ones merged; and where each range starts in it.
    let mut ranges: Vec<std::ops::Range<u64>> = chunks.to_vec();
    for loc in locations.iter().filter(|l| l.method == 0) {
        ranges.extend(loc.extents.iter().map(|e| e.start as u64..e.end as u64));
    }
    let merged = super::sequence::merged(ranges);
    let before: Vec<u64> = merged
        .iter()
        .scan(0u64, |sum, r| {
            let at = *sum;
            *sum += r.end - r.start;
            Some(at)
        })
        .collect();
    let mdat_len: u64 = merged.iter().map(|r| r.end - r.start).sum();
    // An old offset's place in the new mdat's body, by bisection (a movie may have
    // millions of chunks). An empty chunk outside every range (it reads nothing)
    // goes where it would sort.
    let moved = |offset: u64| -> u64 {
        let i = merged.partition_point(|r| r.start <= offset);
        match i.checked_sub(1).map(|i| (&merged[i], before[i])) {
            Some((r, before)) if offset <= r.end => before + (offset - r.start),
            _ => before.get(i).copied().unwrap_or(mdat_len),
        }
    };
    let ftyp = &data[heif.top[0].range()];
    let mut new_moov = movie.write(moov);
    let (meta_bytes, mdat_header) =
        lay_out(meta, data, &kept, &locations, ftyp.len() + new_moov.len(), mdat_len, Some(&moved));
    let mdat_start = (ftyp.len() + meta_bytes.len() + new_moov.len() + mdat_header) as u64;
    if mdat_start + mdat_len > u64::from(u32::MAX)
        && movie.tracks.iter().any(|t| t.kept && t.offsets.as_ref().is_some_and(|o| !o.wide))
    {
        // 32-bit chunk offsets (stco) cannot point past 4 GB; no image sequence comes near.
        return Err(Error::limit(heif.format, "an image sequence whose media ends past 4 GB"));
    }
    movie.patch_offsets(moov, &mut new_moov, |offset| Ok(mdat_start + moved(offset)))?;

    let mut out = Vec::with_capacity((mdat_start + mdat_len) as usize);
    put(&mut out, ftyp);
    put(&mut out, &meta_bytes);
    put(&mut out, &new_moov);
    put_mdat_header(&mut out, mdat_header, mdat_len);
    for r in &merged {
        put(&mut out, &data[r.start as usize..r.end as usize]);
    }
    Ok(out)
}

impl Kept {
    /// Whether item `id` is kept.
    #[inline(never)]
    fn has(&self, meta: &Meta, id: u32) -> bool {
        meta.position(id).is_some_and(|i| self.items[i])
    }

    /// A reference's kept targets, into `out`; none if its source is removed.
    #[inline(never)]
    fn targets(&self, meta: &Meta, r: &Reference, out: &mut Vec<u32>) {
        out.clear();
        if self.has(meta, r.from) {
            out.extend(r.to.iter().filter(|t| self.has(meta, **t)));
        }
    }

    /// An association's entries for kept properties, with their new
    /// indexes, into `out`; none if its item is removed.
    #[inline(never)]
    fn entries(&self, meta: &Meta, a: &Association, out: &mut Vec<(u16, bool)>) {
        out.clear();
        if self.has(meta, a.item) {
            for &(index, essential) in &a.entries {
                if let Some(Some(new)) = usize::from(index).checked_sub(1).and_then(|i| self.properties.get(i)) {
                    out.push((*new, essential));
                }
            }
        }
    }
}

fn kept(meta: &Meta, parts: &[Part], decisions: &[Decision]) -> Kept {
    let mut items = vec![false; meta.items.len()];
    let mut property_blocks = vec![false; meta.properties.len()];
    let mut profiles = vec![false; meta.properties.len()];
    let mut children = vec![false; meta.children.len()];
    for (part, decision) in parts.iter().zip(decisions) {
        let keep = matches!(decision, Decision::Keep | Decision::ReplaceIcc);
        match *part {
            Part::Item(i) => {
                if let Some(item) = items.get_mut(i) {
                    *item = keep;
                }
            }
            Part::Property(i) => {
                if let Some(p) = property_blocks.get_mut(i) {
                    *p = keep;
                    profiles[i] = *decision == Decision::ReplaceIcc;
                }
            }
            Part::MetaChild(i) => {
                if let Some(c) = children.get_mut(i) {
                    *c = keep;
                }
            }
            _ => {}
        }
    }
    // A property survives when a kept item uses it and its block was kept;
    // properties of removed items have no block and go with them.
    let mut used = vec![false; meta.properties.len()];
    for a in meta.associations.iter().filter(|a| meta.position(a.item).is_some_and(|i| items[i])) {
        for &(index, _) in &a.entries {
            if let Some(u) = usize::from(index).checked_sub(1).and_then(|i| used.get_mut(i)) {
                *u = true;
            }
        }
    }
    let mut next = 0u16;
    let properties = used
        .iter()
        .zip(&property_blocks)
        .map(|(&used, &block)| {
            (used && block).then(|| {
                next += 1;
                next
            })
        })
        .collect();
    Kept { items, properties, profiles, children }
}

/// `hdlr` for pictures, without a name (the writing software).
const HDLR_BOX: [u8; 33] = [
    0, 0, 0, 33, b'h', b'd', b'l', b'r', 0, 0, 0, 0, 0, 0, 0, 0, b'p', b'i', b'c', b't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0,
];

fn build_meta(
    meta: &Meta,
    data: &[u8],
    kept: &Kept,
    locations: &[&Location],
    idat: &[u8],
    mdat_start: u64,
    moved: Option<&dyn Fn(u64) -> u64>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let at = start_full_box(&mut out, b"meta", 0, 0);
    for (j, child) in meta.children.iter().enumerate() {
        match code(&child.fourcc) {
            HDLR => put(&mut out, &HDLR_BOX),
            PITM => put(&mut out, &data[child.range()]),
            DINF if meta.dinf_self_contained => put(&mut out, &data[child.range()]),
            IINF => write_iinf(&mut out, meta, kept),
            ILOC => iloc::write(&mut out, locations, mdat_start, moved),
            IREF => write_iref(&mut out, meta, kept),
            IPRP => write_iprp(&mut out, meta, data, kept),
            IDAT if !idat.is_empty() => {
                let at = start_box(&mut out, b"idat");
                put(&mut out, idat);
                finish_box(&mut out, at);
            }
            GRPL => write_grpl(&mut out, meta, data, kept),
            _ if kept.children.get(j).copied().unwrap_or(false) => put(&mut out, &data[child.range()]),
            _ => {}
        }
    }
    finish_box(&mut out, at);
    out
}

/// A 16-bit item id, or a 32-bit one when `large`.
fn put_id(out: &mut Vec<u8>, id: u32, large: bool) {
    if large {
        put32(out, id);
    } else {
        put16(out, id as u16);
    }
}

fn write_iinf(out: &mut Vec<u8>, meta: &Meta, kept: &Kept) {
    let items = || meta.items.iter().zip(&kept.items).filter(|(_, k)| **k).map(|(i, _)| i);
    let count = items().count();
    let wide = count > usize::from(u16::MAX);
    let at = start_full_box(out, b"iinf", u8::from(wide), 0);
    put_id(out, count as u32, wide);
    // Kept items are pictures (typed, version 2 or 3, never protected), so
    // their entries are rewritten whole, with empty names.
    for item in items() {
        let infe = start_full_box(out, b"infe", item.version, u32::from(item.hidden));
        put_id(out, item.id, item.version != 2);
        put16(out, 0);
        put(out, &item.item_type);
        out.push(0);
        finish_box(out, infe);
    }
    finish_box(out, at);
}

/// References between kept items only; none left, no `iref`.
fn write_iref(out: &mut Vec<u8>, meta: &Meta, kept: &Kept) {
    let mut to = Vec::new();
    let (mut any, mut large) = (false, false);
    for r in &meta.references {
        kept.targets(meta, r, &mut to);
        if !to.is_empty() {
            any = true;
            large |= r.from > u32::from(u16::MAX) || to.iter().any(|t| *t > u32::from(u16::MAX));
        }
    }
    if !any {
        return;
    }
    let at = start_full_box(out, b"iref", u8::from(large), 0);
    for r in &meta.references {
        kept.targets(meta, r, &mut to);
        if to.is_empty() {
            continue;
        }
        let b = start_box(out, &r.kind);
        put_id(out, r.from, large);
        // The parser read at most u16::MAX targets per reference.
        put16(out, to.len() as u16);
        for t in &to {
            put_id(out, *t, large);
        }
        finish_box(out, b);
    }
    finish_box(out, at);
}

/// `iprp` with the kept properties (copied) and the kept items'
/// associations, renumbered.
fn write_iprp(out: &mut Vec<u8>, meta: &Meta, data: &[u8], kept: &Kept) {
    let iprp = start_box(out, b"iprp");
    let ipco = start_box(out, b"ipco");
    for (i, (property, k)) in meta.properties.iter().zip(&kept.properties).enumerate() {
        if k.is_none() {
            continue;
        }
        match (&property.info, kept.profiles[i]) {
            (Info::Profile(profile), true) => write_profile(out, data, &property.header, profile.clone()),
            _ => put(out, &data[property.header.range()]),
        }
    }
    finish_box(out, ipco);
    let mut entries = Vec::new();
    let (mut count, mut big_ids, mut wide) = (0u32, false, false);
    for a in &meta.associations {
        kept.entries(meta, a, &mut entries);
        if !entries.is_empty() {
            count += 1;
            big_ids |= a.item > u32::from(u16::MAX);
            wide |= entries.iter().any(|(index, _)| *index > 0x7F);
        }
    }
    let ipma = start_full_box(out, b"ipma", u8::from(big_ids), u32::from(wide));
    put32(out, count);
    for a in &meta.associations {
        kept.entries(meta, a, &mut entries);
        if entries.is_empty() {
            continue;
        }
        put_id(out, a.item, big_ids);
        // The parser read at most 255 entries per item.
        out.push(entries.len() as u8);
        for &(index, essential) in &entries {
            if wide {
                put16(out, (u16::from(essential) << 15) | index);
            } else {
                out.push((u8::from(essential) << 7) | index as u8);
            }
        }
    }
    finish_box(out, ipma);
    finish_box(out, iprp);
}

/// A `colr` profile property written again without the device its profile names, with
/// the colour type it had (`prof`, or `rICC` for a restricted profile). One whose profile
/// cannot be written again is copied: cleaning's check then refuses the file.
fn write_profile(out: &mut Vec<u8>, data: &[u8], header: &BoxHeader, profile: Range<usize>) {
    let Device::Named { profile: new, .. } = icc_device::device(&data[profile.clone()]) else {
        return put(out, &data[header.range()]);
    };
    let at = start_box(out, b"colr");
    put(out, &data[header.body.start..profile.start]);
    put(out, &new);
    finish_box(out, at);
}

/// Entity groups whose every member is kept, copied; a group that lost a
/// member (a stereo pair, a burst) no longer means anything and is dropped.
fn write_grpl(out: &mut Vec<u8>, meta: &Meta, data: &[u8], kept: &Kept) {
    let groups = || meta.groups.iter().filter(|g| g.entities.iter().all(|e| kept.has(meta, *e)));
    if groups().next().is_none() {
        return;
    }
    let at = start_box(out, b"grpl");
    for g in groups() {
        put(out, &data[g.header.range()]);
    }
    finish_box(out, at);
}
