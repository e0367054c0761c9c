//! ISO base media files: the box walker (`boxes`, shared with MP4/MOV), and
//! HEIF/AVIF still images on it: the model (`heif`, `iloc`, `props`), which
//! items the picture needs (`select`), the blocks shown to inspection and
//! cleaning (`layout`), and the writer (`write`).
//!
//! The module is written to stay small in the wasm build, which optimises
//! for speed (opt-level 3) and where every kilobyte ships with the
//! extension: errors are boxed and built out of line (`boxes::fail`); field
//! readers, box writers and id lookups are out of line too; four-character
//! codes are compared as numbers (`boxes::code`); lookups by item id use
//! sorted lists (`heif::lookup`) rather than hash maps, and sorting uses one
//! small merge sort (`crate::sort`). Together these took about 60 KB off the
//! module.

pub(crate) mod boxes;
mod heif;
mod iloc;
mod layout;
mod props;
mod select;
#[cfg(feature = "video")]
pub(crate) mod sequence;
mod write;

use crate::error::Result;
use crate::format::Format;
use crate::metadata::Item;

use super::{Parsed, Plan};

/// The model and every item's role.
fn model(data: &[u8], format: &'static str) -> Result<(heif::Heif, Vec<select::Role>)> {
    with_roles(heif::parse(data, format))
}

fn with_roles(heif: boxes::Result<heif::Heif>) -> Result<(heif::Heif, Vec<select::Role>)> {
    let heif = heif.map_err(|e| *e)?;
    let roles = select::roles(&heif.meta, heif.format).map_err(|e| *e)?;
    Ok((heif, roles))
}

/// Parses and validates a HEIF or AVIF file into blocks.
pub(crate) fn parse(format: Format, data: &[u8]) -> Result<Parsed> {
    let (heif, roles) = model(data, format.name())?;
    let parts = layout::parts(&heif, &roles, data);
    let (width, height) = layout::primary_size(&heif);
    Ok(Parsed {
        format,
        width,
        height,
        frames: 1,
        blocks: parts.into_iter().map(|(_, block)| block).collect(),
        repair: heif.meta.passed_over,
        components: 0,
        gain_map: None,
    })
}

/// The lengths of the lists a reader without indexes scans for each item or grid
/// tile (heifer, which decodes HEIC: see `transcode::decode::check_lists`). Read again
/// from `data`, as `write` does.
#[cfg(feature = "heif-decode")]
pub(crate) struct ListLengths {
    /// Items in `iinf`.
    pub items: usize,
    /// Entries in `iloc`.
    pub locations: usize,
    /// Entries in `ipma`.
    pub associations: usize,
    /// References in `iref`.
    pub references: usize,
    /// Items named by references other than `dimg` (a grid's tiles).
    pub other_targets: usize,
}

#[cfg(feature = "heif-decode")]
pub(crate) fn list_lengths(format: Format, data: &[u8]) -> Result<ListLengths> {
    let meta = heif::parse(data, format.name()).map_err(|e| *e)?.meta;
    Ok(ListLengths {
        items: meta.items.len(),
        locations: meta.locations.len(),
        associations: meta.associations.len(),
        references: meta.references.len(),
        other_targets: meta.references.iter().filter(|r| &r.kind != b"dimg").map(|r| r.to.len()).sum(),
    })
}

/// Rebuilds the file from the blocks `plan` keeps. The model is read again
/// from `data` (cheap: only `meta` is parsed) rather than carried in `Parsed`.
pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let (heif, roles) = model(data, parsed.format.name())?;
    let parts: Vec<_> = layout::parts(&heif, &roles, data).into_iter().map(|(part, _)| part).collect();
    Ok(write::write(&heif, data, &parts, plan.decisions))
}

#[cfg(feature = "heif-decode")]
pub(crate) use layout::Colour;

/// How the primary picture says its colours (see `layout::primary_colour`).
#[cfg(feature = "heif-decode")]
pub(crate) fn primary_colour(parsed: &Parsed, data: &[u8]) -> Option<layout::Colour> {
    let (heif, _) = model(data, parsed.format.name()).ok()?;
    layout::primary_colour(&heif)
}

/// What the picture keeps for display (colour, rotation, alpha, gain map),
/// each with its block index; and the rotation and mirroring as an EXIF
/// orientation value.
pub(crate) fn display(parsed: &Parsed, data: &[u8]) -> (Vec<(usize, Item)>, Option<u16>) {
    // A sequence's still image shows as any other (see `sequence`).
    #[cfg(feature = "video")]
    let heif = heif::parse_sequence(data, parsed.format.name());
    #[cfg(not(feature = "video"))]
    let heif = heif::parse(data, parsed.format.name());
    let Ok((heif, roles)) = with_roles(heif) else { return (Vec::new(), None) };
    let parts = layout::parts(&heif, &roles, data);
    layout::display(&heif, &roles, &parts)
}
