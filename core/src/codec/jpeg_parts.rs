//! One JPEG encoded in horizontal strips, each strip on its own (a worker, a thread),
//! then joined into one progressive file. MozJPEG's encoder is single-threaded and most
//! of its time (the DCT and trellis quantisation) is per block: strips split that work,
//! and the join only moves quantised coefficients (libjpeg's transcoding path, as
//! jpegtran uses it), so nothing is decoded to pixels or quantised twice.
//!
//! Strip boundaries fall on MCU rows, so every block of a strip but the last is whole
//! and the strips' blocks are exactly the whole image's. Each strip's trellis sees only
//! its own rows, and rates with its own Huffman tables: a 12 MP photo came out 0.08%
//! larger, with the same error against its source (measured natively, session 16).

use std::mem;
use std::os::raw::c_ulong;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mozjpeg_sys as ffi;

use super::jpeg::{caught, encode_with, error_exit, silence, Scans, Subsampling};
use super::jpeg_dest::VecDest;
use crate::error::{Error, ErrorKind, Result};

/// Rows in one MCU: strips start on multiples of it.
fn mcu_rows(subsampling: Subsampling) -> u32 {
    match subsampling {
        Subsampling::S420 => 16,
        Subsampling::S444 => 8,
    }
}

/// The heights of up to `parts` strips of `height` rows: as equal as MCU rows allow,
/// none empty (a short image gets fewer strips).
pub(crate) fn strip_heights(height: u32, subsampling: Subsampling, parts: u32) -> Vec<u32> {
    let mcu = mcu_rows(subsampling);
    let mcus = height.div_ceil(mcu);
    let parts = parts.clamp(1, mcus.max(1));
    let mut heights = Vec::with_capacity(parts as usize);
    let mut start = 0;
    for k in 1..=parts {
        let end = if k == parts { height } else { (mcus * k / parts) * mcu };
        heights.push(end - start);
        start = end;
    }
    heights
}

/// One strip, encoded with the whole image's settings as a baseline JPEG: the join
/// keeps its quantised coefficients and rewrites everything else.
pub(crate) fn encode_strip(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    subsampling: Subsampling,
) -> Result<Vec<u8>> {
    encode_with(rgb, width, height, quality, subsampling, None, Scans::Baseline)
}

/// Which of the joined file's scans a join writes. Writing the scans (their Huffman
/// statistics, then their codes) is a third of a whole encode's time, and each scan is
/// coded on its own: two workers can write half each, and `splice` makes the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Share {
    /// The whole file, with MozJPEG's own progressive script.
    All,
    /// The file's head and the first half of its scans (`split_script`).
    First,
    /// Only the second half of the scans: no head, no end.
    Second,
}

/// Where the two shares' luma bands divide. MozJPEG's script refines the luma's bits in
/// scans over all 63 coefficients, which one share would then have to write alone; here
/// each share refines its own band, and the second has the chroma too. Measured natively
/// (session 17, 12 MP, 3 runs): at 17, shares of 144 and 121-127 ms where one worker
/// writing every scan took 213-216 ms, and 0.52% more bytes than MozJPEG's script (the
/// iPhone photo: 175-181 and 118-136 ms against 260-263 ms, 0.76% more); at 20, 0.57% and
/// 0.90% more; at 14, 0.91% and 1.6%. In wasm (the iPhone photo, in the converter) the
/// shares took 245-255 and 184-189 ms; at 15, 228-245 and 181-201 ms, for 1.0% more bytes.
const SPLIT_AT: i32 = 17;

fn scan(components: &[i32], ss: i32, se: i32, ah: i32, al: i32) -> ffi::jpeg_scan_info {
    let mut component_index = [0; 4];
    component_index[..components.len()].copy_from_slice(components);
    ffi::jpeg_scan_info { comps_in_scan: components.len() as _, component_index, Ss: ss, Se: se, Ah: ah, Al: al }
}

