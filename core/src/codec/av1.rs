//! One AV1 still picture (an AVIF item's data) decoded by dav1d, the decoder
//! the browsers ship, through Debian's libdav1d (BSD-2-Clause). Native builds
//! only: in the extension the browser's own AV1 decoder does this work, and
//! there is no pure-Rust AV1 decoder worth its size yet.
//!
//! The result is a `heifer` frame (planes of 16-bit samples) so that AVIF and
//! HEIC share one YCbCr-to-RGB conversion.

use dav1d::{PixelLayout, PlanarImageComponent};
use heifer::heifer_hevc_dec::recon::Frame;

use crate::error::{Error, ErrorKind, Result};

/// How the samples are to be read, from the AV1 sequence header's colour
/// config: the fallback when the AVIF has no `nclx` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SequenceColour {
    /// H.273 matrix coefficients (2 = unspecified).
    pub matrix: u8,
    pub full_range: bool,
}

/// The decoded picture, its chroma at full size (4:4:4).
/// `operating_point`: which one of a layered stream (the item's `a1op`; 0 otherwise).
pub(crate) fn decode(obus: Vec<u8>, operating_point: u8, max_pixels: u64) -> Result<Frame> {
    if obus.is_empty() {
        return Err(corrupt("an image item holds no AV1 data".into()));
    }
    let mut settings = dav1d::Settings::new();
    // 0: as many threads as cores. One frame in flight: a still picture.
    settings.set_n_threads(0);
    settings.set_max_frame_delay(1);
    // Layered files (spatial or quality layers): only the best, as libheif shows.
    settings.set_all_layers(false);
    settings.set_operating_point(u32::from(operating_point.min(31)));
    settings.set_frame_size_limit(u32::try_from(max_pixels).unwrap_or(u32::MAX));
    let mut decoder = dav1d::Decoder::with_settings(&settings).map_err(failed)?;
    match decoder.send_data(obus, None, None, None) {
        Ok(()) | Err(dav1d::Error::Again) => {}
        Err(e) => return Err(failed(e)),
    }
    // Bounded: a stream with no picture in it must end in an error, not a loop.
    for _ in 0..16 {
        match decoder.get_picture() {
            Ok(picture) => return frame(&picture),
            Err(dav1d::Error::Again) => match decoder.send_pending_data() {
                Ok(()) | Err(dav1d::Error::Again) => {}
                Err(e) => return Err(failed(e)),
            },
            Err(e) => return Err(failed(e)),
        }
    }
    Err(corrupt("the AV1 data holds no picture".into()))
}

fn frame(picture: &dav1d::Picture) -> Result<Frame> {
    let (width, height) = (picture.width() as usize, picture.height() as usize);
    let wide = picture.bit_depth() > 8;
    let depth = picture.bits_per_component().map_or(8, |b| b.0) as u8;
    let (chroma_format, sx, sy) = match picture.pixel_layout() {
        PixelLayout::I400 => (0, 1, 1),
        PixelLayout::I420 => (1, 2, 2),
        PixelLayout::I422 => (2, 2, 1),
        PixelLayout::I444 => (3, 1, 1),
    };
    let (cw, ch) = (width.div_ceil(sx), height.div_ceil(sy));
    let plane = |component, w: usize, h: usize, padded_w: usize, padded_h: usize| {
        let data = picture.plane(component);
        let stride = picture.stride(component) as usize;
        let sample = |x: usize, y: usize| {
            let at = y * stride + if wide { x * 2 } else { x };
            match (wide, data.get(at), data.get(at + 1)) {
                (false, Some(&v), _) => u16::from(v),
                (true, Some(&lo), Some(&hi)) => u16::from_le_bytes([lo, hi]),
                _ => 0,
            }
        };
        let mut out = Vec::with_capacity(padded_w * padded_h);
        for y in 0..padded_h {
            out.extend((0..padded_w).map(|x| sample(x.min(w - 1), y.min(h - 1))));
        }
        out
    };
    if width == 0 || height == 0 {
        return Err(corrupt("the AV1 picture is empty".into()));
    }
    let luma = plane(PlanarImageComponent::Y, width, height, width, height);
    // Chroma to full size by repeating each sample (nearest neighbour), as
    // libheif does for AVIF: the reference for what an AVIF looks like.
    let (u, v, chroma) = if chroma_format == 0 {
        (Vec::new(), Vec::new(), (0, 0))
    } else {
        let full = |component| {
            let samples = plane(component, cw, ch, cw, ch);
            let mut out = Vec::with_capacity(width * height);
            for y in 0..height {
                let row = &samples[(y / sy) * cw..][..cw];
                out.extend((0..width).map(|x| row[x / sx]));
            }
            out
        };
        (full(PlanarImageComponent::U), full(PlanarImageComponent::V), (width as u32, height as u32))
    };
    Ok(Frame {
        widths: [width as u32, chroma.0, chroma.0],
        heights: [height as u32, chroma.1, chroma.1],
        planes: [luma, u, v],
        bit_depth: [depth, depth],
        chroma_format: if chroma_format == 0 { 0 } else { 3 },
        // Filled in from `nclx` or the sequence header by the caller.
        full_range: false,
        matrix_coeffs: 2,
    })
}

