#![cfg(not(target_arch = "wasm32"))]
//! Conversion over the corpus and against decompression bombs, judged by
//! exiftool and an independent decode.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{corpus_dir, exiftool, field, index, leaks, EXPECTED_ERRORS, SUPPORTED};
use traceless_core::{convert, inspect, reason, ConvertOptions, ErrorKind, Format, OutputFormat};

/// Counts live and peak heap bytes, so tests can show a bomb is refused
/// without a large allocation.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
}
#[global_allocator]
static ALLOCATOR: Counting = Counting;

const BOUND: u32 = 640;

fn options(format: OutputFormat) -> ConvertOptions {
    ConvertOptions {
        format,
        max_width: Some(BOUND),
        max_height: Some(BOUND),
        png_level: Some(1),
        ..ConvertOptions::default()
    }
}

#[test]
fn every_corpus_image_converts_to_every_format_clean_upright_and_bounded() {
    let corpus = corpus_dir();
    let out_dir = std::env::temp_dir().join(format!("traceless-convert-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let rows: Vec<_> = index()
        .into_iter()
        .filter(|r| SUPPORTED.contains(&r.format.as_str()) && !EXPECTED_ERRORS.iter().any(|(p, _)| *p == r.path))
        .collect();
    let mut failures = Vec::new();
    let mut outputs: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
    let mut refused_animated = 0;
    for (i, row) in rows.iter().enumerate() {
        let original = corpus.join(&row.path);
        let data = std::fs::read(&original).unwrap();
        let before = inspect(&data).unwrap();
        for format in [OutputFormat::Jpeg, OutputFormat::Png, OutputFormat::Webp] {
            let result = convert(&data, &options(format));
            // Animations become animated WebP (tests/animation.rs); JPEG and PNG refuse them.
            if before.frames > 1 && format != OutputFormat::Webp {
                match result {
                    Err(e) if e.kind == ErrorKind::Unsupported && e.message.contains("holds a single picture") => {
                        refused_animated += 1
                    }
                    other => failures.push(format!("{}: animated input gave {:?}", row.path, other.map(|c| c.report))),
                }
                continue;
            }
            let converted = match result {
                Ok(c) => c,
                Err(e) if e.kind == ErrorKind::Unsupported && e.message.contains("JPEG") => continue,
                Err(e) => {
                    failures.push(format!("{} -> {format:?}: {e}", row.path));
                    continue;
                }
            };
            let out = &converted.data;
            let decoded = match image::load_from_memory(out) {
                Ok(d) => d,
                Err(e) => {
                    failures.push(format!("{} -> {format:?}: output does not decode: {e}", row.path));
                    continue;
                }
            };
            // Upright: orientations 5-8 swap width and height.
            let swapped = matches!(before.orientation, Some(5..=8));
            let (w, h) = if swapped { (before.height, before.width) } else { (before.width, before.height) };
            let (dw, dh) = (decoded.width(), decoded.height());
            let fits = dw <= BOUND && dh <= BOUND && dw <= w && dh <= h;
            // Rounding may move the shorter side by a pixel.
            let aspect_kept = (f64::from(dh) - f64::from(h) * f64::from(dw) / f64::from(w)).abs() <= 1.0
                || (f64::from(dw) - f64::from(w) * f64::from(dh) / f64::from(h)).abs() <= 1.0;
            if !fits || !aspect_kept {
                failures.push(format!("{}: {w}×{h} became {dw}×{dh} (bound {BOUND})", row.path));
            }
            let ext = format!("{format:?}").to_lowercase();
            let path = out_dir.join(format!("{i}.{ext}"));
            std::fs::write(&path, out).unwrap();
            let srgb_source =
                before.icc.as_ref().and_then(|i| i.description.as_deref()).is_some_and(|d| d.contains("sRGB"));
            outputs.push((original.clone(), path, srgb_source));
        }
    }
    let originals: Vec<PathBuf> = outputs.iter().map(|(o, _, _)| o.clone()).collect();
    let converted: Vec<PathBuf> = outputs.iter().map(|(_, c, _)| c.clone()).collect();
    let meta = exiftool(&converted, &[]);
    let icc_before = exiftool(&originals, &["-b", "-ICC_Profile"]);
    let icc_after = exiftool(&converted, &["-b", "-ICC_Profile"]);
    for (original, out, srgb_source) in &outputs {
        let (o, c) = (original.display().to_string(), out.display().to_string());
        let name = original.strip_prefix(&corpus).unwrap().display();
        match meta.get(&c) {
            Some(record) => {
                let left: Vec<String> = leaks(record)
                    .into_iter()
                    .chain(record.keys().filter(|k| k.starts_with("EXIF:")).cloned())
                    .collect();
                if !left.is_empty() {
                    failures.push(format!("{name} -> {c}: exiftool finds {left:?}"));
                }
            }
            None => failures.push(format!("{name} -> {c}: exiftool gave no result")),
        }
        let icc = |m: &std::collections::HashMap<String, serde_json::Map<String, serde_json::Value>>, k: &str| {
            m.get(k).and_then(|r| field(r, "ICC_Profile").cloned())
        };
        // oxipng replaces the standard sRGB profiles with the equivalent 13-byte sRGB
        // chunk, or drops them when it reduces a grey image to greyscale (untagged
        // means sRGB). Either way the colours are the same.
        let srgb_chunk = c.ends_with(".png") && *srgb_source && icc(&icc_after, &c).is_none();
        // GIFs included: their profile is an application extension (ICCRGBG1012).
        if icc(&icc_before, &o) != icc(&icc_after, &c) && !srgb_chunk {
            failures.push(format!("{name} -> {c}: ICC profile not carried over byte for byte"));
        }
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    assert!(outputs.len() >= 900, "only {} conversions checked", outputs.len());
    assert!(refused_animated >= 2 * 10, "animated inputs refused: {refused_animated}");
}

fn photo(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(rel)).unwrap()
}

#[test]
fn target_size_is_met_with_the_highest_quality_that_fits_or_refused_clearly() {
    let data = photo("link-u-avif-sample-images/kimono.jpg");
    for (format, target) in [(OutputFormat::Jpeg, 40_000u64), (OutputFormat::Webp, 30_000), (OutputFormat::Jpeg, 4_000)]
    {
        let opts = ConvertOptions { format, target_bytes: Some(target), ..ConvertOptions::default() };
        let out = convert(&data, &opts).unwrap();
        assert!(out.data.len() as u64 <= target, "{format:?} {} > {target}", out.data.len());
        // One quality step higher (at the same size) would not have fitted.
        if let (Some(q), false) = (out.report.quality, out.report.width < out.report.input_width) {
            if q < 80 {
                let higher = ConvertOptions { format, quality: q + 1, target_bytes: None, ..opts.clone() };
                assert!(convert(&data, &higher).unwrap().data.len() as u64 > target, "q{} would also fit", q + 1);
            }
        }
    }
    let impossible = ConvertOptions { format: OutputFormat::Png, target_bytes: Some(60), ..ConvertOptions::default() };
    let err = convert(&data, &impossible).unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded, "{err}");
}

#[test]
fn transparency_is_flattened_onto_white_for_jpeg() {
    let png = {
        let img = image::RgbaImage::from_fn(8, 8, |x, _| image::Rgba([0, 0, 0, if x < 4 { 0 } else { 255 }]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let out = convert(&png, &ConvertOptions { format: OutputFormat::Jpeg, ..ConvertOptions::default() }).unwrap();
    assert!(out.report.flattened);
    let rgb = image::load_from_memory(&out.data).unwrap().to_rgb8();
    assert!(rgb.get_pixel(0, 4).0.iter().all(|&c| c > 240), "transparent became {:?}", rgb.get_pixel(0, 4));
    assert!(rgb.get_pixel(7, 4).0.iter().all(|&c| c < 15), "opaque black became {:?}", rgb.get_pixel(7, 4));
}

fn png_bomb() -> Vec<u8> {
    let chunk = |ty: &[u8; 4], body: &[u8]| {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(ty);
        c.extend_from_slice(body);
        let mut h = crc32fast::Hasher::new();
        h.update(ty);
        h.update(body);
        c.extend_from_slice(&h.finalize().to_be_bytes());
        c
    };
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&[0u8; 64], 9);
    [b"\x89PNG\r\n\x1a\n".to_vec(), chunk(b"IHDR", &ihdr), chunk(b"IDAT", &idat), chunk(b"IEND", b"")].concat()
}

fn webp_bomb() -> Vec<u8> {
    // VP8X canvas 16383×16383, then a tiny lossless bitstream claiming the same.
    let mut vp8x = vec![0u8, 0, 0, 0];
    vp8x.extend_from_slice(&16382u32.to_le_bytes()[..3]);
    vp8x.extend_from_slice(&16382u32.to_le_bytes()[..3]);
    let bits: u32 = 16382 | (16382 << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 5]);
    let chunk = |f: &[u8], b: &[u8]| [f.to_vec(), (b.len() as u32).to_le_bytes().to_vec(), b.to_vec()].concat();
    let body = [b"WEBP".to_vec(), chunk(b"VP8X", &vp8x), chunk(b"VP8L", &vp8l)].concat();
    [b"RIFF".to_vec(), (body.len() as u32).to_le_bytes().to_vec(), body].concat()
}

fn gif_bomb(frames: usize) -> Vec<u8> {
    // A 1024×1024 screen: 5000 frames are 5,243 megapixels to play.
    let mut gif = b"GIF89a\x00\x04\x00\x04\x80\x00\x00".to_vec();
    gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    for _ in 0..frames {
        gif.extend_from_slice(&[0x21, 0xF9, 4, 0, 1, 0, 0, 0]);
        gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0, 1, 0, 1, 0, 2, 2, 0x4C, 0x01, 0]);
    }
    gif.push(0x3B);
    gif
}

