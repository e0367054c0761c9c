//! A grid HEIC decoded in bands of tiles, so that two wasm workers (one thread each)
//! share one photo: an iPhone photo is 48 independent HEVC tiles, and decoding them is
//! most of the time before the converter can show it. Each worker turns its own band
//! upright (`irot`, `imir`), so that `join` only stacks them: the bands are cut along
//! the grid's rows, or along its columns when the image is turned a quarter (as an
//! iPhone photo is), so that every band, turned, is whole rows of the upright image.
//! Joined, they are the pixels `heif::decode` gives (tested byte for byte). Turning the
//! joined 48 MB in the first worker took 130 ms of a 12 MP photo's wait in Chromium,
//! with the other worker idle.
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

/// Band `index` of `count` (tiles shared out as evenly as they go): its part of the
/// upright image, whole rows of it, RGBA8, for `join`; None if the image is not split.
pub(crate) fn decode_band(data: &[u8], index: u32, count: u32) -> Result<Option<Vec<u8>>> {
    if index >= count {
        return Err(Error::new(ErrorKind::InvalidRequest, format!("there is no band {index} of {count}")));
    }
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let Some(grid) = Grid::of(&file)? else { return Ok(None) };
    let band = grid.band(index, count);
    // A band with no pixels (tiles wholly past the grid's output size, or more bands than
    // tiles) still decodes its tiles: a damaged one fails here as it fails the whole decode.
    let (width, height) = band.size().unwrap_or((0, 0));
    let stride = width as usize * 4;
    let mut rows = if width > 0 { super::rgba_buffer("HEIF", width, height)? } else { Vec::new() };
    let options = DecodeOptions { max_pixels: MAX_DECODE_PIXELS, ..Default::default() };
    for row in band.tile_rows.clone() {
        for column in band.tile_columns.clone() {
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
            let (x, y) = ((x0 - band.rect.x0) as usize, (y0 - band.rect.y0) as usize);
            let mut out: Vec<&mut [u8]> =
                rows[y * stride..].chunks_exact_mut(stride).take(h).map(|line| &mut line[x * 4..(x + w) * 4]).collect();
            frame_to_rgba_into(&frame, colour(&file, tile, &frame)?, &mut out, w, h);
        }
    }
    if width == 0 {
        return Ok(Some(rows));
    }
    let image = Image { width, height, bit_depth: 8, has_alpha: false, data: rows };
    Ok(Some(upright(&file, file.primary_id, image)?.data))
}

/// The upright image from every band of `decode_band`, in order (as many as they were cut into).
pub(crate) fn join(data: &[u8], bands: Vec<Vec<u8>>) -> Result<Pixels> {
    let (width, height, placed) = placed(data, bands)?;
    let mut rgba = Vec::with_capacity(width as usize * height as usize * 4);
    for band in placed {
        rgba.extend_from_slice(&band);
    }
    Ok(Pixels { rgba, width, height })
}

/// The upright image's size, and `bands` (every band of `decode_band`, or the same rows
/// otherwise coloured, in band order) in the order they stack, top first.
pub(crate) fn placed(data: &[u8], bands: Vec<Vec<u8>>) -> Result<(u32, u32, Vec<Vec<u8>>)> {
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let grid = Grid::of(&file)?.ok_or_else(|| mismatch("this image is not decoded in bands"))?;
    let count = u32::try_from(bands.len()).map_err(|_| mismatch("too many bands"))?;
    let (width, height) = turned_size(&file, grid.width, grid.height)?;
    // Each band's first row in the upright image: the bands, turned, are whole rows of it.
    let mut placed = Vec::with_capacity(bands.len());
    for (index, band) in (0..count).zip(bands) {
        let rect = turned_rect(&file, grid.band(index, count).rect, grid.width, grid.height)?;
        let rows = rect.y1 - rect.y0;
        if rows > 0 && (rect.x0, rect.x1) != (0, width) {
            return Err(mismatch("a band is not whole rows of the upright image"));
        }
        if band.len() as u64 != u64::from(rows) * u64::from(width) * 4 {
            return Err(mismatch("a band is not the size its place in the grid needs"));
        }
        placed.push((rect.y0, band));
    }
    if placed.iter().map(|(_, band)| band.len() as u64).sum::<u64>() != u64::from(width) * u64::from(height) * 4 {
        return Err(mismatch("the bands are not the whole image"));
    }
    placed.sort_by_key(|&(top, _)| top);
    Ok((width, height, placed.into_iter().map(|(_, band)| band).collect()))
}

