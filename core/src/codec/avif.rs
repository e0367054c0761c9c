//! AVIF decoding (the CLI, and the extension's AVIF module for the files the
//! browser refuses): the HEIF item structure read by heifer's container layer,
//! each AV1 picture decoded by rav1d (codec/av1.rs), then
//! what HEIF asks of a reader, in its order: tiles of a grid placed and the
//! grid cropped to its output size, the alpha auxiliary image attached (and
//! un-premultiplied when the file says it is premultiplied), and the item's
//! transformative properties applied in association order (clap, irot, imir),
//! once. heifer does the same for HEVC but keeps it private to its decoder.

use heifer::color::{frame_to_rgba_into, ColorParams};
use heifer::heifer_hevc_dec::recon::Frame;
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};
use heifer::Image;

use super::av1;
use super::heif_geometry;
use super::Pixels;
use crate::error::{Error, ErrorKind, Result};
use crate::transcode::MAX_DECODE_PIXELS;

/// The primary image, upright and cropped, as RGBA8 in its coded colours (a
/// profile is kept or converted later, as for any image).
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let file = HeifFile::parse(data).map_err(container)?;
    let id = file.primary_id;
    let mut image = decode_item(&file, id, Range::Declared)?;
    if let Some(alpha) = heif_geometry::alpha_item(&file, id).map_err(container)? {
        let premultiplied = file.referenced_items(id, b"prem").contains(&alpha);
        attach_alpha(&mut image, &decode_alpha(&file, alpha)?, premultiplied)?;
    }
    for property in file.item_properties(id).map_err(container)? {
        image = transform(image, property)?;
    }
    Ok(Pixels { rgba: image.data, width: image.width, height: image.height })
}

/// What a coded item is read as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Range {
    /// Colour, in its declared matrix and range (limited-range grey widened).
    Declared,
    /// An alpha plane: the luma samples as they are, full range, whatever the
    /// chroma, matrix or declared range (as libheif and libavif read alpha; AVIF
    /// 1.1 requires it coded full range).
    Full,
}

/// A coded (`av01`) or grid item's colour pixels, before its transforms.
fn decode_item(file: &HeifFile, id: ItemId, range: Range) -> Result<Image<u8>> {
    let item = file.item(id).map_err(container)?;
    match &item.item_type.0 {
        b"av01" => {
            let (width, height) = size(file, id)?;
            let frame = coded_frame(file, id, range)?;
            match range {
                Range::Declared => rgba(&frame, params(file, id, &frame)?, width, height),
                Range::Full => luma_as_grey(&frame, width, height),
            }
        }
        b"grid" => decode_grid(file, id, range),
        other => Err(Error::new(
            ErrorKind::Unsupported,
            format!("this AVIF's image is a `{}` item, which cannot be converted here", String::from_utf8_lossy(other)),
        )
        .in_format("AVIF")
        .because_with(crate::error::reason::CANNOT_CONVERT, &[&"AVIF"])),
    }
}

/// The top-left `width` × `height` of a frame (its `ispe`: AV1 may code more), as RGBA8.
fn rgba(frame: &Frame, params: ColorParams, width: u32, height: u32) -> Result<Image<u8>> {
    let mut image = blank(width.min(frame.widths[0]), height.min(frame.heights[0]))?;
    let (w, h) = (image.width as usize, image.height as usize);
    let mut rows: Vec<&mut [u8]> = image.data.chunks_exact_mut(w * 4).collect();
    frame_to_rgba_into(frame, params, &mut rows, w, h);
    Ok(image)
}