fn failed(e: dav1d::Error) -> Error {
    match e {
        dav1d::Error::NotEnoughMemory => Error::limit("AVIF", "there is not enough memory to decode the image")
            .because(crate::error::reason::OUT_OF_MEMORY),
        dav1d::Error::UnsupportedBitstream => {
            Error::new(ErrorKind::Unsupported, "this AV1 stream is not supported by the decoder")
                .in_format("AVIF")
                .because_with(crate::error::reason::CANNOT_CONVERT, &[&"AVIF"])
        }
        e => corrupt(format!("the AV1 data cannot be decoded ({e})")),
    }
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message).in_format("AVIF")
}

/// The colour config of the first sequence header OBU in `obus` (an AVIF
/// item's data, or an `av1C`'s config OBUs), if there is one that parses.
/// Why by hand: dav1d's Rust binding does not expose it, and this is the only
/// field needed (AV1 spec 5.3 and 5.5).
pub(crate) fn sequence_colour(mut obus: &[u8]) -> Option<SequenceColour> {
    while !obus.is_empty() {
        let header = obus[0];
        let obu_type = (header >> 3) & 0x0f;
        let extension = header & 0x04 != 0;
        let has_size = header & 0x02 != 0;
        let mut at = 1 + usize::from(extension);
        let size = if has_size {
            let (size, used) = leb128(obus.get(at..)?)?;
            at += used;
            usize::try_from(size).ok()?
        } else {
            obus.len().checked_sub(at)?
        };
        let payload = obus.get(at..at.checked_add(size)?)?;
        if obu_type == 1 {
            return colour_config(&mut Bits { data: payload, at: 0 });
        }
        obus = &obus[at + size..];
    }
    None
}

fn leb128(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in data.iter().take(8).enumerate() {
        value |= u64::from(byte & 0x7f) << (i * 7);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> Option<bool> {
        let byte = self.data.get(self.at / 8)?;
        let bit = byte >> (7 - self.at % 8) & 1;
        self.at += 1;
        Some(bit == 1)
    }

    fn read(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0u32, |v, _| Some((v << 1) | u32::from(self.bit()?)))
    }

    fn flag(&mut self) -> Option<bool> {
        self.bit()
    }

    fn uvlc(&mut self) -> Option<()> {
        let mut zeros = 0;
        while !self.bit()? {
            zeros += 1;
            if zeros >= 32 {
                return None;
            }
        }
        self.read(zeros).map(|_| ())
    }
}

