//! JPEG: decoding with zune-jpeg; encoding through MozJPEG (progressive,
//! optimised Huffman, trellis quantisation).
//!
//! The encoder is a small wrapper over `mozjpeg-sys` rather than the `mozjpeg`
//! crate, which does not build for wasm32-unknown-unknown. MozJPEG's decoder is
//! not used: it reports errors by unwinding, which the wasm build (panic =
//! abort) cannot catch.

use std::mem;
use std::os::raw::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mozjpeg_sys as ffi;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use super::jpeg_dest::VecDest;
use super::{rgba_buffer, undecodable, widen_to_rgba, Pixels};
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "JPEG";

/// Lenient like browsers: a damaged scan decodes as far as it goes.
fn options(out: ColorSpace) -> DecoderOptions {
    DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(out)
}

/// Decodes baseline and progressive Huffman JPEGs (grey, YCbCr, RGB) to RGBA8;
/// CMYK and YCCK with the formula browsers without colour management use (each
/// ink multiplied by black). The rarer coding processes are refused before this
/// (decode::check).
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options(ColorSpace::RGB));
    decoder.decode_headers().map_err(|e| undecodable(NAME, e))?;
    let (width, height) = decoder.dimensions().ok_or_else(|| undecodable(NAME, "no frame header"))?;
    let (width, height) = (width as u32, height as u32);
    let mut rgba = rgba_buffer(NAME, width, height)?;
    // Decoded as RGB into the front of the buffer, then widened in place.
    let rgb = width as usize * height as usize * 3;
    decoder.decode_into(&mut rgba[..rgb]).map_err(|e| undecodable(NAME, e))?;
    widen_to_rgba(&mut rgba, 3);
    Ok(Pixels { rgba, width, height })
}

/// Decodes a CMYK or YCCK JPEG to its inks: four bytes per pixel, C, M, Y, K, where 0
/// is no ink (as ICC profiles take them). `inverted`: an Adobe segment says the
/// samples are stored inverted, as Photoshop writes them (YCCK always is).
pub(crate) fn decode_inks(data: &[u8], inverted: bool) -> Result<Pixels> {
    let mut probe = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options(ColorSpace::RGB));
    probe.decode_headers().map_err(|e| undecodable(NAME, e))?;
    let stored = probe.input_colorspace().filter(|c| matches!(c, ColorSpace::CMYK | ColorSpace::YCCK));
    let stored = stored.ok_or_else(|| undecodable(NAME, "not a CMYK or YCCK image"))?;
    // The samples as stored (zune-jpeg copies them when asked for the same colour space).
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options(stored));
    decoder.decode_headers().map_err(|e| undecodable(NAME, e))?;
    let (width, height) = decoder.dimensions().ok_or_else(|| undecodable(NAME, "no frame header"))?;
    let (width, height) = (width as u32, height as u32);
    let mut inks = rgba_buffer(NAME, width, height)?;
    decoder.decode_into(&mut inks).map_err(|e| undecodable(NAME, e))?;
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    for px in inks.chunks_exact_mut(4) {
        if stored == ColorSpace::YCCK {
            // YCbCr of the inverted inks: its RGB are the inks themselves (as libjpeg reads it).
            let (y, cb, cr) = (f32::from(px[0]), f32::from(px[1]) - 128.0, f32::from(px[2]) - 128.0);
            px[0] = clamp(y + 1.402 * cr);
            px[1] = clamp(y - 0.344_136 * cb - 0.714_136 * cr);
            px[2] = clamp(y + 1.772 * cb);
            px[3] = 255 - px[3];
        } else if inverted {
            px.iter_mut().for_each(|v| *v = 255 - *v);
        }
    }
    Ok(Pixels { rgba: inks, width, height })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subsampling {
    /// 4:2:0: chroma at half resolution both ways (smallest; photos).
    S420,
    /// 4:4:4: full chroma (sharp colour edges: text, graphics).
    S444,
}

/// Encodes RGB8 pixels. `icc` is embedded as APP2 chunks when given.
pub(crate) fn encode(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    subsampling: Subsampling,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>> {
    encode_with(rgb, width, height, quality, subsampling, icc, Scans::Progressive)
}

/// How the coefficients are written: progressive for what ships; one baseline scan for
/// a strip that `jpeg_parts::join` rewrites anyway (its entropy coding is thrown away).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scans {
    Progressive,
    Baseline,
}