/// A share's scans, in MozJPEG's manner (no DC refinement, luma in three bit steps, chroma
/// in two bands). Each share is a valid script on its own (libjpeg checks): both start
/// with the DC scan, which `splice` keeps from the first only.
fn split_script(share: Share) -> Vec<ffi::jpeg_scan_info> {
    let (dc, k) = (scan(&[0, 1, 2], 0, 0, 0, 0), SPLIT_AT);
    match share {
        Share::All => Vec::new(),
        Share::First => vec![dc, scan(&[0], 1, k, 0, 2), scan(&[0], 1, k, 2, 1), scan(&[0], 1, k, 1, 0)],
        Share::Second => vec![
            dc,
            scan(&[0], k + 1, 63, 0, 2),
            scan(&[0], k + 1, 63, 2, 1),
            scan(&[0], k + 1, 63, 1, 0),
            scan(&[1], 1, 8, 0, 0),
            scan(&[2], 1, 8, 0, 0),
            scan(&[1], 9, 63, 0, 0),
            scan(&[2], 9, 63, 0, 0),
        ],
    }
}

/// Joins strips from `encode_strip` (top to bottom, all but the last a whole number of
/// MCU rows) into one progressive JPEG with optimised Huffman tables, as `jpeg::encode`
/// writes them, with `icc` embedded; or into a share of its scans (`Share`).
pub(crate) fn join(strips: &[&[u8]], width: u32, height: u32, icc: Option<&[u8]>, share: Share) -> Result<Vec<u8>> {
    if strips.is_empty() || width == 0 || height == 0 || width > 65_500 || height > 65_500 {
        return Err(Error::new(ErrorKind::InvalidRequest, "JPEG join: no strips, or bad dimensions"));
    }
    let script = split_script(share);
    let result = catch_unwind(AssertUnwindSafe(|| unsafe { join_unchecked(strips, width, height, icc, &script) }));
    let file = caught(result, "JPEG join")??;
    let bad = || Error::new(ErrorKind::InvalidRequest, "JPEG join: libjpeg wrote an unexpected file");
    let body = file.strip_suffix(&[0xFF, 0xD9]).ok_or_else(bad)?;
    Ok(match share {
        Share::All => file,
        Share::First => body.to_vec(),
        Share::Second => body[after_first_scan(body).ok_or_else(bad)?..].to_vec(),
    })
}

/// The file from its shares' bytes, in order (`join` with `Share::First`, then `Second`).
pub(crate) fn splice(shares: &[&[u8]]) -> Vec<u8> {
    let mut file = Vec::with_capacity(shares.iter().map(|s| s.len()).sum::<usize>() + 2);
    for share in shares {
        file.extend_from_slice(share);
    }
    file.extend_from_slice(&[0xFF, 0xD9]);
    file
}

