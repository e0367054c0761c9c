//! One AV1 still picture (an AVIF item's data) decoded by rav1d, the Rust port
//! of dav1d (the decoder the browsers ship), through its C-style API: the only
//! one it exports. The command line decodes every AVIF here; the extension's
//! AVIF module only those its browser's own decoder refuses.
//!
//! The result is a `heifer` frame (planes of 16-bit samples) so that AVIF and
//! HEIC share one YCbCr-to-RGB conversion.

use std::ffi::c_int;
use std::ptr::NonNull;

use heifer::heifer_hevc_dec::recon::Frame;
use rav1d::include::dav1d::data::Dav1dData;
use rav1d::include::dav1d::dav1d::{Dav1dContext, Dav1dSettings};
use rav1d::include::dav1d::headers::{
    DAV1D_PIXEL_LAYOUT_I400, DAV1D_PIXEL_LAYOUT_I420, DAV1D_PIXEL_LAYOUT_I422, DAV1D_PIXEL_LAYOUT_I444,
};
use rav1d::include::dav1d::picture::Dav1dPicture;
use rav1d::src::lib::{
    dav1d_close, dav1d_data_create, dav1d_data_unref, dav1d_default_settings, dav1d_get_picture, dav1d_open,
    dav1d_picture_unref, dav1d_send_data,
};
use rav1d::Dav1dResult;

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
pub(crate) fn decode(obus: &[u8], operating_point: u8, max_pixels: u64) -> Result<Frame> {
    if obus.is_empty() {
        return Err(corrupt("an image item holds no AV1 data".into()));
    }
    // rav1d can panic on hostile data where C's dav1d would not (fuzz/ found one, now
    // mended in the vendored copy): natively that is a clear error for this file, not the
    // end of a batch (its API functions are "C-unwind" for this). In wasm a panic aborts:
    // the extension reports the stopped engine and starts another. Under the fuzzer the
    // panic goes on, so that it is found.
    #[cfg(not(fuzzing))]
    return std::panic::catch_unwind(|| decode_unguarded(obus, operating_point, max_pixels))
        .unwrap_or_else(|_| Err(corrupt("the AV1 decoder failed on this data".into())));
    #[cfg(fuzzing)]
    decode_unguarded(obus, operating_point, max_pixels)
}

fn decode_unguarded(obus: &[u8], operating_point: u8, max_pixels: u64) -> Result<Frame> {
    let mut settings = Settings::default();
    // One thread, the caller's: a panic in a worker thread would leave the caller
    // waiting for it for ever, and wasm32 has no threads to start (rav1d would panic
    // trying). The command line converts one file per core instead.
    settings.0.n_threads = 1;
    // One frame in flight: a still picture.
    settings.0.max_frame_delay = 1;
    // Layered files (spatial or quality layers): only the best, as libheif shows.
    settings.0.all_layers = 0;
    settings.0.operating_point = c_int::from(operating_point.min(31));
    settings.0.frame_size_limit = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    // No log: rav1d's default writes its parse errors to stderr, in the middle of the
    // command line's report (and in wasm, nowhere); its error code is what we report.
    // SAFETY: the logger is two Options of pointers (cookie, callback), so all-zero is
    // both None: dav1d's "no callback", which rav1d reads as no logger.
    settings.0.logger = unsafe { std::mem::zeroed() };
    let decoder = Decoder::open(&mut settings)?;
    let mut data = Data::copy_of(obus)?;
    // Bounded: a stream with no picture in it must end in an error, not a loop.
    for _ in 0..16 {
        if data.0.sz > 0 {
            // Taken whole, or not at all while a picture waits to be collected.
            let sent = unsafe { dav1d_send_data(Some(decoder.0), Some(NonNull::from(&mut data.0))) };
            again_or(sent)?;
        }
        let mut picture = Picture(Dav1dPicture::default());
        let got = unsafe { dav1d_get_picture(Some(decoder.0), Some(NonNull::from(&mut picture.0))) };
        if again_or(got)? {
            return frame(&picture.0);
        }
    }
    Err(corrupt("the AV1 data holds no picture".into()))
}

// rav1d's API is C's: what it allocates is given back by hand. Each of these owns
// one such thing and gives it back when dropped, on every path out of `decode`.
// The SAFETY notes are rav1d's documented contracts (third_party/rav1d/src/lib.rs).

struct Settings(Dav1dSettings);

impl Default for Settings {
    fn default() -> Self {
        let mut settings = std::mem::MaybeUninit::<Dav1dSettings>::uninit();
        // SAFETY: dav1d_default_settings writes every field, and needs only a place to.
        unsafe {
            dav1d_default_settings(NonNull::new_unchecked(settings.as_mut_ptr()));
            Settings(settings.assume_init())
        }
    }
}

/// A decoder instance, closed when dropped.
struct Decoder(Dav1dContext);

impl Decoder {
    fn open(settings: &mut Settings) -> Result<Self> {
        let mut context: Option<Dav1dContext> = None;
        // SAFETY: both pointers are to live values of the types dav1d_open reads and writes.
        let opened = unsafe { dav1d_open(Some(NonNull::from(&mut context)), Some(NonNull::from(&mut settings.0))) };
        again_or(opened)?;
        context.map(Decoder).ok_or_else(|| corrupt("the AV1 decoder did not start".into()))
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        let mut context = Some(self.0);
        // SAFETY: the context is from dav1d_open and closed only here.
        unsafe { dav1d_close(Some(NonNull::from(&mut context))) };
    }
}

/// The input, in a buffer rav1d allocated (it keeps a reference while decoding).
struct Data(Dav1dData);

