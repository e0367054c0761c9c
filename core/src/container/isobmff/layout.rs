//! The blocks a HEIF/AVIF file shows to inspection and cleaning, each tied to
//! the part of the model it stands for, so that the writer can apply a
//! decision per block. Standard `meta` boxes the writer rebuilds are not
//! blocks of their own; items, used properties, and everything the writer
//! would drop (unknown boxes, unused properties, bytes no item uses) are.

use std::collections::HashMap;
use std::ops::Range;

use super::boxes::{name, BoxHeader};
use super::heif::{Heif, Item};
use super::props::Info;
use super::select::Role;
use crate::container::{Block, Payload};
use crate::metadata::{human_bytes, Item as Finding};
use crate::report::{BlockKind, Category};

/// What a block stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    /// A top-level box (index into `Heif::top`).
    Top(usize),
    /// A child of `meta` the writer does not rebuild (index into `Meta::children`).
    MetaChild(usize),
    /// Index into `Meta::items`.
    Item(usize),
    /// Index into `Meta::properties`.
    Property(usize),
    /// Data `iloc` places for an item `iinf` does not list.
    Orphan,
    /// Bytes of an `mdat` or `idat` that no item uses.
    Unused,
    /// The handler's name in `hdlr`, and the names of kept items: the
    /// writer always writes them empty.
    Names,
}

/// Known `uuid` box types.
const UUID_XMP: [u8; 16] = *b"\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac";
const UUID_C2PA: [u8; 16] = *b"\xd8\xfe\xc3\xd6\x1b\x0e\x48\x3c\x92\x97\x58\x28\x87\x7e\xc4\x81";

/// Boxes of `meta` the writer rebuilds or copies as part of the structure.
const STRUCTURE: &[&[u8; 4]] = &[b"hdlr", b"pitm", b"iinf", b"iloc", b"iref", b"iprp", b"idat", b"grpl"];

fn block(kind: BlockKind, label: String, range: Range<usize>, payload: Payload) -> Block {
    Block { kind, label, range, payload }
}

pub(crate) fn parts(heif: &Heif, roles: &HashMap<u32, Role>, data: &[u8]) -> Vec<(Part, Block)> {
    let meta = &heif.meta;
    let mut out = Vec::new();
    for (i, b) in heif.top.iter().enumerate() {
        out.push((Part::Top(i), top_block(b, data)));
        if i == heif.meta_index {
            for (j, child) in meta.children.iter().enumerate() {
                if let Some(block) = meta_child_block(child, meta.dinf_self_contained) {
                    out.push((Part::MetaChild(j), block));
                }
            }
        }
    }
    if let Some(names) = names_block(heif, roles, data) {
        out.push((Part::Names, names));
    }
    for (i, item) in meta.items.iter().enumerate() {
        let role = roles.get(&item.id).copied().unwrap_or(Role::Other);
        out.push((Part::Item(i), item_block(heif, item, role, data)));
    }
    let usage = usage(heif, roles);
    for (i, property) in meta.properties.iter().enumerate() {
        if let Some(block) = property_block(property, usage.get(&i).copied()) {
            out.push((Part::Property(i), block));
        }
    }
    for loc in meta.locations.iter().filter(|l| meta.item(l.item).is_none()) {
        let label = format!("data of item {}, which the item list does not have", loc.item);
        out.push((Part::Orphan, block(BlockKind::Unknown, label, span(&loc.extents), Payload::None)));
    }
    let containers = heif.top.iter().filter(|b| b.is(b"mdat")).map(|b| ("mdat", b.body.clone()));
    for (what, body) in containers.chain(meta.idat.clone().map(|r| ("idat", r))) {
        if let Some((range, bytes)) = unused(heif, &body) {
            let label = format!("{} in '{what}' that no item uses", human_bytes(bytes));
            out.push((Part::Unused, block(BlockKind::Unknown, label, range, Payload::None)));
        }
    }
    out
}

/// The handler name and the kept items' names, if any is not empty. Each
/// range includes the NUL after the name (when there is one), so that the
/// names read apart.
fn names_block(heif: &Heif, roles: &HashMap<u32, Role>, data: &[u8]) -> Option<Block> {
    let meta = &heif.meta;
    let kept = meta.items.iter().filter(|i| roles.get(&i.id).is_some_and(|r| r.kept()));
    let names: Vec<Range<usize>> = std::iter::once(&meta.handler_name)
        .chain(kept.map(|i| &i.name))
        .filter(|r| !r.is_empty())
        .map(|r| if data.get(r.end) == Some(&0) { r.start..r.end + 1 } else { r.clone() })
        .collect();
    let start = names.first()?.start;
    let label = "names in 'hdlr' and 'infe' (usually the writing software)".to_string();
    Some(block(BlockKind::Text, label, start..names.last().map_or(start, |r| r.end), Payload::Extents(names)))
}

