//! Ultra HDR JPEGs: an SDR picture, then a gain map JPEG after its end, found
//! through the primary's MPF index and described by `hdrgm` XMP and/or ISO
//! 21496-1. Cleaning keeps the gain map (HDR screens use it to brighten
//! highlights) with only what reading it needs: its pixels, its ISO 21496-1
//! numbers, a rebuilt `hdrgm` XMP, and a new MPF index and container directory
//! in the primary. Everything else in either picture goes, as for any JPEG.

use std::ops::Range;

use super::{jpeg, Block, Parsed};
use crate::metadata::gain_map::{self, HdrFields, Iso};
use crate::metadata::icc_device::{self, Device};
use crate::metadata::{icc, mpf};
use crate::report::BlockKind;

/// A gain map found after a JPEG's primary picture.
#[derive(Debug, Clone)]
pub(crate) struct GainMap {
    /// Where the gain map JPEG lies in the file.
    pub range: Range<usize>,
    /// Its own segments; their ranges count from `range.start`.
    pub parsed: Parsed,
    /// Its MPF entry's flags and type, written again in the new index.
    pub attributes: u32,
    /// Its checked `hdrgm` XMP fields (none when only ISO 21496-1 describes it).
    pub fields: HdrFields,
    /// Whether the primary's XMP names the `hdrgm` version (readers of the XMP
    /// form look for it there).
    pub primary_version: bool,
}

/// Looks for a gain map among the pictures the primary's MPF index lists after
/// `primary_end`. Anything that is not exactly one whole JPEG describing itself
/// as a gain map is not one: such a trailer is removed, as any other.
pub(crate) fn locate(data: &[u8], blocks: &[Block], primary_end: usize) -> Option<GainMap> {
    let mpf_block = blocks.iter().find(|b| b.kind == BlockKind::Mpf)?;
    // The MP entries' offsets count from the index's TIFF header: its payload.
    let super::Payload::Bytes(tiff) = &mpf_block.payload else { return None };
    let entries = mpf::entries(&data[tiff.clone()])?;
    let tiff = tiff.start;
    entries.iter().skip(1).find_map(|entry| {
        let start = tiff.checked_add(entry.offset as usize)?;
        let end = start.checked_add(entry.size as usize)?;
        if start < primary_end || end > data.len() {
            return None;
        }
        let parsed = jpeg::parse_nested(&data[start..end]).ok()?;
        let gain_map = &data[start..end];
        let fields = parsed
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Xmp)
            .map(|b| HdrFields::read(&b.payload_bytes(gain_map)))
            .unwrap_or_default();
        let iso = parsed.blocks.iter().any(|b| {
            b.kind == BlockKind::GainMapInfo && gain_map::iso(&b.payload_bytes(gain_map)) == Some(Iso::Metadata)
        });
        if !fields.describe_gain_map() && !iso {
            return None;
        }
        let primary_version = blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Xmp)
            .any(|b| HdrFields::read(&b.payload_bytes(data)).has("Version"));
        Some(GainMap { range: start..end, parsed, attributes: entry.attributes, fields, primary_version })
    })
}

/// The cleaned gain map JPEG: its picture, its ISO 21496-1 metadata, its ICC
/// profile when the primary's is kept, and a rebuilt `hdrgm` XMP.
pub(crate) fn cleaned(gain_map: &GainMap, data: &[u8], keep_icc: bool) -> Vec<u8> {
    let image = &data[gain_map.range.clone()];
    // A profile that names its display (icc_device) goes whole rather than be rewritten
    // as the primary's is: a gain map's profile is rare, and only describes the map's
    // colours (found by the clean fuzz target: one with an `ndin` tag came through).
    // One that does not read as a profile goes too, as the primary's does (found by the clean
    // fuzz target once inspection stopped showing such a profile as kept).
    let keep_icc = keep_icc
        && icc::usable(&gain_map.parsed, image)
        && icc::profile(&gain_map.parsed, image).is_some_and(|p| matches!(icc_device::device(&p), Device::None));
    let mut out = Vec::with_capacity(image.len());
    for (i, block) in gain_map.parsed.blocks.iter().enumerate() {
        // The rebuilt XMP goes right after SOI.
        if i == 1 && !gain_map.fields.is_empty() {
            out.extend_from_slice(&jpeg::xmp_segment(&gain_map::gain_map_xmp(&gain_map.fields)));
        }
        let keep = match block.kind {
            BlockKind::Icc => keep_icc,
            BlockKind::GainMapInfo => gain_map::iso(&block.payload_bytes(image)) == Some(Iso::Metadata),
            kind => kind.is_display(),
        };
        if keep {
            out.extend_from_slice(&image[block.range.clone()]);
        }
    }
    out
}

/// The segments the primary needs to point at a gain map of `gain_map_len`
/// bytes: the XMP container directory, and an MPF index to be patched by
/// `patch_index` once the primary's length is known.
pub(crate) fn primary_segments(gain_map: &GainMap, gain_map_len: usize) -> (Vec<u8>, Vec<u8>) {
    let xmp = jpeg::xmp_segment(&gain_map::primary_xmp(gain_map.primary_version, gain_map_len));
    let index = jpeg::app_segment(0xE2, &mpf::two_pictures(gain_map.attributes));
    (xmp, index)
}

/// Fills in the MPF index written at `index_at` in `out`, whose first
/// `primary_len` bytes are the primary picture and whose gain map follows it.
pub(crate) fn patch_index(out: &mut [u8], index_at: usize, primary_len: usize, gain_map_len: usize) {
    let payload = index_at + 4;
    let tiff = payload + mpf::TIFF_START;
    mpf::patch(
        &mut out[payload..payload + mpf::PAYLOAD_LEN],
        primary_len as u32,
        gain_map_len as u32,
        (primary_len - tiff) as u32,
    );
}

/// Whether an XMP or MPF block of a cleaned Ultra HDR file holds only what
/// cleaning writes.
pub(crate) fn minimal(block: &Block, data: &[u8]) -> bool {
    let payload = block.payload_bytes(data);
    match block.kind {
        BlockKind::Xmp => gain_map::is_minimal_xmp(&payload),
        BlockKind::GainMapInfo => gain_map::iso(&payload).is_some(),
        BlockKind::Mpf => {
            payload.len() == mpf::PAYLOAD_LEN - mpf::TIFF_START && mpf::entries(&payload).is_some_and(|e| e.len() == 2)
        }
        _ => false,
    }
}