impl Data {
    fn copy_of(bytes: &[u8]) -> Result<Self> {
        let mut data = Data(Dav1dData::default());
        // SAFETY: dav1d_data_create writes the Dav1dData and returns its buffer of
        // `bytes.len()` bytes (or null), which nothing else refers to yet.
        unsafe {
            let buffer = dav1d_data_create(Some(NonNull::from(&mut data.0)), bytes.len());
            if buffer.is_null() {
                return Err(out_of_memory());
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer, bytes.len());
        }
        Ok(data)
    }
}

impl Drop for Data {
    fn drop(&mut self) {
        // SAFETY: the Dav1dData is from dav1d_data_create, or emptied by
        // dav1d_send_data taking it (then this does nothing).
        unsafe { dav1d_data_unref(Some(NonNull::from(&mut self.0))) };
    }
}

/// A decoded picture, lent by the decoder until dropped.
struct Picture(Dav1dPicture);

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: the picture is empty (Default) or from dav1d_get_picture.
        unsafe { dav1d_picture_unref(Some(NonNull::from(&mut self.0))) };
    }
}

/// One plane's bytes: `rows` rows `stride` bytes apart, each `row_bytes` long.
fn plane_bytes(picture: &Dav1dPicture, index: usize, row_bytes: usize, rows: usize) -> Result<&[u8]> {
    let stride = picture.stride[index.min(1)];
    let data = picture.data[index];
    match (data, usize::try_from(stride)) {
        (Some(data), Ok(stride)) if stride >= row_bytes && rows > 0 => {
            // SAFETY: rav1d's planes hold `rows` rows of `stride` bytes (the last
            // row at least its samples), alive as long as the picture.
            Ok(unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), stride * (rows - 1) + row_bytes) })
        }
        _ => Err(corrupt("the AV1 decoder returned a picture without its planes".into())),
    }
}

fn frame(picture: &Dav1dPicture) -> Result<Frame> {
    let (width, height) = (usize::try_from(picture.p.w).unwrap_or(0), usize::try_from(picture.p.h).unwrap_or(0));
    if width == 0 || height == 0 {
        return Err(corrupt("the AV1 picture is empty".into()));
    }
    let wide = picture.p.bpc > 8;
    let depth = u8::try_from(picture.p.bpc).unwrap_or(8);
    let (chroma_format, sx, sy) = match picture.p.layout {
        DAV1D_PIXEL_LAYOUT_I400 => (0, 1, 1),
        DAV1D_PIXEL_LAYOUT_I420 => (1, 2, 2),
        DAV1D_PIXEL_LAYOUT_I422 => (2, 2, 1),
        DAV1D_PIXEL_LAYOUT_I444 => (3, 1, 1),
        _ => return Err(corrupt("the AV1 picture has an unknown chroma layout".into())),
    };
    let bytes_per_sample = if wide { 2 } else { 1 };
    let (cw, ch) = (width.div_ceil(sx), height.div_ceil(sy));
    let plane = |index: usize, w: usize, h: usize| -> Result<Vec<u16>> {
        let data = plane_bytes(picture, index, w * bytes_per_sample, h)?;
        let stride = usize::try_from(picture.stride[index.min(1)]).unwrap_or(0);
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            let row = &data[y * stride..][..w * bytes_per_sample];
            if wide {
                out.extend(row.chunks_exact(2).map(|s| u16::from_ne_bytes([s[0], s[1]])));
            } else {
                out.extend(row.iter().map(|&v| u16::from(v)));
            }
        }
        Ok(out)
    };
    let luma = plane(0, width, height)?;
    // Chroma to full size by repeating each sample (nearest neighbour), as
    // libheif does for AVIF: the reference for what an AVIF looks like.
    let (u, v, chroma) = if chroma_format == 0 {
        (Vec::new(), Vec::new(), (0, 0))
    } else {
        let full = |index| -> Result<Vec<u16>> {
            let samples = plane(index, cw, ch)?;
            let mut out = Vec::with_capacity(width * height);
            for y in 0..height {
                let row = &samples[(y / sy) * cw..][..cw];
                out.extend((0..width).map(|x| row[x / sx]));
            }
            Ok(out)
        };
        (full(1)?, full(2)?, (width as u32, height as u32))
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

/// Ok(true) on success, Ok(false) for "again" (EAGAIN: rav1d wants the other
/// call first), else the error.
fn again_or(result: Dav1dResult) -> Result<bool> {
    use rav1d::libc::{EAGAIN, ENOMEM, ENOPROTOOPT};
    match -result.0 {
        0 => Ok(true),
        e if e == EAGAIN => Ok(false),
        e if e == ENOMEM => Err(out_of_memory()),
        e if e == ENOPROTOOPT => {
            Err(Error::new(ErrorKind::Unsupported, "this AV1 stream is not supported by the decoder")
                .in_format("AVIF")
                .because_with(crate::error::reason::CANNOT_CONVERT, &[&"AVIF"]))
        }
        _ => Err(corrupt("the AV1 data cannot be decoded".into())),
    }
}

fn out_of_memory() -> Error {
    Error::limit("AVIF", "there is not enough memory to decode the image").because(crate::error::reason::OUT_OF_MEMORY)
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message).in_format("AVIF")
}

/// The colour config of the first sequence header OBU in `obus` (an AVIF
/// item's data, or an `av1C`'s config OBUs), if there is one that parses.
/// Why by hand: two fields, read before decoding from either place (rav1d's
/// `dav1d_parse_sequence_header` would do, through more unsafe glue).
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
