#![cfg(not(target_arch = "wasm32"))]
//! Inputs that once broke the engine (found by fuzzing), kept so they never do again.

use traceless_core::{clean, convert, inspect, ConvertOptions, Policy};

#[test]
fn past_crashers_give_results_or_errors_not_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = inspect(&data);
        let _ = clean(&data, &Policy::default());
        let _ = convert(&data, &ConvertOptions::default());
        count += 1;
    }
    assert!(count >= 1);
}

#[test]
fn a_transparent_image_with_a_colour_profile_converts_to_a_valid_lossy_webp() {
    // Found by the convert fuzz target's 10^7 run: libwebp writes an extended file
    // (VP8X, ALPH, VP8) for lossy with alpha, and a second VP8X was put before it.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut data = std::fs::read(dir.join("gif-alpha-icc-to-lossy-webp.gif")).unwrap();
    // The fuzzer's profile has a tag count past any profile's (since session 37 such a
    // profile goes: a device tag could hide past the entries read); an empty table keeps
    // it, and with it what this test is about. The count is in the first sub-block.
    let at = data.windows(11).position(|w| w == b"ICCRGBG1012").unwrap() + 12;
    assert!(data[at - 1] as usize >= 132, "the first sub-block holds the profile's header");
    data[at + 128..at + 132].fill(0);
    let options = ConvertOptions {
        format: traceless_core::OutputFormat::Webp,
        quality: 13,
        max_width: Some(64),
        max_height: Some(64),
        ..ConvertOptions::default()
    };
    let converted = convert(&data, &options).unwrap();
    let report = inspect(&converted.data).unwrap();
    assert_eq!(report.format, traceless_core::Format::Webp);
    assert!(report.icc.is_some(), "the profile is carried over");
    assert_eq!(converted.data.windows(4).filter(|w| w == b"VP8X").count(), 1);
}