fn top_block(b: &BoxHeader, data: &[u8]) -> Block {
    let (kind, label, payload) = match &b.fourcc {
        b"ftyp" => (BlockKind::Structure, "ftyp (file type)".to_string(), Payload::None),
        b"meta" => (BlockKind::Structure, "meta (item list, locations and properties)".into(), Payload::None),
        b"mdat" => (BlockKind::ImageData, "mdat (media data)".into(), Payload::None),
        b"free" | b"skip" => {
            let what = if data[b.body.clone()].iter().all(|&x| x == 0) { "padding" } else { "leftover data" };
            (BlockKind::Unknown, format!("{} box ({what})", name(&b.fourcc)), Payload::None)
        }
        b"uuid" if b.uuid == Some(UUID_XMP) => {
            (BlockKind::Xmp, "uuid box (XMP)".into(), Payload::Bytes(b.body.clone()))
        }
        b"uuid" if b.uuid == Some(UUID_C2PA) => {
            (BlockKind::ContentCredentials, "uuid box (C2PA)".into(), Payload::Bytes(b.body.clone()))
        }
        b"uuid" => {
            let hex: String = b.uuid.unwrap_or_default().iter().map(|x| format!("{x:02x}")).collect();
            (BlockKind::Vendor, format!("uuid box {hex} (vendor data)"), Payload::None)
        }
        b"udta" | b"meco" => (BlockKind::Vendor, format!("{} box (user data)", name(&b.fourcc)), Payload::None),
        _ => (BlockKind::Unknown, format!("{} box (unknown)", name(&b.fourcc)), Payload::None),
    };
    block(kind, label, b.range(), payload)
}

fn meta_child_block(child: &BoxHeader, dinf_self_contained: bool) -> Option<Block> {
    let (kind, label, payload) = match &child.fourcc {
        f if STRUCTURE.contains(&f) => return None,
        b"dinf" if dinf_self_contained => return None,
        b"dinf" => (BlockKind::Unknown, "dinf (data reference to another file)".to_string(), Payload::None),
        // An XML box in 'meta' is a full box: 4 bytes of version and flags.
        b"xml " | b"bxml" => (
            BlockKind::Xmp,
            format!("{} box in meta", name(&child.fourcc)),
            Payload::Bytes(child.body.start.saturating_add(4).min(child.body.end)..child.body.end),
        ),
        _ => (BlockKind::Unknown, format!("{} box in meta (unknown)", name(&child.fourcc)), Payload::None),
    };
    Some(block(kind, label, child.range(), payload))
}

fn item_block(heif: &Heif, item: &Item, role: Role, data: &[u8]) -> Block {
    let extents = heif.meta.location(item.id).map(|l| l.extents.clone()).unwrap_or_default();
    let c2pa = item.content_type.to_ascii_lowercase().contains("c2pa");
    let kind = match role {
        Role::Primary | Role::Source | Role::GainMap | Role::ToneMap => BlockKind::ImageData,
        Role::Alpha => BlockKind::Transparency,
        Role::Thumbnail => BlockKind::EmbeddedThumbnail,
        Role::Depth | Role::Matte | Role::Auxiliary | Role::OtherImage => BlockKind::HiddenImage,
        Role::Exif => BlockKind::Exif,
        Role::Xmp => BlockKind::Xmp,
        Role::Mime | Role::Uri if c2pa => BlockKind::ContentCredentials,
        Role::Mime | Role::Uri => BlockKind::Vendor,
        Role::Other => BlockKind::Unknown,
    };
    let content = if item.content_type.is_empty() { String::new() } else { format!(" {}", item.content_type) };
    // Metadata items are always hidden; a hidden picture is worth saying.
    let hidden = if item.hidden && kind == BlockKind::HiddenImage { " (hidden)" } else { "" };
    let label = format!("item {} {}{content}: {}{hidden}", item.id, name(&item.item_type), role.describe());
    let payload = match role {
        Role::Exif => Payload::Extents(exif_tiff(&extents, data)),
        Role::Xmp | Role::Mime | Role::Uri => Payload::Extents(extents.clone()),
        _ => Payload::None,
    };
    let range = if extents.is_empty() { item.infe.clone() } else { span(&extents) };
    block(kind, label, range, payload)
}

/// From the first to the last byte of a list of extents.
fn span(extents: &[Range<usize>]) -> Range<usize> {
    let start = extents.iter().map(|r| r.start).min().unwrap_or(0);
    let end = extents.iter().map(|r| r.end).max().unwrap_or(start);
    start..end
}