pub(super) fn encode_with(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    subsampling: Subsampling,
    icc: Option<&[u8]>,
    scans: Scans,
) -> Result<Vec<u8>> {
    if rgb.len() != width as usize * height as usize * 3
        || width == 0
        || height == 0
        || width > 65_500
        || height > 65_500
    {
        return Err(Error::new(ErrorKind::InvalidRequest, "JPEG encoder: bad image dimensions"));
    }
    // libjpeg reports fatal errors by calling error_exit, which (with the
    // "unwinding" feature) panics; the panic is caught here and becomes an Error.
    let result =
        catch_unwind(AssertUnwindSafe(|| unsafe { compress(rgb, width, height, quality, subsampling, icc, scans) }));
    caught(result, "JPEG encoder")
}

/// libjpeg's fatal error, caught as a panic (natively; in wasm it aborts), as an Error.
pub(super) fn caught<T>(result: std::thread::Result<T>, what: &str) -> Result<T> {
    result.map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown error".into());
        Error::new(ErrorKind::InvalidRequest, format!("{what} failed: {msg}"))
    })
}

pub(super) extern "C-unwind" fn error_exit(cinfo: &mut ffi::jpeg_common_struct) {
    let code = unsafe { cinfo.err.as_ref().map(|e| e.msg_code).unwrap_or(-1) };
    std::panic::resume_unwind(Box::new(format!("libjpeg error code {code}")));
}

pub(super) extern "C-unwind" fn silence(_cinfo: &mut ffi::jpeg_common_struct, _level: c_int) {}

unsafe fn compress(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    subsampling: Subsampling,
    icc: Option<&[u8]>,
    scans: Scans,
) -> Vec<u8> {
    let mut err: Box<ffi::jpeg_error_mgr> = Box::new(mem::zeroed());
    ffi::jpeg_std_error(&mut err);
    err.error_exit = Some(error_exit);
    err.emit_message = Some(silence);
    let mut cinfo: Box<ffi::jpeg_compress_struct> = Box::new(mem::zeroed());
    cinfo.common.err = &mut *err;
    ffi::jpeg_CreateCompress(&mut *cinfo, ffi::JPEG_LIB_VERSION, mem::size_of::<ffi::jpeg_compress_struct>());
    // Destroys the compressor on every exit path, including unwinding.
    struct Guard(*mut ffi::jpeg_compress_struct);
    impl Drop for Guard {
        fn drop(&mut self) {
            unsafe { ffi::jpeg_destroy_compress(&mut *self.0) }
        }
    }
    let _guard = Guard(&mut *cinfo);

    // Declared after the compressor's guard, so dropped before it: libjpeg never uses it after finishing.
    let mut dest = VecDest::new();
    dest.attach(&mut cinfo);

    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = ffi::J_COLOR_SPACE::JCS_RGB;
    // MozJPEG's default profile (progressive, trellis quantisation), without its scan
    // optimisation: trying scan splits took 40% of the encoding time for 0.1% of the
    // size (12 MP iPhone photo at q80: 1.85-2.11 s -> 1.18-1.29 s, 1,533,756 -> 1,535,430
    // bytes, native). The coefficients, hence the pixels, are the same either way.
    ffi::jpeg_set_defaults(&mut cinfo);
    ffi::jpeg_c_set_bool_param(&mut cinfo, ffi::J_BOOLEAN_PARAM::JBOOLEAN_OPTIMIZE_SCANS, 0);
    // Strips too: without it MozJPEG's trellis took 60% longer on a strip (and the file was 2.4% larger).
    cinfo.optimize_coding = 1;
    ffi::jpeg_set_quality(&mut cinfo, quality.min(100) as c_int, 1);
    let (h, v) = match subsampling {
        Subsampling::S420 => (2, 2),
        Subsampling::S444 => (1, 1),
    };
    let components = std::slice::from_raw_parts_mut(cinfo.comp_info, 3);
    components[0].h_samp_factor = h;
    components[0].v_samp_factor = v;
    for c in &mut components[1..] {
        c.h_samp_factor = 1;
        c.v_samp_factor = 1;
    }
    match scans {
        Scans::Progressive => ffi::jpeg_simple_progression(&mut cinfo),
        // jpeg_set_defaults chose MozJPEG's progressive script: back to one scan.
        Scans::Baseline => {
            cinfo.scan_info = std::ptr::null();
            cinfo.num_scans = 0;
        }
    }

    ffi::jpeg_start_compress(&mut cinfo, 1);
    if let Some(profile) = icc {
        ffi::jpeg_write_icc_profile(&mut cinfo, profile.as_ptr(), profile.len() as _);
    }
    let stride = width as usize * 3;
    for row in rgb.chunks_exact(stride) {
        let ptr = row.as_ptr();
        ffi::jpeg_write_scanlines(&mut cinfo, &ptr, 1);
    }
    ffi::jpeg_finish_compress(&mut cinfo);
    dest.into_data()
}

