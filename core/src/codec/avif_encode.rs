//! AVIF encoding: libaom (the AV1 reference encoder, in C; the one Squoosh and
//! libavif use) for the pictures, avif-serialize for the container.
//!
//! libaom rather than rav1e (through ravif, pure Rust): the two are compared at
//! equal SSIMULACRA2 in the README (bench/avif-encoders), and ravif writes 4:4:4
//! only. libaom is also what Squoosh and libavif use.
//!
//! The pixels arrive as RGBA, 8 or 16 bits a sample (upright, resized,
//! colour-managed); they are converted here to Y'CbCr with the BT.601 matrix at
//! full range (what libavif does for sRGB input), 4:2:0 or 4:4:4, at 8 or 10 bits.
//! A translucent image gets a second, monochrome AV1 image for its alpha, as AVIF
//! prescribes, at the same depth.

use std::borrow::Cow;
use std::os::raw::{c_int, c_uint};
use std::ptr;

use libaom_sys as aom;

use super::avif_icc;
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "AVIF";

/// How the encoder works, beyond the quality.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// libaom's speed, 0 (slowest, smallest) to 9.
    pub speed: u8,
    /// 4:2:0 (true) or 4:4:4.
    pub subsample: bool,
    /// 8 or 10 bits a sample in the AV1 pictures. Ten keeps gradients free of
    /// banding and the precision of 16-bit sources; files are about as large.
    pub depth: u8,
}

/// RGBA samples, unpremultiplied: 8 bits, or 16 (a 16-bit PNG's, kept for 10-bit output).
#[derive(Clone, Copy)]
pub(crate) enum Rgba<'a> {
    Eight(&'a [u8]),
    Sixteen(&'a [u16]),
}

pub(crate) fn encode(
    rgba: Rgba<'_>,
    width: u32,
    height: u32,
    quality: u8,
    settings: Settings,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let srgb = icc.is_none();
    let (colour, alpha) = match (settings.depth, rgba) {
        (8, Rgba::Eight(rgba)) => {
            let planes = Planes::from_rgba8(rgba, width, height, settings.subsample);
            let colour = encode_planes(&planes, quality, settings, Role::Colour { srgb })?;
            let alpha = alpha_plane(rgba.chunks_exact(4).map(|p| p[3]), 255)
                .map(|alpha| {
                    encode_planes(&Planes::monochrome(alpha, width, height, 128), quality, settings, Role::Alpha)
                })
                .transpose()?;
            (colour, alpha)
        }
        (10, rgba) => {
            // Both depths of source go through 16 bits (8-bit samples widened by 257).
            let wide: Cow<'_, [u16]> = match rgba {
                Rgba::Eight(rgba) => Cow::Owned(rgba.iter().map(|&v| u16::from(v) * 257).collect()),
                Rgba::Sixteen(rgba) => Cow::Borrowed(rgba),
            };
            let planes = Planes::from_rgba16_to_10(&wide, width, height, settings.subsample);
            let colour = encode_planes(&planes, quality, settings, Role::Colour { srgb })?;
            drop(planes);
            let alpha = alpha_plane(wide.chunks_exact(4).map(|p| to_10_bits(p[3])), 1023)
                .map(|alpha| {
                    encode_planes(&Planes::monochrome(alpha, width, height, 512), quality, settings, Role::Alpha)
                })
                .transpose()?;
            (colour, alpha)
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "AVIF is written at 8 or 10 bits (from 8- or 16-bit pixels)",
            )
            .in_format(NAME))
        }
    };
    let mut container = avif_serialize::Aviffy::new();
    container
        .set_width(width)
        .set_height(height)
        .set_bit_depth(settings.depth)
        .set_chroma_subsampling((settings.subsample, settings.subsample))
        .set_full_color_range(true);
    if icc.is_none() {
        // sRGB, said the CICP way: BT.709 primaries, sRGB transfer, BT.601 matrix.
        container
            .set_color_primaries(avif_serialize::constants::ColorPrimaries::Bt709)
            .set_transfer_characteristics(avif_serialize::constants::TransferCharacteristics::Srgb)
            .set_matrix_coefficients(avif_serialize::constants::MatrixCoefficients::Bt601);
    } else {
        container.set_matrix_coefficients(avif_serialize::constants::MatrixCoefficients::Bt601);
    }
    if !settings.subsample {
        // 4:4:4 needs the AV1 High profile.
        container.set_seq_profile(1);
    }
    let mut out = Vec::new();
    container
        .write_slice(&mut out, &colour, alpha.as_deref())
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("AVIF container: {e}")).in_format(NAME))?;
    match icc {
        Some(profile) => avif_icc::with_icc(&out, profile),
        None => Ok(out),
    }
}

