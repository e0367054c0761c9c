#![cfg(not(target_arch = "wasm32"))]
//! Converting colours to sRGB, judged against LittleCMS 2 (Pillow's ImageCms,
//! tests/tools/srgb.py): every corpus image with an RGB or grey ICC profile,
//! converted with "convert to sRGB", must match LittleCMS's conversion of the
//! original and carry no profile; a profile the engine cannot use must be a
//! clear error, never a silent pass-through.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{corpus_dir, index, EXPECTED_ERRORS, SUPPORTED};
use traceless_core::{convert, inspect, ColourMode, ConvertOptions, ErrorKind, OutputFormat};

/// Images above this many pixels are skipped: lossless PNG of them is slow to write and compare.
const MAX_PIXELS: u64 = 4_000_000;

#[test]
fn conversion_to_srgb_matches_littlecms() {
    let corpus = corpus_dir();
    let out_dir = std::env::temp_dir().join(format!("traceless-srgb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let options = ConvertOptions {
        format: OutputFormat::Png,
        colour: ColourMode::ConvertToSrgb,
        png_level: Some(0),
        ..ConvertOptions::default()
    };
    let mut pairs = String::new();
    let mut refused = Vec::new();
    for row in index() {
        if !SUPPORTED.contains(&row.format.as_str())
            || row.animated
            || EXPECTED_ERRORS.iter().any(|(p, _)| *p == row.path)
        {
            continue;
        }
        let source = corpus.join(&row.path);
        let data = std::fs::read(&source).unwrap();
        let Ok(report) = inspect(&data) else { continue };
        if report.icc.is_none() || u64::from(report.width) * u64::from(report.height) > MAX_PIXELS {
            continue;
        }
        match convert(&data, &options) {
            Ok(out) => {
                assert!(!out.report.icc_kept, "{}: the profile was kept", row.path);
                let path = out_dir.join(format!("{}.png", pairs.lines().count()));
                std::fs::write(&path, &out.data).unwrap();
                pairs.push_str(&format!("{}\t{}\n", source.display(), path.display()));
            }
            Err(e) if e.kind == ErrorKind::Unsupported && e.to_string().contains("colour profile") => {
                refused.push(row.path.clone());
            }
            Err(e) => panic!("{}: {e}", row.path),
        }
    }
    let results = judge(&pairs);
    let mut failures = Vec::new();
    for (source, verdict) in &results {
        let number = |key: &str| verdict.get(key).and_then(serde_json::Value::as_f64);
        match (number("mean"), number("p99")) {
            // 8-bit pipelines differ by rounding; a wrong or ignored profile shows as tens of levels.
            (Some(mean), Some(p99)) if mean <= 1.0 && p99 <= 3.0 => {}
            _ => failures.push(format!("{source}: {verdict}")),
        }
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    let converted = results.len();
    eprintln!("sRGB: {converted} images matched LittleCMS; refused with a clear error: {refused:?}");
    assert!(converted >= 20, "too few corpus images with a profile were checked: {converted}");
    assert!(refused.len() <= 2, "profiles refused: {refused:?}");
    assert!(failures.is_empty(), "{} differ from LittleCMS:\n{}", failures.len(), failures.join("\n"));
}

fn judge(pairs: &str) -> serde_json::Map<String, serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/srgb.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with Pillow");
    child.stdin.take().unwrap().write_all(pairs.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "srgb.py failed");
    serde_json::from_slice(&out.stdout).expect("srgb.py JSON")
}
