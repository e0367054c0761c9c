//! How much decoding a HEIC asks of heifer, counted from its boxes before heifer starts.
//!
//! heifer decodes every tile a grid names, as often as it names it, through grids of
//! grids four deep, and trusted that a grid's tiles cover its output: a read-only review
//! made a 1.6 KB file whose grid was wider than its tiles (heifer panicked: in wasm that
//! aborts the engine), and files of 128-261 KB that named one 64×64 tile 65,025 times,
//! or such grids in a grid, which decoded for 9 s to months. Here the items heifer would
//! decode for the primary image are walked as heifer walks them, and the file is refused
//! when a grid's tiles do not cover it or differ, or when the HEVC pictures to decode,
//! counted at the size their own parameter sets give (an `ispe` may understate it), add
//! up to more than twice the largest picture converted.

use std::collections::HashMap;

use heifer::heifer_hevc_dec::nal::{split_annex_b, NalUnit};
use heifer::heifer_hevc_dec::params::Sps;
use heifer::heifer_isobmff::boxes::Property;
use heifer::heifer_isobmff::{HeifFile, ItemId};

use super::{heif, heif_geometry};
use crate::error::{Error, Result};
use crate::transcode::{MAX_DECODE_ITEMS, MAX_DECODE_PIXELS};

/// Most HEVC picture area decoded for one image, tiles and alpha included, every time
/// they are used: twice the largest picture converted (a grid's edge tiles decode past
/// its size, an alpha plane as much again), as for AVIF grids.
const MAX_DECODED_AREA: u64 = 2 * MAX_DECODE_PIXELS;
/// Most HEVC pictures decoded for one image (an iPhone photo: 48 tiles; a 100-megapixel
/// picture in 512-pixel tiles about 400). Each costs more than its area: its parse.
const MAX_PICTURES: u64 = MAX_DECODE_ITEMS as u64;
/// Derived images in derived images, as deep as heifer follows them.
const MAX_DEPTH: u32 = 4;

/// Refuses a HEIC whose primary image heifer would decode into a grid its tiles do not
/// fit, or at a cost past the limits above.
pub(crate) fn check(data: &[u8]) -> Result<()> {
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let mut walk = Walk { file: &file, known: HashMap::new() };
    let cost = walk.item(file.primary_id, 0)?;
    if cost.past_limits() {
        return Err(Error::limit(
            "HEIF",
            format!(
                "decoding its image takes more than {MAX_PICTURES} HEVC pictures or {} megapixels in all \
                 (each tile counted every time it is used); conversion stops there, cleaning works",
                MAX_DECODED_AREA / 1_000_000
            ),
        ));
    }
    Ok(())
}

/// What decoding an item costs: pictures, and their area in pixels (saturating).
#[derive(Clone, Copy, Default)]
struct Cost {
    pictures: u64,
    area: u64,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.pictures = self.pictures.saturating_add(other.pictures);
        self.area = self.area.saturating_add(other.area);
    }

    fn past_limits(&self) -> bool {
        self.area > MAX_DECODED_AREA || self.pictures > MAX_PICTURES
    }
}

struct Walk<'f, 'a> {
    file: &'f HeifFile<'a>,
    /// Each item's cost, once counted: a grid may name one tile thousands of times.
    known: HashMap<ItemId, Cost>,
}

impl Walk<'_, '_> {
    /// The cost of decoding item `id` as heifer does (`decode_item_with`): a coded picture
    /// with its alpha plane, or a derived image's inputs with its alpha.
    fn item(&mut self, id: ItemId, depth: u32) -> Result<Cost> {
        if depth > MAX_DEPTH {
            return Err(invalid("derived images nested too deeply"));
        }
        if let Some(&cost) = self.known.get(&id) {
            return Ok(cost);
        }
        let file = self.file;
        let kind = file.item(id).map_err(heif::error)?.item_type.0;
        let mut cost = match &kind {
            b"hvc1" => {
                let mut cost = self.picture(id)?;
                // heifer decodes a coded image's first alpha plane as a picture of its own.
                if let Some(alpha) = heif_geometry::alpha_item(file, id).map_err(heif::error)? {
                    cost.add(self.picture(alpha)?);
                }
                cost
            }
            b"grid" => self.grid(id, depth)?,
            b"iovl" => {
                // Its canvas is made whole (up to 100 MP), besides the images drawn on it.
                let mut cost = Cost { pictures: 0, area: self.overlay_area(id)? };
                cost.add(self.inputs(file.referenced_items(id, b"dimg"), depth)?);
                cost
            }
            b"iden" => self.inputs(file.referenced_items(id, b"dimg"), depth)?,
            // heifer refuses it by name.
            _ => Cost::default(),
        };
        if kind != *b"hvc1" {
            if let Some(alpha) = heif_geometry::alpha_item(file, id).map_err(heif::error)? {
                cost.add(self.item(alpha, depth + 1)?);
            }
        }
        self.known.insert(id, cost);
        Ok(cost)
    }

