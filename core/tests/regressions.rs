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