/// The alpha channel, if any pixel is not opaque (`opaque` is the depth's maximum).
fn alpha_plane<T: PartialEq + Copy>(alpha: impl Iterator<Item = T> + Clone, opaque: T) -> Option<Vec<T>> {
    alpha.clone().any(|a| a != opaque).then(|| alpha.collect())
}

/// A 16-bit sample as 10 bits, rounded.
fn to_10_bits(v: u16) -> u16 {
    ((u32::from(v) * 1023 + 32767) / 65535) as u16
}

/// Y'CbCr planes of 8-bit (u8) or 10-bit (u16) samples, each row `width` (or the
/// chroma width) samples long.
struct Planes<T> {
    y: Vec<T>,
    u: Vec<T>,
    v: Vec<T>,
    width: u32,
    height: u32,
    chroma_width: u32,
    subsample: bool,
    monochrome: bool,
}

// BT.601 luma weights, in 1/2^16: Kr 0.299, Kb 0.114.
const KR: i32 = 19595;
const KG: i32 = 38470;
const KB: i32 = 7471;

fn luma(r: i32, g: i32, b: i32) -> i32 {
    (KR * r + KG * g + KB * b + 32768) >> 16
}

/// Cb and Cr at full range from R, G, B sums over `n` pixels (n = 1 or up to 4).
fn chroma(r: i32, g: i32, b: i32, n: i32) -> (u8, u8) {
    // Cb = (B - Y) / 1.772 and Cr = (R - Y) / 1.402, centred on 128; computed
    // in 1/2^16 from the sums so that averaging loses nothing before rounding.
    let y = KR * r + KG * g + KB * b;
    let cb = ((b << 16) - y) as i64 * 10000 / 17720;
    let cr = ((r << 16) - y) as i64 * 10000 / 14020;
    let scale = i64::from(n) << 16;
    let round = |v: i64| (128 + (v + v.signum() * scale / 2) / scale).clamp(0, 255) as u8;
    (round(cb), round(cr))
}

/// Y' and Cb, Cr at 10 bits from 16-bit R, G, B sums over `n` pixels; the same
/// BT.601 arithmetic as `luma` and `chroma`, at 16-bit precision, then scaled.
fn ycc10(r: i64, g: i64, b: i64, n: i64) -> (u16, u16, u16) {
    let y = i64::from(KR) * r + i64::from(KG) * g + i64::from(KB) * b;
    let cb = ((b << 16) - y) * 10000 / 17720;
    let cr = ((r << 16) - y) * 10000 / 14020;
    // Sums of n 16-bit samples in 1/2^16: one full-scale sample is 65535 * 2^16.
    let scale = (n * 65535) << 16;
    let to10 = |v: i64| (v * 1023 + v.signum() * scale / 2) / scale;
    let luma = to10(y).clamp(0, 1023) as u16;
    (luma, (512 + to10(cb)).clamp(0, 1023) as u16, (512 + to10(cr)).clamp(0, 1023) as u16)
}

