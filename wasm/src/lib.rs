//! The Traceless engine for JavaScript: a few functions over bytes, as in
//! jSquash's codec glue. Options and reports cross as plain objects; errors are
//! JS `Error`s carrying the engine's message and a `kind`.

use wasm_bindgen::prelude::*;

mod js;
use js::{error, to_js};

fn options<T: serde::de::DeserializeOwned + Default>(value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsValue::from(js_sys::Error::new(&format!("invalid options: {e}"))))
}

/// `{ data: Uint8Array, report }`
fn with_data(data: &[u8], report: JsValue) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"data".into(), &js_sys::Uint8Array::from(data).into())?;
    js_sys::Reflect::set(&out, &"report".into(), &report)?;
    Ok(out.into())
}

/// What the image reveals (an `InspectReport`).
#[wasm_bindgen]
pub fn inspect(bytes: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&traceless_core::inspect(bytes).map_err(error)?)
}

/// Removes metadata losslessly. `policy` is a `Policy` object (or undefined for the default).
#[wasm_bindgen]
pub fn clean(bytes: &[u8], policy: JsValue) -> Result<JsValue, JsValue> {
    let policy: traceless_core::Policy = options(policy)?;
    let cleaned = traceless_core::clean(bytes, &policy).map_err(error)?;
    with_data(&cleaned.data, to_js(&cleaned.report)?)
}

/// Re-encodes (format, quality, size, target size). `options` is a `ConvertOptions` object.
#[wasm_bindgen]
pub fn convert(bytes: &[u8], options_value: JsValue) -> Result<JsValue, JsValue> {
    let opts: traceless_core::ConvertOptions = options(options_value)?;
    let converted = traceless_core::convert(bytes, &opts).map_err(error)?;
    with_data(&converted.data, to_js(&converted.report)?)
}

/// Converts an image whose pixels the caller decoded (the browser decodes AVIF; `decode_upright`):
/// `rgba` is `width * height * 4` bytes, upright, unpremultiplied; `bytes` is the
/// file, read for what it reveals and its colour profile. Only in the module with
/// the HEVC decoder, which is loaded to convert such images anyway.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn convert_decoded(
    bytes: &[u8],
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    options_value: JsValue,
) -> Result<JsValue, JsValue> {
    let opts: traceless_core::ConvertOptions = options(options_value)?;
    let converted = traceless_core::convert_decoded(bytes, rgba, width, height, &opts).map_err(error)?;
    with_data(&converted.data, to_js(&converted.report)?)
}

/// `{ rgba: Uint8Array, width, height }`: the pixels `convert` starts from (upright,
/// RGBA8, in the file's colour space). The converter shows a HEIC with `screen_picture`
/// of them and passes them to `convert_decoded` rather than decoding the file again.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn decode_upright(bytes: &[u8]) -> Result<JsValue, JsValue> {
    decoded_to_js(&traceless_core::decode_upright(bytes).map_err(error)?)
}

#[cfg(feature = "full")]
fn decoded_to_js(decoded: &traceless_core::DecodedImage) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"rgba".into(), &js_sys::Uint8Array::from(decoded.rgba.as_slice()).into())?;
    js_sys::Reflect::set(&out, &"width".into(), &decoded.width.into())?;
    js_sys::Reflect::set(&out, &"height".into(), &decoded.height.into())?;
    Ok(out.into())
}

