#![cfg(all(not(target_arch = "wasm32"), feature = "heif-decode"))]
//! Converting HEIC/HEIF: judged against libheif (`heif-convert`, Debian's
//! libheif-examples), an independent decoder. Every HEIF in the corpus that
//! libheif decodes, and files made here with `heif-enc` (alpha, 10-bit, 4:4:4,
//! 4:2:0, odd sizes), must convert to a PNG of the same displayed size within
//! 45 dB PSNR of libheif's pixels (40 dB for 4:2:0 made here); what libheif cannot
//! decode must be an error, never a panic; a JPEG or WebP made from a HEIC
//! carries no metadata (exiftool).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bx, full};
use image::ImageReader;
use traceless_core::{convert, ColourMode, ConvertOptions, OutputFormat};

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("heif-decode");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// libheif's decode as RGBA8, cached beside the test's scratch files (heif-convert takes seconds).
fn libheif(input: &Path) -> Option<image::RgbaImage> {
    let bytes = std::fs::read(input).unwrap();
    let key = format!(
        "{:016x}",
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    );
    let out = scratch().join(format!("libheif-{key}.png"));
    if !out.exists() {
        let status = Command::new("heif-convert").arg(input).arg(&out).output().expect("heif-convert runs");
        if !status.status.success() || !out.exists() {
            return None;
        }
    }
    // libheif writes what it could of a truncated stream: an unreadable PNG is a failure too.
    Some(ImageReader::open(&out).unwrap().decode().ok()?.to_rgba8())
}

/// Ours: the engine's lossless PNG, in the file's own colours (profile kept, as libheif leaves it).
fn ours(data: &[u8]) -> Result<image::RgbaImage, traceless_core::Error> {
    let options = ConvertOptions {
        format: OutputFormat::Png,
        colour: ColourMode::KeepProfile,
        png_level: Some(0),
        ..ConvertOptions::default()
    };
    let out = convert(data, &options)?;
    Ok(image::load_from_memory(&out.data).unwrap().to_rgba8())
}

