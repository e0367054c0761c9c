//! PNG: decoding with the `png` crate; encoding through oxipng (the pixels are
//! written as a plain PNG, then oxipng picks the best reduction (bit depth,
//! palette, colour type) and deflate settings).

use std::io::Cursor;

use super::{rgba_buffer, undecodable, widen_to_rgba, Pixels, MAX_DECODE_ALLOC};
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "PNG";

/// Decodes the default image (the first frame of an APNG) to RGBA8. Palettes,
/// low bit depths and tRNS transparency are expanded; 16-bit samples keep their
/// high byte, as browsers display them.
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let limits = png::Limits { bytes: MAX_DECODE_ALLOC as usize };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let failed = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => Error::limit(NAME, "the image is too large to convert"),
        other => undecodable(NAME, other),
    };
    let mut reader = decoder.read_info().map_err(failed)?;
    let (width, height) = reader.info().size();
    let mut rgba = rgba_buffer(NAME, width, height)?;
    let size = reader.output_buffer_size().filter(|s| *s <= rgba.len()).ok_or_else(|| undecodable(NAME, "bad size"))?;
    let frame = reader.next_frame(&mut rgba[..size]).map_err(failed)?;
    widen_to_rgba(&mut rgba, frame.color_type.samples());
    Ok(Pixels { rgba, width, height })
}

/// Encodes RGBA8 pixels losslessly. `level` is oxipng's preset (0 fastest .. 6 smallest).
pub(crate) fn encode(rgba: &[u8], width: u32, height: u32, level: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut raw = oxipng::RawImage::new(width, height, oxipng::ColorType::RGBA, oxipng::BitDepth::Eight, rgba.to_vec())
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("PNG encoder: {e}")))?;
    if let Some(profile) = icc {
        raw.add_icc_profile(profile);
    }
    let mut options = oxipng::Options::from_preset(level.min(6));
    // Metadata never comes through here, but be explicit; the ICC profile is
    // added above and oxipng keeps it.
    options.strip = oxipng::StripChunks::Safe;
    raw.create_optimized_png(&options).map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("PNG encoder: {e}")))
}
