//! ISO base media files: the box walker (`boxes`, shared with MP4/MOV), and
//! HEIF/AVIF still images on it: the model (`heif`, `iloc`, `props`), which
//! items the picture needs (`select`), the blocks shown to inspection and
//! cleaning (`layout`), and the writer (`write`).

pub(crate) mod boxes;
mod heif;
mod iloc;
mod layout;
mod props;
mod select;
mod write;

use crate::error::Result;
use crate::format::Format;
use crate::metadata::Item;

use super::{Parsed, Plan};

/// Parses and validates a HEIF or AVIF file into blocks.
pub(crate) fn parse(format: Format, data: &[u8]) -> Result<Parsed> {
    let heif = heif::parse(data, format.name())?;
    let roles = select::roles(&heif.meta, heif.format)?;
    let parts = layout::parts(&heif, &roles, data);
    let (width, height) = layout::primary_size(&heif);
    Ok(Parsed {
        format,
        width,
        height,
        frames: 1,
        blocks: parts.into_iter().map(|(_, block)| block).collect(),
        repair: false,
        components: 0,
    })
}

/// Rebuilds the file from the blocks `plan` keeps. The model is read again
/// from `data` (cheap: only `meta` is parsed) rather than carried in `Parsed`.
pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    let heif = heif::parse(data, parsed.format.name())?;
    let roles = select::roles(&heif.meta, heif.format)?;
    let parts: Vec<_> = layout::parts(&heif, &roles, data).into_iter().map(|(part, _)| part).collect();
    Ok(write::write(&heif, data, &parts, plan.decisions))
}

/// What the picture keeps for display (colour, rotation, alpha, gain map),
/// each with its block index; and the rotation and mirroring as an EXIF
/// orientation value.
pub(crate) fn display(parsed: &Parsed, data: &[u8]) -> (Vec<(usize, Item)>, Option<u16>) {
    let Ok(heif) = heif::parse(data, parsed.format.name()) else { return (Vec::new(), None) };
    let Ok(roles) = select::roles(&heif.meta, heif.format) else { return (Vec::new(), None) };
    let parts = layout::parts(&heif, &roles, data);
    layout::display(&heif, &roles, &parts)
}
