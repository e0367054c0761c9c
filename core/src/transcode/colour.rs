//! Converting pixels from their ICC profile to sRGB (qcms, Firefox's colour
//! management: a quarter of moxcms's size in the wasm module), for outputs that
//! should carry no profile.

use qcms::{DataType, Intent, Profile, Transform};

use crate::error::{Error, ErrorKind, Result};

/// Converts RGBA8 pixels in place from `icc` to sRGB. An unusable profile is an
/// error, never a silent colour shift.
pub(crate) fn to_srgb(rgba: &mut [u8], icc: &[u8]) -> Result<()> {
    let failed =
        |why: &str| Error::new(ErrorKind::Unsupported, format!("cannot convert this colour profile to sRGB: {why}"));
    let source = Profile::new_from_slice(icc, false).ok_or_else(|| failed("the profile is not readable"))?;
    let mut srgb = Profile::new_sRGB();
    srgb.precache_output_transform();
    let transform = Transform::new(&source, &srgb, DataType::RGBA8, Intent::RelativeColorimetric)
        .ok_or_else(|| failed("no transform from this kind of profile"))?;
    transform.apply(rgba);
    Ok(())
}