#[test]
fn decompression_bombs_are_refused_before_any_large_allocation() {
    for (name, bomb, expect) in [
        ("PNG 100000×100000", png_bomb(), ErrorKind::LimitExceeded),
        ("WebP 16383×16383", webp_bomb(), ErrorKind::LimitExceeded),
        ("GIF with 5000 frames", gif_bomb(5000), ErrorKind::LimitExceeded),
    ] {
        PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
        let base = LIVE.load(Ordering::Relaxed);
        let err = convert(&bomb, &ConvertOptions::default()).unwrap_err();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        assert_eq!(err.kind, expect, "{name}: {err}");
        let code = err.reason.as_ref().map(|r| r.code);
        assert!(matches!(code, Some(reason::TOO_MANY_PIXELS | reason::ANIMATION_TOO_LONG)), "{name}: {code:?}");
        // Tests run in parallel threads, so the peak includes their allocations
        // too; a decoded bomb would need gigabytes.
        assert!(peak < 256 * 1024 * 1024, "{name}: {peak} bytes allocated");
        // Lossless cleaning still works on what is a valid file.
        assert!(traceless_core::clean(&bomb, &traceless_core::Policy::default()).is_ok(), "{name} cleans");
        assert!(bomb.len() < 2000 || name.starts_with("GIF"), "{name} is {} bytes", bomb.len());
    }
    assert_eq!(inspect(&gif_bomb(5000)).unwrap().frames, 5000);
    assert_eq!(inspect(&png_bomb()).unwrap().format, Format::Png);
}