    /// A grid's inputs, which must tile it as heifer places them: every tile the size of
    /// the first, and together at least the grid's size (heifer gave the surplus of a
    /// wider grid to the next row's tiles, and wrote past them).
    fn grid(&mut self, id: ItemId, depth: u32) -> Result<Cost> {
        let file = self.file;
        let grid = file.grid(id).map_err(heif::error)?;
        let tiles = file.referenced_items(id, b"dimg");
        if tiles.is_empty() || tiles.len() != usize::from(grid.rows) * usize::from(grid.columns) {
            return Err(invalid("grid tile count does not match its rows and columns"));
        }
        let (width, height) = self.tile_size(tiles[0])?;
        let covers = u64::from(width) * u64::from(grid.columns) >= u64::from(grid.output_width)
            && u64::from(height) * u64::from(grid.rows) >= u64::from(grid.output_height);
        if !covers {
            return Err(invalid("grid tiles do not cover the image"));
        }
        for &tile in tiles {
            if self.tile_size(tile)? != (width, height) {
                return Err(invalid("grid tiles have different sizes"));
            }
        }
        self.inputs(tiles, depth)
    }

    /// The size heifer places a grid tile at: a coded tile's `ispe`, a grid's output size;
    /// tiles turned, mirrored or cropped (which no phone writes) are not decoded here.
    fn tile_size(&self, tile: ItemId) -> Result<(u32, u32)> {
        let file = self.file;
        let transformed = file
            .item_properties(tile)
            .map_err(heif::error)?
            .any(|p| matches!(p, Property::CleanAperture { .. } | Property::Rotation(_) | Property::Mirror(_)));
        if transformed {
            return Err(unsupported("a grid whose tiles are turned, mirrored or cropped"));
        }
        match &file.item(tile).map_err(heif::error)?.item_type.0 {
            b"hvc1" => file.image_size(tile).map_err(heif::error)?.ok_or_else(|| invalid("a grid tile has no size")),
            b"grid" => file.grid(tile).map(|g| (g.output_width, g.output_height)).map_err(heif::error),
            _ => Err(unsupported("a grid of tiles other than HEVC pictures and grids")),
        }
    }

    /// Every input, as often as it is named; stops counting once past the limits.
    fn inputs(&mut self, inputs: &[ItemId], depth: u32) -> Result<Cost> {
        let mut cost = Cost::default();
        for &input in inputs {
            cost.add(self.item(input, depth + 1)?);
            if cost.past_limits() {
                break;
            }
        }
        Ok(cost)
    }

    /// An overlay's canvas size, from its data (as heifer reads it: version 0, a flag for
    /// 32-bit fields, four 16-bit fill values, then width and height); 0 where it cannot be
    /// read (heifer refuses it then).
    fn overlay_area(&self, id: ItemId) -> Result<u64> {
        let data = self.file.item_data(id).map_err(heif::error)?;
        let large = data.get(1).is_some_and(|flags| flags & 1 != 0);
        let field = |at: usize| -> Option<u64> {
            Some(match large {
                true => u64::from(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?)),
                false => u64::from(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?)),
            })
        };
        let size = if large { 4 } else { 2 };
        Ok(match (data.first(), field(10), field(10 + size)) {
            (Some(0), Some(width), Some(height)) => width * height,
            _ => 0,
        })
    }

    /// One HEVC picture of item `id`: the largest its sequence parameter sets declare before
    /// its first slice (heifer's decoder reads every other unit before it, reserved types
    /// included, and activates those sets), counted by its coded size.
    fn picture(&self, id: ItemId) -> Result<Cost> {
        let stream = self.file.hevc_bitstream(id).map_err(heif::error)?;
        let mut area = 0u64;
        for nal in split_annex_b(&stream) {
            let Some(&first) = nal.first() else { continue };
            let kind = (first >> 1) & 0x3F;
            // Slices are types 0-9 and 16-21 (as the decoder's `is_slice`); a reserved type
            // before an SPS must not end the count (a review of the session's diff).
            if matches!(kind, 0..=9 | 16..=21) {
                break;
            }
            if kind == 33 {
                let unit = NalUnit::parse(nal).map_err(heif::error)?;
                let sps = Sps::parse(&unit.rbsp).map_err(heif::error)?;
                area = area.max(u64::from(sps.pic_width_in_luma_samples) * u64::from(sps.pic_height_in_luma_samples));
            }
        }
        Ok(Cost { pictures: 1, area })
    }
}

fn invalid(what: &'static str) -> Error {
    heif::error(heifer::Error::Invalid(what))
}

fn unsupported(what: &str) -> Error {
    heif::error(heifer::Error::Unsupported(what.to_string()))
}
