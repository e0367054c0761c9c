//! WebP through libwebp (the `webp` crate), lossy or lossless, with an optional
//! ICC profile in a VP8X container.

use crate::error::{Error, ErrorKind, Result};

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
fn with_icc(simple: &[u8], icc: &[u8], width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let chunk = |fourcc: &[u8], body: &[u8]| {
        let mut c = fourcc.to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut vp8x = vec![0u8; 10];
    vp8x[0] = 0x20 | if alpha { 0x10 } else { 0 };
    vp8x[4..7].copy_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x[7..10].copy_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ICCP", icc));
    // Everything after the 12-byte RIFF header is the image chunk(s).
    body.extend_from_slice(&simple[12..]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}
