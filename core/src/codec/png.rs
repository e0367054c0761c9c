//! PNG: decoding with the `png` crate; encoding through oxipng (the pixels are
//! written as a plain PNG, then oxipng picks the best reduction (bit depth,
//! palette, colour type) and deflate settings).

use std::io::Cursor;

use super::{rgba_buffer, undecodable, widen_to_rgba, Pixels, MAX_DECODE_ALLOC};
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "PNG";

/// Decodes the default image (the first frame of an APNG) to RGBA8. Palettes,
/// low bit depths and tRNS transparency are expanded; 16-bit samples keep their
/// high byte, as browsers display them.
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let limits = png::Limits { bytes: MAX_DECODE_ALLOC as usize };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(failed)?;
    let (width, height) = reader.info().size();
    let mut rgba = rgba_buffer(NAME, width, height)?;
    let size = reader.output_buffer_size().filter(|s| *s <= rgba.len()).ok_or_else(|| undecodable(NAME, "bad size"))?;
    let frame = reader.next_frame(&mut rgba[..size]).map_err(failed)?;
    widen_to_rgba(&mut rgba, frame.color_type.samples());
    Ok(Pixels { rgba, width, height })
}

/// 16-bit RGBA pixels (native-endian samples), for PNG-to-PNG conversions that keep
/// 16-bit depth.
pub(crate) struct Pixels16 {
    pub rgba: Vec<u16>,
    pub width: u32,
    pub height: u32,
}

/// Whether the PNG's samples are 16 bits (its IHDR's bit depth).
pub(crate) fn is_16_bit(data: &[u8]) -> bool {
    data.get(24) == Some(&16)
}

/// Decodes the default image of a 16-bit PNG to RGBA16 (grey widened, tRNS
/// transparency expanded).
pub(crate) fn decode16(data: &[u8]) -> Result<Pixels16> {
    let limits = png::Limits { bytes: MAX_DECODE_ALLOC as usize };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(failed)?;
    let (width, height) = reader.info().size();
    // RGBA16 takes twice RGBA8's bytes: the same allocation check on the doubled size.
    let mut raw = rgba_buffer(NAME, width, height.saturating_mul(2))?;
    let size = reader.output_buffer_size().filter(|s| *s <= raw.len()).ok_or_else(|| undecodable(NAME, "bad size"))?;
    let frame = reader.next_frame(&mut raw[..size]).map_err(failed)?;
    if frame.bit_depth != png::BitDepth::Sixteen {
        return Err(undecodable(NAME, "not a 16-bit image"));
    }
    let channels = frame.color_type.samples();
    let samples = raw[..size].chunks_exact(2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let pixels = width as usize * height as usize;
    let mut rgba = Vec::with_capacity(pixels * 4);
    let mut px = [0u16; 4];
    for (i, v) in samples.enumerate() {
        px[i % channels] = v;
        if i % channels == channels - 1 {
            rgba.extend_from_slice(&match channels {
                1 => [px[0], px[0], px[0], u16::MAX],
                2 => [px[0], px[0], px[0], px[1]],
                3 => [px[0], px[1], px[2], u16::MAX],
                _ => px,
            });
        }
    }
    Ok(Pixels16 { rgba, width, height })
}

/// Encodes RGBA16 pixels losslessly (oxipng keeps 16 bits unless 8 hold the same values).
pub(crate) fn encode16(rgba: &[u16], width: u32, height: u32, level: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    let bytes: Vec<u8> = rgba.iter().flat_map(|v| v.to_be_bytes()).collect();
    encode_raw(bytes, oxipng::BitDepth::Sixteen, width, height, level, icc)
}

/// Encodes RGBA8 pixels losslessly. `level` is oxipng's preset (0 fastest .. 6 smallest).
pub(crate) fn encode(rgba: &[u8], width: u32, height: u32, level: u8, icc: Option<&[u8]>) -> Result<Vec<u8>> {
    encode_raw(rgba.to_vec(), oxipng::BitDepth::Eight, width, height, level, icc)
}

fn encode_raw(
    rgba: Vec<u8>,
    depth: oxipng::BitDepth,
    width: u32,
    height: u32,
    level: u8,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let mut raw = oxipng::RawImage::new(width, height, oxipng::ColorType::RGBA, depth, rgba)
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("PNG encoder: {e}")))?;
    if let Some(profile) = icc {
        raw.add_icc_profile(profile);
    }
    let mut options = oxipng::Options::from_preset(level.min(6));
    // Metadata never comes through here, but be explicit; the ICC profile is
    // added above and oxipng keeps it.
    options.strip = oxipng::StripChunks::Safe;
    raw.create_optimized_png(&options).map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("PNG encoder: {e}")))
}