/// An Exif item starts with the offset (32-bit big-endian) from its fifth
/// byte to the TIFF header, usually 6 past an "Exif\0\0" prefix. The TIFF
/// part of the extents, or all but the offset field if it points nowhere.
fn exif_tiff(extents: &[Range<usize>], data: &[u8]) -> Vec<Range<usize>> {
    let head: Vec<u8> = extents.iter().flat_map(|r| &data[r.clone()]).take(4).copied().collect();
    let total: usize = extents.iter().map(|r| r.len()).sum();
    let offset = match head.as_slice() {
        [a, b, c, d] => usize::try_from(u32::from_be_bytes([*a, *b, *c, *d])).unwrap_or(usize::MAX),
        _ => return Vec::new(),
    };
    let skip = if offset < total.saturating_sub(4) { 4 + offset } else { 4 };
    skip_bytes(extents, skip)
}

fn skip_bytes(extents: &[Range<usize>], mut n: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for r in extents {
        if n >= r.len() {
            n -= r.len();
        } else {
            out.push(r.start + n..r.end);
            n = 0;
        }
    }
    out
}

/// How kept items use a property: (used by a kept item, essential to one),
/// or (false, false) when only removed items use it. Absent: unused.
fn usage(heif: &Heif, roles: &HashMap<u32, Role>) -> HashMap<usize, (bool, bool)> {
    let mut out: HashMap<usize, (bool, bool)> = HashMap::new();
    for a in &heif.meta.associations {
        let kept = roles.get(&a.item).is_some_and(|r| r.kept());
        for &(index, essential) in &a.entries {
            let Some(i) = usize::from(index).checked_sub(1) else { continue };
            let entry = out.entry(i).or_insert((false, false));
            entry.0 |= kept;
            entry.1 |= kept && essential;
        }
    }
    out
}

/// A property's block: only for properties a kept item uses, and for those
/// no item uses. Properties of removed items go with them and need no block.
fn property_block(property: &super::props::Property, usage: Option<(bool, bool)>) -> Option<Block> {
    let h = &property.header;
    let n = name(&h.fourcc);
    let (kind, label, payload) = match (usage, &property.info) {
        (None, _) => (BlockKind::Unknown, format!("{n} property no item uses"), Payload::None),
        (Some((false, _)), _) => return None,
        (_, Info::Profile(r)) => (BlockKind::Icc, format!("{n} property (ICC profile)"), Payload::Bytes(r.clone())),
        (_, Info::Nclx(..)) => (BlockKind::ColourInfo, format!("{n} property (colour space)"), Payload::None),
        (_, Info::Metadata(what)) => {
            let kind = if matches!(&h.fourcc, b"udes" | b"altt") { BlockKind::Text } else { BlockKind::Vendor };
            (kind, format!("{n} property: {what}"), Payload::Bytes(h.body.clone()))
        }
        (Some((true, true)), Info::Unknown) => {
            (BlockKind::Structure, format!("{n} property (unknown, marked essential to decoding)"), Payload::None)
        }
        (_, Info::Unknown) => (BlockKind::Unknown, format!("{n} property (unknown)"), Payload::None),
        _ => (BlockKind::Structure, format!("{n} property"), Payload::None),
    };
    Some(block(kind, label, h.range(), payload))
}

/// The bytes of `body` outside every item extent: the range from the first
/// such byte to the last, and how many there are.
fn unused(heif: &Heif, body: &Range<usize>) -> Option<(Range<usize>, usize)> {
    let mut extents: Vec<&Range<usize>> = heif
        .meta
        .locations
        .iter()
        .flat_map(|l| &l.extents)
        .filter(|e| body.start <= e.start && e.end <= body.end)
        .collect();
    extents.sort_by_key(|e| e.start);
    let mut gaps = Vec::new();
    let mut pos = body.start;
    for e in extents {
        if e.start > pos {
            gaps.push(pos..e.start);
        }
        pos = pos.max(e.end);
    }
    if pos < body.end {
        gaps.push(pos..body.end);
    }
    let bytes = gaps.iter().map(|g| g.len()).sum();
    (bytes > 0).then(|| (span(&gaps), bytes))
}

/// The primary image's stored size (`ispe`), before rotation.
pub(crate) fn primary_size(heif: &Heif) -> (u32, u32) {
    primary_properties(heif)
        .find_map(|(_, info)| match info {
            Info::Size(w, h) => Some((*w, *h)),
            _ => None,
        })
        .unwrap_or((0, 0))
}

/// The primary item's properties, with their indexes into `Meta::properties`.
fn primary_properties(heif: &Heif) -> impl Iterator<Item = (usize, &Info)> {
    let meta = &heif.meta;
    meta.properties_of(meta.primary).filter_map(move |(index, _)| {
        let i = usize::from(*index).checked_sub(1)?;
        Some((i, &meta.properties.get(i)?.info))
    })
}