#[cfg(test)]
mod tests {
    use std::os::raw::{c_uchar, c_ulong};

    use super::*;

    unsafe fn c_free(ptr: *mut c_uchar) {
        extern "C" {
            fn free(ptr: *mut std::ffi::c_void);
        }
        if !ptr.is_null() {
            free(ptr.cast());
        }
    }

    /// A CMYK JPEG written by libjpeg (MozJPEG) as Photoshop writes them: the stored
    /// samples are the inverted inks, with an Adobe segment; `ycck` also has libjpeg
    /// code them as YCCK (Adobe transform 2).
    fn photoshop_cmyk(inks: &[u8], width: u32, height: u32, ycck: bool) -> Vec<u8> {
        let stored: Vec<u8> = inks.iter().map(|v| 255 - v).collect();
        unsafe {
            let mut err: ffi::jpeg_error_mgr = mem::zeroed();
            let mut cinfo: ffi::jpeg_compress_struct = mem::zeroed();
            cinfo.common.err = ffi::jpeg_std_error(&mut err);
            ffi::jpeg_CreateCompress(&mut cinfo, ffi::JPEG_LIB_VERSION, mem::size_of::<ffi::jpeg_compress_struct>());
            let mut buffer: *mut c_uchar = std::ptr::null_mut();
            let mut size: c_ulong = 0;
            ffi::jpeg_mem_dest(&mut cinfo, &mut buffer, &mut size);
            cinfo.image_width = width;
            cinfo.image_height = height;
            cinfo.input_components = 4;
            cinfo.in_color_space = ffi::J_COLOR_SPACE::JCS_CMYK;
            ffi::jpeg_set_defaults(&mut cinfo);
            let space = if ycck { ffi::J_COLOR_SPACE::JCS_YCCK } else { ffi::J_COLOR_SPACE::JCS_CMYK };
            ffi::jpeg_set_colorspace(&mut cinfo, space);
            ffi::jpeg_set_quality(&mut cinfo, 98, 1);
            ffi::jpeg_start_compress(&mut cinfo, 1);
            for row in stored.chunks_exact(width as usize * 4) {
                let ptr = row.as_ptr();
                ffi::jpeg_write_scanlines(&mut cinfo, &ptr, 1);
            }
            ffi::jpeg_finish_compress(&mut cinfo);
            let out = std::slice::from_raw_parts(buffer, size as usize).to_vec();
            ffi::jpeg_destroy_compress(&mut cinfo);
            c_free(buffer);
            out
        }
    }

    #[test]
    fn cmyk_and_ycck_decode_to_their_inks() {
        let (width, height) = (48u32, 32u32);
        // Smooth ink ramps, each channel its own direction (JPEG keeps them within a few levels).
        let inks: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 5) as u8, (y * 7) as u8, ((x + y) * 3) as u8, (200 - x * 2) as u8]
            })
            .collect();
        for ycck in [false, true] {
            let file = photoshop_cmyk(&inks, width, height, ycck);
            assert_eq!(file.windows(5).filter(|w| w == b"Adobe").count(), 1, "libjpeg writes the Adobe segment");
            let decoded = decode_inks(&file, true).unwrap();
            assert_eq!((decoded.width, decoded.height), (width, height));
            let worst = decoded.rgba.iter().zip(&inks).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            let mean =
                decoded.rgba.iter().zip(&inks).map(|(a, b)| f64::from(a.abs_diff(*b))).sum::<f64>() / inks.len() as f64;
            assert!(worst <= 8 && mean < 1.5, "ycck {ycck}: worst {worst}, mean {mean}");
        }
        // Not a CMYK image: a clear error, not three channels read as four.
        let rgb = encode(&[128; 8 * 8 * 3], 8, 8, 90, Subsampling::S420, None).unwrap();
        assert!(decode_inks(&rgb, true).is_err());
    }
}