/// PSNR over every channel of two images of one size (infinite when identical).
fn psnr(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    let squared: f64 = a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
    let mse = squared / a.as_raw().len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// `floor`: the least PSNR accepted against libheif.
fn judge(name: &str, path: &Path, floor: f64, results: &mut Vec<(String, f64)>, failures: &mut Vec<String>) {
    let data = std::fs::read(path).unwrap();
    let mut reference = libheif(path);
    if LIMITED_GREY.iter().any(|grey| name.ends_with(grey)) {
        reference = reference.map(widened);
    }
    match (reference, ours(&data)) {
        (Some(_), Ok(mine)) if name.ends_with(OPERATING_POINT.0) => {
            if mine.dimensions() != OPERATING_POINT.1 {
                failures.push(format!(
                    "{name}: {:?}, its operating point is {:?}",
                    mine.dimensions(),
                    OPERATING_POINT.1
                ));
            }
            results.push((
                format!("{name} (operating point 2 honoured, as its README says; libheif ignores it)"),
                f64::NAN,
            ));
        }
        (Some(theirs), Ok(mine)) => {
            if theirs.dimensions() != mine.dimensions() {
                failures.push(format!("{name}: {:?}, libheif {:?}", mine.dimensions(), theirs.dimensions()));
                return;
            }
            let db = psnr(&theirs, &mine);
            if db < floor {
                failures.push(format!("{name}: {db:.1} dB against libheif (at least {floor} expected)"));
            }
            results.push((name.to_string(), db));
        }
        (Some(_), Err(e)) => failures.push(format!("{name}: libheif decodes it; we said {e}")),
        // libheif cannot decode it: an error is right (a panic would have ended the test).
        (None, Err(_)) => results.push((format!("{name} (libheif fails too: an error here as well)"), f64::NAN)),
        (None, Ok(_)) => results.push((format!("{name} (libheif fails; decoded here)"), f64::NAN)),
    }
}

/// Grey AVIFs coded in limited range (16-235), which libheif 1.15 shows as
/// coded, unwidened (its output spans 16-235 where the image spans 0-255).
/// H.273 and the browsers widen them, and so do we: their reference is
/// libheif's grey widened.
const LIMITED_GREY: [&str; 2] =
    ["Microsoft/Monochrome.avif", "fox.profile0.10bpc.yuv420.monochrome.odd-width.odd-height.avif"];

/// A layered AVIF whose `a1op` selects operating point 2: 360×182, as its
/// `ispe` and the Xiph README say. libheif 1.15 ignores `a1op` and shows the
/// 1436×730 layer.
const OPERATING_POINT: (&str, (u32, u32)) = ("Xiph/quebec_3layer_op2.avif", (360, 182));

fn widened(mut image: image::RgbaImage) -> image::RgbaImage {
    for pixel in image.pixels_mut() {
        for c in &mut pixel.0[..3] {
            *c = ((f64::from(*c) - 16.0) * 255.0 / 219.0).round().clamp(0.0, 255.0) as u8;
        }
    }
    image
}

fn report(results: &[(String, f64)]) {
    let mut db: Vec<f64> = results.iter().map(|r| r.1).filter(|d| d.is_finite()).collect();
    db.sort_by(f64::total_cmp);
    for (name, d) in results {
        eprintln!("  {name}: {d:.1} dB");
    }
    if let (Some(min), Some(median)) = (db.first(), db.get(db.len() / 2)) {
        eprintln!("  min {min:.1} dB, median {median:.1} dB over {} files with finite PSNR", db.len());
    }
}

/// Every corpus file of `format` against libheif; `least`: how many must be compared.
fn corpus_against_libheif(format: &str, least: usize) {
    let corpus = common::corpus_dir();
    let mut files: Vec<PathBuf> =
        common::index().into_iter().filter(|r| r.format == format).map(|r| corpus.join(&r.path)).collect();
    files.sort();
    assert!(files.len() >= least, "{} {format} files in the corpus index", files.len());
    let (mut results, mut failures) = (Vec::new(), Vec::new());
    for path in &files {
        let name = path.strip_prefix(&corpus).unwrap().display().to_string();
        judge(&name, path, 45.0, &mut results, &mut failures);
    }
    report(&results);
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(results.iter().filter(|r| r.1.is_finite()).count() >= least, "most corpus files compared");
}

#[test]
fn every_corpus_heif_converts_within_45_db_of_libheif() {
    corpus_against_libheif("HEIF", 5);
}

/// AVIF through dav1d: grids, alpha (full and limited range), 10/12-bit,
/// monochrome, 4:2:2/4:4:4, crop/rotation/mirror, film grain, layered files.
#[cfg(feature = "avif-decode")]
#[test]
fn every_corpus_avif_converts_within_45_db_of_libheif() {
    corpus_against_libheif("AVIF", 25);
}

/// A test picture: a real photo's pixels at `size`, blurred so that its colour
/// is smooth (decoders may upsample 4:2:0 chroma differently: libheif and heifer
/// differ by up to 38 dB PSNR on sharp colour edges, both correctly), as an 8- or
/// 16-bit PNG, with a gradient of transparency if asked.
fn source_png(name: &str, size: u32, alpha: bool, sixteen: bool) -> PathBuf {
    let photo = common::corpus_dir().join("ianare-exif-samples/jpg/gps/DSCN0010.jpg");
    let img =
        image::open(photo).unwrap().resize_exact(size, size * 3 / 4, image::imageops::FilterType::Triangle).blur(1.5);
    let mut rgba = img.to_rgba16();
    if alpha {
        let (w, h) = rgba.dimensions();
        for (x, y, p) in rgba.enumerate_pixels_mut() {
            // A gradient of transparency, and a fully clear corner.
            p[3] = if x < w / 8 && y < h / 8 { 0 } else { ((x * 65535) / w) as u16 };
        }
    }
    let path = scratch().join(format!("{name}.png"));
    if sixteen {
        rgba.save(&path).unwrap();
    } else if alpha {
        image::DynamicImage::ImageRgba16(rgba).to_rgba8().save(&path).unwrap();
    } else {
        image::DynamicImage::ImageRgba16(rgba).to_rgb8().save(&path).unwrap();
    }
    path
}

#[test]
fn heif_enc_files_alpha_ten_bit_chroma_and_odd_sizes() {
    // Depths and alpha in 4:4:4, where only the colour conversion can differ; then 4:2:0.
    // (heif-enc 1.15 writes no `nclx` for HEIC whatever its matrix options say, checked
    // with heif-info: matrices and ranges are left to hand-built files, still to do.)
    const FULL: &[&str] = &["-p", "chroma=444"];
    let cases: [(&str, bool, bool, &[&str]); 6] = [
        ("alpha", true, false, FULL),
        ("ten-bit", false, true, &["-p", "chroma=444", "-b", "10"]),
        ("chroma-444", false, false, FULL),
        ("chroma-420", false, false, &[]),
        ("alpha-420", true, false, &[]),
        // Odd size: chroma planes padded, the last row and column partial.
        ("odd-size-420", false, false, &[]),
    ];
    let (mut results, mut failures) = (Vec::new(), Vec::new());
    for (name, alpha, sixteen, args) in cases {
        let size = if name.starts_with("odd") { 333 } else { 320 };
        let png = source_png(name, size, alpha, sixteen);
        let heic = scratch().join(format!("{name}.heic"));
        let out =
            Command::new("heif-enc").args(["-q", "90"]).args(args).arg(&png).arg("-o").arg(&heic).output().unwrap();
        assert!(out.status.success(), "heif-enc {name}: {}", String::from_utf8_lossy(&out.stderr));
        // 4:2:0 chroma is upsampled bilinearly by heifer (as Apple's decoder does) and
        // otherwise by libheif: 42-43 dB apart even on this smooth picture (measured), both
        // right. In 4:4:4 only the colour conversion can differ.
        let floor = if name.ends_with("420") { 40.0 } else { 45.0 };
        judge(name, &heic, floor, &mut results, &mut failures);
    }
    report(&results);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_heic_converted_to_jpeg_or_webp_carries_no_metadata() {
    let path = common::corpus_dir().join("ianare-exif-samples/heic/IMG_5195.HEIC");
    let data = std::fs::read(&path).unwrap();
    let before = traceless_core::inspect(&data).unwrap();
    assert!(before.location.is_some(), "the iPhone photo has a location (the test can fail)");
    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        let out = convert(
            &data,
            &ConvertOptions { format, max_width: Some(800), max_height: Some(800), ..ConvertOptions::default() },
        )
        .unwrap();
        let file = scratch().join(format!("IMG_5195.{}", if format == OutputFormat::Jpeg { "jpg" } else { "webp" }));
        std::fs::write(&file, &out.data).unwrap();
        let tags = common::exiftool(std::slice::from_ref(&file), &[]);
        let leaks: Vec<String> = tags.values().flat_map(common::leaks).collect();
        assert!(leaks.is_empty(), "{format:?}: {leaks:?}");
        assert!(out.report.removed.iter().any(|f| f.category == traceless_core::Category::Location));
        // Upright and the displayed size, scaled: the iPhone photo is 2566×3313 as shown.
        assert_eq!((out.report.width, out.report.height), (620, 800), "{format:?}");
    }
}

/// A grid whose last column and row of tiles reach past its output size:
/// the corpus's 5×4 grid of 1280×720 AV1 tiles (6400×2880) declared 6000×2700
/// instead (its `grid` item rewritten), so the edge tiles are cut. Judged
/// against libheif on the same file.
#[cfg(feature = "avif-decode")]
#[test]
fn an_avif_grid_with_partial_edge_tiles() {
    let path = common::corpus_dir().join("av1-avif/testFiles/Microsoft/Summer_in_Tomsk_720p_5x4_grid.avif");
    let mut data = std::fs::read(path).unwrap();
    // ImageGrid: version 0, flags 0 (16-bit sizes), rows - 1, columns - 1, width, height.
    let grid = [0u8, 0, 3, 4, 0x19, 0x00, 0x0b, 0x40];
    let at = data.windows(grid.len()).position(|w| w == grid).expect("the grid item's data");
    assert_eq!(data.windows(grid.len()).filter(|w| *w == grid).count(), 1);
    data[at + 4..at + 8].copy_from_slice(&[0x17, 0x70, 0x0a, 0x8c]); // 6000 × 2700
    let file = scratch().join("grid-partial-edge-tiles.avif");
    std::fs::write(&file, &data).unwrap();
    let (mut results, mut failures) = (Vec::new(), Vec::new());
    judge("grid-partial-edge-tiles", &file, 45.0, &mut results, &mut failures);
    report(&results);
    assert!(failures.is_empty(), "{failures:#?}");
    let mine = ours(&data).unwrap();
    assert_eq!(mine.dimensions(), (6000, 2700));
    assert!(results[0].1.is_finite(), "libheif decodes it too");
}

#[cfg(feature = "avif-decode")]
#[test]
fn an_avif_converted_to_jpeg_or_webp_carries_no_metadata() {
    let path = common::corpus_dir().join("av1-avif/testFiles/Microsoft/Ronda_rotate90.avif");
    let data = std::fs::read(&path).unwrap();
    let before = common::exiftool(std::slice::from_ref(&path), &[]);
    assert!(before.values().any(|tags| tags.keys().any(|k| k.starts_with("EXIF:"))), "it has EXIF (the test can fail)");
    for (format, ext) in [(OutputFormat::Jpeg, "jpg"), (OutputFormat::Webp, "webp")] {
        let out = convert(&data, &ConvertOptions { format, ..ConvertOptions::default() }).unwrap();
        let file = scratch().join(format!("Ronda_rotate90.{ext}"));
        std::fs::write(&file, &out.data).unwrap();
        let tags = common::exiftool(std::slice::from_ref(&file), &[]);
        let leaks: Vec<String> = tags.values().flat_map(common::leaks).collect();
        assert!(leaks.is_empty(), "{format:?}: {leaks:?}");
        assert!(!tags.values().any(|t| t.keys().any(|k| k.starts_with("EXIF:"))), "{format:?}: {tags:?}");
    }
}

/// The converter decodes a HEIC once to show it and hands those pixels back to convert:
/// the result must be the very file `convert` makes from the HEIC itself, for a grid
/// turned by `irot` (the iPhone photo), an AVIF cropped by `clap`, and JPEGs turned
/// by EXIF or not.
#[test]
fn converting_pixels_decoded_before_gives_the_same_file() {
    let corpus = common::corpus_dir();
    let files = [
        "ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC",
        "ianare-exif-samples/jpg/orientation/landscape_6.jpg",
        "exiftool/t/images/ExifTool.jpg",
        // Cropped by clap, mirrored and turned: the crop must not be applied twice.
        "link-u-avif-sample-images/kimono.mirror-vertical.rotate270.crop.avif",
    ];
    for name in files {
        let data = std::fs::read(corpus.join(name)).unwrap();
        let decoded = traceless_core::decode_upright(&data).unwrap();
        for options in [
            ConvertOptions { format: OutputFormat::Jpeg, quality: 80, ..ConvertOptions::default() },
            // Level 0: the same pixels and file path, without oxipng's seconds per 12 MP file.
            ConvertOptions {
                format: OutputFormat::Png,
                colour: ColourMode::ConvertToSrgb,
                png_level: Some(0),
                ..ConvertOptions::default()
            },
        ] {
            let direct = convert(&data, &options).unwrap();
            let again =
                traceless_core::convert_decoded(&data, decoded.rgba.clone(), decoded.width, decoded.height, &options)
                    .unwrap();
            assert!(direct.data == again.data, "{name} {:?}: the outputs differ", options.format);
            assert_eq!(direct.report, again.report, "{name}");
        }
    }
    // A HEIC's shown size is the upright one: 3024 wide, 4032 high.
    let iphone = std::fs::read(corpus.join(files[0])).unwrap();
    let decoded = traceless_core::decode_upright(&iphone).unwrap();
    assert_eq!((decoded.width, decoded.height), (3024, 4032));
    assert!(traceless_core::decode_upright(b"not an image").is_err());
    // The copy to show: the same pixels, turned to sRGB from the photo's Display P3, as
    // a lossless conversion to sRGB gives them.
    let bmp = traceless_core::screen_picture(&iphone, &decoded).unwrap();
    let srgb = ConvertOptions {
        format: OutputFormat::Png,
        colour: ColourMode::ConvertToSrgb,
        png_level: Some(0),
        ..ConvertOptions::default()
    };
    let expected = image::load_from_memory(&convert(&iphone, &srgb).unwrap().data).unwrap().to_rgba8();
    // Read by image-rs's BMP decoder: a V4 header, channel masks, top row first.
    let shown = image::load_from_memory_with_format(&bmp, image::ImageFormat::Bmp).unwrap().to_rgba8();
    assert_eq!(shown.dimensions(), (3024, 4032));
    assert!(shown == expected, "the screen copy is the sRGB picture");
    assert!(shown.as_raw() != decoded.rgba.as_slice(), "Display P3 was turned into sRGB");
    let mut short = decoded.clone();
    short.rgba.truncate(16);
    assert!(traceless_core::screen_picture(&iphone, &short).is_err());
}

/// A BMP's width and height (its rows run top-down: the height is stored negative).
fn bmp_size(bmp: &[u8]) -> (u32, u32) {
    let at = |o: usize| i32::from_le_bytes(bmp[o..o + 4].try_into().unwrap());
    (at(18) as u32, at(22).unsigned_abs())
}

/// Mean colour of each cell of a 4 × 4 grid over a BMP's picture.
fn bmp_cells(bmp: &[u8]) -> Vec<[f64; 3]> {
    let (width, height) = bmp_size(bmp);
    let mut sums = vec![[0.0; 4]; 16];
    for (i, pixel) in bmp[122..].chunks_exact(4).enumerate() {
        let (x, y) = (i as u32 % width, i as u32 / width);
        let cell = &mut sums[(y * 4 / height * 4 + x * 4 / width) as usize];
        for (sum, &v) in cell.iter_mut().zip(pixel.iter().take(3)) {
            *sum += f64::from(v);
        }
        cell[3] += 1.0;
    }
    sums.iter().map(|s| [s[0] / s[3], s[1] / s[3], s[2] / s[3]]).collect()
}

#[test]
fn list_pictures_come_from_the_photo_s_own_thumbnail_or_else_the_photo() {
    let corpus = common::corpus_dir();
    for (name, size) in [
        // Its 320×240 thumbnail, turned as the photo is.
        ("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC", (84, 112)),
        // No thumbnail: the photo itself.
        ("ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif", (84, 112)),
        ("mat2/tests/data/dirty.heic", (112, 84)),
    ] {
        let data = std::fs::read(corpus.join(name)).unwrap();
        let started = std::time::Instant::now();
        let own = traceless_core::list_picture(&data, 112, false).unwrap();
        assert_eq!(own.is_some(), name.contains("iphone"), "{name}: only the iPhone photo has a thumbnail");
        let bmp = traceless_core::list_picture(&data, 112, true).unwrap().unwrap();
        if let Some(own) = own {
            assert!(own == bmp, "{name}: the thumbnail is the picture either way");
        }
        println!("{name}: {:?} in {:?}", bmp_size(&bmp), started.elapsed());
        assert_eq!(bmp_size(&bmp), size, "{name}");
        assert_eq!(bmp.len(), 122 + size.0 as usize * size.1 as usize * 4, "{name}");
    }
    // In sRGB, as the photo's own picture for the screen is (the iPhone's is Display P3).
    let iphone = std::fs::read(corpus.join("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    let small = traceless_core::list_picture(&iphone, 112, false).unwrap().unwrap();
    let whole = traceless_core::screen_picture(&iphone, &traceless_core::decode_upright(&iphone).unwrap()).unwrap();
    for (ours, theirs) in bmp_cells(&small).iter().zip(bmp_cells(&whole)) {
        for c in 0..3 {
            assert!((ours[c] - theirs[c]).abs() < 8.0, "{ours:?} against the screen picture's {theirs:?}");
        }
    }
    assert!(traceless_core::list_picture(b"not an image", 112, true).is_err());
    // Its thumbnail is not of the photo's shape, and the photo is cut short (libheif refuses it too).
    let cut = std::fs::read(corpus.join("exiftool/t/images/QuickTime.heic")).unwrap();
    assert!(traceless_core::list_picture(&cut, 112, true).is_err());
    assert!(traceless_core::list_picture(&iphone, 0, false).is_err());
    // Damaged past its header: an error, never a panic.
    assert!(traceless_core::list_picture(&iphone[..iphone.len() / 2], 112, true).is_err());
}

#[test]
fn colours_given_as_code_points_are_kept_with_a_profile_made_from_them_or_converted() {
    let corpus = common::corpus_dir();
    // Level 0: only the pixels and the profile are judged.
    let png =
        |colour| ConvertOptions { format: OutputFormat::Png, colour, png_level: Some(0), ..ConvertOptions::default() };
    let pixels = |png: &[u8]| image::load_from_memory(png).unwrap().to_rgb8().into_raw();
    for (name, described) in [
        // Apple's AVIF: Display P3 as code points (12, the sRGB curve), no ICC profile.
        ("av1-avif/testFiles/Apple/multilayer_examples/animals_00_singlelayer.avif", "Display P3"),
        // The Nokia's HDR photo: BT.601's 625-line primaries (5), BT.709's curve.
        ("ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G_hdr.heif", "BT.601 (625 lines)"),
    ] {
        let data = std::fs::read(corpus.join(name)).unwrap();
        let kept = convert(&data, &png(ColourMode::KeepProfile)).unwrap();
        let icc = traceless_core::inspect(&kept.data).unwrap().icc.unwrap_or_else(|| panic!("{name}: no profile kept"));
        let description = icc.description.unwrap_or_default();
        assert!(description.starts_with(described) && description.contains("code points"), "{name}: {description}");
        let converted = convert(&data, &png(ColourMode::ConvertToSrgb)).unwrap();
        assert!(traceless_core::inspect(&converted.data).unwrap().icc.is_none(), "{name}: sRGB needs no profile");
        let (a, b) = (pixels(&kept.data), pixels(&converted.data));
        let moved = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!(moved * 10 > a.len(), "{name}: converting to sRGB changed only {moved} of {} samples", a.len());
    }
    // Code points that say sRGB (BT.709's primaries, the sRGB curve): nothing to describe.
    let srgb = std::fs::read(corpus.join("av1-avif/testFiles/Xiph/abandoned_filmgrain.avif")).unwrap();
    let kept = convert(&srgb, &png(ColourMode::KeepProfile)).unwrap();
    assert!(traceless_core::inspect(&kept.data).unwrap().icc.is_none());
}

/// The first box `fourcc` in `data`, header included (looking into `meta`, `iprp` and
/// `ipco`), or nothing.
fn find_box<'a>(data: &'a [u8], fourcc: &[u8; 4]) -> &'a [u8] {
    let mut at = 0;
    while at + 8 <= data.len() {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        if size < 8 || at + size > data.len() {
            break; // heif-enc's boxes all have sizes; this walk reads no other kind
        }
        let kind = &data[at + 4..at + 8];
        if kind == fourcc {
            return &data[at..at + size];
        }
        let inner = match kind {
            b"meta" => Some(12),
            b"iprp" | b"ipco" => Some(8),
            _ => None,
        };
        if let Some(skip) = inner {
            let found = find_box(&data[at + skip..at + size], fourcc);
            if !found.is_empty() {
                return found;
            }
        }
        at += size;
    }
    &[]
}

/// A grid HEIC of `rows` × `columns` 16×16 tiles (a tiny HEVC picture made by
/// heif-enc) with `items` items: the grid, then hvc1 items, each with its own copy
/// of the tile's bytes, which the grid's tiles take in turn; and `junk` more `ipma`
/// entries, for items the file does not have, with no properties.
fn many_item_grid(items: usize, rows: u8, columns: u8, junk: usize) -> Vec<u8> {
    let png = scratch().join("tile16.png");
    image::RgbImage::from_pixel(16, 16, image::Rgb([200, 100, 50])).save(&png).unwrap();
    let heic = scratch().join("tile16.heic");
    let out = Command::new("heif-enc").args(["-q", "50"]).arg(&png).arg("-o").arg(&heic).output().unwrap();
    assert!(out.status.success(), "heif-enc: {}", String::from_utf8_lossy(&out.stderr));
    let small = std::fs::read(&heic).unwrap();
    let hvcc = find_box(&small, b"hvcC").to_vec();
    let tile = find_box(&small, b"mdat")[8..].to_vec();
    assert!(!hvcc.is_empty() && !tile.is_empty(), "heif-enc's file has an hvcC and an mdat");

    let (tiles, width, height) =
        (usize::from(rows) * usize::from(columns), 16 * u32::from(columns), 16 * u32::from(rows));
    let id = |i: usize| (i as u16).to_be_bytes();
    let infe = |i: usize, kind: &[u8; 4]| full(b"infe", 2, 0, &[&id(i)[..], &[0, 0], kind, b"\0"].concat());
    let mut iinf = (items as u16).to_be_bytes().to_vec();
    iinf.extend(infe(1, b"grid"));
    (2..=items).for_each(|i| iinf.extend(infe(i, b"hvc1")));
    let grid =
        [&[0, 0, rows - 1, columns - 1][..], &(width as u16).to_be_bytes(), &(height as u16).to_be_bytes()].concat();
    let mut references = [&id(1)[..], &(tiles as u16).to_be_bytes()].concat();
    (0..tiles).for_each(|k| references.extend(id(2 + k % (items - 1))));
    let ispe = |w: u32, h: u32| full(b"ispe", 0, 0, &[w.to_be_bytes(), h.to_be_bytes()].concat());
    let ipco = bx(b"ipco", &[ispe(16, 16), ispe(width, height), hvcc].concat());
    let mut ipma = ((items + junk) as u32).to_be_bytes().to_vec();
    ipma.extend([&id(1)[..], &[1, 2]].concat());
    (2..=items).for_each(|i| ipma.extend([&id(i)[..], &[2, 0x81, 3]].concat()));
    (0..junk).for_each(|k| ipma.extend([&id(20_000 + k)[..], &[0]].concat()));
    let meta = |mdat_body: usize| {
        // iloc version 1: 4-byte offsets and lengths; the grid in idat, the tiles in mdat.
        let mut iloc = vec![0x44, 0x00];
        iloc.extend((items as u16).to_be_bytes());
        iloc.extend(
            [&id(1)[..], &[0, 1, 0, 0, 0, 1], &0u32.to_be_bytes(), &(grid.len() as u32).to_be_bytes()].concat(),
        );
        for i in 2..=items {
            let offset = (mdat_body + (i - 2) * tile.len()) as u32;
            iloc.extend(
                [&id(i)[..], &[0, 0, 0, 0, 0, 1], &offset.to_be_bytes(), &(tile.len() as u32).to_be_bytes()].concat(),
            );
        }
        let hdlr = full(b"hdlr", 0, 0, &[&[0u8; 4][..], b"pict", &[0; 12], b"\0"].concat());
        let body = [
            hdlr,
            full(b"pitm", 0, 0, &id(1)),
            full(b"iinf", 0, 0, &iinf),
            full(b"iloc", 1, 0, &iloc),
            full(b"iref", 0, 0, &bx(b"dimg", &references)),
            bx(b"iprp", &[ipco.clone(), full(b"ipma", 0, 0, &ipma)].concat()),
            bx(b"idat", &grid),
        ]
        .concat();
        full(b"meta", 0, 0, &body)
    };
    let ftyp = bx(b"ftyp", &[&b"heic"[..], &[0; 4], b"mif1heic"].concat());
    let before_mdat = ftyp.len() + meta(0).len() + 8;
    let mdat = bx(b"mdat", &tile.repeat(items - 1));
    [ftyp, meta(before_mdat), mdat].concat()
}

#[test]
fn a_heif_with_longer_item_lists_than_decoding_allows_is_refused_before_decoding() {
    // heifer looks items up by scanning: a crafted grid of 255×255 tiles over 50,000
    // items took 7 s natively before failing. At the limit the file decodes (so the
    // builder makes real files); one item more, or one property association more, is
    // refused, whether the engine decodes the file or is given its pixels (the
    // extension has the browser decode AVIF, and the engine still reads the file).
    let limit = traceless_core::MAX_DECODE_ITEMS;
    let at_limit = many_item_grid(limit, 63, 65, 0);
    let decoded = ours(&at_limit).expect("a grid of the limit's items decodes");
    assert_eq!(decoded.dimensions(), (65 * 16, 63 * 16));
    // The first, a middle and the last tile decoded: the flat colour heif-enc was given, opaque.
    for (x, y) in [(0, 0), (500, 500), (65 * 16 - 1, 63 * 16 - 1)] {
        let [r, g, b, a] = decoded.get_pixel(x, y).0;
        let near = |v: u8, want: u8| v.abs_diff(want) <= 6;
        assert!(near(r, 200) && near(g, 100) && near(b, 50) && a == 255, "({x}, {y}): {r} {g} {b} {a}");
    }
    let refused = |file: &[u8], what: &str| {
        let pixels = vec![0; 65 * 16 * 63 * 16 * 4];
        let given = traceless_core::convert_decoded(file, pixels, 65 * 16, 63 * 16, &ConvertOptions::default());
        for err in [ours(file).unwrap_err(), given.unwrap_err()] {
            assert_eq!(err.kind, traceless_core::ErrorKind::LimitExceeded, "{err}");
            assert!(err.to_string().contains(what), "{err}");
        }
    };
    refused(&many_item_grid(limit + 1, 63, 65, 0), &format!("{} items", limit + 1));
    refused(&many_item_grid(2, 63, 65, limit - 1), &format!("{} property associations", limit + 1));
}

#[test]
fn grids_heifer_would_misplace_or_decode_for_ever_are_refused_before_decoding() {
    // Files a read-only review made (session 43), each refused from its boxes now.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let file = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let refused = |data: &[u8], kind: traceless_core::ErrorKind, what: &str| {
        let err = ours(data).unwrap_err();
        assert_eq!(err.kind, kind, "{err}");
        assert!(err.to_string().contains(what), "{err}");
    };
    // A grid wider than its tiles: heifer handed the surplus to the next row's tiles and
    // panicked writing past them (in wasm, the engine aborted).
    refused(&file("heif-grid-wider-than-its-tiles.heic"), traceless_core::ErrorKind::Corrupt, "do not cover");
    // 16 tiles of 8192×8192 in 15 KB, stated as such or as 64×64: 8 s and 600 MB each before.
    // The last with a reserved unit before its SPS, which ended the first count (a review).
    for name in [
        "heif-grid-of-16-large-tiles.heic",
        "heif-tiles-coded-larger-than-their-ispe.heic",
        "heif-reserved-unit-before-large-sps.heic",
    ] {
        refused(&file(name), traceless_core::ErrorKind::LimitExceeded, "HEVC pictures");
    }
    // One tile named 4,160 times (the grid test above decodes 4,095 tiles).
    refused(&many_item_grid(2, 64, 65, 0), traceless_core::ErrorKind::LimitExceeded, "HEVC pictures");
    // A crop of zero width made an empty PNG, reported as done.
    refused(&file("heif-crop-of-zero-width.heic"), traceless_core::ErrorKind::Corrupt, "no pixels");
}
