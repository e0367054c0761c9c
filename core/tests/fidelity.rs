//! Converting keeps what the picture is: CMYK JPEGs (print colours) convert through
//! their CMYK profile, judged against Little CMS (Pillow's ImageCms).

mod common;

use std::process::Command;

use traceless_core::{convert, inspect, ConvertOptions, OutputFormat};

/// Ghostscript's CMYK output profile (Debian's libgs-common; `make deps` installs it).
const CMYK_PROFILE: &str = "/usr/share/color/icc/ghostscript/default_cmyk.icc";

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a.iter().zip(b).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// RGB8 pixels of a PNG, read by Pillow.
fn pillow_rgb(png: &std::path::Path) -> Vec<u8> {
    let script =
        "import sys; from PIL import Image; sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('RGB').tobytes())";
    let out = Command::new("/usr/bin/python3").args(["-c", script]).arg(png).output().expect("run Pillow");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn cmyk_jpegs_convert_through_their_profile_as_firefox_shows_them() {
    assert!(std::path::Path::new(CMYK_PROFILE).is_file(), "{CMYK_PROFILE} missing: run `make deps`");
    let dir = std::env::temp_dir().join(format!("traceless-cmyk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A corpus photo separated into CMYK by Little CMS, saved by Pillow as Photoshop
    // does (Adobe segment, inverted samples) with and without its profile; and
    // Little CMS's sRGB of those CMYK pixels (relative colorimetric, as qcms and so
    // Firefox convert them) as the reference.
    let script = r#"
import io, sys
from PIL import Image, ImageCms
source, profile_path, out = sys.argv[1:4]
icc = open(profile_path, 'rb').read()
cmyk_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
srgb = ImageCms.createProfile('sRGB')
photo = Image.open(source).convert('RGB')
cmyk = ImageCms.profileToProfile(photo, srgb, cmyk_profile, renderingIntent=0, outputMode='CMYK')
cmyk.save(out + '/with-profile.jpg', quality=95, icc_profile=icc)
cmyk.save(out + '/no-profile.jpg', quality=95)
stored = Image.open(out + '/with-profile.jpg')
ImageCms.profileToProfile(stored, cmyk_profile, srgb, renderingIntent=1, outputMode='RGB').save(out + '/reference.png')
"#;
    let photo = common::corpus_dir().join("image-rs-image/tests/images/jpg/portrait_2.jpg");
    let status = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&photo)
        .arg(CMYK_PROFILE)
        .arg(&dir)
        .status()
        .expect("run Pillow");
    assert!(status.success());
    let reference = pillow_rgb(&dir.join("reference.png"));

    let png = ConvertOptions { format: OutputFormat::Png, ..ConvertOptions::default() };
    let mut scores = Vec::new();
    for name in ["with-profile.jpg", "no-profile.jpg"] {
        let data = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(inspect(&data).unwrap().icc.is_some(), name == "with-profile.jpg");
        let converted = convert(&data, &png).unwrap_or_else(|e| panic!("{name}: {e}"));
        // The output is sRGB: the CMYK profile would misdescribe it.
        assert!(!converted.report.icc_kept && inspect(&converted.data).unwrap().icc.is_none(), "{name}");
        let out = dir.join(format!("{name}.png"));
        std::fs::write(&out, &converted.data).unwrap();
        scores.push(psnr(&pillow_rgb(&out), &reference));
        // JPEG and WebP too, and to sRGB as asked.
        for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
            let options = ConvertOptions { format, colour: traceless_core::ColourMode::ConvertToSrgb, ..png.clone() };
            convert(&data, &options).unwrap_or_else(|e| panic!("{name} to {format:?}: {e}"));
        }
    }
    // Measured: 48.2 dB through the profile; 21.5 dB without one (the inks multiplied
    // out, as browsers without colour management show them).
    assert!(scores[0] > 45.0, "through the profile: {:.1} dB from Little CMS", scores[0]);
    assert!(scores[1] > 18.0 && scores[1] < scores[0] - 10.0, "without a profile: {:.1} dB", scores[1]);
    std::fs::remove_dir_all(&dir).ok();
}

/// The 16-bit PNGs of the corpus (PngSuite and image-rs's).
fn sixteen_bit_pngs() -> Vec<(String, Vec<u8>)> {
    let corpus = common::corpus_dir();
    common::index()
        .into_iter()
        .filter(|r| r.format == "PNG" && !r.animated)
        .filter_map(|r| {
            let data = std::fs::read(corpus.join(&r.path)).ok()?;
            (data.get(24) == Some(&16)).then_some((r.path, data))
        })
        .collect()
}

#[test]
fn sixteen_bit_pngs_keep_their_sixteen_bits_as_png() {
    let files = sixteen_bit_pngs();
    assert!(files.len() >= 30, "only {} 16-bit PNGs in the corpus", files.len());
    let png = ConvertOptions { format: OutputFormat::Png, ..ConvertOptions::default() };
    let mut kept_16 = 0;
    for (path, data) in &files {
        let original = image::load_from_memory(data).unwrap_or_else(|e| panic!("{path}: {e}"));
        let converted = convert(data, &png).unwrap_or_else(|e| panic!("{path}: {e}"));
        let out = image::load_from_memory(&converted.data).unwrap();
        // Lossless at 16 bits: every sample as the image crate reads the original.
        assert_eq!(out.to_rgba16().into_raw(), original.to_rgba16().into_raw(), "{path}");
        // oxipng writes 8 bits only where they hold the same values.
        let eight_suffice = original.to_rgba16().into_raw().iter().all(|v| v % 257 == 0);
        assert!(converted.data[24] == 16 || eight_suffice, "{path}: reduced to {} bits", converted.data[24]);
        kept_16 += usize::from(converted.data[24] == 16);
    }
    // Measured: 30 of 36 (the six PngSuite gamma files hold 8-bit values in 16 bits).
    assert!(kept_16 >= 30, "only {kept_16} of {} still 16-bit", files.len());

    // Resized in 16 bits: its high bytes are those of the 8-bit path (which a target
    // size still takes), within rounding.
    let (path, data) = files.iter().find(|(p, _)| p.ends_with("pngsuite/png/basn6a16.png")).unwrap();
    let small = ConvertOptions { max_width: Some(12), max_height: Some(12), ..png.clone() };
    let deep = convert(data, &small).unwrap();
    assert_eq!((deep.report.width, deep.report.height, deep.data[24]), (12, 12, 16), "{path}");
    let eight = convert(data, &ConvertOptions { target_bytes: Some(1 << 30), ..small }).unwrap();
    assert_eq!(eight.data[24], 8);
    let deep = image::load_from_memory(&deep.data).unwrap().to_rgba16().into_raw();
    let eight = image::load_from_memory(&eight.data).unwrap().to_rgba8().into_raw();
    let worst =
        deep.iter().zip(&eight).map(|(d, e)| ((u32::from(*d) + 128) / 257).abs_diff(u32::from(*e))).max().unwrap();
    assert!(worst <= 2, "16-bit and 8-bit resizing differ by {worst}");
}