/// The frames of an APNG, composed as its fcTL chunks say. A default image that is
/// not part of the animation (no fcTL before IDAT) is skipped, as browsers do.
#[cfg(feature = "animation")]
pub(crate) struct ApngFrames<'a> {
    reader: png::Reader<Cursor<&'a [u8]>>,
    canvas: super::canvas::Canvas,
    /// One frame as decoded (any of the four 8-bit layouts), widened to RGBA here.
    scratch: Vec<u8>,
    remaining: u32,
    plays: u32,
}

#[cfg(feature = "animation")]
impl<'a> ApngFrames<'a> {
    pub fn new(data: &'a [u8], count: u32) -> Result<Self> {
        let limits = png::Limits { bytes: MAX_DECODE_ALLOC as usize };
        let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(failed)?;
        let control = reader.info().animation_control.ok_or_else(|| undecodable(NAME, "it is not animated"))?;
        if reader.info().frame_control.is_none() {
            reader.next_frame_info().map_err(failed)?;
        }
        let (width, height) = reader.info().size();
        let canvas = super::canvas::Canvas::new(width, height, rgba_buffer(NAME, width, height)?);
        let scratch = rgba_buffer(NAME, width, height)?;
        let remaining = control.num_frames.min(count);
        Ok(ApngFrames { reader, canvas, scratch, remaining, plays: control.num_plays })
    }
}

#[cfg(feature = "animation")]
impl super::animation::Frames for ApngFrames<'_> {
    fn size(&self) -> (u32, u32) {
        self.reader.info().size()
    }

    fn next_frame(&mut self) -> Result<Option<super::animation::Frame<'_>>> {
        use super::canvas::{Blend, Dispose, Patch};
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        let size = self
            .reader
            .output_buffer_size()
            .filter(|s| *s <= self.scratch.len())
            .ok_or_else(|| undecodable(NAME, "bad size"))?;
        let out = self.reader.next_frame(&mut self.scratch[..size]).map_err(failed)?;
        let control = self.reader.info().frame_control.ok_or_else(|| undecodable(NAME, "a frame has no fcTL"))?;
        if self.reader.info().interlaced {
            // png 0.18 lays out an interlaced frame's rows at the whole image's row
            // length (image-rs/image-png#699): pack them to the frame's own.
            let row = out.line_size;
            let stride = self.reader.output_line_size(self.reader.info().width).unwrap_or(row);
            if stride > row {
                for y in 1..out.height as usize {
                    self.scratch.copy_within(y * stride..y * stride + row, y * row);
                }
            }
        }
        let pixels = (out.width as usize) * (out.height as usize);
        widen_to_rgba(&mut self.scratch[..pixels * 4], out.color_type.samples());
        let patch = Patch {
            left: control.x_offset,
            top: control.y_offset,
            width: out.width,
            height: out.height,
            rgba: &self.scratch[..pixels * 4],
            blend: match control.blend_op {
                png::BlendOp::Source => Blend::Source,
                png::BlendOp::Over => Blend::Over,
            },
            dispose: match control.dispose_op {
                png::DisposeOp::None => Dispose::Keep,
                png::DisposeOp::Background => Dispose::Background,
                png::DisposeOp::Previous => Dispose::Previous,
            },
        };
        // A denominator of 0 means hundredths (the APNG specification).
        let den = match control.delay_den {
            0 => 100,
            den => u32::from(den),
        };
        let duration_ms = (u32::from(control.delay_num) * 1000 + den / 2) / den;
        let decoded = pixels as u64;
        Ok(Some(super::animation::Frame { rgba: self.canvas.draw(&patch), duration_ms, decoded }))
    }

    fn loop_count(&self) -> u16 {
        self.plays.min(u32::from(u16::MAX)) as u16
    }
}

fn failed(e: png::DecodingError) -> Error {
    match e {
        png::DecodingError::LimitsExceeded => {
            Error::limit(NAME, "the image is too large to convert").because(crate::error::reason::OUT_OF_MEMORY)
        }
        other => undecodable(NAME, other),
    }
}
