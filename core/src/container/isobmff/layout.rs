//! The blocks a HEIF/AVIF file shows to inspection and cleaning, each tied to
//! the part of the model it stands for, so that the writer can apply a
//! decision per block. Standard `meta` boxes the writer rebuilds are not
//! blocks of their own; items, used properties, and everything the writer
//! would drop (unknown boxes, unused properties, bytes no item uses) are.

use std::fmt::{self, Arguments};
use std::ops::Range;

use super::boxes::codes::*;
use super::boxes::{code, name, BoxHeader};
use super::heif::{Heif, Item};
use super::props::Info;
use super::select::Role;
use crate::container::{Block, Payload};
use crate::metadata::{human_bytes, Item as Finding};
use crate::report::{BlockKind, Category};

/// What a block stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
const STRUCTURE: &[u32] = &[HDLR, PITM, IINF, ILOC, IREF, IPRP, IDAT, GRPL];

/// A block; its label is formatted here, once for every block.
#[inline(never)]
fn block(kind: BlockKind, label: Arguments, range: Range<usize>, payload: Payload) -> Block {
    Block { kind, label: fmt::format(label), range, payload }
}

pub(crate) fn parts(heif: &Heif, roles: &[Role], data: &[u8]) -> Vec<(Part, Block)> {
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
    for (i, (item, role)) in meta.items.iter().zip(roles).enumerate() {
        out.push((Part::Item(i), item_block(heif, item, *role, data)));
    }
    let usage = usage(heif, roles);
    for (i, (property, usage)) in meta.properties.iter().zip(usage).enumerate() {
        if let Some(block) = property_block(property, usage) {
            out.push((Part::Property(i), block));
        }
    }
    for loc in meta.locations.iter().filter(|l| meta.item(l.item).is_none()) {
        let label = format_args!("data of item {}, which the item list does not have", loc.item);
        out.push((Part::Orphan, block(BlockKind::Unknown, label, span(&loc.extents), Payload::None)));
    }
    let containers = heif.top.iter().filter(|b| b.is(b"mdat")).map(|b| ("mdat", &b.body));
    for (what, body) in containers.chain(meta.idat.as_ref().map(|r| ("idat", r))) {
        if let Some((range, bytes)) = unused(heif, body) {
            let label = format_args!("{} in '{what}' that no item uses", human_bytes(bytes));
            out.push((Part::Unused, block(BlockKind::Unknown, label, range, Payload::None)));
        }
    }
    out
}

/// The handler name and the kept items' names, if any is not empty. Each
/// range includes the NUL after the name (when there is one), so that the
/// names read apart.
fn names_block(heif: &Heif, roles: &[Role], data: &[u8]) -> Option<Block> {
    let meta = &heif.meta;
    let kept = meta.items.iter().zip(roles).filter(|(_, r)| r.kept()).map(|(i, _)| i);
    let names: Vec<Range<usize>> = std::iter::once(&meta.handler_name)
        .chain(kept.map(|i| &i.name))
        .filter(|r| !r.is_empty())
        .map(|r| if data.get(r.end) == Some(&0) { r.start..r.end + 1 } else { r.clone() })
        .collect();
    let range = names.first()?.start..names.last()?.end;
    let label = format_args!("names in 'hdlr' and 'infe' (usually the writing software)");
    Some(block(BlockKind::Text, label, range, Payload::Extents(names)))
}

