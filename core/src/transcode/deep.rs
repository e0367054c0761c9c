//! 16-bit PNGs converted to PNG keep their 16 bits: turned upright and resized in
//! 16 bits, written by oxipng at 16 bits (it reduces to 8 only when nothing is lost).
//! Converted to 10-bit AVIF, they keep 10 of them.
//! Everything else, and these when the work needs 8 bits (a profile converted to
//! sRGB with qcms, a target size) or they are very large, goes through RGBA8.

use super::{orient, resize, ColourMode, ConvertOptions, Output};
use crate::codec;
use crate::container::Parsed;
use crate::error::Result;
use crate::format::Format;
use crate::inspect::Analysis;

/// RGBA16 needs 8 bytes a pixel, and decoding holds two copies: above this many
/// pixels (480 MB then) the conversion goes through 8 bits instead.
const MAX_DEEP_PIXELS: u64 = 30_000_000;

/// The PNG-to-PNG conversion of a 16-bit PNG, or None when this path does not apply.
pub(super) fn convert(
    data: &[u8],
    parsed: &Parsed,
    analysis: &mut Analysis,
    options: &ConvertOptions,
) -> Result<Option<Output>> {
    let format = options.format.resolve(Format::Png);
    let deep_output = match format {
        Format::Png => true,
        Format::Avif => cfg!(feature = "avif-encode") && options.avif_depth > 8,
        _ => false,
    };
    let applies = parsed.format == Format::Png
        && deep_output
        && codec::png::is_16_bit(data)
        && options.target_bytes.is_none()
        && !(options.colour == ColourMode::ConvertToSrgb && analysis.icc_profile.is_some())
        && u64::from(parsed.width) * u64::from(parsed.height) <= MAX_DEEP_PIXELS;
    if !applies {
        return Ok(None);
    }
    let pixels = codec::png::decode16(data)?;
    let (rgba, width, height) = orient::turn(pixels.rgba, pixels.width, pixels.height, analysis.orientation);
    let bounds = resize::fit(width, height, options.max_width, options.max_height);
    let rgba = if bounds == (width, height) { rgba } else { resize::resize_rgba16(&rgba, (width, height), bounds)? };
    let icc = analysis.icc_profile.take();
    let data = match format {
        #[cfg(feature = "avif-encode")]
        Format::Avif => {
            let rgba = codec::avif_encode::Rgba::Sixteen(&rgba);
            codec::avif_encode::encode(
                rgba,
                bounds.0,
                bounds.1,
                options.quality,
                super::avif_settings(options),
                icc.as_deref(),
            )?
        }
        _ => {
            let level = options.png_level_for(u64::from(bounds.0) * u64::from(bounds.1));
            codec::png::encode16(&rgba, bounds.0, bounds.1, level, icc.as_deref())?
        }
    };
    Ok(Some(Output {
        data,
        format,
        size: bounds,
        quality: (format == Format::Avif).then_some(options.quality),
        icc_kept: icc.is_some(),
        flattened: false,
    }))
}