/// `image` (item `id` decoded) turned and mirrored by the item's `irot` and `imir`, in
/// their order; any crop is the caller's to refuse.
pub(crate) fn upright(file: &HeifFile, id: ItemId, image: Image<u8>) -> Result<Image<u8>> {
    Ok(apply(&steps(file, id)?, image))
}

/// A step of `upright`: turned `n` quarters anticlockwise, or mirrored.
#[derive(Clone, Copy, Debug)]
enum Step {
    Turn(u8),
    Mirror(bool),
}

/// Item `id`'s `irot` and `imir`, in their order: what `upright` does, and where
/// `turned_rect` says a part of the image goes.
fn steps(file: &HeifFile, id: ItemId) -> Result<Vec<Step>> {
    Ok(file
        .item_properties(id)
        .map_err(heif::error)?
        .filter_map(|property| match *property {
            Property::Rotation(quarters) => Some(Step::Turn(quarters)),
            Property::Mirror(top_bottom) => Some(Step::Mirror(top_bottom)),
            _ => None,
        })
        .collect())
}

fn apply(steps: &[Step], image: Image<u8>) -> Image<u8> {
    steps.iter().fold(image, |image, step| match *step {
        // Not a copy of the 48 MB for nothing.
        Step::Turn(quarters) if quarters % 4 == 0 => image,
        Step::Turn(quarters) => image.rotate_ccw(quarters),
        Step::Mirror(top_bottom) => image.mirror(top_bottom),
    })
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
    /// Cut into bands of tile columns (the image is turned a quarter), else of tile rows.
    by_columns: bool,
}

/// A rectangle of pixels, `x0..x1` by `y0..y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rect {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

/// One band of a grid: its tiles and, in the grid's canvas, its pixels.
struct Band {
    tile_rows: std::ops::Range<u32>,
    tile_columns: std::ops::Range<u32>,
    rect: Rect,
}

impl Band {
    /// Its width and height in pixels, None if it has none (more bands than tiles).
    fn size(&self) -> Option<(u32, u32)> {
        let (w, h) = (self.rect.x1 - self.rect.x0, self.rect.y1 - self.rect.y0);
        (w > 0 && h > 0).then_some((w, h))
    }
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
        // A grid its tiles do not cover: heifer panicked on one (`heif_work` refuses it before
        // any decode; refused here too, never handed to heifer whole).
        if pixels(tile_width, columns) < u64::from(width) || pixels(tile_height, rows) < u64::from(height) {
            return Err(heif::error(heifer::Error::Invalid("grid tiles do not cover the image")));
        }
        let quarters: u32 =
            steps(file, id)?.iter().map(|step| if let Step::Turn(q) = step { u32::from(*q) } else { 0 }).sum();
        // Cut so that each band, turned, is whole upright rows. (A grid one tile wide and
        // turned a quarter is then one band: decoded by one worker, correctly but alone.)
        let by_columns = quarters % 2 == 1;
        Ok(Some(Grid { tiles: tiles.to_vec(), rows, columns, tile_width, tile_height, width, height, by_columns }))
    }

    /// Band `index` of `count`: the tiles shared out as evenly as they go.
    fn band(&self, index: u32, count: u32) -> Band {
        let lines = if self.by_columns { self.columns } else { self.rows };
        let at = |k: u32| (u64::from(lines) * u64::from(k) / u64::from(count)) as u32;
        let (first, last) = (at(index), at(index + 1));
        let pixel = |tile: u32, size: u32, limit: u32| (u64::from(tile) * u64::from(size)).min(u64::from(limit)) as u32;
        if self.by_columns {
            Band {
                tile_rows: 0..self.rows,
                tile_columns: first..last,
                rect: Rect {
                    x0: pixel(first, self.tile_width, self.width),
                    x1: pixel(last, self.tile_width, self.width),
                    y0: 0,
                    y1: self.height,
                },
            }
        } else {
            Band {
                tile_rows: first..last,
                tile_columns: 0..self.columns,
                rect: Rect {
                    x0: 0,
                    x1: self.width,
                    y0: pixel(first, self.tile_height, self.height),
                    y1: pixel(last, self.tile_height, self.height),
                },
            }
        }
    }
}

