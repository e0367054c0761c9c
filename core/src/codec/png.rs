//! PNG through oxipng: the pixels are written as a plain PNG, then oxipng picks
//! the best reduction (bit depth, palette, colour type) and deflate settings.

use crate::error::{Error, ErrorKind, Result};

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