/// Display findings: what is kept so the picture looks as it did.
pub(crate) fn display(
    heif: &Heif,
    roles: &HashMap<u32, Role>,
    parts: &[(Part, Block)],
) -> (Vec<(usize, Finding)>, Option<u16>) {
    let blocks: HashMap<Part, usize> = parts.iter().enumerate().map(|(i, (p, _))| (*p, i)).collect();
    let block_of = |part: Part| blocks.get(&part).copied();
    let mut out = Vec::new();
    let (mut rotation, mut mirror) = (0u8, None);
    for (i, info) in primary_properties(heif) {
        let Some(block) = block_of(Part::Property(i)) else { continue };
        let finding = match info {
            Info::Rotation(a) if *a != 0 => {
                rotation = *a;
                Finding::new(
                    Category::Display,
                    "HEIF irot",
                    "Rotation",
                    format!("{}° anticlockwise", u16::from(*a) * 90),
                )
            }
            Info::Mirror(axis) => {
                mirror = Some(*axis);
                let how = if *axis == 0 { "top and bottom exchanged" } else { "left and right exchanged" };
                Finding::new(Category::Display, "HEIF imir", "Mirroring", how)
            }
            Info::Nclx(p, t, m, full) => Finding::new(
                Category::Display,
                "HEIF colr nclx",
                "Colour space",
                format!("primaries {p}, transfer {t}, matrix {m}, {} range", if *full { "full" } else { "limited" }),
            ),
            _ => continue,
        };
        out.push((block, finding));
    }
    for (i, item) in heif.meta.items.iter().enumerate() {
        let Some(block) = block_of(Part::Item(i)) else { continue };
        let size = human_bytes(parts[block].1.range.len());
        let finding = match roles.get(&item.id) {
            Some(Role::Alpha) => Finding::new(Category::Display, "HEIF alpha", "Transparency (alpha image)", size),
            Some(Role::GainMap) => Finding::new(Category::Display, "HEIF gain map", "HDR gain map", size),
            Some(Role::ToneMap) => Finding::new(Category::Display, "HEIF tmap", "HDR tone map (ISO 21496-1)", size),
            Some(Role::Primary) if &item.item_type == b"grid" => {
                let tiles = heif.meta.references.iter().filter(|r| &r.kind == b"dimg" && r.from == item.id);
                let count: usize = tiles.map(|r| r.to.len()).sum();
                Finding::new(Category::Display, "HEIF grid", "Tiled picture", format!("{count} tiles"))
            }
            _ => continue,
        };
        out.push((block, finding));
    }
    (out, exif_orientation(rotation, mirror))
}

/// The EXIF orientation that shows the picture as `irot` (anticlockwise
/// quarter turns, applied first) and then `imir` (axis 0: top and bottom
/// exchanged; 1: left and right) do. None for the identity.
fn exif_orientation(rotation: u8, mirror: Option<u8>) -> Option<u16> {
    let value = match (rotation & 3, mirror) {
        (0, None) => return None,
        (0, Some(1)) | (2, Some(0)) => 2,
        (2, None) => 3,
        (0, Some(_)) | (2, Some(_)) => 4,
        (1, Some(0)) | (3, Some(1)) => 5,
        (3, None) => 6,
        (1, Some(_)) | (3, Some(_)) => 7,
        _ => 8,
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_and_mirroring_map_to_exif_orientation() {
        assert_eq!(exif_orientation(0, None), None);
        assert_eq!(exif_orientation(1, None), Some(8));
        assert_eq!(exif_orientation(2, None), Some(3));
        assert_eq!(exif_orientation(3, None), Some(6));
        assert_eq!(exif_orientation(0, Some(1)), Some(2));
        assert_eq!(exif_orientation(0, Some(0)), Some(4));
        assert_eq!(exif_orientation(1, Some(1)), Some(7));
        assert_eq!(exif_orientation(1, Some(0)), Some(5));
        assert_eq!(exif_orientation(3, Some(1)), Some(5));
        assert_eq!(exif_orientation(3, Some(0)), Some(7));
        assert_eq!(exif_orientation(2, Some(1)), Some(4));
        assert_eq!(exif_orientation(2, Some(0)), Some(2));
    }

    // Extents are lists of ranges; a list of one is meant.
    #[allow(clippy::single_range_in_vec_init)]
    #[test]
    fn exif_item_offset_is_skipped_across_extents() {
        let data = b"\0\0\0\x06Exif\0\0II*\0";
        assert_eq!(exif_tiff(&[0..3, 3..14], data), vec![10..14]);
        assert_eq!(exif_tiff(&[0..14], b"\0\0\0\0II*\0......"), vec![4..14]);
        // An offset past the data: everything after the offset field.
        assert_eq!(exif_tiff(&[0..8], b"\xff\0\0\0II*\0"), vec![4..8]);
    }
}
