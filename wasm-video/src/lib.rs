//! The Traceless video cleaner for JavaScript (and, whole, the image sequences
//! the image engine leaves to it: `clean_sequence`). A video never enters this
//! module whole: the caller holds it as a `Blob` and passes the byte ranges
//! read so far; the engine either asks for one more range (`{ need: [offset,
//! length] }`) or answers. Cleaning answers with a plan (new bytes, ranges of
//! the original to copy, runs of zeros) that the caller turns into a `Blob` of
//! slices of the original, so the media data is never read.

use std::io;

use traceless_core::video::source::Source;
use traceless_core::video::{self, Piece};
use wasm_bindgen::prelude::*;

#[path = "../../wasm/src/js.rs"]
mod js;
use js::{error, to_js};

/// The ranges of the input read so far. A read that none of them covers is
/// recorded as the range to ask for, and fails.
struct Fetched {
    len: u64,
    ranges: Vec<(u64, Vec<u8>)>,
    missing: Option<(u64, u64)>,
}

impl Source for Fetched {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset.checked_add(buf.len() as u64).filter(|&e| e <= self.len);
        let Some(end) = end else { return Err(io::ErrorKind::UnexpectedEof.into()) };
        for (start, bytes) in &self.ranges {
            if *start <= offset && end <= start + bytes.len() as u64 {
                let at = (offset - start) as usize;
                buf.copy_from_slice(&bytes[at..at + buf.len()]);
                return Ok(());
            }
        }
        // The first miss is the one to fetch: later reads may depend on it.
        self.missing.get_or_insert((offset, buf.len() as u64));
        Err(io::ErrorKind::WouldBlock.into())
    }
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    js_sys::Reflect::set(object, &key.into(), value).map(|_| ())
}

/// `ranges`: an array of `[offset, Uint8Array]` pairs already read from the input.
fn fetched(len: f64, ranges: &js_sys::Array) -> Result<Fetched, JsValue> {
    let mut out = Vec::with_capacity(ranges.length() as usize);
    for pair in ranges.iter() {
        let pair = js_sys::Array::from(&pair);
        let offset = pair.get(0).as_f64().ok_or_else(|| js_sys::Error::new("a range without an offset"))?;
        let bytes = js_sys::Uint8Array::new(&pair.get(1)).to_vec();
        out.push((offset as u64, bytes));
    }
    Ok(Fetched { len: len as u64, ranges: out, missing: None })
}

/// `{ need: [offset, length] }`: the range to read before calling again.
fn need(missing: (u64, u64)) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    let pair = js_sys::Array::of2(&(missing.0 as f64).into(), &(missing.1 as f64).into());
    set(&out, "need", &pair)?;
    Ok(out.into())
}

/// The video format of the first bytes (`"mp4"` or `"mov"`), or `undefined`.
#[wasm_bindgen]
pub fn detect(head: &[u8]) -> Result<JsValue, JsValue> {
    video::detect(head).map_or(Ok(JsValue::UNDEFINED), |f| to_js(&f))
}

/// What the video reveals: `{ need }` or `{ report }` (an `InspectReport`).
#[wasm_bindgen]
pub fn inspect(len: f64, ranges: &js_sys::Array) -> Result<JsValue, JsValue> {
    let mut source = fetched(len, ranges)?;
    let result = video::inspect_source(&mut source);
    if let Some(missing) = source.missing {
        return need(missing);
    }
    let out = js_sys::Object::new();
    set(&out, "report", &to_js(&result.map_err(error)?)?)?;
    Ok(out.into())
}

/// An image sequence (an animated AVIF), cleaned: `{ data, report }`. Read whole,
/// as images are (the image engine refuses sequences: it leaves out the video
/// reader their movie needs, which this module has).
#[wasm_bindgen]
pub fn clean_sequence(bytes: &[u8], policy: JsValue) -> Result<JsValue, JsValue> {
    let cleaned = traceless_core::clean_image_sequence(bytes, &policy_of(policy)?).map_err(error)?;
    let out = js_sys::Object::new();
    set(&out, "data", &js_sys::Uint8Array::from(cleaned.data.as_slice()).into())?;
    set(&out, "report", &to_js(&cleaned.report)?)?;
    Ok(out.into())
}

/// What an image sequence reveals (an `InspectReport`).
#[wasm_bindgen]
pub fn inspect_sequence(bytes: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&traceless_core::inspect_image_sequence(bytes).map_err(error)?)
}

fn policy_of(policy: JsValue) -> Result<traceless_core::Policy, JsValue> {
    if policy.is_undefined() || policy.is_null() {
        return Ok(Default::default());
    }
    serde_wasm_bindgen::from_value(policy)
        .map_err(|e| JsValue::from(js_sys::Error::new(&format!("invalid options: {e}"))))
}

/// How to write the video cleaned: `{ need }`, or `{ pieces, report }` where
/// each piece is `{ bytes: Uint8Array }`, `{ copy: [start, end] }` (a range of
/// the original) or `{ zero: length }`, and `report` a `CleanReport`.
#[wasm_bindgen]
pub fn plan(len: f64, ranges: &js_sys::Array, policy: JsValue) -> Result<JsValue, JsValue> {
    let policy = policy_of(policy)?;
    let mut source = fetched(len, ranges)?;
    let result = video::plan(&mut source, &policy);
    if let Some(missing) = source.missing {
        return need(missing);
    }
    let plan = result.map_err(error)?;
    let pieces = js_sys::Array::new();
    for piece in &plan.pieces {
        let p = js_sys::Object::new();
        match piece {
            Piece::Bytes(b) => set(&p, "bytes", &js_sys::Uint8Array::from(b.as_slice()).into())?,
            Piece::Copy(r) => set(&p, "copy", &js_sys::Array::of2(&(r.start as f64).into(), &(r.end as f64).into()))?,
            Piece::Zero(n) => set(&p, "zero", &(*n as f64).into())?,
        }
        pieces.push(&p);
    }
    let out = js_sys::Object::new();
    set(&out, "pieces", &pieces)?;
    set(&out, "report", &to_js(&plan.report)?)?;
    Ok(out.into())
}
