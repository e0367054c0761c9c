//! Animated WebP through libwebp: reading (WebPAnimDecoder, which composes the
//! frames) and writing (WebPAnimEncoder, which finds each frame's changed
//! rectangle and the best of blending and disposal).
//!
//! The `webp` crate's animation wrapper is not used: it collects every frame
//! before encoding (memory grows with the animation), and it cannot give the
//! last frame its duration. This one streams: each frame is encoded as it
//! comes, and the end timestamp closes the last one (`finish`).

use std::os::raw::c_int;
use std::ptr::{self, NonNull};

use libwebp_sys as ffi;

use super::animation::Frame;
use super::undecodable;
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "WebP";

/// The frames of an animated WebP, composed by libwebp.
pub(crate) struct Frames<'a> {
    decoder: NonNull<ffi::WebPAnimDecoder>,
    info: ffi::WebPAnimInfo,
    /// The end time of the last frame read (libwebp gives end times).
    elapsed: c_int,
    /// libwebp reads from this slice for as long as the decoder lives.
    _data: &'a [u8],
}

impl<'a> Frames<'a> {
    pub fn new(data: &'a [u8]) -> Result<Self> {
        let mut options = std::mem::MaybeUninit::<ffi::WebPAnimDecoderOptions>::zeroed();
        // SAFETY: libwebp initialises the options it is given.
        if unsafe { ffi::WebPAnimDecoderOptionsInit(options.as_mut_ptr()) } == 0 {
            return Err(Error::new(ErrorKind::InvalidRequest, "libwebp's animation decoder has another version"));
        }
        // SAFETY: initialised just above.
        let mut options = unsafe { options.assume_init() };
        options.color_mode = ffi::WEBP_CSP_MODE::MODE_RGBA;
        options.use_threads = 0;
        let input = ffi::WebPData { bytes: data.as_ptr(), size: data.len() };
        // SAFETY: `input` points into `data`, which outlives the decoder (`_data`).
        let decoder = NonNull::new(unsafe { ffi::WebPAnimDecoderNew(&input, &options) })
            .ok_or_else(|| undecodable(NAME, "the animation is damaged or too large"))?;
        let mut info = ffi::WebPAnimInfo::default();
        // SAFETY: a live decoder and a plain-data out parameter.
        if unsafe { ffi::WebPAnimDecoderGetInfo(decoder.as_ptr(), &mut info) } == 0 {
            // SAFETY: the decoder is ours and not used again.
            unsafe { ffi::WebPAnimDecoderDelete(decoder.as_ptr()) };
            return Err(undecodable(NAME, "the animation is damaged"));
        }
        Ok(Frames { decoder, info, elapsed: 0, _data: data })
    }
}

impl super::animation::Frames for Frames<'_> {
    fn size(&self) -> (u32, u32) {
        (self.info.canvas_width, self.info.canvas_height)
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>> {
        // SAFETY: a live decoder.
        if unsafe { ffi::WebPAnimDecoderHasMoreFrames(self.decoder.as_ptr()) } == 0 {
            return Ok(None);
        }
        let mut pixels: *mut u8 = ptr::null_mut();
        let mut end: c_int = 0;
        // SAFETY: a live decoder; libwebp points `pixels` at its own canvas.
        if unsafe { ffi::WebPAnimDecoderGetNext(self.decoder.as_ptr(), &mut pixels, &mut end) } == 0 || pixels.is_null()
        {
            return Err(undecodable(NAME, "a frame is damaged"));
        }
        let duration_ms = u32::try_from(end.saturating_sub(self.elapsed)).unwrap_or(0);
        self.elapsed = end;
        let len = self.info.canvas_width as usize * self.info.canvas_height as usize * 4;
        // SAFETY: the canvas is width × height RGBA pixels, owned by the decoder and
        // unchanged until its next call, which needs `&mut self` (the borrow ends first).
        let rgba = unsafe { std::slice::from_raw_parts(pixels, len) };
        Ok(Some(Frame { rgba, duration_ms, decoded: (len / 4) as u64 }))
    }

    fn loop_count(&self) -> u16 {
        self.info.loop_count.min(u32::from(u16::MAX)) as u16
    }
}

