//! Downscaling with Lanczos3 in linear light, alpha premultiplied (fast_image_resize).

use std::borrow::Cow;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{create_srgb_mapper, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

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

/// Resizes RGBA8 (sRGB-encoded) pixels to `to`; the same size borrows them
/// (a 12-megapixel copy is 48 MB the wasm heap would keep).
pub(crate) fn resize_rgba(rgba: &[u8], from: (u32, u32), to: (u32, u32)) -> Result<Cow<'_, [u8]>> {
    if from == to {
        return Ok(Cow::Borrowed(rgba));
    }
    let failed = |what: &str| Error::new(ErrorKind::InvalidRequest, format!("resize failed: {what}"));
    let src8 = ImageRef::new(from.0, from.1, rgba, PixelType::U8x4).map_err(|e| failed(&e.to_string()))?;
    // Averaging gamma-encoded values darkens fine detail; work in linear light,
    // with 16 bits so the dark tones keep their precision.
    let mapper = create_srgb_mapper();
    let mut src16 = Image::new(from.0, from.1, PixelType::U16x4);
    mapper.forward_map(&src8, &mut src16).map_err(|e| failed(&e.to_string()))?;
    let mut dst16 = Image::new(to.0, to.1, PixelType::U16x4);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)).use_alpha(true);
    Resizer::new().resize(&src16, &mut dst16, &options).map_err(|e| failed(&e.to_string()))?;
    let mut dst8 = Image::new(to.0, to.1, PixelType::U8x4);
    mapper.backward_map(&dst16, &mut dst8).map_err(|e| failed(&e.to_string()))?;
    Ok(Cow::Owned(dst8.into_vec()))
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
}