fn top_block(b: &BoxHeader, data: &[u8]) -> Block {
    let (range, n) = (b.range(), name(&b.fourcc));
    match code(&b.fourcc) {
        FTYP => block(BlockKind::Structure, format_args!("ftyp (file type)"), range, Payload::None),
        META => block(
            BlockKind::Structure,
            format_args!("meta (item list, locations and properties)"),
            range,
            Payload::None,
        ),
        MDAT => block(BlockKind::ImageData, format_args!("mdat (media data)"), range, Payload::None),
        FREE | SKIP => {
            let what = if data[b.body.clone()].iter().all(|&x| x == 0) { "padding" } else { "leftover data" };
            block(BlockKind::Unknown, format_args!("{n} box ({what})"), range, Payload::None)
        }
        UUID if b.uuid == Some(UUID_XMP) => {
            block(BlockKind::Xmp, format_args!("uuid box (XMP)"), range, Payload::Bytes(b.body.clone()))
        }
        UUID if b.uuid == Some(UUID_C2PA) => {
            block(BlockKind::ContentCredentials, format_args!("uuid box (C2PA)"), range, Payload::Bytes(b.body.clone()))
        }
        UUID => {
            let hex = Hex(&b.uuid.unwrap_or_default());
            block(BlockKind::Vendor, format_args!("uuid box {hex} (vendor data)"), range, Payload::None)
        }
        UDTA | MECO => block(BlockKind::Vendor, format_args!("{n} box (user data)"), range, Payload::None),
        _ => block(BlockKind::Unknown, format_args!("{n} box (unknown)"), range, Payload::None),
    }
}

/// Bytes in lowercase hexadecimal.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for &x in self.0 {
            let digits = [HEX_DIGITS[usize::from(x >> 4)], HEX_DIGITS[usize::from(x & 15)]];
            f.write_str(std::str::from_utf8(&digits).unwrap_or_default())?;
        }
        Ok(())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn meta_child_block(child: &BoxHeader, dinf_self_contained: bool) -> Option<Block> {
    let (range, n) = (child.range(), name(&child.fourcc));
    Some(match code(&child.fourcc) {
        f if STRUCTURE.contains(&f) => return None,
        DINF if dinf_self_contained => return None,
        DINF => block(BlockKind::Unknown, format_args!("dinf (data reference to another file)"), range, Payload::None),
        // An XML box in 'meta' is a full box: 4 bytes of version and flags.
        XML | BXML => block(
            BlockKind::Xmp,
            format_args!("{n} box in meta"),
            range,
            Payload::Bytes(child.body.start.saturating_add(4).min(child.body.end)..child.body.end),
        ),
        _ => block(BlockKind::Unknown, format_args!("{n} box in meta (unknown)"), range, Payload::None),
    })
}

fn item_block(heif: &Heif, item: &Item, role: Role, data: &[u8]) -> Block {
    let extents: &[Range<usize>] = heif.meta.location(item.id).map_or(&[], |l| &l.extents);
    let c2pa = || item.content_type.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"c2pa"));
    let kind = match role {
        Role::Primary | Role::Source | Role::GainMap | Role::ToneMap => BlockKind::ImageData,
        Role::Alpha => BlockKind::Transparency,
        Role::Thumbnail => BlockKind::EmbeddedThumbnail,
        Role::Depth | Role::Matte | Role::Auxiliary | Role::OtherImage => BlockKind::HiddenImage,
        Role::Exif => BlockKind::Exif,
        Role::Xmp => BlockKind::Xmp,
        Role::Mime | Role::Uri if c2pa() => BlockKind::ContentCredentials,
        Role::Mime | Role::Uri => BlockKind::Vendor,
        Role::Other => BlockKind::Unknown,
    };
    let space = if item.content_type.is_empty() { "" } else { " " };
    // Metadata items are always hidden; a hidden picture is worth saying.
    let hidden = if item.hidden && kind == BlockKind::HiddenImage { " (hidden)" } else { "" };
    let (id, n, content, role_name) = (item.id, name(&item.item_type), &item.content_type, role.describe());
    let label = format_args!("item {id} {n}{space}{content}: {role_name}{hidden}");
    let payload = match role {
        Role::Exif => Payload::Extents(exif_tiff(extents, data)),
        Role::Xmp | Role::Mime | Role::Uri => Payload::Extents(extents.to_vec()),
        _ => Payload::None,
    };
    let range = if extents.is_empty() { item.infe.clone() } else { span(extents) };
    block(kind, label, range, payload)
}

