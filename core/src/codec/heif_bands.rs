//! A grid HEIC decoded in bands of tile rows, so that two wasm workers (one thread
//! each) share one photo: an iPhone photo is 48 independent HEVC tiles, and decoding
//! them is most of the time before the converter can show it. Each band is the
//! grid's canvas rows, as heifer's own grid decode writes them; `join` stacks the
//! bands and applies the image's rotation and mirror, so the result is the pixels
//! `heif::decode` gives (tested byte for byte).
//!
//! Only grids heifer would decode tile by tile straight into its canvas are split:
//! plain `hvc1` tiles, no alpha, and no crop on the grid (heifer's `clap` rounding is
//! its own, so a cropped grid is decoded whole). Anything else is decoded whole by
//! the caller instead.

use heifer::color::{frame_to_rgba_into, ColorParams};
use heifer::heifer_hevc_dec::decoder::{decode_picture, DecodeOptions};
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};
use heifer::Image;

use super::{heif, heif_geometry, Pixels};
use crate::error::{Error, ErrorKind, Result};
use crate::transcode::MAX_DECODE_PIXELS;

/// Band `index` of `count` (tile rows shared out as evenly as they go): its canvas
/// rows, RGBA8 at the grid's output width, for `join`; None if the image is not split.
pub(crate) fn decode_band(data: &[u8], index: u32, count: u32) -> Result<Option<Vec<u8>>> {
    if index >= count {
        return Err(Error::new(ErrorKind::InvalidRequest, format!("there is no band {index} of {count}")));
    }
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let Some(grid) = Grid::of(&file)? else { return Ok(None) };
    let (first, last) = grid.tile_rows(index, count);
    let (top, bottom) = grid.pixel_rows(first, last);
    let stride = grid.width as usize * 4;
    let mut rows = if bottom > top { super::rgba_buffer("HEIF", grid.width, bottom - top)? } else { Vec::new() };
    let options = DecodeOptions { max_pixels: MAX_DECODE_PIXELS, ..Default::default() };
    for row in first..last {
        for column in 0..grid.columns {
            let tile = grid.tiles[(row * grid.columns + column) as usize];
            let frame =
                decode_picture(&file.hevc_bitstream(tile).map_err(heif::error)?, options).map_err(heif::error)?;
            if frame.widths[0] < grid.tile_width || frame.heights[0] < grid.tile_height {
                return Err(heif::error(heifer::Error::Invalid("grid tiles have different sizes or bit depths")));
            }
            let (x0, y0) = (column * grid.tile_width, row * grid.tile_height);
            // Tiles past the grid's output size are decoded (as heifer does), and cut.
            let w = grid.tile_width.min(grid.width.saturating_sub(x0)) as usize;
            let h = grid.tile_height.min(grid.height.saturating_sub(y0)) as usize;
            if w == 0 || h == 0 {
                continue;
            }
            let mut out: Vec<&mut [u8]> = rows[(y0 - top) as usize * stride..]
                .chunks_exact_mut(stride)
                .take(h)
                .map(|line| &mut line[x0 as usize * 4..(x0 as usize + w) * 4])
                .collect();
            frame_to_rgba_into(&frame, colour(&file, tile, &frame)?, &mut out, w, h);
        }
    }
    Ok(Some(rows))
}

/// The upright image from every band's rows, in order (as many as they were cut into).
pub(crate) fn join(data: &[u8], bands: Vec<Vec<u8>>) -> Result<Pixels> {
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let grid = Grid::of(&file)?.ok_or_else(|| mismatch("this image is not decoded in bands"))?;
    let count = u32::try_from(bands.len()).map_err(|_| mismatch("too many bands"))?;
    for (index, band) in (0..count).zip(&bands) {
        let (top, bottom) = grid.pixel_rows_of(index, count);
        if band.len() as u64 != u64::from(bottom - top) * u64::from(grid.width) * 4 {
            return Err(mismatch("a band is not the size its place in the grid needs"));
        }
    }
    let image = Image { width: grid.width, height: grid.height, bit_depth: 8, has_alpha: false, data: bands.concat() };
    drop(bands);
    let image = upright(&file, file.primary_id, image)?;
    Ok(Pixels { rgba: image.data, width: image.width, height: image.height })
}

/// `image` (item `id` decoded) turned and mirrored by the item's `irot` and `imir`, in
/// their order; any crop is the caller's to refuse.
pub(crate) fn upright(file: &HeifFile, id: ItemId, mut image: Image<u8>) -> Result<Image<u8>> {
    for property in file.item_properties(id).map_err(heif::error)? {
        image = match *property {
            Property::Rotation(0) => image,
            Property::Rotation(quarters) => image.rotate_ccw(quarters),
            Property::Mirror(top_bottom) => image.mirror(top_bottom),
            _ => image,
        };
    }
    Ok(image)
}