#[test]
fn raw_pixels_encode_and_bad_buffers_are_refused() {
    let (w, h) = (64u32, 48u32);
    let rgba: Vec<u8> = (0..w * h).flat_map(|i| [(i % 256) as u8, (i / 7 % 256) as u8, 90, 255]).collect();
    for format in [OutputFormat::Jpeg, OutputFormat::Png, OutputFormat::Webp] {
        let options = ConvertOptions { format, ..ConvertOptions::default() };
        let out = traceless_core::encode_rgba(&rgba, w, h, &options).unwrap();
        let decoded = image::load_from_memory(&out).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (w, h), "{format:?}");
    }
    let png = ConvertOptions { format: OutputFormat::Png, ..ConvertOptions::default() };
    let exact = image::load_from_memory(&traceless_core::encode_rgba(&rgba, w, h, &png).unwrap()).unwrap();
    assert_eq!(exact.to_rgba8().into_raw(), rgba, "PNG is lossless");
    let kind = |r: traceless_core::Result<Vec<u8>>| r.unwrap_err().kind;
    assert_eq!(kind(traceless_core::encode_rgba(&rgba[1..], w, h, &png)), ErrorKind::InvalidRequest);
    assert_eq!(kind(traceless_core::encode_rgba(&rgba, w, h, &ConvertOptions::default())), ErrorKind::InvalidRequest);
    assert_eq!(kind(traceless_core::encode_rgba(&[], 0, 0, &png)), ErrorKind::LimitExceeded);
    assert_eq!(kind(traceless_core::encode_rgba(&[], 20000, 20000, &png)), ErrorKind::LimitExceeded);
}