/// From the first to the last byte of a list of extents.
#[inline(never)]
fn span(extents: &[Range<usize>]) -> Range<usize> {
    let start = extents.iter().map(|r| r.start).min().unwrap_or(0);
    let end = extents.iter().map(|r| r.end).max().unwrap_or(start);
    start..end
}

/// An Exif item starts with the offset (32-bit big-endian) from its fifth
/// byte to the TIFF header, usually 6 past an "Exif\0\0" prefix. The TIFF
/// part of the extents, or all but the offset field if it points nowhere.
fn exif_tiff(extents: &[Range<usize>], data: &[u8]) -> Vec<Range<usize>> {
    let (mut head, mut total) = (Vec::with_capacity(4), 0);
    for r in extents {
        head.extend(data[r.clone()].iter().take(4 - head.len()));
        total += r.len();
    }
    let offset = match head[..] {
        [a, b, c, d] => usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX),
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
/// or (false, false) when only removed items use it. None: unused. One per
/// property.
fn usage(heif: &Heif, roles: &[Role]) -> Vec<Option<(bool, bool)>> {
    let meta = &heif.meta;
    let mut out = vec![None; meta.properties.len()];
    for a in &meta.associations {
        let kept = meta.position(a.item).is_some_and(|i| roles[i].kept());
        for &(index, essential) in &a.entries {
            let Some(entry) = usize::from(index).checked_sub(1).and_then(|i| out.get_mut(i)) else { continue };
            let (used, needed) = entry.get_or_insert((false, false));
            *used |= kept;
            *needed |= kept && essential;
        }
    }
    out
}

/// A property's block: only for properties a kept item uses, and for those
/// no item uses. Properties of removed items go with them and need no block.
fn property_block(property: &super::props::Property, usage: Option<(bool, bool)>) -> Option<Block> {
    let h = &property.header;
    let (n, range) = (name(&h.fourcc), h.range());
    Some(match (usage, &property.info) {
        (None, _) => block(BlockKind::Unknown, format_args!("{n} property no item uses"), range, Payload::None),
        (Some((false, _)), _) => return None,
        (_, Info::Profile(r)) => {
            block(BlockKind::Icc, format_args!("{n} property (ICC profile)"), range, Payload::Bytes(r.clone()))
        }
        (_, Info::Nclx(..)) => {
            block(BlockKind::ColourInfo, format_args!("{n} property (colour space)"), range, Payload::None)
        }
        (_, Info::Metadata(what)) => {
            let kind = if matches!(code(&h.fourcc), UDES | ALTT) { BlockKind::Text } else { BlockKind::Vendor };
            block(kind, format_args!("{n} property: {what}"), range, Payload::Bytes(h.body.clone()))
        }
        (Some((true, true)), Info::Unknown) => block(
            BlockKind::Structure,
            format_args!("{n} property (unknown, marked essential to decoding)"),
            range,
            Payload::None,
        ),
        (_, Info::Unknown) => block(BlockKind::Unknown, format_args!("{n} property (unknown)"), range, Payload::None),
        _ => block(BlockKind::Structure, format_args!("{n} property"), range, Payload::None),
    })
}

/// The bytes of `body` outside every item extent: the range from the first
/// such byte to the last, and how many there are.
fn unused(heif: &Heif, body: &Range<usize>) -> Option<(Range<usize>, usize)> {
    // The first gap's start, the last gap's end, and the bytes in gaps.
    let (mut first, mut last, mut bytes) = (None, 0, 0);
    let mut gap = |from: usize, to: usize| {
        if from < to {
            first.get_or_insert(from);
            last = to;
            bytes += to - from;
        }
    };
    let mut pos = body.start;
    // The extents are sorted by start: bisect to this box's (a scan of them all for
    // each of a hostile file's many 'mdat's would take minutes).
    let from = heif.extents.partition_point(|e| e.0 < body.start);
    let starting_inside = heif.extents[from..].iter().take_while(|e| e.0 < body.end);
    for &(start, end, _) in starting_inside.filter(|e| e.1 <= body.end) {
        gap(pos, start);
        pos = pos.max(end);
    }
    gap(pos, body.end);
    Some((first?..last, bytes))
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

/// How the primary picture says its colours (its `colr`, else, for a grid, its first
/// tile's): an ICC profile (the profile's bytes; it wins over code points), H.273 code
/// points (primaries, transfer), or None when neither says anything.
#[cfg(feature = "heif-decode")]
pub(crate) fn primary_colour(heif: &Heif) -> Option<Colour> {
    let meta = &heif.meta;
    let colour_of = |item: u32| {
        let mut found = None;
        for (index, _) in meta.properties_of(item) {
            match usize::from(*index).checked_sub(1).and_then(|i| meta.properties.get(i)).map(|p| &p.info) {
                Some(Info::Profile(range)) => return Some(Colour::Profile(range.clone())),
                Some(Info::Nclx(primaries, transfer, ..)) => {
                    found = found.or(Some(Colour::CodePoints(*primaries, *transfer)))
                }
                _ => {}
            }
        }
        found
    };
    colour_of(meta.primary).or_else(|| {
        let tile = meta.references.iter().find(|r| &r.kind == b"dimg" && r.from == meta.primary)?.to.first()?;
        colour_of(*tile)
    })
}

/// See `primary_colour`.
#[cfg(feature = "heif-decode")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Colour {
    Profile(std::ops::Range<usize>),
    CodePoints(u16, u16),
}

/// Display findings: what is kept so the picture looks as it did.
pub(crate) fn display(heif: &Heif, roles: &[Role], parts: &[(Part, Block)]) -> (Vec<(usize, Finding)>, Option<u16>) {
    let mut property_blocks = vec![None; heif.meta.properties.len()];
    for (block, (part, _)) in parts.iter().enumerate() {
        if let Part::Property(i) = *part {
            property_blocks[i] = Some(block);
        }
    }
    let mut out = Vec::new();
    let (mut rotation, mut mirror) = (0u8, None);
    for (i, info) in primary_properties(heif) {
        let Some(block) = property_blocks[i] else { continue };
        let finding = match info {
            Info::Rotation(a) if *a != 0 => {
                rotation = *a;
                finding("HEIF irot", "Rotation", format_args!("{}° anticlockwise", u16::from(*a) * 90))
            }
            Info::Mirror(axis) => {
                mirror = Some(*axis);
                let how = if *axis == 0 { "top and bottom exchanged" } else { "left and right exchanged" };
                finding("HEIF imir", "Mirroring", format_args!("{how}"))
            }
            Info::Nclx(p, t, m, full) => {
                let range = if *full { "full" } else { "limited" };
                let value = format_args!("primaries {p}, transfer {t}, matrix {m}, {range} range");
                finding("HEIF colr nclx", "Colour space", value)
            }
            _ => continue,
        };
        out.push((block, finding));
    }
    // Every item has a block, in item order.
    for (block, (part, b)) in parts.iter().enumerate() {
        let Part::Item(i) = *part else { continue };
        let item = &heif.meta.items[i];
        let size = human_bytes(b.range.len());
        let finding = match roles[i] {
            Role::Alpha => finding("HEIF alpha", "Transparency (alpha image)", format_args!("{size}")),
            Role::GainMap => finding("HEIF gain map", "HDR gain map", format_args!("{size}")),
            Role::ToneMap => finding("HEIF tmap", "HDR tone map (ISO 21496-1)", format_args!("{size}")),
            Role::Primary if &item.item_type == b"grid" => {
                let tiles = heif.meta.references.iter().filter(|r| &r.kind == b"dimg" && r.from == item.id);
                let count: usize = tiles.map(|r| r.to.len()).sum();
                finding("HEIF grid", "Tiled picture", format_args!("{count} tiles"))
            }
            _ => continue,
        };
        out.push((block, finding));
    }
    (out, exif_orientation(rotation, mirror))
}

/// A display finding; its value is formatted here, once for all.
#[inline(never)]
fn finding(key: &str, label: &str, value: Arguments) -> Finding {
    Finding::new(Category::Display, key, label, fmt::format(value))
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