/// Where the first scan's coded data ends, in a file libjpeg just wrote: past the head's
/// segments, the first SOS segment and its entropy-coded bytes (in which 0xFF is
/// followed by 0x00, or by a restart marker).
fn after_first_scan(file: &[u8]) -> Option<usize> {
    let mut at = 2;
    loop {
        let segment = file.get(at..at + 4)?;
        if segment[0] != 0xFF {
            return None;
        }
        let (marker, length) = (segment[1], u16::from_be_bytes([segment[2], segment[3]]));
        at += 2 + usize::from(length);
        if marker == 0xDA {
            break;
        }
    }
    while at + 1 < file.len() {
        if file[at] == 0xFF && !matches!(file[at + 1], 0x00 | 0xD0..=0xD7) {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// libjpeg's error manager as `jpeg::encode`'s: fatal errors become panics (`caught`),
/// warnings are dropped. (`jpeg::encode` sets up its own in place: sharing this with it
/// cost the image module bytes it does not have, see README *Module sizes*.)
fn error_manager() -> Box<ffi::jpeg_error_mgr> {
    let mut err: Box<ffi::jpeg_error_mgr> = Box::new(unsafe { mem::zeroed() });
    unsafe { ffi::jpeg_std_error(&mut err) };
    err.error_exit = Some(error_exit);
    err.emit_message = Some(silence);
    err
}

/// The joined file's compressor with its error manager, destroyed when dropped (unwinding included).
struct Compressor {
    cinfo: Box<ffi::jpeg_compress_struct>,
    _err: Box<ffi::jpeg_error_mgr>,
}

impl Compressor {
    unsafe fn new() -> Compressor {
        let mut err = error_manager();
        let mut cinfo: Box<ffi::jpeg_compress_struct> = Box::new(mem::zeroed());
        cinfo.common.err = &mut *err;
        ffi::jpeg_CreateCompress(&mut *cinfo, ffi::JPEG_LIB_VERSION, mem::size_of::<ffi::jpeg_compress_struct>());
        Compressor { cinfo, _err: err }
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        unsafe { ffi::jpeg_destroy_compress(&mut self.cinfo) }
    }
}

/// A decompressor over one strip, destroyed when dropped (unwinding included).
struct Reader {
    cinfo: Box<ffi::jpeg_decompress_struct>,
    _err: Box<ffi::jpeg_error_mgr>,
}

impl Reader {
    unsafe fn open(data: &[u8]) -> Reader {
        let mut err = error_manager();
        let mut cinfo: Box<ffi::jpeg_decompress_struct> = Box::new(mem::zeroed());
        cinfo.common.err = &mut *err;
        ffi::jpeg_CreateDecompress(&mut *cinfo, ffi::JPEG_LIB_VERSION, mem::size_of::<ffi::jpeg_decompress_struct>());
        let mut reader = Reader { cinfo, _err: err };
        ffi::jpeg_mem_src(&mut reader.cinfo, data.as_ptr(), data.len() as c_ulong);
        ffi::jpeg_read_header(&mut reader.cinfo, 1);
        reader
    }

    fn components(&self) -> &[ffi::jpeg_component_info] {
        unsafe { std::slice::from_raw_parts(self.cinfo.comp_info, self.cinfo.num_components as usize) }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        unsafe { ffi::jpeg_destroy_decompress(&mut self.cinfo) }
    }
}

/// One component's size in the joined image, in blocks, as libjpeg sizes it: its
/// samples, rounded up to whole blocks.
fn blocks(size: u32, factor: i32, max: i32) -> u32 {
    (size * factor as u32).div_ceil(max as u32).div_ceil(8)
}

unsafe fn join_unchecked(
    strips: &[&[u8]],
    width: u32,
    height: u32,
    icc: Option<&[u8]>,
    script: &[ffi::jpeg_scan_info],
) -> Result<Vec<u8>> {
    let bad = |why: &str| Err(Error::new(ErrorKind::InvalidRequest, format!("JPEG join: {why}")));
    let mut readers: Vec<Reader> = strips.iter().map(|s| Reader::open(s)).collect();
    let mut sources = Vec::with_capacity(readers.len());
    for reader in &mut readers {
        sources.push(ffi::jpeg_read_coefficients(&mut reader.cinfo));
    }

    // Every strip checked against the image before anything is written: the same
    // components and sampling, the image's width in blocks, and block rows that add up
    // to the image's (so all but the last strip end on whole MCU rows).
    let first = &readers[0];
    let components = first.components();
    let (h_max, v_max) = components.iter().fold((1, 1), |(h, v), c| (h.max(c.h_samp_factor), v.max(c.v_samp_factor)));
    let sizes: Vec<(u32, u32)> = components
        .iter()
        .map(|c| (blocks(width, c.h_samp_factor, h_max), blocks(height, c.v_samp_factor, v_max)))
        .collect();
    let rows: u32 = readers.iter().map(|r| r.cinfo.image_height).sum();
    if rows != height || readers.iter().any(|r| r.cinfo.image_width != width) {
        return bad("the strips do not make up the image");
    }
    for (c, component) in components.iter().enumerate() {
        let mut tall = 0;
        for reader in &readers {
            let Some(part) = reader.components().get(c) else { return bad("a strip has other components") };
            let same = (part.h_samp_factor, part.v_samp_factor) == (component.h_samp_factor, component.v_samp_factor);
            if !same || reader.components().len() != components.len() || part.width_in_blocks != sizes[c].0 {
                return bad("a strip's blocks do not fit the image");
            }
            tall += part.height_in_blocks;
        }
        if tall != sizes[c].1 {
            return bad("the strips do not end on whole blocks");
        }
    }

    let mut compressor = Compressor::new();
    let cinfo = &mut *compressor.cinfo;
    let mut dest = VecDest::new();
    dest.attach(cinfo);

    // Quantisation tables, sampling and colour space from the first strip; as
    // `jpeg::encode` writes: optimised Huffman tables, MozJPEG's progressive script
    // without its scan search (or a share's script). No trellis: the coefficients are
    // already quantised.
    ffi::jpeg_copy_critical_parameters(&first.cinfo, cinfo);
    cinfo.image_height = height;
    ffi::jpeg_c_set_bool_param(cinfo, ffi::J_BOOLEAN_PARAM::JBOOLEAN_OPTIMIZE_SCANS, 0);
    ffi::jpeg_c_set_bool_param(cinfo, ffi::J_BOOLEAN_PARAM::JBOOLEAN_TRELLIS_QUANT, 0);
    ffi::jpeg_c_set_bool_param(cinfo, ffi::J_BOOLEAN_PARAM::JBOOLEAN_TRELLIS_QUANT_DC, 0);
    cinfo.optimize_coding = 1;
    ffi::jpeg_simple_progression(cinfo);
    if !script.is_empty() {
        // libjpeg reads the script while it writes: `script` outlives the compressor's use.
        cinfo.scan_info = script.as_ptr();
        cinfo.num_scans = script.len() as _;
    }

    let mem = &*cinfo.common.mem;
    let (request, access) = (mem.request_virt_barray.unwrap(), mem.access_virt_barray.unwrap());
    let mut targets = Vec::with_capacity(components.len());
    for (c, &(wide, tall)) in components.iter().zip(&sizes) {
        // Allocated in whole MCUs, which the encoder reads a row of at a time (as jpeg_read_coefficients does).
        let (h, v) = (c.h_samp_factor as u32, c.v_samp_factor as u32);
        targets.push(request(
            &mut cinfo.common,
            ffi::JPOOL_IMAGE,
            1,
            wide.next_multiple_of(h),
            tall.next_multiple_of(v),
            v,
        ));
    }
    // libjpeg keeps this array's address until the compressor is destroyed.
    let mut arrays = targets.clone();
    ffi::jpeg_write_coefficients(cinfo, arrays.as_mut_ptr());
    if let Some(profile) = icc {
        ffi::jpeg_write_icc_profile(cinfo, profile.as_ptr(), profile.len() as _);
    }

    let mut offsets = vec![0u32; components.len()];
    for (reader, &source) in readers.iter_mut().zip(&sources) {
        for (c, &target) in targets.iter().enumerate() {
            let from = *source.add(c);
            let part_tall = reader.components()[c].height_in_blocks;
            for row in 0..part_tall {
                let src = *access(&mut reader.cinfo.common, from, row, 1, 0);
                let dst = *access(&mut cinfo.common, target, offsets[c] + row, 1, 1);
                std::ptr::copy_nonoverlapping(src, dst, sizes[c].0 as usize);
            }
            offsets[c] += part_tall;
        }
    }
    ffi::jpeg_finish_compress(cinfo);
    Ok(dest.into_data())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::jpeg;

    /// A photo-like picture: gradients, edges and noise, so that trellis has choices to make.
    fn picture(width: u32, height: u32) -> Vec<u8> {
        let mut seed = 12345u32;
        (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let noise = (seed >> 27) as u8;
                let edge = if (x / 37 + y / 23) % 2 == 0 { 60 } else { 0 };
                [
                    (x * 255 / width) as u8 / 2 + edge + noise,
                    (y * 255 / height) as u8 / 2 + noise,
                    ((x + y) % 200) as u8 + noise / 2,
                ]
            })
            .collect()
    }

    fn psnr(a: &[u8], b: &[u8]) -> f64 {
        let mse = a.iter().zip(b).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum::<f64>() / a.len() as f64;
        10.0 * (255.0 * 255.0 / mse).log10()
    }

    fn rgb_of(jpeg_file: &[u8]) -> Vec<u8> {
        let pixels = jpeg::decode(jpeg_file).unwrap();
        pixels.rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
    }

    fn in_strips(rgb: &[u8], width: u32, height: u32, sub: Subsampling, parts: u32, icc: Option<&[u8]>) -> Vec<u8> {
        let mut strips = Vec::new();
        let mut start = 0usize;
        for h in strip_heights(height, sub, parts) {
            let rows = &rgb[start * width as usize * 3..(start + h as usize) * width as usize * 3];
            strips.push(encode_strip(rows, width, h, 80, sub).unwrap());
            start += h as usize;
        }
        let strips: Vec<&[u8]> = strips.iter().map(Vec::as_slice).collect();
        let whole = join(&strips, width, height, icc, Share::All).unwrap();
        // The same coefficients written in two shares make a file that decodes to the same pixels.
        let first = join(&strips, width, height, icc, Share::First).unwrap();
        let second = join(&strips, width, height, None, Share::Second).unwrap();
        let shared = splice(&[&first, &second]);
        assert_eq!(rgb_of(&shared), rgb_of(&whole), "{width}x{height}: shared scans");
        let has_profile = |file: &[u8]| file.windows(11).any(|w| w == b"ICC_PROFILE");
        assert_eq!((has_profile(&shared), has_profile(&whole)), (icc.is_some(), icc.is_some()));
        // (Their size is tested on a real photo, core/tests/parts.rs: in images this small, each
        // share's Huffman tables are a large part of the file.)
        whole
    }

    #[test]
    fn strips_fall_on_mcu_rows() {
        assert_eq!(strip_heights(3024, Subsampling::S420, 2), vec![1504, 1520]);
        assert_eq!(strip_heights(100, Subsampling::S420, 2), vec![48, 52]);
        assert_eq!(strip_heights(100, Subsampling::S444, 3), vec![32, 32, 36]);
        // Too short to split: one strip, never an empty one.
        assert_eq!(strip_heights(10, Subsampling::S420, 2), vec![10]);
        assert_eq!(strip_heights(17, Subsampling::S420, 4), vec![16, 1]);
    }

    #[test]
    fn joined_strips_are_the_whole_encode() {
        // Sizes that are not whole MCUs either way, and both samplings.
        for (width, height, sub, parts) in
            [(333, 250, Subsampling::S420, 2), (320, 241, Subsampling::S444, 3), (97, 33, Subsampling::S420, 2)]
        {
            let rgb = picture(width, height);
            let whole = jpeg::encode(&rgb, width, height, 80, sub, None).unwrap();
            let joined = in_strips(&rgb, width, height, sub, parts, None);
            let info = crate::container::parse(crate::format::Format::Jpeg, &joined).unwrap();
            assert_eq!((info.width, info.height), (width, height));
            assert!(joined.windows(2).any(|w| w == [0xFF, 0xC2]), "progressive (SOF2)");
            let (q_whole, q_joined) = (psnr(&rgb, &rgb_of(&whole)), psnr(&rgb, &rgb_of(&joined)));
            assert!(
                (q_whole - q_joined).abs() < 0.1,
                "{width}x{height}: {q_whole:.2} dB whole, {q_joined:.2} dB joined"
            );
            let growth = joined.len() as f64 / whole.len() as f64;
            assert!((0.98..1.02).contains(&growth), "{width}x{height}: {} vs {} bytes", joined.len(), whole.len());
            // The strips' seams are invisible: the joined file decodes like the whole one.
            assert!(psnr(&rgb_of(&whole), &rgb_of(&joined)) > 40.0);
        }
    }

    #[test]
    fn one_strip_joins_and_the_profile_is_embedded() {
        let rgb = picture(64, 48);
        let icc = vec![7u8; 600];
        let joined = in_strips(&rgb, 64, 48, Subsampling::S420, 1, Some(&icc));
        assert!(joined.windows(11).any(|w| w == b"ICC_PROFILE"));
        assert!(psnr(&rgb, &rgb_of(&joined)) > 30.0);
    }

    #[test]
    fn strips_that_do_not_make_the_image_are_refused() {
        let rgb = picture(64, 64);
        let top = encode_strip(&rgb[..64 * 32 * 3], 64, 32, 80, Subsampling::S420).unwrap();
        assert!(join(&[&top], 64, 64, None, Share::All).is_err(), "too few rows");
        assert!(join(&[&top, &top], 48, 64, None, Share::All).is_err(), "another width");
        // 24 rows, then 40: the rows add up, but the first strip ends inside an MCU row (the
        // chroma's block rows add up to 5, not the image's 4). Refused before anything is
        // written, the large profile included.
        let odd = encode_strip(&rgb[..64 * 24 * 3], 64, 24, 80, Subsampling::S420).unwrap();
        let rest = encode_strip(&rgb[64 * 24 * 3..], 64, 40, 80, Subsampling::S420).unwrap();
        let icc = vec![3u8; 200_000];
        assert!(join(&[&odd, &rest], 64, 64, Some(&icc), Share::First).is_err());
        let full = encode_strip(&rgb[64 * 32 * 3..], 64, 32, 80, Subsampling::S444).unwrap();
        assert!(join(&[&top, &full], 64, 64, Some(&icc), Share::All).is_err(), "other sampling");
        assert!(join(&[&top, &top[..0]], 64, 64, None, Share::All).is_err(), "an empty strip");
        assert!(join(&[], 64, 64, None, Share::Second).is_err());
    }
}