/// sequence_header_obu() up to and through color_config().
fn colour_config(b: &mut Bits) -> Option<SequenceColour> {
    let profile = b.read(3)?;
    let _still_picture = b.flag()?;
    let reduced = b.flag()?;
    if reduced {
        b.read(5)?; // seq_level_idx[0]
    } else {
        let mut decoder_model = false;
        let mut buffer_delay_bits = 0;
        if b.flag()? {
            // timing_info()
            b.read(32)?;
            b.read(32)?;
            if b.flag()? {
                b.uvlc()?;
            }
            decoder_model = b.flag()?;
            if decoder_model {
                buffer_delay_bits = b.read(5)? + 1;
                b.read(32)?;
                b.read(5)?;
                b.read(5)?;
            }
        }
        let initial_display_delay = b.flag()?;
        for _ in 0..=b.read(5)? {
            b.read(12)?; // operating_point_idc
            if b.read(5)? > 7 {
                b.read(1)?; // seq_tier
            }
            if decoder_model && b.flag()? {
                b.read(buffer_delay_bits)?;
                b.read(buffer_delay_bits)?;
                b.read(1)?;
            }
            if initial_display_delay && b.flag()? {
                b.read(4)?;
            }
        }
    }
    let width_bits = b.read(4)? + 1;
    let height_bits = b.read(4)? + 1;
    b.read(width_bits)?;
    b.read(height_bits)?;
    if !reduced && b.flag()? {
        // frame_id_numbers_present_flag
        b.read(4)?;
        b.read(3)?;
    }
    b.read(3)?; // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
    if !reduced {
        b.read(4)?; // interintra, masked compound, warped motion, dual filter
        let order_hint = b.flag()?;
        if order_hint {
            b.read(2)?; // jnt_comp, ref_frame_mvs
        }
        let force_screen_content_tools = if b.flag()? { 2 } else { b.read(1)? };
        if force_screen_content_tools > 0 && !b.flag()? {
            b.read(1)?; // seq_force_integer_mv
        }
        if order_hint {
            b.read(3)?;
        }
    }
    b.read(3)?; // superres, cdef, restoration
                // color_config()
    let high_bitdepth = b.flag()?;
    if profile == 2 && high_bitdepth {
        b.read(1)?;
    }
    let monochrome = profile != 1 && b.flag()?;
    let (primaries, transfer, matrix) = if b.flag()? { (b.read(8)?, b.read(8)?, b.read(8)?) } else { (2, 2, 2) };
    let full_range = if !monochrome && primaries == 1 && transfer == 13 && matrix == 0 { true } else { b.flag()? };
    Some(SequenceColour { matrix: matrix as u8, full_range })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sequence header OBU written bit by bit, from the fields' values.
    fn obu(fields: &[(u32, u32)]) -> Vec<u8> {
        let mut bits: Vec<bool> = Vec::new();
        for &(value, n) in fields {
            bits.extend((0..n).rev().map(|i| value >> i & 1 == 1));
        }
        let payload: Vec<u8> =
            bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |b, (i, &v)| b | (u8::from(v) << (7 - i)))).collect();
        let mut out = vec![0x0a, payload.len() as u8]; // type 1, has_size
        out.extend(payload);
        out
    }

    #[test]
    fn reads_the_colour_of_a_reduced_still_picture_header() {
        let header = obu(&[
            (0, 3),
            (1, 1),
            (1, 1),
            (8, 5), // profile 0, still, reduced, level
            (11, 4),
            (11, 4),
            (639, 12),
            (479, 12), // frame size bits and sizes
            (0, 3),
            (0, 3), // superblock/filters, superres/cdef/restoration
            (0, 1),
            (0, 1),
            (1, 1),
            (1, 8),
            (13, 8),
            (1, 8),
            (0, 1),
            (0, 2), // BT.709 limited
        ]);
        assert_eq!(sequence_colour(&header), Some(SequenceColour { matrix: 1, full_range: false }));
    }

    #[test]
    fn reads_the_colour_of_a_full_header_after_a_temporal_delimiter() {
        let mut data = vec![0x12, 0x00]; // temporal delimiter, empty
        data.extend(obu(&[
            (0, 3),
            (0, 1),
            (0, 1), // profile 0, not reduced
            (0, 1),
            (0, 1),
            (0, 5),
            (0, 12),
            (9, 5),
            (0, 1), // no timing, one operating point, tier
            (15, 4),
            (15, 4),
            (4031, 16),
            (3023, 16),
            (0, 1), // sizes, no frame ids
            (0, 3),
            (0, 4),
            (1, 1),
            (0, 2),
            (1, 1),
            (1, 1),
            (6, 3), // tools, order hint, screen content, integer mv
            (0, 3),
            (1, 1),
            (0, 1),
            (1, 1),
            (9, 8),
            (16, 8),
            (9, 8),
            (1, 1), // 10-bit BT.2020 full
        ]));
        assert_eq!(sequence_colour(&data), Some(SequenceColour { matrix: 9, full_range: true }));
    }

    #[test]
    fn garbage_has_no_colour() {
        assert_eq!(sequence_colour(&[0x0a, 0x40]), None);
        assert_eq!(sequence_colour(&[0x0a, 0x01, 0x00]), None);
        assert_eq!(sequence_colour(&[]), None);
    }
}