/// A primary image that can be decoded in bands.
struct Grid {
    tiles: Vec<ItemId>,
    rows: u32,
    columns: u32,
    tile_width: u32,
    tile_height: u32,
    /// The grid's output size (before rotation).
    width: u32,
    height: u32,
}

impl Grid {
    /// The primary image as a grid of plain tiles with nothing but rotation and
    /// mirroring to apply after, or None.
    fn of(file: &HeifFile) -> Result<Option<Grid>> {
        let id = file.primary_id;
        if file.item(id).map_err(heif::error)?.item_type.0 != *b"grid"
            || heif_geometry::alpha_item(file, id).map_err(heif::error)?.is_some()
        {
            return Ok(None);
        }
        let transforms_only =
            file.item_properties(id).map_err(heif::error)?.all(|p| !matches!(p, Property::CleanAperture { .. }));
        let grid = file.grid(id).map_err(heif::error)?;
        let tiles = file.referenced_items(id, b"dimg");
        let (rows, columns) = (u32::from(grid.rows), u32::from(grid.columns));
        if !transforms_only || tiles.is_empty() || tiles.len() as u64 != u64::from(rows) * u64::from(columns) {
            return Ok(None);
        }
        // Items that have an auxiliary image, gathered once: a grid may have thousands of
        // tiles, and a file hundreds of thousands of references.
        let mut with_auxiliary: Vec<ItemId> =
            file.references.iter().filter(|r| r.ref_type.0 == *b"auxl").flat_map(|r| r.to.iter().copied()).collect();
        with_auxiliary.sort_unstable();
        for &tile in tiles {
            if !plain(file, tile, &with_auxiliary)? {
                return Ok(None);
            }
        }
        let (Some((tile_width, tile_height)), Some(_)) =
            (file.image_size(tiles[0]).map_err(heif::error)?, file.hevc_config(tiles[0]).map_err(heif::error)?)
        else {
            return Ok(None);
        };
        let (width, height) = (grid.output_width, grid.output_height);
        let pixels = |w: u32, h: u32| u64::from(w) * u64::from(h);
        // The limits heifer checks, and ours: every tile is decoded, even where it is cut.
        if width == 0 || height == 0 || pixels(width, height) > MAX_DECODE_PIXELS {
            return Err(heif::error(heifer::Error::Invalid("image size is zero or too large")));
        }
        if pixels(tile_width, tile_height) == 0
            || pixels(tile_width, tile_height) * tiles.len() as u64 > 2 * MAX_DECODE_PIXELS
        {
            return Err(heif::error(heifer::Error::Invalid("grid tile has an invalid size")));
        }
        // A grid its tiles do not cover is left to heifer, whatever it makes of it.
        if pixels(tile_width, columns) < u64::from(width) || pixels(tile_height, rows) < u64::from(height) {
            return Ok(None);
        }
        Ok(Some(Grid { tiles: tiles.to_vec(), rows, columns, tile_width, tile_height, width, height }))
    }

    fn tile_rows(&self, index: u32, count: u32) -> (u32, u32) {
        let at = |k: u32| (u64::from(self.rows) * u64::from(k) / u64::from(count)) as u32;
        (at(index), at(index + 1))
    }

    fn pixel_rows(&self, first: u32, last: u32) -> (u32, u32) {
        let y = |row: u32| (u64::from(row) * u64::from(self.tile_height)).min(u64::from(self.height)) as u32;
        (y(first), y(last))
    }

    fn pixel_rows_of(&self, index: u32, count: u32) -> (u32, u32) {
        let (first, last) = self.tile_rows(index, count);
        self.pixel_rows(first, last)
    }
}

/// A coded tile heifer converts straight into its canvas: HEVC, no auxiliary image, no transforms.
fn plain(file: &HeifFile, id: ItemId, with_auxiliary: &[ItemId]) -> Result<bool> {
    if file.item(id).map_err(heif::error)?.item_type.0 != *b"hvc1" || with_auxiliary.binary_search(&id).is_ok() {
        return Ok(false);
    }
    Ok(!file
        .item_properties(id)
        .map_err(heif::error)?
        .any(|p| matches!(p, Property::CleanAperture { .. } | Property::Rotation(_) | Property::Mirror(_))))
}

/// A tile's matrix and range: its `nclx`, else its HEVC stream's (as heifer reads them).
pub(crate) fn colour(
    file: &HeifFile,
    id: ItemId,
    frame: &heifer::heifer_hevc_dec::recon::Frame,
) -> Result<ColorParams> {
    Ok(file
        .item_properties(id)
        .map_err(heif::error)?
        .find_map(|p| match p {
            Property::Color(ColorInfo::Nclx { matrix, full_range, .. }) => {
                Some(ColorParams { matrix: *matrix, full_range: *full_range })
            }
            _ => None,
        })
        .unwrap_or_else(|| ColorParams::from_frame(frame)))
}

fn mismatch(message: &str) -> Error {
    Error::new(ErrorKind::InvalidRequest, message.to_string()).in_format("HEIF")
}