impl Planes<u8> {
    fn from_rgba8(rgba: &[u8], width: u32, height: u32, subsample: bool) -> Planes<u8> {
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = if subsample { (w.div_ceil(2), h.div_ceil(2)) } else { (w, h) };
        let mut y = vec![0u8; w * h];
        let (mut u, mut v) = (vec![0u8; cw * ch], vec![0u8; cw * ch]);
        let px = |x: usize, row: usize| {
            let i = (row * w + x) * 4;
            (i32::from(rgba[i]), i32::from(rgba[i + 1]), i32::from(rgba[i + 2]))
        };
        for row in 0..h {
            for x in 0..w {
                let (r, g, b) = px(x, row);
                y[row * w + x] = luma(r, g, b) as u8;
            }
        }
        let step = if subsample { 2 } else { 1 };
        for crow in 0..ch {
            for cx in 0..cw {
                let (mut r, mut g, mut b, mut n) = (0, 0, 0, 0);
                for row in crow * step..((crow + 1) * step).min(h) {
                    for x in cx * step..((cx + 1) * step).min(w) {
                        let p = px(x, row);
                        r += p.0;
                        g += p.1;
                        b += p.2;
                        n += 1;
                    }
                }
                let (cb, cr) = chroma(r, g, b, n);
                u[crow * cw + cx] = cb;
                v[crow * cw + cx] = cr;
            }
        }
        Planes { y, u, v, width, height, chroma_width: cw as u32, subsample, monochrome: false }
    }
}

impl Planes<u16> {
    /// 10-bit planes from 16-bit RGBA.
    fn from_rgba16_to_10(rgba: &[u16], width: u32, height: u32, subsample: bool) -> Planes<u16> {
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = if subsample { (w.div_ceil(2), h.div_ceil(2)) } else { (w, h) };
        let px = |x: usize, row: usize| {
            let i = (row * w + x) * 4;
            (i64::from(rgba[i]), i64::from(rgba[i + 1]), i64::from(rgba[i + 2]))
        };
        let mut y = vec![0u16; w * h];
        for row in 0..h {
            for x in 0..w {
                let (r, g, b) = px(x, row);
                y[row * w + x] = ycc10(r, g, b, 1).0;
            }
        }
        let (mut u, mut v) = (vec![0u16; cw * ch], vec![0u16; cw * ch]);
        let step = if subsample { 2 } else { 1 };
        for crow in 0..ch {
            for cx in 0..cw {
                let (mut r, mut g, mut b, mut n) = (0, 0, 0, 0);
                for row in crow * step..((crow + 1) * step).min(h) {
                    for x in cx * step..((cx + 1) * step).min(w) {
                        let p = px(x, row);
                        r += p.0;
                        g += p.1;
                        b += p.2;
                        n += 1;
                    }
                }
                let (_, cb, cr) = ycc10(r, g, b, n);
                u[crow * cw + cx] = cb;
                v[crow * cw + cx] = cr;
            }
        }
        Planes { y, u, v, width, height, chroma_width: cw as u32, subsample, monochrome: false }
    }
}

impl<T: Copy> Planes<T> {
    /// An alpha plane as the luma of a monochrome image (its chroma is neutral).
    fn monochrome(alpha: Vec<T>, width: u32, height: u32, neutral: T) -> Planes<T> {
        let cw = width.div_ceil(2);
        let neutral = vec![neutral; cw as usize * height.div_ceil(2) as usize];
        Planes {
            y: alpha,
            u: neutral.clone(),
            v: neutral,
            width,
            height,
            chroma_width: cw,
            subsample: true,
            monochrome: true,
        }
    }
}

/// An encoder context, destroyed when dropped.
struct Encoder(aom::aom_codec_ctx_t);

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: the context was initialised by aom_codec_enc_init_ver.
        unsafe { aom::aom_codec_destroy(&mut self.0) };
    }
}

fn failed(what: &str) -> Error {
    Error::new(ErrorKind::InvalidRequest, format!("the AV1 encoder failed ({what})")).in_format(NAME)
}

