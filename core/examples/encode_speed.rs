//! The native encoders on raw RGBA, for bench/codecs.mjs (which runs the wasm
//! builds beside it). Prints one JSON line: encode time, output size, peak RSS.
//!
//! Usage: encode_speed RAW WIDTH HEIGHT jpeg|png|webp|avif QUALITY OUT
use std::time::Instant;

use traceless_core::{encode_rgba, ConvertOptions, OutputFormat};

/// Peak resident memory of this process in KiB (Linux's VmHWM).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        eprintln!("usage: encode_speed RAW WIDTH HEIGHT jpeg|png|webp|avif QUALITY OUT");
        std::process::exit(2);
    }
    let rgba = std::fs::read(&args[1]).expect("read the raw pixels");
    let (width, height): (u32, u32) = (args[2].parse().unwrap(), args[3].parse().unwrap());
    let format = match args[4].as_str() {
        "jpeg" => OutputFormat::Jpeg,
        "png" => OutputFormat::Png,
        "webp" => OutputFormat::Webp,
        "avif" => OutputFormat::Avif,
        other => panic!("unknown format {other}"),
    };
    let options = ConvertOptions { format, quality: args[5].parse().unwrap(), ..ConvertOptions::default() };
    let started = Instant::now();
    let out = encode_rgba(&rgba, width, height, &options).expect("encode");
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    std::fs::write(&args[6], &out).expect("write the output");
    println!("{{\"ms\":{ms:.1},\"bytes\":{},\"peakKib\":{}}}", out.len(), peak_rss_kib());
}
