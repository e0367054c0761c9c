//! Rebuilding a HEIF/AVIF file from the kept items: `ftyp` as it was, a new
//! `meta` listing only kept items (their properties, `pitm`, `dinf` and
//! entity groups copied; `hdlr` and `infe` rewritten without names; `iinf`,
//! `iloc`, `iref`, `ipma` and `idat` rewritten), then one new `mdat` holding
//! only the kept items' bytes. Nothing else of the input is
//! copied, so removed bytes cannot survive in a `free` box or an unused
//! stretch of `mdat`; whether `mdat` came before or after `meta`, the new
//! offsets count from the new layout.

use std::collections::HashSet;

use super::boxes::{finish_box, start_box, start_full_box};
use super::heif::{Heif, Meta};
use super::iloc::{self, Placed};
use super::layout::Part;
use super::props::{self, Association};
use crate::container::Decision;

/// What the decisions keep, per model element.
struct Kept {
    items: HashSet<u32>,
    /// Per property: kept, and its new 1-based index.
    properties: Vec<Option<u16>>,
    /// Per `meta` child the writer does not rebuild: copied.
    children: Vec<bool>,
}

pub(crate) fn write(heif: &Heif, data: &[u8], parts: &[Part], decisions: &[Decision]) -> Vec<u8> {
    let meta = &heif.meta;
    let kept = kept(meta, parts, decisions);

    // Lay out the kept bytes: method 0 in the new mdat, method 1 in the new idat.
    let mut placed = Vec::new();
    let mut mdat_len = 0u64;
    let mut idat = Vec::new();
    for loc in meta.locations.iter().filter(|l| kept.items.contains(&l.item)) {
        let mut extents = Vec::with_capacity(loc.extents.len());
        for e in &loc.extents {
            let len = e.len() as u64;
            if loc.method == 0 {
                extents.push((mdat_len, len));
                mdat_len += len;
            } else {
                extents.push((idat.len() as u64, len));
                idat.extend_from_slice(&data[e.clone()]);
            }
        }
        placed.push(Placed { item: loc.item, method: loc.method, extents });
    }

    let ftyp = &data[heif.top[0].range()];
    let mdat_header = if mdat_len + 8 > u64::from(u32::MAX) { 16 } else { 8 };
    // iloc's field sizes follow the offsets, which follow meta's size: a
    // second round settles it (sizes only grow, from 4 to 8 bytes).
    let mut meta_bytes = Vec::new();
    let mut mdat_start = (ftyp.len() + mdat_header) as u64;
    for _ in 0..3 {
        meta_bytes = build_meta(meta, data, &kept, &placed, &idat, mdat_start);
        let start = (ftyp.len() + meta_bytes.len() + mdat_header) as u64;
        if start == mdat_start {
            break;
        }
        mdat_start = start;
    }

    let mut out = Vec::with_capacity(ftyp.len() + meta_bytes.len() + mdat_header + mdat_len as usize);
    out.extend_from_slice(ftyp);
    out.extend_from_slice(&meta_bytes);
    if mdat_len > 0 {
        let at = out.len();
        if mdat_header == 16 {
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(b"mdat");
            out.extend_from_slice(&(mdat_len + 16).to_be_bytes());
        } else {
            start_box(&mut out, b"mdat");
        }
        for loc in meta.locations.iter().filter(|l| l.method == 0 && kept.items.contains(&l.item)) {
            for e in &loc.extents {
                out.extend_from_slice(&data[e.clone()]);
            }
        }
        if mdat_header == 8 {
            finish_box(&mut out, at);
        }
    }
    out
}

