#![no_main]
//! Converting any bytes must not panic; what comes out must be a clean image of
//! the asked format within the asked bounds. Options come from the first bytes.

use libfuzzer_sys::fuzz_target;
use traceless_core::{convert, inspect, Category, ConvertOptions, OutputFormat};

fuzz_target!(|data: &[u8]| {
    let Some((&[format, quality, bound, flags], image)) = data.split_first_chunk::<4>() else { return };
    // Keep each run fast: big (valid) images, and long animations (every frame is
    // encoded), only slow the fuzzer down.
    match inspect(image) {
        Ok(r) if u64::from(r.width) * u64::from(r.height) * u64::from(r.frames.max(1)) <= 1 << 21 => {}
        _ => return,
    }
    let options = ConvertOptions {
        format: [OutputFormat::Keep, OutputFormat::Jpeg, OutputFormat::Png, OutputFormat::Webp][usize::from(format % 4)],
        quality: quality % 101,
        max_width: (bound > 0).then_some(u32::from(bound)),
        max_height: (bound > 0).then_some(u32::from(bound)),
        target_bytes: (flags & 1 == 1).then_some(u64::from(quality) * 64 + 200),
        webp_lossless: flags & 2 == 2,
        png_level: Some(0),
        ..ConvertOptions::default()
    };
    if let Ok(converted) = convert(image, &options) {
        let report = inspect(&converted.data).expect("converted output parses");
        assert!(report.findings.iter().all(|f| f.category == Category::Display), "{:?}", report.findings);
        if bound > 0 {
            assert!(report.width <= u32::from(bound) && report.height <= u32::from(bound));
        }
        if let Some(target) = options.target_bytes {
            assert!(converted.data.len() as u64 <= target);
        }
    }
});
