//! One module per codec. Decoders return the image's pixels as RGBA8, as stored
//! (not yet upright); encoders take 8-bit pixels (already oriented, resized and
//! colour-managed) and return a complete file.
//!
//! The codec crates are called directly rather than through `image`'s
//! `DynamicImage`: every pixel here becomes RGBA8 anyway, and the facade's
//! per-pixel-type conversions and orientation cost 0.1 MB of the wasm module
//! and an extra full-size copy from RGB to RGBA.

#[cfg(feature = "animation")]
pub(crate) mod animation;
#[cfg(feature = "avif-decode")]
pub(crate) mod av1;
#[cfg(feature = "avif-decode")]
pub(crate) mod avif;
#[cfg(feature = "avif-encode")]
pub(crate) mod avif_encode;
#[cfg(feature = "avif-encode")]
mod avif_icc;
#[cfg(feature = "heif-decode")]
pub(crate) mod bmp;
#[cfg(feature = "animation")]
pub(crate) mod canvas;
pub(crate) mod gif;
#[cfg(feature = "heif-decode")]
pub(crate) mod heif;
#[cfg(feature = "heif-decode")]
pub(crate) mod heif_bands;
#[cfg(feature = "heif-decode")]
pub(crate) mod heif_geometry;
#[cfg(feature = "heif-decode")]
pub(crate) mod heif_thumbnail;
#[cfg(feature = "heif-decode")]
pub(crate) mod heif_work;
pub(crate) mod jpeg;
mod jpeg_dest;
pub(crate) mod jpeg_parts;
pub(crate) mod png;
pub(crate) mod webp;
#[cfg(feature = "animation")]
pub(crate) mod webp_anim;

use crate::error::{Error, ErrorKind, Result};

/// Decoded pixels: RGBA8, row-major, unpremultiplied.
pub(crate) struct Pixels {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Largest single allocation a decoder may make.
pub(crate) const MAX_DECODE_ALLOC: u64 = 1024 * 1024 * 1024;

/// A zeroed RGBA8 buffer for `width` × `height`, or a clear error when the image
/// has no pixels or the memory cannot be had.
pub(crate) fn rgba_buffer(format: &'static str, width: u32, height: u32) -> Result<Vec<u8>> {
    if width == 0 || height == 0 {
        return Err(Error::new(ErrorKind::Corrupt, format!("the image is {width}×{height} pixels")).in_format(format));
    }
    let size = u64::from(width) * u64::from(height) * 4;
    let too_large = || {
        Error::limit(format, format!("the image is too large to convert ({width}×{height})"))
            .because(crate::error::reason::OUT_OF_MEMORY)
    };
    if size > MAX_DECODE_ALLOC {
        return Err(too_large());
    }
    let mut buffer = Vec::new();
    buffer.try_reserve_exact(size as usize).map_err(|_| too_large())?;
    buffer.resize(size as usize, 0);
    Ok(buffer)
}

/// Widens pixels of `channels` samples (1 grey, 2 grey and alpha, 3 RGB; 4
/// leaves them as they are) that fill the front of an RGBA-sized `buffer` to
/// RGBA, in place. Working from the end, each pixel is written at or after
/// where it was read, so nothing unread is overwritten.
pub(crate) fn widen_to_rgba(buffer: &mut [u8], channels: usize) {
    let pixels = buffer.len() / 4;
    for i in (0..pixels).rev() {
        let at = i * channels;
        let px = match channels {
            1 => [buffer[at], buffer[at], buffer[at], 255],
            2 => [buffer[at], buffer[at], buffer[at], buffer[at + 1]],
            3 => [buffer[at], buffer[at + 1], buffer[at + 2], 255],
            _ => return,
        };
        buffer[i * 4..i * 4 + 4].copy_from_slice(&px);
    }
}

/// The error for data a decoder rejects.
pub(crate) fn undecodable(format: &'static str, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Corrupt, format!("the image data cannot be decoded: {why}")).in_format(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_keeps_every_pixel() {
        for channels in 1..=3 {
            let pixels = 5;
            let mut buffer = vec![0u8; pixels * 4];
            for (i, b) in buffer[..pixels * channels].iter_mut().enumerate() {
                *b = i as u8 + 1;
            }
            let source = buffer[..pixels * channels].to_vec();
            widen_to_rgba(&mut buffer, channels);
            for p in 0..pixels {
                let s = &source[p * channels..p * channels + channels];
                let expected = match channels {
                    1 => [s[0], s[0], s[0], 255],
                    2 => [s[0], s[0], s[0], s[1]],
                    _ => [s[0], s[1], s[2], 255],
                };
                assert_eq!(buffer[p * 4..p * 4 + 4], expected, "{channels} channels, pixel {p}");
            }
        }
    }
}