#[test]
fn png_effort_by_default_is_preset_2_below_4_megapixels_and_1_from_them() {
    // Gradients and a XOR pattern: oxipng's presets give it different bytes.
    let pixels = |w: u32, h: u32| -> Vec<u8> {
        (0..w * h).flat_map(|i| [(i % w) as u8, (i / w) as u8, ((i % w) ^ (i / w)) as u8, 255]).collect()
    };
    let at =
        |level: Option<u8>| ConvertOptions { format: OutputFormat::Png, png_level: level, ..ConvertOptions::default() };
    for ((w, h), expected) in [((1999, 2000), 2), ((2000, 2000), 1)] {
        let rgba = pixels(w, h);
        let default = traceless_core::encode_rgba(&rgba, w, h, &at(None)).unwrap();
        let (one, two) = [1, 2].map(|level| traceless_core::encode_rgba(&rgba, w, h, &at(Some(level))).unwrap()).into();
        assert_ne!(one, two, "the presets differ on this picture (the test can fail)");
        assert_eq!(default, if expected == 1 { one } else { two }, "{w}×{h}: preset {expected} by default");
    }
}

/// The engine decodes with the codec crates directly (zune-jpeg, png, gif) and
/// libwebp; the image crate (with image-webp, an independent WebP decoder) must
/// see the same pixels in every still corpus image, upright. 16-bit PNG samples
/// may differ by one level: we keep the high byte as browsers do, the image
/// crate rounds.
#[test]
fn decoded_pixels_match_the_image_crate_on_every_still_corpus_image() {
    let corpus = corpus_dir();
    let lossless_png = ConvertOptions { format: OutputFormat::Png, png_level: Some(0), ..ConvertOptions::default() };
    let (mut compared, mut failures) = (std::collections::HashMap::new(), Vec::new());
    let rows = index().into_iter().filter(|r| {
        SUPPORTED.contains(&r.format.as_str()) && !r.animated && !EXPECTED_ERRORS.iter().any(|(p, _)| *p == r.path)
    });
    for row in rows {
        let data = std::fs::read(corpus.join(&row.path)).unwrap();
        let theirs = image::load_from_memory(&data);
        let (theirs, ours) = match (theirs, convert(&data, &lossless_png)) {
            (Ok(t), Ok(o)) => (t, image::load_from_memory(&o.data).unwrap().to_rgba8()),
            (_, Err(e)) if e.kind == ErrorKind::Unsupported => continue,
            (Err(_), Err(e)) => {
                assert!(matches!(e.kind, ErrorKind::Corrupt | ErrorKind::LimitExceeded), "{}: {e}", row.path);
                continue;
            }
            (t, o) => {
                failures.push(format!("{}: image {:?}, ours {:?}", row.path, t.err(), o.err().map(|e| e.to_string())));
                continue;
            }
        };
        let sixteen_bit = matches!(
            theirs.color(),
            image::ColorType::Rgba16 | image::ColorType::Rgb16 | image::ColorType::La16 | image::ColorType::L16
        );
        let mut theirs = theirs;
        if let Some(o) = image::metadata::Orientation::from_exif(row.orientation) {
            theirs.apply_orientation(o);
        }
        let theirs = theirs.to_rgba8();
        if theirs.dimensions() != ours.dimensions() {
            failures.push(format!("{}: {:?} vs {:?}", row.path, theirs.dimensions(), ours.dimensions()));
            continue;
        }
        let worst = theirs.as_raw().iter().zip(ours.as_raw()).map(|(a, b)| a.abs_diff(*b)).max().unwrap_or(0);
        if worst > u8::from(sixteen_bit) {
            failures.push(format!("{}: pixels differ by up to {worst}", row.path));
        }
        *compared.entry(row.format.clone()).or_insert(0) += 1;
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    for (format, least) in [("JPEG", 100), ("PNG", 150), ("GIF", 5), ("WEBP", 40)] {
        assert!(
            compared.get(format).copied().unwrap_or(0) >= least,
            "{format}: only {:?} compared",
            compared.get(format)
        );
    }
}
