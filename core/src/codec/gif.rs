//! GIF decoding (the `gif` crate): the first frame, placed on its logical
//! screen; what the frame does not cover stays transparent. Animated GIFs are
//! refused before decoding (transcode::decode::check).

use std::io::Cursor;
use std::num::NonZeroU64;

use super::{rgba_buffer, undecodable, Pixels, MAX_DECODE_ALLOC};
use crate::error::{Error, Result};

const NAME: &str = "GIF";

pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    if let Some(limit) = NonZeroU64::new(MAX_DECODE_ALLOC) {
        options.set_memory_limit(gif::MemoryLimit::Bytes(limit));
    }
    let failed = |e: gif::DecodingError| match e {
        gif::DecodingError::MemoryLimit => Error::limit(NAME, "the image is too large to convert"),
        other => undecodable(NAME, other),
    };
    let mut decoder = options.read_info(Cursor::new(data)).map_err(failed)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let mut rgba = rgba_buffer(NAME, width, height)?;
    let frame = decoder.read_next_frame().map_err(failed)?.ok_or_else(|| undecodable(NAME, "it holds no image"))?;
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    let (frame_width, screen_width) = (usize::from(frame.width), width as usize);
    if left < screen_width && frame_width > 0 {
        let visible = frame_width.min(screen_width - left);
        for (y, row) in
            frame.buffer.chunks_exact(frame_width * 4).enumerate().take((height as usize).saturating_sub(top))
        {
            let at = ((top + y) * screen_width + left) * 4;
            rgba[at..at + visible * 4].copy_from_slice(&row[..visible * 4]);
        }
    }
    Ok(Pixels { rgba, width, height })
}
