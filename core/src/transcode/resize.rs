//! Downscaling with Lanczos3 in linear light, alpha premultiplied.
//!
//! The convolution is fast_image_resize's (SIMD on every target), through its
//! typed entry point, on planes without alpha (16-bit RGB, 16-bit alpha); the
//! conversion to premultiplied linear light and back is ours. Its untyped entry
//! point dispatches over every pixel type, and its own alpha handling needs a
//! 512 KB table: together about 0.8 MB of the wasm module for one path we use.

use std::borrow::Cow;
use std::sync::OnceLock;

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::{U16x3, U16};
use fast_image_resize::{FilterType, PixelTrait, ResizeAlg, ResizeOptions, Resizer};

use crate::error::{Error, ErrorKind, Result};

/// The size that fits within the bounds, keeping the aspect ratio, never larger.
pub(crate) fn fit(width: u32, height: u32, max_width: Option<u32>, max_height: Option<u32>) -> (u32, u32) {
    let scale_w = max_width.map_or(1.0, |m| f64::from(m.max(1)) / f64::from(width));
    let scale_h = max_height.map_or(1.0, |m| f64::from(m.max(1)) / f64::from(height));
    let scale = scale_w.min(scale_h).min(1.0);
    if scale >= 1.0 {
        return (width, height);
    }
    let w = ((f64::from(width) * scale).round() as u32).clamp(1, width);
    let h = ((f64::from(height) * scale).round() as u32).clamp(1, height);
    (w, h)
}

/// sRGB transfer curve tables, built once at run time (not stored in the module).
struct Curves {
    /// 8-bit sRGB -> 16-bit linear light.
    to_linear: [u16; 256],
    /// 16-bit linear light -> 8-bit sRGB, every value (64 KB): dark tones keep their precision.
    to_srgb: Vec<u8>,
}

/// The sRGB transfer curve, encoded (0-1) to linear light (0-1).
fn linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// The sRGB transfer curve, linear light (0-1) to encoded (0-1).
fn encoded(v: f64) -> f64 {
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

fn curves() -> &'static Curves {
    static CURVES: OnceLock<Curves> = OnceLock::new();
    CURVES.get_or_init(|| {
        let mut to_linear = [0u16; 256];
        for (i, out) in to_linear.iter_mut().enumerate() {
            *out = (linear(i as f64 / 255.0) * 65535.0).round() as u16;
        }
        let to_srgb = (0..=65535u32).map(|i| (encoded(f64::from(i) / 65535.0) * 255.0).round() as u8).collect();
        Curves { to_linear, to_srgb }
    })
}

/// Resizes RGBA8 (sRGB-encoded, not premultiplied) pixels to `to`; the same size
/// borrows them (a 12-megapixel copy is 48 MB the wasm heap would keep).
pub(crate) fn resize_rgba(rgba: &[u8], from: (u32, u32), to: (u32, u32)) -> Result<Cow<'_, [u8]>> {
    if from == to {
        return Ok(Cow::Borrowed(rgba));
    }
    let curves = curves();
    let colour = |i: usize| [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]].map(|c| curves.to_linear[usize::from(c)]);
    let alpha = |i: usize| u16::from(rgba[i * 4 + 3]) * 257;
    let (colour, alpha) = resize_linear(rgba.len() / 4, colour, alpha, from, to)?;
    let mut out = Vec::with_capacity(colour.len() * 4);
    unpremultiply(&colour, alpha.as_deref(), |rgb, alpha| {
        out.extend_from_slice(&[
            curves.to_srgb[usize::from(rgb[0])],
            curves.to_srgb[usize::from(rgb[1])],
            curves.to_srgb[usize::from(rgb[2])],
            ((u32::from(alpha) + 128) / 257) as u8,
        ])
    });
    Ok(Cow::Owned(out))
}

/// `resize_rgba` for RGBA16: the transfer curve computed per sample (16-bit tables
/// would be 256 KB of memory for a rare path).
pub(crate) fn resize_rgba16(rgba: &[u16], from: (u32, u32), to: (u32, u32)) -> Result<Vec<u16>> {
    let through = |curve: fn(f64) -> f64, c: u16| (curve(f64::from(c) / 65535.0) * 65535.0).round() as u16;
    let colour = |i: usize| [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]].map(|c| through(linear, c));
    let alpha = |i: usize| rgba[i * 4 + 3];
    let (colour, alpha) = resize_linear(rgba.len() / 4, colour, alpha, from, to)?;
    let mut out = Vec::with_capacity(colour.len() * 4);
    unpremultiply(&colour, alpha.as_deref(), |rgb, alpha| {
        out.extend_from_slice(&[through(encoded, rgb[0]), through(encoded, rgb[1]), through(encoded, rgb[2]), alpha])
    });
    Ok(out)
}

