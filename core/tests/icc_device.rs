#![cfg(not(target_arch = "wasm32"))]
//! A colour profile that names its device (a display's, as a screenshot carries):
//! cleaning and converting write it again without the device, and exiftool judges.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use traceless_core::{clean, convert, inspect, Category, ConvertOptions, OutputFormat, Policy};

const SERIAL: &[u8] = b"SN-4C3B2A19";
const MODEL: &str = "DELL U2720Q";

/// The corpus photo's sRGB profile (HP's, 3,144 bytes), as exiftool extracts it.
fn srgb() -> Vec<u8> {
    let photo = common::corpus_dir().join("ianare-exif-samples/jpg/Nikon_D70.jpg");
    let out = Command::new("exiftool").args(["-b", "-ICC_Profile"]).arg(photo).output().expect("exiftool runs");
    assert!(out.stdout.len() > 3000 && &out.stdout[36..40] == b"acsp", "the corpus profile");
    out.stdout
}

/// The profile exiftool extracts from `path`.
fn exif_profile(path: &Path) -> Vec<u8> {
    Command::new("exiftool").args(["-b", "-ICC_Profile"]).arg(path).output().expect("exiftool runs").stdout
}

/// `profile` with device tags added as macOS writes a display's: Apple's make and
/// model (with a serial number), the display's model as text, its video card's
/// curves; and a date and device maker in the header.
fn display_profile(profile: &[u8]) -> Vec<u8> {
    let be = |d: &[u8], at: usize| u32::from_be_bytes(d[at..at + 4].try_into().unwrap()) as usize;
    let count = be(profile, 128);
    let mmod = [b"mmod".as_slice(), &[0; 4], b"DELL", &[0xA0, 0x50, 0, 0], SERIAL].concat();
    let dmdd = {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend_from_slice(&(MODEL.len() as u32 + 1).to_be_bytes());
        t.extend_from_slice(MODEL.as_bytes());
        t.extend_from_slice(&[0; 80]);
        t
    };
    let vcgt = [b"vcgt".as_slice(), &[0; 4], &[0, 0, 0, 1], &[0; 36]].concat();
    let added: [(&[u8; 4], &[u8]); 3] = [(b"mmod", &mmod), (b"vcgt", &vcgt), (b"dmdd", &dmdd)];
    // The table grows by three entries: every old offset moves by 36.
    let mut out = profile[..128].to_vec();
    out.extend_from_slice(&((count + added.len()) as u32).to_be_bytes());
    for i in 0..count {
        let entry = 132 + 12 * i;
        out.extend_from_slice(&profile[entry..entry + 4]);
        out.extend_from_slice(&((be(profile, entry + 4) + 36) as u32).to_be_bytes());
        out.extend_from_slice(&profile[entry + 8..entry + 12]);
    }
    let mut data = profile[132 + 12 * count..].to_vec();
    let data_at = 132 + 12 * (count + added.len());
    for (sig, body) in added {
        while data.len() % 4 != 0 {
            data.push(0);
        }
        out.extend_from_slice(sig);
        out.extend_from_slice(&((data_at + data.len()) as u32).to_be_bytes());
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
    }
    out.extend_from_slice(&data);
    let len = out.len() as u32;
    out[0..4].copy_from_slice(&len.to_be_bytes());
    out[48..52].copy_from_slice(b"DELL");
    out
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traceless-icc-device-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// exiftool's reading of the file's profile (group ICC_Profile and its sub-groups).
fn profile_tags(path: &Path) -> Vec<String> {
    let out = Command::new("exiftool")
        .args(["-a", "-G1", "-s", "-ICC_Profile:all", "-ICC-*:all"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A 64×48 image in `format` (the `image` crate's encoder) with `profile` embedded by exiftool.
fn image_with(format: image::ImageFormat, name: &str, profile: &[u8]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 128]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, format).unwrap();
    embedded(name, bytes.get_ref(), profile)
}

/// `file` with `profile` put in it by exiftool (written as `name` in the scratch folder).
fn embedded(name: &str, file: &[u8], profile: &[u8]) -> Vec<u8> {
    let path = scratch(name, file);
    let icc = scratch(&format!("{name}.icc"), profile);
    let status = Command::new("exiftool")
        .args(["-q", "-overwrite_original"])
        .arg(format!("-ICC_Profile<={}", icc.display()))
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "exiftool embeds the profile in {name}");
    std::fs::read(path).unwrap()
}

#[test]
fn a_display_profile_is_written_again_without_its_device() {
    let srgb = srgb();
    let display = display_profile(&srgb);
    for (format, name) in [
        (image::ImageFormat::Jpeg, "shot.jpg"),
        (image::ImageFormat::Png, "shot.png"),
        (image::ImageFormat::WebP, "shot.webp"),
    ] {
        let file = image_with(format, name, &display);
        let before = profile_tags(&scratch(name, &file));
        assert!(
            before.iter().any(|l| l.contains("MakeAndModel")),
            "{name}: exiftool sees the device (the test can fail): {before:?}"
        );
        assert!(before.iter().any(|l| l.contains(MODEL)), "{name}: {before:?}");
        let report = inspect(&file).unwrap();
        assert!(
            report.findings.iter().any(|f| f.category == Category::Identifiers && f.key == "ICC mmod"),
            "{name}: the report names the display's make and model: {:?}",
            report.findings
        );

        let cleaned = clean(&file, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = scratch(&format!("cleaned-{name}"), &cleaned.data);
        let after = profile_tags(&path);
        for gone in ["MakeAndModel", "VideoCardGamma", "DeviceModelDesc", "DeviceMfgDesc", MODEL] {
            assert!(!after.iter().any(|l| l.contains(gone)), "{name}: {gone} left: {after:?}");
        }
        assert!(!contains(&cleaned.data, SERIAL), "{name}: the serial number left");
        // A display's profile is named after the display: it is called "Display" now.
        assert!(
            after.iter().any(|l| l.contains("ProfileDescription") && l.trim_end().ends_with(": Display")),
            "{name}: {after:?}"
        );
        assert!(after.iter().any(|l| l.contains("RedMatrixColumn")), "{name}: the colour tags stay: {after:?}");
        assert!(cleaned.report.removed.iter().any(|f| f.key == "ICC mmod"), "{name}");
        assert!(cleaned.report.kept.iter().any(|f| f.key == "ICC profile"), "{name}: the profile is kept");
        // The same pixels, and colours converted as the original's.
        assert_eq!(common::decode_frames(&cleaned.data).unwrap(), common::decode_frames(&file).unwrap(), "{name}");
        let again = clean(&cleaned.data, &Policy::default()).unwrap();
        assert!(again.report.unchanged, "{name}: the written profile is left alone: {:?}", again.report.removed);

        // Converting writes the profile without its device too.
        let png = convert(&file, &ConvertOptions { format: OutputFormat::Png, ..ConvertOptions::default() }).unwrap();
        let converted = profile_tags(&scratch(&format!("converted-{name}.png"), &png.data));
        assert!(!converted.iter().any(|l| l.contains("MakeAndModel") || l.contains(MODEL)), "{name}: {converted:?}");
        assert!(
            converted.iter().any(|l| l.contains("ProfileDescription") && l.trim_end().ends_with(": Display")),
            "{name}: the profile is in the copy: {converted:?}"
        );
    }
    // The plain sRGB profile (the device names it carries are IEC's) is left byte for byte
    // (the PNG chunk's name, exiftool's "icm" here, is the cleaner's own).
    let plain = image_with(image::ImageFormat::Png, "plain.png", &srgb);
    let cleaned = clean(&plain, &Policy::default()).unwrap().data;
    assert_eq!(exif_profile(&scratch("plain-cleaned.png", &cleaned)), srgb);
    assert!(!inspect(&plain).unwrap().findings.iter().any(|f| f.key.starts_with("ICC ") && f.key != "ICC profile"));
    // Removed only because asked (--drop-icc): said so, not "Removed nothing that identifies you".
    let dropped = clean(&plain, &Policy { keep_icc: false, ..Policy::default() }).unwrap();
    assert_eq!(dropped.report.summary, "Removed display information only (nothing that identifies you)");
}

/// `file` (a corpus HEIC or AVIF) with `profile` put in its picture's `colr` by exiftool.
fn corpus_with(file: &str, name: &str, profile: &[u8]) -> Vec<u8> {
    embedded(name, &std::fs::read(common::corpus_dir().join(file)).unwrap(), profile)
}

/// GIF, HEIF and AVIF writers copied a profile as it was, so one naming its device went
/// whole and the picture's colours with it (inspect said it was kept): now each is written
/// again without the device, as JPEG's, PNG's and WebP's are.
#[test]
fn gif_heif_and_avif_keep_a_display_profile_without_its_device() {
    let display = display_profile(&srgb());
    let gif = image_with(image::ImageFormat::Gif, "shot.gif", &display);
    let heic = corpus_with("ianare-exif-samples/heic/IMG_5195.HEIC", "shot.heic", &display);
    let avif =
        corpus_with("link-u-avif-sample-images/red-at-12-oclock-with-color-profile-8bpc.avif", "shot.avif", &display);
    for (name, file) in [("shot.gif", gif), ("shot.heic", heic), ("shot.avif", avif)] {
        let before = profile_tags(&scratch(name, &file));
        assert!(before.iter().any(|l| l.contains("MakeAndModel")), "{name} (the test can fail): {before:?}");
        let report = inspect(&file).unwrap();
        let profile = report.findings.iter().find(|f| f.key == "ICC profile");
        assert_eq!(
            profile.map(|f| f.category),
            Some(Category::Display),
            "{name}: shown as kept: {:?}",
            report.findings
        );

        let cleaned = clean(&file, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let after = profile_tags(&scratch(&format!("cleaned-{name}"), &cleaned.data));
        for gone in ["MakeAndModel", "VideoCardGamma", "DeviceModelDesc", MODEL] {
            assert!(!after.iter().any(|l| l.contains(gone)), "{name}: {gone} left: {after:?}");
        }
        assert!(!contains(&cleaned.data, SERIAL), "{name}: the serial number left");
        assert!(
            after.iter().any(|l| l.contains("ProfileDescription") && l.trim_end().ends_with(": Display")),
            "{name}: {after:?}"
        );
        assert!(after.iter().any(|l| l.contains("RedMatrixColumn")), "{name}: the colour tags stay: {after:?}");
        assert!(cleaned.report.removed.iter().any(|f| f.key == "ICC mmod"), "{name}: {:?}", cleaned.report.removed);
        assert!(cleaned.report.kept.iter().any(|f| f.key == "ICC profile"), "{name}: the profile is kept");
        let again = clean(&cleaned.data, &Policy::default()).unwrap();
        assert!(again.report.unchanged, "{name}: the written profile is left alone: {:?}", again.report.removed);
    }
}

/// A profile whose tag table does not read cannot be told free of a device: cleaning
/// removes it, and inspect does not show it as kept.
#[test]
fn a_profile_whose_tags_do_not_read_is_not_shown_as_kept() {
    let mut broken = display_profile(&srgb());
    broken[128..132].copy_from_slice(&100_000u32.to_be_bytes());
    let file = image_with(image::ImageFormat::Png, "broken.png", &broken);
    let report = inspect(&file).unwrap();
    let profile = report.findings.iter().find(|f| f.key == "ICC profile").expect("the profile is shown");
    assert_ne!(profile.category, Category::Display, "{:?}", report.findings);
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert!(cleaned.report.removed.iter().any(|f| f.key == "ICC profile"), "{:?}", cleaned.report);
    assert_ne!(cleaned.report.summary, "Nothing to remove");
}
