//! Converting pixels from their ICC profile to sRGB (qcms, Firefox's colour
//! management: a quarter of moxcms's size in the wasm module), for outputs that
//! should carry no profile.

use qcms::{DataType, Intent, Profile, Transform};

use crate::error::{Error, ErrorKind, Result};

/// Converts RGBA8 pixels in place from `icc` to sRGB. An unusable profile is an
/// error, never a silent colour shift.
pub(crate) fn to_srgb(rgba: &mut [u8], icc: &[u8]) -> Result<()> {
    ToSrgb::new(icc)?.apply(rgba);
    Ok(())
}

/// `to_srgb` made once and applied to many pictures (an animation's frames).
pub(crate) struct ToSrgb(Transform);

impl ToSrgb {
    pub fn new(icc: &[u8]) -> Result<ToSrgb> {
        transform_to_srgb(icc, "colour", DataType::RGBA8, DataType::RGBA8, Intent::RelativeColorimetric).map(ToSrgb)
    }

    pub fn apply(&self, rgba: &mut [u8]) {
        self.0.apply(rgba);
    }
}

/// A qcms transform from the profile `icc` (`kind`: what the error calls it) to sRGB.
fn transform_to_srgb(icc: &[u8], kind: &str, from: DataType, to: DataType, intent: Intent) -> Result<Transform> {
    let failed =
        |why: &str| Error::new(ErrorKind::Unsupported, format!("cannot convert this {kind} profile to sRGB: {why}"));
    let source = Profile::new_from_slice(icc, false).ok_or_else(|| failed("the profile is not readable"))?;
    let mut srgb = Profile::new_sRGB();
    srgb.precache_output_transform();
    Transform::new_to(&source, &srgb, from, to, intent).ok_or_else(|| failed("no transform from this kind of profile"))
}

/// Whether `icc` describes CMYK (its data colour space, bytes 16-19 of the header).
pub(crate) fn is_cmyk_profile(icc: &[u8]) -> bool {
    icc.get(16..20) == Some(b"CMYK")
}

/// Converts inks (C, M, Y, K per pixel, 0 = no ink) in place to RGBA8 sRGB through
/// their CMYK profile, as Firefox shows CMYK JPEGs.
pub(crate) fn cmyk_to_srgb(inks: &mut [u8], icc: &[u8]) -> Result<()> {
    let transform = transform_to_srgb(icc, "CMYK", DataType::CMYK, DataType::RGB8, Intent::Perceptual)?;
    // In runs: each run's RGB goes to a small buffer, then back as RGBA over its inks.
    const RUN: usize = 4096;
    let mut rgb = vec![0u8; RUN * 3];
    for run in inks.chunks_mut(RUN * 4) {
        let pixels = run.len() / 4;
        transform.convert(run, &mut rgb[..pixels * 3]);
        for (px, c) in run.chunks_exact_mut(4).zip(rgb.chunks_exact(3)) {
            px[..3].copy_from_slice(c);
            px[3] = 255;
        }
    }
    Ok(())
}