/// Tiles decoded one at a time into the output canvas; edge tiles past the
/// grid's output size are cut.
fn decode_grid(file: &HeifFile, id: ItemId, range: Range) -> Result<Image<u8>> {
    let grid = file.grid(id).map_err(container)?;
    let tiles = file.referenced_items(id, b"dimg");
    if tiles.len() != usize::from(grid.rows) * usize::from(grid.columns) {
        return Err(corrupt("its grid has a different number of tiles than rows × columns".into()));
    }
    let (tile_w, tile_h) = size(file, tiles[0])?;
    // Every tile is decoded even where it is cut: bound the work as well as the canvas,
    // before the canvas is made (a 1.2 KB file's grid made one of 1 GB, then was refused).
    let coded = u64::from(tile_w) * u64::from(tile_h) * tiles.len() as u64;
    if coded > 2 * MAX_DECODE_PIXELS
        || u64::from(grid.output_width) * u64::from(grid.output_height) > MAX_DECODE_PIXELS
        || u64::from(tile_w) * u64::from(grid.columns) < u64::from(grid.output_width)
        || u64::from(tile_h) * u64::from(grid.rows) < u64::from(grid.output_height)
    {
        return Err(corrupt(format!("its grid of {} tiles of {tile_w}×{tile_h} does not fit its size", tiles.len())));
    }
    let mut canvas = blank(grid.output_width, grid.output_height)?;
    let stride = canvas.width as usize * 4;
    for (i, &tile) in tiles.iter().enumerate() {
        if file.item(tile).map_err(container)?.item_type.0 != *b"av01" || size(file, tile)? != (tile_w, tile_h) {
            return Err(corrupt("the tiles of its grid differ".into()));
        }
        let (x0, y0) =
            ((i % usize::from(grid.columns)) * tile_w as usize, (i / usize::from(grid.columns)) * tile_h as usize);
        let w = (tile_w as usize).min(canvas.width as usize - x0.min(canvas.width as usize));
        let h = (tile_h as usize).min(canvas.height as usize - y0.min(canvas.height as usize));
        if w == 0 || h == 0 {
            continue;
        }
        let frame = coded_frame(file, tile, range)?;
        let mut rows: Vec<&mut [u8]> = canvas.data[y0 * stride..]
            .chunks_exact_mut(stride)
            .take(h)
            .map(|row| &mut row[x0 * 4..(x0 + w) * 4])
            .collect();
        frame_to_rgba_into(&frame, params(file, tile, &frame)?, &mut rows, w, h);
    }
    Ok(canvas)
}

/// The AV1 picture of a coded item, monochrome limited range already widened
/// to full range when `range` says so (heifer's conversion reads monochrome as
/// full range).
fn coded_frame(file: &HeifFile, id: ItemId, range: Range) -> Result<Frame> {
    // `a1op`: which operating point of a layered stream is the image.
    let operating_point = file.item_properties(id).map_err(container)?.find_map(|p| match p {
        Property::Unknown(kind, content) if kind.0 == *b"a1op" => content.first().copied(),
        _ => None,
    });
    let data = file.item_data(id).map_err(container)?;
    // The picture must be the size the item declares: rav1d refuses anything larger
    // before decoding it (a tiny `ispe` cannot hide a 100 MP frame), smaller is refused after.
    let (width, height) = size(file, id)?;
    let mut frame = av1::decode(&data, operating_point.unwrap_or(0), u64::from(width) * u64::from(height))?;
    if (frame.widths[0], frame.heights[0]) != (width, height) {
        return Err(corrupt(format!(
            "its AV1 picture is {}×{}, not the {width}×{height} it declares",
            frame.widths[0], frame.heights[0]
        )));
    }
    let (_, full_range) = colour(file, id)?;
    if frame.chroma_format == 0 && !full_range && range == Range::Declared {
        widen_range(&mut frame.planes[0], frame.bit_depth[0]);
    }
    Ok(frame)
}

/// The item's matrix and range: its `nclx`, else its AV1 sequence header, else
/// BT.601 limited (unspecified).
fn colour(file: &HeifFile, id: ItemId) -> Result<(u16, bool)> {
    let nclx = file.item_properties(id).map_err(container)?.find_map(|p| match p {
        Property::Color(ColorInfo::Nclx { matrix, full_range, .. }) => Some((*matrix, *full_range)),
        _ => None,
    });
    if let Some(nclx) = nclx {
        return Ok(nclx);
    }
    let data = file.item_data(id).map_err(container)?;
    Ok(av1::sequence_colour(&data).map_or((2, false), |c| (u16::from(c.matrix), c.full_range)))
}

fn params(file: &HeifFile, id: ItemId, frame: &Frame) -> Result<ColorParams> {
    let (matrix, full_range) = colour(file, id)?;
    // Widened already when monochrome.
    Ok(ColorParams { matrix, full_range: full_range || frame.chroma_format == 0 })
}