/// Band `index` of `count` of `decode_upright(bytes)`, for workers that decode one
/// photo together (a grid HEIC's tiles): `{ rows, screen? }` for `join_upright_bands`
/// (`screen`: the rows in sRGB for the picture shown, when they need converting; null if
/// they could not be: the pixels stand without a picture); or, for an image not decoded
/// in bands, `{ rgba, width, height }` from the first band and null from the others.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn decode_upright_band(bytes: &[u8], index: u32, count: u32) -> Result<JsValue, JsValue> {
    match traceless_core::decode_upright_band(bytes, index, count).map_err(error)? {
        traceless_core::UprightBand::Whole(decoded) => decoded_to_js(&decoded),
        traceless_core::UprightBand::Nothing => Ok(JsValue::NULL),
        traceless_core::UprightBand::Rows(rows) => {
            let out = js_sys::Object::new();
            match traceless_core::screen_rows(bytes, &rows) {
                Ok(Some(screen)) => {
                    js_sys::Reflect::set(&out, &"screen".into(), &js_sys::Uint8Array::from(screen.as_slice()).into())?;
                }
                Ok(None) => {}
                // A profile that cannot be shown costs the picture (screen_picture says why),
                // not the pixels the conversion starts from.
                Err(_) => {
                    js_sys::Reflect::set(&out, &"screen".into(), &JsValue::NULL)?;
                }
            }
            js_sys::Reflect::set(&out, &"rows".into(), &js_sys::Uint8Array::from(rows.as_slice()).into())?;
            Ok(out.into())
        }
    }
}

/// `decode_upright(bytes)`'s `{ rgba, width, height }` from every band's rows, in
/// order, with `picture`: `screen_picture` of them, from every band's `screen` (or its
/// rows where it had none), in the same order; no picture when `screens` is empty.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn join_upright_bands(bytes: &[u8], bands: js_sys::Array, screens: js_sys::Array) -> Result<JsValue, JsValue> {
    // Out of the module's memory before the join takes as much again.
    let picture = if screens.length() == 0 {
        None
    } else {
        let bmp = traceless_core::screen_picture_of_bands(bytes, byte_arrays(&screens)).map_err(error)?;
        Some(js_sys::Uint8Array::from(bmp.as_slice()))
    };
    let out = decoded_to_js(&traceless_core::join_upright_bands(bytes, byte_arrays(&bands)).map_err(error)?)?;
    if let Some(picture) = picture {
        js_sys::Reflect::set(&out, &"picture".into(), &picture.into())?;
    }
    Ok(out)
}

/// A BMP to show `decode_upright`'s pixels of `bytes` with: sRGB, made fast.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn screen_picture(bytes: &[u8], rgba: Vec<u8>, width: u32, height: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let pixels = traceless_core::DecodedImage { rgba, width, height };
    let png = traceless_core::screen_picture(bytes, &pixels).map_err(error)?;
    Ok(js_sys::Uint8Array::from(png.as_slice()))
}

/// A small sRGB BMP of `bytes` (a HEIC) within `size` × `size`, for a list of files:
/// from the photo's own thumbnail when it has one of its shape, else (with
/// `decode_photo`; otherwise undefined) from the photo.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn list_picture(bytes: &[u8], size: u32, decode_photo: bool) -> Result<Option<js_sys::Uint8Array>, JsValue> {
    let bmp = traceless_core::list_picture(bytes, size, decode_photo).map_err(error)?;
    Ok(bmp.map(|bmp| js_sys::Uint8Array::from(bmp.as_slice())))
}

/// `convert` (or `convert_decoded`, given `rgba`), with a JPEG's encoding left in up to
/// `parts` strips for other workers: `{ data, report }` when converted whole (small
/// images, other formats), else `{ job, strips }`, each strip RGB rows for `encode_part`.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn convert_in_parts(
    bytes: &[u8],
    rgba: Option<Vec<u8>>,
    width: u32,
    height: u32,
    options_value: JsValue,
    parts: u32,
) -> Result<JsValue, JsValue> {
    let opts: traceless_core::ConvertOptions = options(options_value)?;
    let decoded = rgba.map(|rgba| traceless_core::DecodedImage { rgba, width, height });
    match traceless_core::convert_in_parts(bytes, decoded, &opts, parts).map_err(error)? {
        traceless_core::InParts::Whole(converted) => with_data(&converted.data, to_js(&converted.report)?),
        traceless_core::InParts::Parts(split) => {
            let strips: js_sys::Array =
                (0..split.job.heights.len()).map(|k| js_sys::Uint8Array::from(split.strip(k))).collect();
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"job".into(), &to_js(&split.job)?)?;
            js_sys::Reflect::set(&out, &"strips".into(), &strips)?;
            Ok(out.into())
        }
    }
}

