//! WebP through libwebp: encoding (the `webp` crate), lossy or lossless, with an
//! optional ICC profile in a VP8X container; and decoding of still images.
//!
//! Decoding uses libwebp too rather than the image crate's pure-Rust decoder:
//! the encoder already links most of libwebp's decoding DSP (its init code
//! wires up both directions), so the decoder costs little: replacing image-webp
//! made the wasm module 0.12 MB smaller. libwebp is also the reference decoder.

use std::os::raw::c_int;

use libwebp_sys as ffi;

use super::{rgba_buffer, undecodable, widen_to_rgba, Pixels};
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "WebP";

pub(crate) fn encode(
    rgba: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    lossless: bool,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let encoder = webp::Encoder::from_rgba(rgba, width, height);
    let mut config = webp::WebPConfig::new()
        .map_err(|_| Error::new(ErrorKind::InvalidRequest, "WebP encoder: bad configuration"))?;
    config.lossless = i32::from(lossless);
    config.quality = f32::from(quality.min(100));
    // Method 4 is cwebp's default balance of speed and size.
    config.method = 4;
    // Keep the colour of fully transparent pixels out of the file.
    config.exact = 0;
    let memory = encoder
        .encode_advanced(&config)
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("WebP encoder failed: {e:?}")))?;
    let bitstream = memory.to_vec();
    Ok(match icc {
        Some(profile) => with_icc(&bitstream, profile, width, height, rgba.chunks_exact(4).any(|p| p[3] != 255)),
        None => bitstream,
    })
}

/// Wraps a simple WebP (RIFF + VP8/VP8L) into an extended one carrying ICCP.
pub(crate) fn with_icc(simple: &[u8], icc: &[u8], width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let chunk = |fourcc: &[u8], body: &[u8]| {
        let mut c = fourcc.to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    // Lossy with alpha, libwebp already writes an extended file (VP8X, ALPH, VP8): its
    // VP8X gets the ICC flag and ICCP goes right after it. Otherwise a VP8X is made.
    // (Found by the convert fuzz target's 10^7 run: a second VP8X was written.)
    let (mut vp8x, rest) = if simple.get(12..16) == Some(b"VP8X") && simple.len() >= 30 {
        (simple[20..30].to_vec(), &simple[30..])
    } else {
        let mut vp8x = vec![0u8; 10];
        vp8x[0] = if alpha { 0x10 } else { 0 };
        vp8x[4..7].copy_from_slice(&(width - 1).to_le_bytes()[..3]);
        vp8x[7..10].copy_from_slice(&(height - 1).to_le_bytes()[..3]);
        (vp8x, &simple[12..])
    };
    vp8x[0] |= 0x20;
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ICCP", icc));
    // The image chunk(s), after the RIFF header (and VP8X).
    body.extend_from_slice(rest);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// Decodes a still WebP (lossy or lossless, with or without alpha) to RGBA8,
/// straight into the returned buffer. Animations are refused before this
/// (decode::check).
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let mut config = ffi::WebPDecoderConfig::new()
        .map_err(|_| Error::new(ErrorKind::InvalidRequest, "WebP decoder: bad configuration"))?;
    // SAFETY: `data` is a live slice; `config.input` is plain data written by libwebp.
    status(unsafe { ffi::WebPGetFeatures(data.as_ptr(), data.len(), &mut config.input) })?;
    if config.input.has_animation != 0 {
        return Err(Error::new(ErrorKind::Unsupported, "animated WebP cannot be decoded as one image").in_format(NAME));
    }
    let width = u32::try_from(config.input.width).unwrap_or(0);
    let height = u32::try_from(config.input.height).unwrap_or(0);
    let mut rgba = rgba_buffer(NAME, width, height)?;
    // A file without alpha is opaque: decoded as RGB (into the front of the
    // buffer, then widened), since libwebp's RGBA would carry the transparent
    // black it substitutes for damaged pixels.
    let (mode, channels) = match config.input.has_alpha {
        0 => (ffi::WEBP_CSP_MODE::MODE_RGB, 3),
        _ => (ffi::WEBP_CSP_MODE::MODE_RGBA, 4),
    };
    let size = width as usize * height as usize * channels;
    config.output.colorspace = mode;
    config.output.is_external_memory = 1;
    config.output.u.RGBA =
        ffi::WebPRGBABuffer { rgba: rgba.as_mut_ptr(), stride: (width as usize * channels) as c_int, size };
    // SAFETY: the output is the first `size` bytes of `rgba`, alive for the
    // call; libwebp checks that size against the image's.
    let decoded = unsafe { ffi::WebPDecode(data.as_ptr(), data.len(), &mut config) };
    // SAFETY: frees only libwebp's own state (the pixels are external memory).
    unsafe { ffi::WebPFreeDecBuffer(&mut config.output) };
    status(decoded)?;
    widen_to_rgba(&mut rgba, channels);
    Ok(Pixels { rgba, width, height })
}

pub(crate) fn status(code: ffi::VP8StatusCode) -> Result<()> {
    use ffi::VP8StatusCode::*;
    let why = match code {
        VP8_STATUS_OK => return Ok(()),
        VP8_STATUS_OUT_OF_MEMORY => {
            return Err(Error::limit(NAME, "the image is too large to convert (out of memory)")
                .because(crate::error::reason::OUT_OF_MEMORY))
        }
        VP8_STATUS_NOT_ENOUGH_DATA => "the data ends early",
        VP8_STATUS_UNSUPPORTED_FEATURE => "it uses a feature libwebp does not support",
        VP8_STATUS_BITSTREAM_ERROR => "the bitstream is damaged",
        _ => "libwebp refused it",
    };
    Err(undecodable(NAME, why))
}
