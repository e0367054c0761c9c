#![cfg(all(not(target_arch = "wasm32"), feature = "avif-encode"))]
//! AVIF output (libaom), judged by libheif (heif-convert, an independent AVIF
//! reader with its own AV1 decoder), exiftool and Pillow.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{corpus_dir, exiftool, field, leaks};
use traceless_core::{convert, encode_rgba, Chroma, ColourMode, ConvertOptions, ErrorKind, Format, OutputFormat};

fn avif(quality: u8) -> ConvertOptions {
    ConvertOptions { format: OutputFormat::Avif, quality, ..ConvertOptions::default() }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traceless-avif-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// PSNR of A against B as seen over mid grey (tests/tools/pixels.py; AVIF through libheif).
fn psnr(a: &Path, b: &Path) -> f64 {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/pixels.py");
    let out = Command::new("/usr/bin/python3").arg(tool).arg("--psnr").arg(a).arg(b).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["psnr"].as_f64().unwrap_or_else(|| panic!("sizes differ: {v}"))
}

/// libheif's reading of an AVIF: (width, height, has alpha).
fn libheif(file: &Path) -> (u32, u32, bool) {
    libheif_as(file, "png")
}

/// The same through libheif's JPEG writer: its PNG writer (libpng) refuses some
/// valid ICC profiles ("PCS illuminant is not D50").
fn libheif_as(file: &Path, extension: &str) -> (u32, u32, bool) {
    let png = file.with_extension(format!("libheif.{extension}"));
    let out = Command::new("heif-convert").arg(file).arg(&png).output().unwrap();
    assert!(out.status.success(), "libheif cannot read {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    let decoded = image::open(&png).unwrap();
    (decoded.width(), decoded.height(), decoded.color().has_alpha())
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

#[test]
fn a_photo_becomes_a_clean_upright_avif_that_libheif_reads_as_the_same_picture() {
    let dir = scratch("photo");
    for (rel, size) in [
        ("ianare-exif-samples/jpg/gps/DSCN0010.jpg", (640, 480)),
        // Stored 450×600 with orientation 6: the pixels are turned upright, as for every other output.
        ("ianare-exif-samples/jpg/orientation/landscape_6.jpg", (600, 450)),
    ] {
        let data = std::fs::read(corpus_dir().join(rel)).unwrap();
        let out = convert(&data, &avif(80)).unwrap();
        assert_eq!(out.report.format, Format::Avif);
        assert_eq!((out.report.width, out.report.height), size, "{rel}");
        let name = Path::new(rel).file_stem().unwrap().to_str().unwrap();
        let file = write(&dir, &format!("{name}.avif"), &out.data);
        assert_eq!(libheif(&file), (size.0, size.1, false), "{rel}");
        // The same picture as our lossless conversion of the source.
        let png = convert(&data, &ConvertOptions { format: OutputFormat::Png, ..ConvertOptions::default() }).unwrap();
        let reference = write(&dir, &format!("{name}.png"), &png.data);
        let db = psnr(&file, &reference);
        assert!(db >= 35.0, "{rel}: {db:.1} dB at quality 80");
        let records = exiftool(std::slice::from_ref(&file), &[]);
        let record = records.values().next().unwrap();
        assert_eq!(leaks(record), Vec::<String>::new(), "{rel}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn transparency_is_kept_as_an_alpha_image() {
    let dir = scratch("alpha");
    let data = std::fs::read(corpus_dir().join("pngsuite/png/basn6a08.png")).unwrap();
    let out = convert(&data, &avif(90)).unwrap();
    assert!(!out.report.flattened);
    let file = write(&dir, "alpha.avif", &out.data);
    assert_eq!(libheif(&file), (32, 32, true));
    let db = psnr(&file, &corpus_dir().join("pngsuite/png/basn6a08.png"));
    assert!(db >= 35.0, "{db:.1} dB over grey: alpha and colour as they were");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_colour_profile_is_kept_or_converted_as_asked_and_chroma_is_full_when_asked() {
    let dir = scratch("colour");
    // A profile that turns hues round (ColorSpin): kept, it must travel with the pixels.
    let data =
        std::fs::read(corpus_dir().join("link-u-avif-sample-images/red-at-12-oclock-with-color-profile.jpg")).unwrap();
    let kept = convert(&data, &avif(80)).unwrap();
    assert!(kept.report.icc_kept);
    let srgb = convert(&data, &ConvertOptions { colour: ColourMode::ConvertToSrgb, ..avif(80) }).unwrap();
    assert!(!srgb.report.icc_kept);
    let full = convert(&data, &ConvertOptions { chroma: Chroma::Full, ..avif(80) }).unwrap();
    let files = [
        write(&dir, "kept.avif", &kept.data),
        write(&dir, "srgb.avif", &srgb.data),
        write(&dir, "full.avif", &full.data),
    ];
    let records = exiftool(&files, &[]);
    let record = |i: usize| &records[files[i].to_str().unwrap()];
    let text = |i: usize, tag: &str| field(record(i), tag).and_then(|v| v.as_str()).map(str::to_owned);
    assert_eq!(text(0, "ProfileDescription").as_deref(), Some("ColorSpin"), "the profile travels in a colr box");
    assert_eq!(text(1, "ProfileDescription"), None);
    // exiftool -n: 3 is 4:2:0 (both directions subsampled), 0 is 4:4:4.
    assert_eq!(field(record(0), "ChromaFormat"), Some(&serde_json::json!(3)));
    assert_eq!(field(record(2), "ChromaFormat"), Some(&serde_json::json!(0)));
    for (i, file) in files.iter().enumerate() {
        assert_eq!(libheif_as(file, "jpg"), (800, 800, false), "{}", file.display());
        assert_eq!(leaks(record(i)), Vec::<String>::new());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn any_size_encodes_odd_and_tiny_included_and_the_target_size_is_met() {
    let dir = scratch("sizes");
    for (w, h) in [(1u32, 1u32), (3, 1), (1, 5), (17, 9), (64, 48)] {
        let rgba: Vec<u8> = (0..w * h).flat_map(|i| [(i * 37 % 256) as u8, (i * 11 % 256) as u8, 200, 255]).collect();
        let out = encode_rgba(&rgba, w, h, &avif(70)).unwrap();
        let file = write(&dir, &format!("{w}x{h}.avif"), &out);
        assert_eq!(libheif(&file), (w, h, false));
    }
    let data = std::fs::read(corpus_dir().join("link-u-avif-sample-images/kimono.jpg")).unwrap();
    let options = ConvertOptions { target_bytes: Some(20_000), ..avif(80) };
    let out = convert(&data, &options).unwrap();
    assert!(out.data.len() <= 20_000, "{} bytes", out.data.len());
    let bad = ConvertOptions { avif_speed: 10, ..avif(80) };
    assert_eq!(convert(&data, &bad).unwrap_err().kind, ErrorKind::InvalidRequest);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The distinct green levels along a row of libheif's 16-bit decode of an AVIF.
fn levels_in_row(file: &Path, row: u32) -> usize {
    let png = file.with_extension("libheif.png");
    let out = Command::new("heif-convert").arg(file).arg(&png).output().unwrap();
    assert!(out.status.success(), "libheif cannot read {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    let decoded = image::open(&png).unwrap().to_rgb16();
    let mut greens: Vec<u16> = (0..decoded.width()).map(|x| decoded.get_pixel(x, row)[1]).collect();
    greens.sort_unstable();
    greens.dedup();
    greens.len()
}

#[test]
fn ten_bits_keep_a_16_bit_gradient_finer_than_eight_can() {
    let dir = scratch("depth");
    // A grey ramp over 1024 columns: 1024 levels in 16 bits.
    let (w, h) = (1024u32, 8u32);
    let ramp = image::ImageBuffer::from_fn(w, h, |x, _| {
        let v = (x * 64) as u16;
        image::Rgb([v, v, v])
    });
    let source = dir.join("ramp16.png");
    image::DynamicImage::ImageRgb16(ramp).save(&source).unwrap();
    let data = std::fs::read(&source).unwrap();
    let mut levels = Vec::new();
    for depth in [8u8, 10] {
        let out = convert(&data, &ConvertOptions { avif_depth: depth, ..avif(100) }).unwrap();
        let file = write(&dir, &format!("ramp-{depth}.avif"), &out.data);
        let records = exiftool(std::slice::from_ref(&file), &[]);
        let record = records.values().next().unwrap();
        // pixi: the bits of each channel, as stored in the container.
        let depths = field(record, "ImagePixelDepth").map(|v| v.to_string());
        assert_eq!(depths.as_deref(), Some(format!("\"{depth} {depth} {depth}\"").as_str()), "{record:?}");
        levels.push(levels_in_row(&file, 4));
    }
    assert!(levels[0] <= 256, "8 bits hold at most 256 levels: {levels:?}");
    assert!(levels[1] > 700, "10 bits keep most of the ramp's 1024 levels: {levels:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sixteen_bit_pngs_become_10_bit_avifs_with_their_alpha_and_colours() {
    let dir = scratch("deep");
    for (rel, alpha) in [("pngsuite/png/basn2c16.png", false), ("pngsuite/png/basn6a16.png", true)] {
        let data = std::fs::read(corpus_dir().join(rel)).unwrap();
        let name = Path::new(rel).file_stem().unwrap().to_str().unwrap();
        // 4:4:4, since these small test cards change colour from pixel to pixel
        // (at 4:2:0 both depths stop near 33 dB, at any quality).
        let mut db = Vec::new();
        for depth in [8u8, 10] {
            let options = ConvertOptions { avif_depth: depth, chroma: Chroma::Full, ..avif(90) };
            let out = convert(&data, &options).unwrap();
            assert_eq!(out.report.format, Format::Avif);
            let file = write(&dir, &format!("{name}-{depth}.avif"), &out.data);
            assert_eq!(libheif(&file), (32, 32, alpha), "{rel}");
            db.push(psnr(&file, &corpus_dir().join(rel)));
        }
        assert!(db[1] >= 45.0, "{rel}: {db:.1?} dB at quality 90, 8 and 10 bits");
        assert!(db[1] > db[0], "{rel}: 10 bits keep more of the 16-bit source than 8: {db:.1?} dB");
    }
    // 8-bit sources may be written at 10 bits too.
    let data = std::fs::read(corpus_dir().join("pngsuite/png/basn6a08.png")).unwrap();
    let out = convert(&data, &ConvertOptions { avif_depth: 10, ..avif(90) }).unwrap();
    let file = write(&dir, "eight-to-ten.avif", &out.data);
    assert_eq!(libheif(&file), (32, 32, true));
    assert!(psnr(&file, &corpus_dir().join("pngsuite/png/basn6a08.png")) >= 35.0);
    let bad = ConvertOptions { avif_depth: 12, ..avif(80) };
    assert_eq!(convert(&data, &bad).unwrap_err().kind, ErrorKind::InvalidRequest);
    let _ = std::fs::remove_dir_all(&dir);
}