/// The shared part: `colour(i)` gives a pixel's linear-light colour, `alpha(i)` its alpha.
/// Averaging gamma-encoded values darkens fine detail, and averaging colours of
/// transparent pixels bleeds them into edges: work on premultiplied linear light.
/// Colour and alpha are resized as separate planes with the same filter (the same
/// arithmetic as four channels together), and alpha only when there is some.
fn resize_linear(
    count: usize,
    colour: impl Fn(usize) -> [u16; 3],
    alpha: impl Fn(usize) -> u16,
    from: (u32, u32),
    to: (u32, u32),
) -> Result<(Vec<U16x3>, Option<Vec<U16>>)> {
    let opaque = (0..count).all(|i| alpha(i) == u16::MAX);
    let premultiplied: Vec<U16x3> = (0..count)
        .map(|i| {
            let a = u32::from(alpha(i));
            U16x3::new(colour(i).map(|c| ((u32::from(c) * a + 32767) / 65535) as u16))
        })
        .collect();
    let colour = resize_plane(premultiplied, from, to)?;
    let alpha = if opaque {
        None
    } else {
        let plane: Vec<U16> = (0..count).map(|i| U16::new(alpha(i))).collect();
        Some(resize_plane(plane, from, to)?)
    };
    Ok((colour, alpha))
}

/// Hands each resized pixel to `out` as linear-light colour (no longer premultiplied)
/// and 16-bit alpha; fully transparent pixels are black.
fn unpremultiply(colour: &[U16x3], alpha: Option<&[U16]>, mut out: impl FnMut([u16; 3], u16)) {
    for (i, px) in colour.iter().enumerate() {
        let alpha = alpha.map_or(65535, |plane| u32::from(plane[i].0));
        if alpha == 0 {
            out([0; 3], 0);
            continue;
        }
        let straight = |c: u16| ((u32::from(c) * 65535 + alpha / 2) / alpha).min(65535) as u16;
        out(px.0.map(straight), alpha as u16);
    }
}

/// One plane through fast_image_resize's typed path (Lanczos3, no alpha handling of
/// its own); the source plane is freed as soon as it has been read.
fn resize_plane<P>(pixels: Vec<P>, from: (u32, u32), to: (u32, u32)) -> Result<Vec<P>>
where
    P: PixelTrait + Default + Copy + std::fmt::Debug,
{
    let failed = |what: String| Error::new(ErrorKind::InvalidRequest, format!("resize failed: {what}"));
    let mut out = vec![P::default(); to.0 as usize * to.1 as usize];
    let view = TypedImageRef::new(from.0, from.1, &pixels).map_err(|e| failed(e.to_string()))?;
    let mut resized = TypedImage::from_pixels_slice(to.0, to.1, &mut out).map_err(|e| failed(e.to_string()))?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)).use_alpha(false);
    Resizer::new().resize_typed(&view, &mut resized, &options).map_err(|e| failed(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_without_upscaling() {
        assert_eq!(fit(4000, 3000, Some(2000), None), (2000, 1500));
        assert_eq!(fit(4000, 3000, Some(2000), Some(1000)), (1333, 1000));
        assert_eq!(fit(400, 300, Some(2000), Some(2000)), (400, 300));
        assert_eq!(fit(10000, 1, Some(10), None), (10, 1));
    }

    #[test]
    fn transparent_neighbours_do_not_darken_edges() {
        // Opaque red on the left half, fully transparent black on the right.
        let rgba: Vec<u8> =
            (0..32 * 32).flat_map(|i| if i % 32 < 16 { [255, 0, 0, 255] } else { [0, 0, 0, 0] }).collect();
        let out = resize_rgba(&rgba, (32, 32), (8, 8)).unwrap();
        for px in out.chunks_exact(4).filter(|p| p[3] > 8) {
            assert!(px[0] >= 250 && px[1] <= 3 && px[2] <= 3, "edge pixel {px:?} lost its colour");
        }
    }

    #[test]
    fn resizing_keeps_flat_colours_and_alpha() {
        let rgba: Vec<u8> = [200u8, 100, 50, 128].repeat(64 * 64);
        let out = resize_rgba(&rgba, (64, 64), (16, 16)).unwrap();
        assert_eq!(out.len(), 16 * 16 * 4);
        for px in out.chunks_exact(4) {
            assert!(
                px[0].abs_diff(200) <= 1
                    && px[1].abs_diff(100) <= 1
                    && px[2].abs_diff(50) <= 1
                    && px[3].abs_diff(128) <= 1,
                "{px:?}"
            );
        }
    }

    #[test]
    fn fine_detail_is_averaged_in_linear_light() {
        // One-pixel black and white stripes hold half the light: about sRGB 188 once averaged
        // (Lanczos leaves a little of the stripes: 180-190), where gamma-space averaging gives 128.
        let rgba: Vec<u8> =
            (0..64 * 64).flat_map(|i| if i % 2 == 0 { [0, 0, 0, 255] } else { [255, 255, 255, 255] }).collect();
        let out = resize_rgba(&rgba, (64, 64), (16, 16)).unwrap();
        for px in out.chunks_exact(4) {
            assert!((175..=195).contains(&px[0]) && px[3] == 255, "{px:?}");
        }
    }
}