#[cfg(feature = "full")]
fn parts_job(value: JsValue) -> Result<traceless_core::PartsJob, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsValue::from(js_sys::Error::new(&format!("invalid job: {e}"))))
}

/// One strip of a `convert_in_parts` job (`rgb`: its rows, `height` of them), encoded.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn encode_part(rgb: &[u8], height: u32, job: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
    let job = parts_job(job)?;
    let data = traceless_core::encode_part(rgb, height, &job).map_err(error)?;
    Ok(js_sys::Uint8Array::from(data.as_slice()))
}

#[cfg(feature = "full")]
fn byte_arrays(array: &js_sys::Array) -> Vec<Vec<u8>> {
    array.iter().map(|bytes| js_sys::Uint8Array::new(&bytes).to_vec()).collect()
}

/// Half (`half` 0 or 1) of the file's scans, from a job's encoded strips, top to bottom;
/// two workers write one each. The strips are checked first: libjpeg reads them, and its
/// errors would stop the module.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn write_scans(strips: js_sys::Array, job: JsValue, half: u32) -> Result<js_sys::Uint8Array, JsValue> {
    let job = parts_job(job)?;
    let strips = byte_arrays(&strips);
    let strips: Vec<&[u8]> = strips.iter().map(Vec::as_slice).collect();
    let data = traceless_core::write_scans(&strips, &job, half).map_err(error)?;
    Ok(js_sys::Uint8Array::from(data.as_slice()))
}

/// `{ data, report }`: the file from `write_scans`' two halves, in order. `jobs`: the
/// job, or each strip's (from `encode_decoded_strip`).
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn splice_scans(halves: js_sys::Array, jobs: js_sys::Array) -> Result<JsValue, JsValue> {
    let jobs = jobs.iter().map(parts_job).collect::<Result<Vec<_>, _>>()?;
    let halves = byte_arrays(&halves);
    let halves: Vec<&[u8]> = halves.iter().map(Vec::as_slice).collect();
    let converted = traceless_core::splice_scans(&halves, &jobs).map_err(error)?;
    with_data(&converted.data, to_js(&converted.report)?)
}

/// `{ strip, job }`: strip `index` of `heights` (the engine's cut, as `convert_in_parts`
/// makes it) of the JPEG `convert_decoded` would make, from `rgba`, that strip's rows of
/// `decode_upright`'s pixels: prepared and encoded here, so that each worker prepares
/// only its own rows.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn encode_decoded_strip(
    bytes: &[u8],
    rgba: Vec<u8>,
    width: u32,
    heights: Vec<u32>,
    index: usize,
    options_value: JsValue,
) -> Result<JsValue, JsValue> {
    let opts: traceless_core::ConvertOptions = options(options_value)?;
    let (strip, job) =
        traceless_core::encode_decoded_strip(bytes, rgba, width, &heights, index, &opts).map_err(error)?;
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"strip".into(), &js_sys::Uint8Array::from(strip.as_slice()).into())?;
    js_sys::Reflect::set(&out, &"job".into(), &to_js(&job)?)?;
    Ok(out.into())
}

/// Encodes raw RGBA pixels (`width * height * 4` bytes) as `options.format`
/// (jpeg, png, webp or avif) with the options' quality and codec settings. For callers
/// that already hold pixels; returns the file's bytes.
#[wasm_bindgen]
pub fn encode(rgba: &[u8], width: u32, height: u32, options_value: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
    let opts: traceless_core::ConvertOptions = options(options_value)?;
    let data = traceless_core::encode_rgba(rgba, width, height, &opts).map_err(error)?;
    Ok(js_sys::Uint8Array::from(data.as_slice()))
}

/// The module's linear memory in bytes. Wasm memory only grows, so this is the
/// high-water mark of everything the engine has held: tests use it to show that
/// repeated work leaves nothing behind.
#[wasm_bindgen]
pub fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0) * 65536;
    #[cfg(not(target_arch = "wasm32"))]
    0
}
