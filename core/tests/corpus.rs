#![cfg(not(target_arch = "wasm32"))]
//! Every image in the shared corpus, judged by independent tools: exiftool for
//! what metadata remains, Pillow and the image crate for the pixels.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{
    corpus_dir, decode_frames, exiftool, field, index, leaks, pillow_hashes, EXPECTED_ERRORS, HEIF, SUPPORTED,
};
use serde_json::{Map, Value};
use traceless_core::{clean, ErrorKind, Policy};

#[test]
fn corpus_cleaning_removes_everything_and_keeps_pixels_icc_and_orientation() {
    let corpus = corpus_dir();
    let out_dir = std::env::temp_dir().join(format!("traceless-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let rows: Vec<_> = index().into_iter().filter(|r| SUPPORTED.contains(&r.format.as_str())).collect();
    assert!(rows.len() >= 400, "the corpus should hold over 400 supported images, found {}", rows.len());

    let mut failures = Vec::new();
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for row in &rows {
        let original = corpus.join(&row.path);
        let data = std::fs::read(&original).expect("read corpus file");
        let expected_error = EXPECTED_ERRORS.iter().find(|(p, _)| *p == row.path);
        match (clean(&data, &Policy::default()), expected_error) {
            (Ok(cleaned), None) => {
                let again = clean(&cleaned.data, &Policy::default()).expect("cleaned output cleans again");
                if again.data != cleaned.data {
                    failures.push(format!("{}: cleaning is not idempotent", row.path));
                }
                match (decode_frames(&data), decode_frames(&cleaned.data)) {
                    (Ok(a), Ok(b)) if a != b => {
                        failures.push(format!("{}: image crate decodes different pixels", row.path))
                    }
                    (Ok(_), Err(e)) => failures.push(format!("{}: cleaned file no longer decodes: {e}", row.path)),
                    _ => {}
                }
                let out = out_dir.join(&row.path);
                std::fs::create_dir_all(out.parent().unwrap()).unwrap();
                std::fs::write(&out, &cleaned.data).unwrap();
                pairs.push((original, out));
            }
            (Err(e), Some((_, kind))) if e.kind == *kind => {}
            (Ok(_), Some(_)) => failures.push(format!("{}: corrupt file was accepted", row.path)),
            (Err(e), _) => failures.push(format!("{}: {e}", row.path)),
        }
    }

    let originals: Vec<PathBuf> = pairs.iter().map(|(o, _)| o.clone()).collect();
    let outputs: Vec<PathBuf> = pairs.iter().map(|(_, c)| c.clone()).collect();
    let meta_before = exiftool(&originals, &[]);
    let meta_after = exiftool(&outputs, &[]);
    let icc_before = exiftool(&originals, &["-b", "-ICC_Profile"]);
    let icc_after = exiftool(&outputs, &["-b", "-ICC_Profile"]);
    let pixels: HashMap<String, Value> = pillow_hashes(&[originals.clone(), outputs.clone()].concat());

    let mut judged_dirty = 0;
    for (original, output) in &pairs {
        let (o, c) = (original.display().to_string(), output.display().to_string());
        let name = original.strip_prefix(&corpus).unwrap().display().to_string();
        let (Some(before), Some(after)) = (meta_before.get(&o), meta_after.get(&c)) else {
            failures.push(format!("{name}: exiftool gave no result"));
            continue;
        };
        if !leaks(before).is_empty() {
            judged_dirty += 1;
        }
        let left = leaks(after);
        if !left.is_empty() {
            failures.push(format!("{name}: exiftool still finds {left:?}"));
        }
        let icc =
            |m: &HashMap<String, Map<String, Value>>, k: &str| m.get(k).and_then(|r| field(r, "ICC_Profile").cloned());
        if icc(&icc_before, &o) != icc(&icc_after, &c) {
            failures.push(format!("{name}: ICC profile bytes changed"));
        }
        let orientation = |r: &Map<String, Value>| {
            r.get("EXIF:IFD0:Orientation").and_then(Value::as_u64).filter(|v| (2..=8).contains(v))
        };
        if orientation(before) != orientation(after) {
            failures.push(format!("{name}: orientation {:?} became {:?}", orientation(before), orientation(after)));
        }
        // Pillow refuses a few originals for their metadata (e.g. a malformed MPF
        // index) and reads the cleaned copy; the image crate still compared those.
        let pillow_refused_original = pixels.get(&o).and_then(Value::as_str).is_some_and(|s| s.starts_with("error"));
        if pixels.get(&o) != pixels.get(&c) && !pillow_refused_original {
            failures.push(format!(
                "{name}: Pillow decodes different pixels ({:?} vs {:?})",
                pixels.get(&o),
                pixels.get(&c)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    // The judge must have seen metadata in the originals, or this test proves nothing.
    assert!(judged_dirty >= 150, "exiftool found metadata in only {judged_dirty} originals");
}

#[test]
fn corpus_unsupported_and_unknown_files_are_refused_with_their_type() {
    let corpus = corpus_dir();
    let mut failures = Vec::new();
    let mut checked = 0;
    // HEIF and AVIF are cleaned now, and judged by tests/heif.rs.
    let unsupported = |r: &common::Row| !SUPPORTED.contains(&r.format.as_str()) && !HEIF.contains(&r.format.as_str());
    for row in index().into_iter().filter(unsupported) {
        let data = std::fs::read(corpus.join(&row.path)).unwrap();
        checked += 1;
        match clean(&data, &Policy::default()) {
            Ok(_) => failures.push(format!("{}: a {} file was accepted", row.path, row.format)),
            Err(e) if row.format == "unknown" => {
                if e.kind != ErrorKind::Unrecognised {
                    failures.push(format!("{}: expected 'not recognised', got {e}", row.path));
                }
            }
            Err(e) => {
                let named = e.format.unwrap_or_default().to_uppercase().replace(' ', "");
                let want = row.format.to_uppercase();
                let same = named == want || (want == "HEIF" && named == "HEIC") || (want == "JXL" && named == "JPEGXL");
                if e.kind != ErrorKind::Unsupported || !same {
                    failures.push(format!("{}: expected unsupported {}, got {e} ({named})", row.path, row.format));
                }
            }
        }
    }
    // TIFF, BMP, JPEG XL and unknown files (HEIF and AVIF moved to tests/heif.rs).
    assert!(checked >= 30, "only {checked} unsupported files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes what the native engine makes of every supported corpus file, for the
/// wasm test (tests/wasm) to compare against.
#[test]
fn wasm_reference() {
    let corpus = corpus_dir();
    let mut reference = serde_json::Map::new();
    let cleaned = |r: &common::Row| SUPPORTED.contains(&r.format.as_str()) || HEIF.contains(&r.format.as_str());
    for row in index().into_iter().filter(cleaned) {
        let data = std::fs::read(corpus.join(&row.path)).unwrap();
        // Image sequences (animated AVIF): cleaned here (sequences.rs), refused by the
        // image engine's wasm module, which leaves the video reader out.
        if row.path.ends_with(".avifs") {
            reference
                .insert(row.path, serde_json::json!({ "ok": false, "kind": traceless_core::ErrorKind::Unsupported }));
            continue;
        }
        let entry = match clean(&data, &Policy::default()) {
            Ok(c) => serde_json::json!({ "ok": true, "len": c.data.len(), "sum": fnv1a(&c.data) }),
            Err(e) => serde_json::json!({ "ok": false, "kind": e.kind }),
        };
        reference.insert(row.path, entry);
    }
    // The Ultra HDR test files too (gain maps kept), keyed "ultrahdr:NAME".
    let ultrahdr = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ultrahdr/files");
    for file in std::fs::read_dir(ultrahdr).unwrap().map(|e| e.unwrap().path()) {
        if file.extension().is_some_and(|e| e == "jpg") {
            let c = clean(&std::fs::read(&file).unwrap(), &Policy::default()).unwrap();
            let name = file.file_name().unwrap().to_str().unwrap();
            reference.insert(
                format!("ultrahdr:{name}"),
                serde_json::json!({ "ok": true, "len": c.data.len(), "sum": fnv1a(&c.data) }),
            );
        }
    }
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm-reference.json");
    std::fs::write(target, serde_json::to_string_pretty(&reference).unwrap()).unwrap();
}

/// Conversions for tests/wasm to repeat in the wasm build: the C codecs are
/// compiled differently there (per-file optimisation, the trellis quantiser's
/// bit counting; scripts/wasm-clang), and must still give the same bytes.
#[test]
fn wasm_convert_reference() {
    let corpus = corpus_dir();
    let files = [
        "link-u-avif-sample-images/kimono.jpg",
        "ianare-exif-samples/jpg/orientation/portrait_6.jpg",
        "pngsuite/png/basn6a08.png",
        "libwebp-test-data/lossy_alpha1.webp",
        "exiftool/t/images/GIF.gif",
    ];
    let options = [
        serde_json::json!({ "format": "jpeg", "quality": 80, "maxWidth": 900, "maxHeight": 900 }),
        serde_json::json!({ "format": "jpeg", "quality": 95, "chroma": "full", "maxWidth": 600, "maxHeight": 600 }),
        serde_json::json!({ "format": "webp", "quality": 75, "maxWidth": 900, "maxHeight": 900 }),
        serde_json::json!({ "format": "webp", "webpLossless": true, "maxWidth": 400, "maxHeight": 400 }),
        serde_json::json!({ "format": "png", "maxWidth": 400, "maxHeight": 400 }),
        serde_json::json!({ "format": "jpeg", "targetBytes": 20000 }),
    ];
    let mut cases = Vec::new();
    for file in files {
        let data = std::fs::read(corpus.join(file)).unwrap();
        for option in &options {
            let parsed: traceless_core::ConvertOptions = serde_json::from_value(option.clone()).unwrap();
            let out = traceless_core::convert(&data, &parsed).unwrap();
            cases.push(serde_json::json!({
                "file": file, "options": option, "len": out.data.len(), "sum": fnv1a(&out.data)
            }));
        }
    }
    // Animations, for the converter module (the image module has no animation encoder).
    let animations = ["mat2/tests/data/dirty.gif", "apng/ball.png", "extended_images/anim.webp"];
    for file in animations {
        let path = index().into_iter().find(|r| r.path.ends_with(file)).expect("in the corpus").path;
        let data = std::fs::read(corpus.join(&path)).unwrap();
        for option in [
            serde_json::json!({ "format": "webp", "quality": 90 }),
            serde_json::json!({ "format": "keep", "maxWidth": 40, "maxHeight": 40, "webpLossless": true }),
        ] {
            let parsed: traceless_core::ConvertOptions = serde_json::from_value(option.clone()).unwrap();
            let out = traceless_core::convert(&data, &parsed).unwrap();
            cases.push(serde_json::json!({
                "file": path, "options": option, "len": out.data.len(), "sum": fnv1a(&out.data), "module": "full"
            }));
        }
    }
    // AVIF output, for the AVIF module (libaom built for wasm32 as generic C; natively
    // with x86 SIMD: the same bytes are expected).
    for (file, option) in [
        (
            "link-u-avif-sample-images/kimono.jpg",
            serde_json::json!({ "format": "avif", "quality": 60, "maxWidth": 600, "maxHeight": 600 }),
        ),
        ("pngsuite/png/basn6a08.png", serde_json::json!({ "format": "avif", "quality": 80, "chroma": "full" })),
        ("ianare-exif-samples/jpg/orientation/portrait_6.jpg", serde_json::json!({ "format": "avif", "avifSpeed": 8 })),
    ] {
        let data = std::fs::read(corpus.join(file)).unwrap();
        let parsed: traceless_core::ConvertOptions = serde_json::from_value(option.clone()).unwrap();
        let out = traceless_core::convert(&data, &parsed).unwrap();
        cases.push(serde_json::json!({
            "file": file, "options": option, "len": out.data.len(), "sum": fnv1a(&out.data), "module": "avif"
        }));
    }
    // AVIF input, for the AVIF module's rav1d (the extension's fallback when the
    // browser's decoder refuses a file): every corpus AVIF, decoded to the same
    // pixels as here, or refused with the same kind of error. Small PNGs keep the
    // run short; any decoding difference still shows.
    for row in index().into_iter().filter(|r| r.format == "AVIF") {
        let data = std::fs::read(corpus.join(&row.path)).unwrap();
        let option = serde_json::json!({ "format": "png", "maxWidth": 512, "maxHeight": 512, "pngLevel": 0 });
        let parsed: traceless_core::ConvertOptions = serde_json::from_value(option.clone()).unwrap();
        cases.push(match traceless_core::convert(&data, &parsed) {
            Ok(out) => serde_json::json!({
                "file": row.path, "options": option, "len": out.data.len(), "sum": fnv1a(&out.data), "module": "avif"
            }),
            Err(e) => serde_json::json!({
                "file": row.path, "options": option, "error": e.kind.as_str(), "module": "avif"
            }),
        });
    }
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm-convert-reference.json");
    std::fs::write(target, serde_json::to_string_pretty(&cases).unwrap()).unwrap();
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2166136261u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(16777619))
}
