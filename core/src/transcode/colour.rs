//! Converting pixels from their ICC profile to sRGB (moxcms), for outputs that
//! should carry no profile.

use moxcms::{ColorProfile, Layout, TransformOptions};

use crate::error::{Error, ErrorKind, Result};

/// Converts RGBA8 pixels in place from `icc` to sRGB. An unusable profile is an
/// error, never a silent colour shift.
pub(crate) fn to_srgb(rgba: &mut [u8], icc: &[u8]) -> Result<()> {
    let failed = |e: moxcms::CmsError| {
        Error::new(ErrorKind::Unsupported, format!("cannot convert this colour profile to sRGB: {e:?}"))
    };
    let source = ColorProfile::new_from_slice(icc).map_err(failed)?;
    let srgb = ColorProfile::new_srgb();
    let transform =
        source.create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgba, TransformOptions::default()).map_err(failed)?;
    let input = rgba.to_vec();
    transform.transform(&input, rgba).map_err(failed)
}
