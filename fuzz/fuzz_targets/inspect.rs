#![no_main]
//! Inspecting any bytes must not panic, and its report must serialise.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = traceless_core::inspect(data) {
        assert!(report.findings.len() <= traceless_core::limits::MAX_FINDINGS);
        assert_eq!(report.bytes as usize, data.len());
    }
});