impl Drop for Frames<'_> {
    fn drop(&mut self) {
        // SAFETY: the decoder is ours, deleted once.
        unsafe { ffi::WebPAnimDecoderDelete(self.decoder.as_ptr()) };
    }
}

/// An animated WebP being written, one frame at a time.
pub(crate) struct Encoder {
    encoder: NonNull<ffi::WebPAnimEncoder>,
    config: ffi::WebPConfig,
    width: u32,
    height: u32,
    /// The start time of the next frame.
    timestamp: c_int,
    /// Whether any frame shows transparency (see `finish`).
    translucent: bool,
}

impl Encoder {
    pub fn new(width: u32, height: u32, quality: u8, lossless: bool) -> Result<Encoder> {
        let refused = |what: &str| Error::new(ErrorKind::InvalidRequest, format!("WebP animation encoder: {what}"));
        let mut options = std::mem::MaybeUninit::<ffi::WebPAnimEncoderOptions>::zeroed();
        // SAFETY: libwebp initialises the options it is given.
        if unsafe { ffi::WebPAnimEncoderOptionsInitInternal(options.as_mut_ptr(), ffi::WEBP_MUX_ABI_VERSION as c_int) }
            == 0
        {
            return Err(refused("another libwebp version"));
        }
        // SAFETY: initialised just above.
        let mut options = unsafe { options.assume_init() };
        // Transparent, not libwebp's white: what browsers show where nothing is drawn
        // (they ignore this colour, but some decoders, image-webp among them, paint it).
        options.anim_params.bgcolor = 0;
        if !lossless {
            // A key frame at least every 5 frames, as gif2webp does for lossy output:
            // between key frames each lossy frame is drawn over the last one's
            // approximation, and the error builds up (libwebp's default of 17 cost
            // 1.3 dB on a 48-frame photo clip for a 4% smaller file: bench/animation.py).
            options.kmin = 3;
            options.kmax = 5;
        }
        // Lossy, each frame is also tried lossless and the smaller kept (gif2webp
        // -mixed): the flat colours and hard edges of most GIFs come out exact and
        // smaller, where VP8 alone (4:2:0) smears them (corpus: 13-30 dB at q90).
        options.allow_mixed = c_int::from(!lossless);
        let mut config = ffi::WebPConfig::new().map_err(|_| refused("bad configuration"))?;
        config.lossless = c_int::from(lossless);
        config.quality = f32::from(quality.min(100));
        // As for still WebP (codec/webp.rs): cwebp's default method, transparent colours dropped.
        config.method = 4;
        config.exact = 0;
        // SAFETY: a plain-data configuration.
        if unsafe { ffi::WebPValidateConfig(&config) } == 0 {
            return Err(refused("bad configuration"));
        }
        let (w, h) = (c_int::try_from(width), c_int::try_from(height));
        let (Ok(w), Ok(h)) = (w, h) else { return Err(refused("the picture is too large")) };
        // SAFETY: valid options; libwebp checks the size.
        let encoder = unsafe { ffi::WebPAnimEncoderNewInternal(w, h, &options, ffi::WEBP_MUX_ABI_VERSION as c_int) };
        let encoder = NonNull::new(encoder).ok_or_else(|| refused("the picture is too large or memory ran out"))?;
        Ok(Encoder { encoder, config, width, height, timestamp: 0, translucent: false })
    }