fn kept(meta: &Meta, parts: &[Part], decisions: &[Decision]) -> Kept {
    let mut items = HashSet::new();
    let mut property_blocks = vec![false; meta.properties.len()];
    let mut children = vec![false; meta.children.len()];
    for (part, decision) in parts.iter().zip(decisions) {
        let keep = *decision == Decision::Keep;
        match *part {
            Part::Item(i) if keep => {
                if let Some(item) = meta.items.get(i) {
                    items.insert(item.id);
                }
            }
            Part::Property(i) => {
                if let Some(p) = property_blocks.get_mut(i) {
                    *p = keep;
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
    for a in meta.associations.iter().filter(|a| items.contains(&a.item)) {
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
    Kept { items, properties, children }
}

fn build_meta(meta: &Meta, data: &[u8], kept: &Kept, placed: &[Placed], idat: &[u8], mdat_start: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let at = start_full_box(&mut out, b"meta", 0, 0);
    for (j, child) in meta.children.iter().enumerate() {
        match &child.fourcc {
            b"hdlr" => {
                // The handler without its name (the writing software).
                let at = start_full_box(&mut out, b"hdlr", 0, 0);
                out.extend_from_slice(&[0, 0, 0, 0]);
                out.extend_from_slice(b"pict");
                out.extend_from_slice(&[0; 13]);
                finish_box(&mut out, at);
            }
            b"pitm" => out.extend_from_slice(&data[child.range()]),
            b"dinf" if meta.dinf_self_contained => out.extend_from_slice(&data[child.range()]),
            b"iinf" => write_iinf(&mut out, meta, kept),
            b"iloc" => {
                let entries: Vec<Placed> = placed
                    .iter()
                    .map(|p| Placed {
                        item: p.item,
                        method: p.method,
                        extents: p
                            .extents
                            .iter()
                            .map(|&(o, l)| (if p.method == 0 { o + mdat_start } else { o }, l))
                            .collect(),
                    })
                    .collect();
                iloc::write(&mut out, &entries);
            }
            b"iref" => write_iref(&mut out, meta, kept),
            b"iprp" => {
                let properties: Vec<_> =
                    meta.properties.iter().zip(&kept.properties).filter_map(|(p, k)| k.map(|_| p)).collect();
                let associations: Vec<Association> = meta
                    .associations
                    .iter()
                    .filter(|a| kept.items.contains(&a.item))
                    .map(|a| Association {
                        item: a.item,
                        entries: a
                            .entries
                            .iter()
                            .filter_map(|&(index, essential)| {
                                let i = usize::from(index).checked_sub(1)?;
                                Some(((*kept.properties.get(i)?)?, essential))
                            })
                            .collect(),
                    })
                    .filter(|a| !a.entries.is_empty())
                    .collect();
                props::write(&mut out, data, &properties, &associations);
            }
            b"idat" if !idat.is_empty() => {
                let at = start_box(&mut out, b"idat");
                out.extend_from_slice(idat);
                finish_box(&mut out, at);
            }
            b"grpl" => write_grpl(&mut out, meta, data, kept),
            _ if kept.children.get(j).copied().unwrap_or(false) => out.extend_from_slice(&data[child.range()]),
            _ => {}
        }
    }
    finish_box(&mut out, at);
    out
}

fn write_iinf(out: &mut Vec<u8>, meta: &Meta, kept: &Kept) {
    let items: Vec<_> = meta.items.iter().filter(|i| kept.items.contains(&i.id)).collect();
    let wide = items.len() > usize::from(u16::MAX);
    let at = start_full_box(out, b"iinf", u8::from(wide), 0);
    if wide {
        out.extend_from_slice(&(items.len() as u32).to_be_bytes());
    } else {
        out.extend_from_slice(&(items.len() as u16).to_be_bytes());
    }
    // Kept items are pictures (typed, version 2 or 3, never protected), so
    // their entries are rewritten whole, with empty names.
    for item in items {
        let infe = start_full_box(out, b"infe", item.version, u32::from(item.hidden));
        if item.version == 2 {
            out.extend_from_slice(&(item.id as u16).to_be_bytes());
        } else {
            out.extend_from_slice(&item.id.to_be_bytes());
        }
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&item.item_type);
        out.push(0);
        finish_box(out, infe);
    }
    finish_box(out, at);
}

/// References between kept items only; none left, no `iref`.
fn write_iref(out: &mut Vec<u8>, meta: &Meta, kept: &Kept) {
    let references: Vec<(&[u8; 4], u32, Vec<u32>)> = meta
        .references
        .iter()
        .filter(|r| kept.items.contains(&r.from))
        .map(|r| (&r.kind, r.from, r.to.iter().copied().filter(|t| kept.items.contains(t)).collect::<Vec<_>>()))
        .filter(|(_, _, to)| !to.is_empty())
        .collect();
    if references.is_empty() {
        return;
    }
    let large = references
        .iter()
        .any(|(_, from, to)| *from > u32::from(u16::MAX) || to.iter().any(|t| *t > u32::from(u16::MAX)));
    let put = |out: &mut Vec<u8>, id: u32| {
        if large {
            out.extend_from_slice(&id.to_be_bytes());
        } else {
            out.extend_from_slice(&(id as u16).to_be_bytes());
        }
    };
    let at = start_full_box(out, b"iref", u8::from(large), 0);
    for (kind, from, to) in references {
        let r = start_box(out, kind);
        put(out, from);
        // The parser read at most u16::MAX targets per reference.
        out.extend_from_slice(&(to.len() as u16).to_be_bytes());
        for t in to {
            put(out, t);
        }
        finish_box(out, r);
    }
    finish_box(out, at);
}

/// Entity groups whose every member is kept, copied; a group that lost a
/// member (a stereo pair, a burst) no longer means anything and is dropped.
fn write_grpl(out: &mut Vec<u8>, meta: &Meta, data: &[u8], kept: &Kept) {
    let groups: Vec<_> = meta.groups.iter().filter(|g| g.entities.iter().all(|e| kept.items.contains(e))).collect();
    if groups.is_empty() {
        return;
    }
    let at = start_box(out, b"grpl");
    for g in groups {
        out.extend_from_slice(&data[g.header.range()]);
    }
    finish_box(out, at);
}