/// libavif's mapping of quality 0-100 to AV1's quantiser 0-63, so "quality 50"
/// means what it means in Squoosh.
fn quantiser(quality: u8) -> c_uint {
    ((100 - c_uint::from(quality.min(100))) * 63 + 50) / 100
}

/// What an AV1 picture holds: the colours (said to be sRGB in the bitstream
/// unless an ICC profile describes them), or the alpha plane.
#[derive(Clone, Copy)]
enum Role {
    Colour { srgb: bool },
    Alpha,
}

/// One still picture (or alpha plane) as an AV1 bitstream (OBUs, no container).
fn encode_planes<T>(planes: &Planes<T>, quality: u8, settings: Settings, role: Role) -> Result<Vec<u8>> {
    let deep = settings.depth > 8;
    // u8 planes at 8 bits, u16 at 10: `encode` pairs them.
    debug_assert_eq!(std::mem::size_of::<T>(), if deep { 2 } else { 1 });
    let sample = std::mem::size_of::<T>() as c_int;
    // SAFETY: every libaom call gets a configuration it filled itself, a context it
    // initialised, and an image wrapping planes that outlive the encode.
    unsafe {
        let iface = aom::aom_codec_av1_cx();
        let mut cfg = std::mem::zeroed::<aom::aom_codec_enc_cfg_t>();
        if aom::aom_codec_enc_config_default(iface, &mut cfg, aom::AOM_USAGE_ALL_INTRA) != aom::AOM_CODEC_OK {
            return Err(failed("configuration"));
        }
        cfg.g_w = planes.width;
        cfg.g_h = planes.height;
        cfg.g_threads = 1;
        cfg.g_limit = 1;
        cfg.g_lag_in_frames = 0;
        // Main profile: 4:2:0 at 8 or 10 bits; High: 4:4:4.
        cfg.g_profile = if planes.subsample { 0 } else { 1 };
        cfg.g_bit_depth = if deep { aom::AOM_BITS_10 } else { aom::AOM_BITS_8 };
        cfg.g_input_bit_depth = c_uint::from(settings.depth);
        cfg.monochrome = c_uint::from(planes.monochrome);
        cfg.full_still_picture_hdr = 1;
        cfg.kf_max_dist = 0;
        cfg.rc_end_usage = aom::AOM_Q;
        let q = quantiser(quality);
        cfg.rc_min_quantizer = q;
        cfg.rc_max_quantizer = q;
        let mut ctx = std::mem::zeroed::<aom::aom_codec_ctx_t>();
        let flags = if deep { aom::AOM_CODEC_USE_HIGHBITDEPTH as aom::aom_codec_flags_t } else { 0 };
        if aom::aom_codec_enc_init_ver(&mut ctx, iface, &cfg, flags, aom::AOM_ENCODER_ABI_VERSION as c_int)
            != aom::AOM_CODEC_OK
        {
            return Err(Error::limit(NAME, "the AV1 encoder could not start (out of memory?)"));
        }
        let mut encoder = Encoder(ctx);
        let ctx = &mut encoder.0;
        let control = |ctx: &mut aom::aom_codec_ctx_t, id: aom::aome_enc_control_id, value: c_int| {
            if aom::aom_codec_control(ctx, id as c_int, value) == aom::AOM_CODEC_OK {
                Ok(())
            } else {
                Err(failed("control"))
            }
        };
        control(ctx, aom::AOME_SET_CPUUSED, c_int::from(settings.speed.min(9)))?;
        control(ctx, aom::AOME_SET_CQ_LEVEL, q as c_int)?;
        // libavif's tuning for still pictures.
        control(ctx, aom::AOME_SET_TUNING, aom::AOM_TUNE_SSIM as c_int)?;
        control(ctx, aom::AV1E_SET_COLOR_RANGE, aom::AOM_CR_FULL_RANGE as c_int)?;
        if let Role::Colour { srgb } = role {
            control(ctx, aom::AV1E_SET_MATRIX_COEFFICIENTS, aom::AOM_CICP_MC_BT_601 as c_int)?;
            if srgb {
                control(ctx, aom::AV1E_SET_COLOR_PRIMARIES, aom::AOM_CICP_CP_BT_709 as c_int)?;
                control(ctx, aom::AV1E_SET_TRANSFER_CHARACTERISTICS, aom::AOM_CICP_TC_SRGB as c_int)?;
            }
        }

        let fmt = match (planes.subsample, deep) {
            (true, false) => aom::AOM_IMG_FMT_I420,
            (false, false) => aom::AOM_IMG_FMT_I444,
            (true, true) => aom::AOM_IMG_FMT_I42016,
            (false, true) => aom::AOM_IMG_FMT_I44416,
        };
        let mut image = std::mem::zeroed::<aom::aom_image_t>();
        // Wrapping sets up the format's fields. It is given our luma plane (a null
        // buffer would make it allocate one of its own) and then told where each
        // plane is, since its own plane layout rounds odd chroma widths down.
        let y = planes.y.as_ptr() as *mut u8;
        if aom::aom_img_wrap(&mut image, fmt, planes.width, planes.height, 1, y).is_null() {
            return Err(failed("image"));
        }
        image.planes = [y, planes.u.as_ptr() as *mut u8, planes.v.as_ptr() as *mut u8];
        // Strides are in bytes.
        let (luma_stride, chroma_stride) = (planes.width as c_int * sample, planes.chroma_width as c_int * sample);
        image.stride = [luma_stride, chroma_stride, chroma_stride];
        image.bit_depth = c_uint::from(settings.depth);
        image.range = aom::AOM_CR_FULL_RANGE;
        image.monochrome = c_int::from(planes.monochrome);
        image.mc = aom::AOM_CICP_MC_BT_601;

        let mut out = Vec::new();
        let mut collect = |ctx: &mut aom::aom_codec_ctx_t| {
            let mut iter = ptr::null();
            loop {
                let packet = aom::aom_codec_get_cx_data(ctx, &mut iter);
                if packet.is_null() {
                    break;
                }
                if (*packet).kind == aom::AOM_CODEC_CX_FRAME_PKT {
                    let frame = (*packet).data.frame;
                    out.extend_from_slice(std::slice::from_raw_parts(frame.buf as *const u8, frame.sz));
                }
            }
        };
        if aom::aom_codec_encode(ctx, &image, 0, 1, aom::AOM_EFLAG_FORCE_KF as aom::aom_enc_frame_flags_t)
            != aom::AOM_CODEC_OK
        {
            return Err(failed("encode"));
        }
        collect(ctx);
        // Flush: all-intra with no lag has given its frame already, but ask.
        if aom::aom_codec_encode(ctx, ptr::null(), 0, 0, 0) != aom::AOM_CODEC_OK {
            return Err(failed("flush"));
        }
        collect(ctx);
        if out.is_empty() {
            return Err(failed("no picture"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_stays_neutral_and_primaries_land_where_bt601_puts_them() {
        assert_eq!(chroma(128, 128, 128, 1), (128, 128));
        assert_eq!(chroma(4 * 77, 4 * 77, 4 * 77, 4), (128, 128));
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        // Pure red: Y 76, Cb 85, Cr 255 (BT.601 full range).
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(chroma(255, 0, 0, 1), (85, 255));
        // Pure blue: Cb 255, Cr 107.
        assert_eq!(chroma(0, 0, 255, 1), (255, 107));
    }

    #[test]
    fn quality_maps_to_the_quantiser_as_libavif_does() {
        assert_eq!(quantiser(100), 0);
        assert_eq!(quantiser(0), 63);
        assert_eq!(quantiser(50), 32);
    }
}