    /// Adds a frame of the encoder's size, shown for `duration_ms`.
    pub fn add(&mut self, rgba: &[u8], duration_ms: u32) -> Result<()> {
        // A WebP frame's duration has 24 bits (4.6 hours); an APNG's may say 18 hours.
        let duration_ms = duration_ms.min(0xFF_FFFF);
        if rgba.len() as u64 != u64::from(self.width) * u64::from(self.height) * 4 {
            return Err(Error::new(ErrorKind::InvalidRequest, "a frame does not match the animation's size"));
        }
        self.translucent = self.translucent || rgba.chunks_exact(4).any(|px| px[3] != 255);
        let mut picture = ffi::WebPPicture::new()
            .map_err(|_| Error::new(ErrorKind::InvalidRequest, "WebP animation encoder: another libwebp version"))?;
        picture.use_argb = 1;
        picture.width = self.width as c_int;
        picture.height = self.height as c_int;
        // SAFETY: `rgba` holds width × height pixels of 4 bytes; libwebp copies them.
        let imported = unsafe { ffi::WebPPictureImportRGBA(&mut picture, rgba.as_ptr(), (self.width * 4) as c_int) };
        // SAFETY: a live encoder and picture; the picture is freed right after.
        let added = imported != 0
            && unsafe { ffi::WebPAnimEncoderAdd(self.encoder.as_ptr(), &mut picture, self.timestamp, &self.config) }
                != 0;
        // SAFETY: frees only what the import allocated.
        unsafe { ffi::WebPPictureFree(&mut picture) };
        if !added {
            return Err(self.failed(imported == 0));
        }
        self.timestamp = c_int::try_from(duration_ms)
            .ok()
            .and_then(|d| self.timestamp.checked_add(d))
            .ok_or_else(|| Error::new(ErrorKind::LimitExceeded, "the animation is longer than 24 days"))?;
        Ok(())
    }

    /// The finished file, playing `loop_count` times (0: forever).
    pub fn finish(self, loop_count: u16) -> Result<Vec<u8>> {
        let mut data = ffi::WebPData::default();
        // SAFETY: a live encoder; a null frame ends the last frame at `timestamp`.
        let done =
            unsafe { ffi::WebPAnimEncoderAdd(self.encoder.as_ptr(), ptr::null_mut(), self.timestamp, ptr::null()) }
                != 0
                && unsafe { ffi::WebPAnimEncoderAssemble(self.encoder.as_ptr(), &mut data) } != 0;
        if !done || data.bytes.is_null() {
            return Err(self.failed(false));
        }
        // SAFETY: libwebp's buffer of `size` bytes, copied and then freed once.
        let mut out = unsafe { std::slice::from_raw_parts(data.bytes, data.size) }.to_vec();
        unsafe { ffi::WebPDataClear(&mut data) };
        set_loop_count(&mut out, loop_count);
        // libwebp flags alpha only when a stored frame has some, but a first frame
        // that leaves part of the canvas uncovered is stored opaque and cropped:
        // without the flag, decoders show that part black (Pillow did, on the
        // corpus's issue_1455_undersized.gif); browsers show the GIF transparent there.
        if self.translucent && out.get(12..16) == Some(b"VP8X") {
            out[20] |= 0x10;
        }
        Ok(out)
    }

    fn failed(&self, memory: bool) -> Error {
        if memory {
            return Error::limit(NAME, "the animation is too large to convert (out of memory)")
                .because(crate::error::reason::OUT_OF_MEMORY);
        }
        // SAFETY: a live encoder; the message is a static C string (or null).
        let message = unsafe { ffi::WebPAnimEncoderGetError(self.encoder.as_ptr()) };
        let why = if message.is_null() {
            String::from("unknown error")
        } else {
            // SAFETY: non-null, NUL-terminated, owned by the encoder.
            unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy().into_owned()
        };
        Error::new(ErrorKind::InvalidRequest, format!("WebP animation encoder failed: {why}"))
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: the encoder is ours, deleted once.
        unsafe { ffi::WebPAnimEncoderDelete(self.encoder.as_ptr()) };
    }
}

/// Writes the loop count into the ANIM chunk (the encoder's options would need it
/// before the first frame, and a GIF may state it after). libwebp writes a still
/// image, with no ANIM, when every frame was the same: nothing to loop then.
fn set_loop_count(webp: &mut [u8], loop_count: u16) {
    let mut at = 12;
    while at + 8 <= webp.len() {
        let size = u32::from_le_bytes([webp[at + 4], webp[at + 5], webp[at + 6], webp[at + 7]]) as usize;
        if &webp[at..at + 4] == b"ANIM" && size >= 6 && at + 14 <= webp.len() {
            webp[at + 12..at + 14].copy_from_slice(&loop_count.to_le_bytes());
            return;
        }
        at = at.saturating_add(8).saturating_add(size).saturating_add(size & 1);
    }
}