/// Where `rect` of a `width`×`height` image goes when the image is turned and mirrored
/// as `upright` turns the primary item (the same steps, in the same order, as
/// `Image::rotate_ccw` and `Image::mirror` move pixels).
fn turned_rect(file: &HeifFile, rect: Rect, width: u32, height: u32) -> Result<Rect> {
    Ok(moved(&steps(file, file.primary_id)?, rect, width, height).0)
}

/// The size of a `width`×`height` image of `file`'s primary item once turned upright.
fn turned_size(file: &HeifFile, width: u32, height: u32) -> Result<(u32, u32)> {
    let whole = Rect { x0: 0, y0: 0, x1: width, y1: height };
    let turned = turned_rect(file, whole, width, height)?;
    Ok((turned.x1, turned.y1))
}

/// `rect` of a `width`×`height` image after `steps`, and the image's size then.
fn moved(steps: &[Step], mut rect: Rect, mut width: u32, mut height: u32) -> (Rect, u32, u32) {
    for step in steps {
        let Rect { x0, y0, x1, y1 } = rect;
        (rect, width, height) = match *step {
            // A pixel at (x, y) goes to (y, width - 1 - x) a quarter turn anticlockwise.
            Step::Turn(quarters) => match quarters % 4 {
                1 => (Rect { x0: y0, x1: y1, y0: width - x1, y1: width - x0 }, height, width),
                2 => (Rect { x0: width - x1, x1: width - x0, y0: height - y1, y1: height - y0 }, width, height),
                3 => (Rect { x0: height - y1, x1: height - y0, y0: x0, y1: x1 }, height, width),
                _ => (rect, width, height),
            },
            Step::Mirror(true) => (Rect { y0: height - y1, y1: height - y0, ..rect }, width, height),
            Step::Mirror(false) => (Rect { x0: width - x1, x1: width - x0, ..rect }, width, height),
        };
    }
    (rect, width, height)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A `width`×`height` image whose every pixel says where it was.
    fn labelled(width: u32, height: u32) -> Image<u8> {
        let data = (0..height).flat_map(|y| (0..width).flat_map(move |x| [x as u8, y as u8, 7, 255])).collect();
        Image { width, height, bit_depth: 8, has_alpha: false, data }
    }

    fn cut(image: &Image<u8>, r: Rect) -> Vec<u8> {
        let stride = image.width as usize * 4;
        (r.y0..r.y1)
            .flat_map(|y| image.data[y as usize * stride..][r.x0 as usize * 4..r.x1 as usize * 4].to_vec())
            .collect()
    }

    /// Every part of an image turned on its own is where `moved` says in the image turned
    /// whole, for every turn and mirror, alone and two or three in a row (`imir` and
    /// `irot` may come in either order).
    #[test]
    fn a_part_turned_alone_is_where_moved_says() {
        let all = [Step::Turn(0), Step::Turn(1), Step::Turn(2), Step::Turn(3), Step::Mirror(true), Step::Mirror(false)];
        let mut sequences: Vec<Vec<Step>> = all.iter().map(|&s| vec![s]).collect();
        for &a in &all {
            for &b in &all {
                sequences.push(vec![a, b]);
                sequences.push(vec![a, b, Step::Mirror(true)]);
            }
        }
        let (width, height) = (7, 5);
        let image = labelled(width, height);
        let parts = [
            Rect { x0: 0, y0: 0, x1: 7, y1: 2 },
            Rect { x0: 0, y0: 2, x1: 7, y1: 5 },
            Rect { x0: 0, y0: 0, x1: 3, y1: 5 },
            Rect { x0: 3, y0: 0, x1: 7, y1: 5 },
            Rect { x0: 1, y0: 1, x1: 4, y1: 3 },
        ];
        for steps in &sequences {
            let whole = apply(steps, image.clone());
            for &part in &parts {
                let (to, w, h) = moved(steps, part, width, height);
                assert_eq!((w, h), (whole.width, whole.height), "{steps:?}");
                let alone = apply(steps, labelled_part(&image, part));
                assert_eq!((to.x1 - to.x0, to.y1 - to.y0), (alone.width, alone.height), "{steps:?} {part:?}");
                assert_eq!(cut(&whole, to), alone.data, "{steps:?} {part:?}");
            }
        }
    }

    fn labelled_part(image: &Image<u8>, r: Rect) -> Image<u8> {
        Image { width: r.x1 - r.x0, height: r.y1 - r.y0, bit_depth: 8, has_alpha: false, data: cut(image, r) }
    }
}
