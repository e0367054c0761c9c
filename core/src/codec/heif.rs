//! HEIC/HEIF decoding, through heifer: HEVC in pure Rust with no unsafe code,
//! grids, alpha, 8 to 12 bits, 4:2:0 to 4:4:4, and the file's crop, rotation
//! and mirroring applied (in that order, as HEIF requires), so the pixels come
//! out upright. Chosen over libde265 (C++, LGPL-3.0, our own HEIF layer still to
//! write) and zune-heic (8-bit 4:2:0 only), measured: README, "HEIC decoding".

use super::Pixels;
use crate::error::{Error, ErrorKind, Result};
use crate::transcode::MAX_DECODE_PIXELS;

/// The primary image, upright, as RGBA8, in the colours it was coded in (as
/// libheif gives them): the converter keeps or converts an ICC profile as for
/// any image. heifer's sRGB conversion is not used: without a profile it also
/// converts from the transfer curve an HEVC stream declares (BT.601 on most
/// phones), which made photos visibly lighter than every viewer shows them.
pub(crate) fn decode(data: &[u8]) -> Result<Pixels> {
    // Grid tiles on every core natively; in wasm there is one.
    let options = heifer::Options { max_threads: 0, max_pixels: MAX_DECODE_PIXELS };
    // heifer may still panic on data nobody has tried yet (`heif_work` checks what a review
    // found): natively that is this file's error, not the end of a batch. In wasm a panic
    // aborts: the extension reports the stopped engine and starts another. Under the fuzzer
    // the panic goes on, so that it is found.
    #[cfg(not(fuzzing))]
    let image = std::panic::catch_unwind(|| heifer::decode_rgba8(data, &options))
        .unwrap_or(Err(heifer::Error::Invalid("the HEVC decoder failed on this data")))
        .map_err(error)?;
    #[cfg(fuzzing)]
    let image = heifer::decode_rgba8(data, &options).map_err(error)?;
    // A crop or size of zero (heifer clamps crops where the AVIF path refuses them).
    if image.width == 0 || image.height == 0 {
        return Err(error(heifer::Error::Invalid("the image has no pixels (a size or crop of zero)")));
    }
    Ok(Pixels { rgba: image.data, width: image.width, height: image.height })
}

pub(crate) fn error(e: impl Into<heifer::Error>) -> Error {
    let e = e.into();
    let (kind, message) = match &e {
        heifer::Error::Unsupported(_) => {
            (ErrorKind::Unsupported, format!("this HEIF cannot be decoded here ({e}), but removing its metadata works"))
        }
        _ => (ErrorKind::Corrupt, format!("the image data cannot be decoded ({e})")),
    };
    let error = Error::new(kind, message).in_format("HEIF");
    if kind == ErrorKind::Unsupported {
        error.because_with(crate::error::reason::CANNOT_CONVERT, &[&"HEIF"])
    } else {
        error
    }
}
