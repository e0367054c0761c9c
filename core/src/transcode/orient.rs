//! Turning pixels upright: the EXIF orientation (1-8) applied to RGBA pixels (8 or
//! 16 bits), so the output displays the same without any EXIF.
//!
//! Written here rather than taken from `image`, whose orientation works on its
//! `DynamicImage` (compiled for ten pixel types).

use crate::codec::Pixels;

/// Applies `orientation`; 1, absent or unknown values leave the pixels as they are.
pub(crate) fn upright(pixels: Pixels, orientation: Option<u16>) -> Pixels {
    let Pixels { rgba, width, height } = pixels;
    let (rgba, width, height) = turn(rgba, width, height, orientation);
    Pixels { rgba, width, height }
}

/// `upright` for pixels of any sample type (RGBA16 too); returns the new width and height.
pub(crate) fn turn<T: Copy + Default>(
    mut px: Vec<T>,
    width: u32,
    height: u32,
    orientation: Option<u16>,
) -> (Vec<T>, u32, u32) {
    let (w, h) = (width as usize, height as usize);
    match orientation {
        Some(2) => px.chunks_exact_mut(w * 4).for_each(reverse_pixels),
        Some(3) => reverse_pixels(&mut px),
        Some(4) => {
            for y in 0..h / 2 {
                let (top, bottom) = px.split_at_mut((h - 1 - y) * w * 4);
                top[y * w * 4..(y + 1) * w * 4].swap_with_slice(&mut bottom[..w * 4]);
            }
        }
        // Width and height swap: each output pixel (x, y) is read from the source.
        Some(o @ 5..=8) => {
            let source = |x: usize, y: usize| match o {
                5 => (y, x),                 // transpose
                6 => (y, h - 1 - x),         // rotate 90° clockwise
                7 => (w - 1 - y, h - 1 - x), // transverse
                _ => (w - 1 - y, x),         // rotate 90° anticlockwise
            };
            let mut turned = vec![T::default(); px.len()];
            for (i, out) in turned.chunks_exact_mut(4).enumerate() {
                let (sx, sy) = source(i % h, i / h);
                let at = (sy * w + sx) * 4;
                out.copy_from_slice(&px[at..at + 4]);
            }
            return (turned, height, width);
        }
        _ => {}
    }
    (px, width, height)
}

/// Reverses the order of the pixels (four samples each) in `samples`.
fn reverse_pixels<T>(samples: &mut [T]) {
    let n = samples.len() / 4;
    for i in 0..n / 2 {
        let j = n - 1 - i;
        for c in 0..4 {
            samples.swap(i * 4 + c, j * 4 + c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every orientation matches the image crate's, on a 3×2 image of distinct pixels.
    #[test]
    fn every_orientation_matches_the_image_crate() {
        let (w, h) = (3u32, 2u32);
        let rgba: Vec<u8> = (0..w * h).flat_map(|i| [i as u8 * 10, i as u8, 255 - i as u8, 200 + i as u8]).collect();
        for o in 1..=8u16 {
            let ours = upright(Pixels { rgba: rgba.clone(), width: w, height: h }, Some(o));
            let mut theirs = image::DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, rgba.clone()).unwrap());
            theirs.apply_orientation(image::metadata::Orientation::from_exif(o as u8).unwrap());
            assert_eq!((ours.width, ours.height), (theirs.width(), theirs.height()), "orientation {o}");
            assert_eq!(ours.rgba, theirs.to_rgba8().into_raw(), "orientation {o}");
        }
        let odd = upright(Pixels { rgba: rgba.clone(), width: w, height: h }, Some(9));
        assert_eq!(odd.rgba, rgba, "unknown orientations change nothing");
    }
}
