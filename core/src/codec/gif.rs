//! GIF decoding (the `gif` crate): a still GIF's frame, placed on its logical
//! screen (what the frame does not cover stays transparent); and an animated
//! GIF's frames, composed one by one (`Frames`).

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

/// The frames of an animated GIF, composed as browsers show them.
#[cfg(feature = "animation")]
pub(crate) struct Frames<'a> {
    decoder: gif::Decoder<Cursor<&'a [u8]>>,
    canvas: super::canvas::Canvas,
    width: u32,
    height: u32,
}

#[cfg(feature = "animation")]
impl<'a> Frames<'a> {
    pub fn new(data: &'a [u8]) -> Result<Self> {
        // The logical screen's size, from the header (bytes 6-9), before the decoder
        // is made: no frame's buffer may be far larger than the canvas (a 1×1 screen
        // with 16384×16384 frames would otherwise take 1 GB per frame).
        let (width, height) = match data.get(6..10) {
            Some(&[w0, w1, h0, h1]) => {
                (u32::from(u16::from_le_bytes([w0, w1])), u32::from(u16::from_le_bytes([h0, h1])))
            }
            _ => return Err(undecodable(NAME, "the header is cut off")),
        };
        let canvas_bytes = u64::from(width) * u64::from(height) * 4;
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        if let Some(limit) = NonZeroU64::new(canvas_bytes.clamp(64 << 20, MAX_DECODE_ALLOC)) {
            options.set_memory_limit(gif::MemoryLimit::Bytes(limit));
        }
        let decoder = options.read_info(Cursor::new(data)).map_err(failed)?;
        let canvas = super::canvas::Canvas::new(width, height, rgba_buffer(NAME, width, height)?);
        Ok(Frames { decoder, canvas, width, height })
    }
}

#[cfg(feature = "animation")]
impl super::animation::Frames for Frames<'_> {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn next_frame(&mut self) -> Result<Option<super::animation::Frame<'_>>> {
        use super::canvas::{Blend, Dispose, Patch};
        let Some(frame) = self.decoder.read_next_frame().map_err(failed)? else { return Ok(None) };
        let dispose = match frame.dispose {
            gif::DisposalMethod::Any | gif::DisposalMethod::Keep => Dispose::Keep,
            gif::DisposalMethod::Background => Dispose::Background,
            gif::DisposalMethod::Previous => Dispose::Previous,
        };
        // Browsers (and gif2webp) show delays of 0 and 10 ms for 100 ms.
        let duration_ms = match u32::from(frame.delay) * 10 {
            0..=10 => 100,
            ms => ms,
        };
        let decoded = u64::from(frame.width) * u64::from(frame.height);
        let patch = Patch {
            left: u32::from(frame.left),
            top: u32::from(frame.top),
            width: u32::from(frame.width),
            height: u32::from(frame.height),
            rgba: &frame.buffer,
            blend: Blend::Over,
            dispose,
        };
        Ok(Some(super::animation::Frame { rgba: self.canvas.draw(&patch), duration_ms, decoded }))
    }

    fn loop_count(&self) -> u16 {
        // A GIF's count is of repeats after the first play, and no count means once.
        match self.decoder.repeat() {
            gif::Repeat::Infinite => 0,
            gif::Repeat::Finite(repeats) => repeats.saturating_add(1),
        }
    }
}

fn failed(e: gif::DecodingError) -> Error {
    match e {
        gif::DecodingError::MemoryLimit => {
            Error::limit(NAME, "the image is too large to convert").because(crate::error::reason::OUT_OF_MEMORY)
        }
        other => undecodable(NAME, other),
    }
}