/// The luma plane as grey RGBA8 (alpha planes: their samples as coded).
fn luma_as_grey(frame: &Frame, width: u32, height: u32) -> Result<Image<u8>> {
    let mut image = blank(width, height)?;
    let (depth, stride) = (u32::from(frame.bit_depth[0]), frame.widths[0] as usize);
    let max = (1u32 << depth) - 1;
    for (i, pixel) in image.data.chunks_exact_mut(4).enumerate() {
        let (x, y) = (i % width as usize, i / width as usize);
        let v = u32::from(frame.planes[0][y * stride + x]);
        let grey = ((v.min(max) * 255 + max / 2) / max) as u8;
        pixel.copy_from_slice(&[grey, grey, grey, 255]);
    }
    Ok(image)
}

/// Limited ("video") range samples stretched to the full range of their depth.
fn widen_range(samples: &mut [u16], depth: u8) {
    let shift = u32::from(depth.saturating_sub(8));
    let (low, span, max) = (16u32 << shift, 219u32 << shift, (1u32 << depth) - 1);
    for v in samples {
        let x = u32::from(*v).saturating_sub(low);
        *v = ((x * max + span / 2) / span).min(max) as u16;
    }
}

/// The alpha plane as grey (monochrome, or luma with neutral chroma), in 8
/// bits, full range: a coded item or a grid of alpha tiles.
fn decode_alpha(file: &HeifFile, id: ItemId) -> Result<Image<u8>> {
    decode_item(file, id, Range::Full)
}

