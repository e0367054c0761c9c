//! Values and errors as JavaScript sees them, shared by the engine's wasm
//! modules (wasm-video includes this file by path: a crate for two functions
//! would cost more than it saves).

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Plain JS objects (maps as objects, 64-bit numbers as numbers).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// A JS `Error` with the engine's message, its `kind` and, when it has one, its
/// `reason` code with `args` (the extension words these in the user's language).
pub(crate) fn error(e: traceless_core::Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    let _ = js_sys::Reflect::set(&js, &"kind".into(), &e.kind.as_str().into());
    if let Some(reason) = e.reason {
        let args: js_sys::Array = reason.args.iter().map(|a| JsValue::from_str(a)).collect();
        let _ = js_sys::Reflect::set(&js, &"reason".into(), &reason.code.into());
        let _ = js_sys::Reflect::set(&js, &"args".into(), &args);
    }
    js.into()
}