/// Takes the alpha of `image` from the grey of `alpha` (at least as large).
fn attach_alpha(image: &mut Image<u8>, alpha: &Image<u8>, premultiplied: bool) -> Result<()> {
    if alpha.width < image.width || alpha.height < image.height {
        return Err(corrupt("its alpha plane is smaller than the image".into()));
    }
    let (w, a_stride) = (image.width as usize, alpha.width as usize * 4);
    for (y, row) in image.data.chunks_exact_mut(w * 4).enumerate() {
        let source = &alpha.data[y * a_stride..y * a_stride + w * 4];
        for (pixel, grey) in row.chunks_exact_mut(4).zip(source.chunks_exact(4)) {
            let a = grey[0];
            pixel[3] = a;
            if premultiplied && a > 0 && a < 255 {
                for c in &mut pixel[..3] {
                    *c = ((u32::from(*c) * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8;
                }
            }
        }
    }
    image.has_alpha = true;
    Ok(())
}

/// One transformative property; others pass through.
fn transform(image: Image<u8>, property: &Property) -> Result<Image<u8>> {
    Ok(match *property {
        Property::CleanAperture { width, height, horiz_offset, vert_offset } => {
            clean_aperture(&image, width, height, horiz_offset, vert_offset)?
        }
        Property::Rotation(0) => image,
        Property::Rotation(quarters) => image.rotate_ccw(quarters),
        Property::Mirror(top_bottom) => image.mirror(top_bottom),
        _ => image,
    })
}

/// `clap`, rounded as libheif rounds it (see heif_geometry).
fn clean_aperture(
    image: &Image<u8>,
    width: (u32, u32),
    height: (u32, u32),
    horizontal: (i32, u32),
    vertical: (i32, u32),
) -> Result<Image<u8>> {
    let (left, top, w, h) =
        heif_geometry::clap_rect(image.width, image.height, (width, height, horizontal, vertical)).map_err(corrupt)?;
    Ok(image.crop(left, top, w, h))
}

/// An item's `ispe`, checked against the decoding limit before anything is decoded.
fn size(file: &HeifFile, id: ItemId) -> Result<(u32, u32)> {
    let (w, h) =
        file.image_size(id).map_err(container)?.ok_or_else(|| corrupt("an image item has no size (ispe)".into()))?;
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_DECODE_PIXELS {
        return Err(Error::limit("AVIF", format!("an image of {w}×{h} cannot be converted"))
            .because_with(crate::error::reason::TOO_MANY_PIXELS, &[&w, &h, &(MAX_DECODE_PIXELS / 1_000_000)]));
    }
    Ok((w, h))
}

fn blank(width: u32, height: u32) -> Result<Image<u8>> {
    let rgba = super::rgba_buffer("AVIF", width, height)?;
    Ok(Image { width, height, bit_depth: 8, has_alpha: false, data: rgba })
}

fn container(e: heifer::heifer_isobmff::Error) -> Error {
    corrupt(format!("its structure cannot be read ({e})"))
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message).in_format("AVIF")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(path: &str) -> Vec<u8> {
        let dir = std::env::var_os("TRACELESS_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
        std::fs::read(dir.join(path)).unwrap()
    }

    /// The sequence header parser against real encoders. Where a file has an
    /// `nclx` too, the two agree on the range; where it has none, libheif
    /// converts with what dav1d reads from the header, and the corpus test
    /// (tests/heif_decode.rs) finds us within 50 dB of it: a wrong matrix
    /// (BT.2020 against BT.601) could not be.
    #[test]
    fn sequence_headers_of_real_files() {
        for (name, matrix, full_range) in [
            ("link-u-avif-sample-images/fox.profile0.8bpc.yuv420.avif", 9, false),
            ("link-u-avif-sample-images/fox.profile2.12bpc.yuv422.avif", 9, false),
            ("av1-avif/testFiles/Microsoft/reduced_still_picture_header.avif", 1, false),
            ("av1-avif/testFiles/Xiph/quebec_3layer_op2.avif", 2, false),
            ("av1-avif/testFiles/Apple/multilayer_examples/animals_00_singlelayer.avif", 2, true),
        ] {
            let data = corpus(name);
            let file = HeifFile::parse(&data).unwrap();
            let id = file.primary_id;
            let header = av1::sequence_colour(&file.item_data(id).unwrap());
            assert_eq!(header, Some(av1::SequenceColour { matrix, full_range }), "{name}");
            let nclx = file.item_properties(id).unwrap().find_map(|p| match p {
                Property::Color(ColorInfo::Nclx { full_range, .. }) => Some(*full_range),
                _ => None,
            });
            assert!(nclx.is_none_or(|nclx| nclx == full_range), "{name}");
        }
    }

    fn image(width: u32, height: u32) -> Image<u8> {
        // Each pixel's red is its x, green its y: where a pixel went is visible.
        let data = (0..height).flat_map(|y| (0..width).flat_map(move |x| [x as u8, y as u8, 0, 255])).collect();
        Image { width, height, bit_depth: 8, has_alpha: false, data }
    }

    fn at(image: &Image<u8>, x: u32, y: u32) -> (u8, u8) {
        let i = ((y * image.width + x) * 4) as usize;
        (image.data[i], image.data[i + 1])
    }

    /// clap, irot and imir each as HEIF defines them, applied in turn: a 6×4
    /// image cropped to its centre 4×2, turned a quarter anti-clockwise, then
    /// mirrored top to bottom. (That `decode` applies them in association order
    /// is checked on real files: the corpus's kimono.mirror-vertical.rotate270.crop
    /// against libheif, tests/heif_decode.rs.)
    #[test]
    fn crop_then_rotation_then_mirror() {
        let clap = Property::CleanAperture { width: (4, 1), height: (2, 1), horiz_offset: (0, 1), vert_offset: (0, 1) };
        let mut out = image(6, 4);
        for property in [clap, Property::Rotation(1), Property::Mirror(true)] {
            out = transform(out, &property).unwrap();
        }
        assert_eq!((out.width, out.height), (2, 4));
        // Cropped: x 1..=4, y 1..=2. Turned anti-clockwise: the top row is the
        // old right column (x 4), from y 1 to 2; mirrored: that row is now at the bottom.
        assert_eq!(at(&out, 0, 3), (4, 1));
        assert_eq!(at(&out, 1, 3), (4, 2));
        assert_eq!(at(&out, 0, 0), (1, 1));
        assert_eq!(at(&out, 1, 0), (1, 2));
    }

    #[test]
    fn a_crop_outside_the_image_or_dividing_by_zero_is_an_error() {
        let outside =
            Property::CleanAperture { width: (4, 1), height: (2, 1), horiz_offset: (3, 1), vert_offset: (0, 1) };
        assert!(transform(image(6, 4), &outside).is_err());
        let zero = Property::CleanAperture { width: (4, 0), height: (2, 1), horiz_offset: (0, 1), vert_offset: (0, 1) };
        assert!(transform(image(6, 4), &zero).is_err());
    }

    /// A 1×1 4:4:4 frame holding `rgb` coded with H.273 matrix `matrix`
    /// (its Kr, Kb given), in full or limited range, at `depth` bits.
    fn coded(rgb: [f64; 3], (kr, kb): (f64, f64), full_range: bool, depth: u8) -> Frame {
        let [r, g, b] = rgb.map(|v| v / 255.0);
        let y = kr * r + (1.0 - kr - kb) * g + kb * b;
        let (cb, cr) = ((b - y) / (2.0 * (1.0 - kb)), (r - y) / (2.0 * (1.0 - kr)));
        let scale = f64::from(1u32 << (depth - 8));
        let (y, cb, cr) = if full_range {
            let max = f64::from((1u32 << depth) - 1);
            (y * max, cb * max + 128.0 * scale, cr * max + 128.0 * scale)
        } else {
            ((16.0 + 219.0 * y) * scale, (128.0 + 224.0 * cb) * scale, (128.0 + 224.0 * cr) * scale)
        };
        let sample = |v: f64| vec![v.round() as u16];
        Frame {
            widths: [1; 3],
            heights: [1; 3],
            planes: [sample(y), sample(cb), sample(cr)],
            bit_depth: [depth; 2],
            chroma_format: 3,
            full_range,
            matrix_coeffs: 2,
        }
    }

    /// nclx matrices and ranges: BT.601 (5 and 6), BT.709 (1) and BT.2020 (9),
    /// full and limited range, 8 and 10 bits, decode to the colour coded (±2);
    /// read with another matrix, the same samples give another colour.
    #[test]
    fn nclx_matrices_and_ranges() {
        let colours = [[200.0, 40.0, 90.0], [20.0, 180.0, 240.0], [250.0, 250.0, 10.0]];
        let matrices = [(1, (0.2126, 0.0722)), (5, (0.299, 0.114)), (6, (0.299, 0.114)), (9, (0.2627, 0.0593))];
        for (matrix, k) in matrices {
            for full_range in [true, false] {
                for depth in [8, 10] {
                    let mut misread_most = 0.0f64;
                    for rgb in colours {
                        let frame = coded(rgb, k, full_range, depth);
                        let out = rgba(&frame, ColorParams { matrix, full_range }, 1, 1).unwrap();
                        let off =
                            out.data[..3].iter().zip(rgb).map(|(&o, e)| (f64::from(o) - e).abs()).fold(0.0, f64::max);
                        assert!(
                            off <= 2.0,
                            "matrix {matrix} full {full_range} {depth}-bit {rgb:?}: {:?}",
                            &out.data[..3]
                        );
                        let other = if matrix == 9 { 5 } else { 9 };
                        let wrong = rgba(&frame, ColorParams { matrix: other, full_range }, 1, 1).unwrap();
                        let misread =
                            wrong.data[..3].iter().zip(rgb).map(|(&o, e)| (f64::from(o) - e).abs()).fold(0.0, f64::max);
                        misread_most = misread_most.max(misread);
                    }
                    assert!(misread_most > 4.0, "matrix {matrix} read as another should differ");
                }
            }
        }
    }

    #[test]
    fn limited_range_is_widened_to_full() {
        let mut eight = [16, 235, 0, 255, 126];
        widen_range(&mut eight, 8);
        assert_eq!(eight, [0, 255, 0, 255, 128]);
        let mut ten = [64, 940];
        widen_range(&mut ten, 10);
        assert_eq!(ten, [0, 1023]);
    }

    #[test]
    fn premultiplied_alpha_is_divided_out() {
        let mut colour = image(1, 1);
        colour.data = vec![64, 32, 0, 255];
        let mut alpha = image(1, 1);
        alpha.data = vec![128, 128, 128, 255];
        attach_alpha(&mut colour, &alpha, true).unwrap();
        assert_eq!(colour.data, [128, 64, 0, 128]);
        let small = image(0, 0);
        assert!(attach_alpha(&mut image(2, 2), &small, false).is_err());
    }
}
