#![cfg(all(feature = "video", not(target_arch = "wasm32")))]
//! Image sequences (animated AVIF): the corpus's four (GPAC's, with and without an
//! alpha track) and one exiftool filled with a place, a person, a camera and XMP,
//! cleaned and judged by ffmpeg (every decoded frame of every track), libheif (the
//! still image), exiftool (what is left) and our own inspection.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use traceless_core::{clean, convert, inspect, reason, Category, ConvertOptions, ErrorKind, Policy};

const SEQUENCES: &[&str] = &[
    "link-u-avif-sample-images/star-8bpc.avifs",
    "link-u-avif-sample-images/star-10bpc.avifs",
    "link-u-avif-sample-images/star-8bpc-with-alpha.avifs",
    "link-u-avif-sample-images/star-12bpc-with-alpha.avifs",
];

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traceless-sequences-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// ffmpeg's hash of every decoded frame of every track.
fn frame_hashes(path: &Path) -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0", "-f", "framemd5", "-"])
        .output();
    let out = out.expect("ffmpeg");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.starts_with('#')).map(str::to_string).collect()
}

/// libheif's RGBA of the still image, or None if it refuses the file. libheif 1.15
/// reads only files with a still-image brand, so a copy says `mif1`, `avif` (in
/// place of `avis`, `msf1`: the same length).
fn still_pixels(data: &[u8], dir: &Path, name: &str) -> Option<Vec<u8>> {
    let mut copy = data.to_vec();
    copy[8..12].copy_from_slice(b"mif1");
    copy[16..20].copy_from_slice(b"avif");
    let (input, output) = (dir.join(format!("{name}.avif")), dir.join(format!("{name}.png")));
    std::fs::write(&input, copy).unwrap();
    let _ = std::fs::remove_file(&output);
    let status = Command::new("heif-convert").arg(&input).arg(&output).output().expect("heif-convert").status;
    if !status.success() {
        return None;
    }
    Some(image::open(&output).unwrap().into_rgba8().into_raw())
}

/// Tags exiftool finds that name a place, a device, software, a person or a date.
fn revealing_tags(path: &Path) -> Vec<String> {
    let out = Command::new("exiftool").args(["-a", "-G1", "-s", "-ee"]).arg(path).output().expect("exiftool");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("[System]") && !l.starts_with("[File]") && !l.starts_with("[ExifTool]"))
        .filter(|l| {
            ["[Keys]", "[UserData]", "[ItemList]", "[XMP", "GPS", "Make", "Model", "Software", "Author", "Creator"]
                .iter()
                .any(|k| l.contains(k))
                || (l.contains("Date") && !l.contains("0000:00:00 00:00:00"))
        })
        .map(str::to_string)
        .collect()
}

/// star-8bpc.avifs with exiftool's metadata added: XMP, a place and a make in user
/// data, an author in Keys, a comment in the item list (exiftool moves the chunks
/// and the still's item to match).
fn dirty(dir: &Path) -> (PathBuf, Vec<&'static str>) {
    let source = common::corpus_dir().join(SEQUENCES[0]);
    let out = dir.join("dirty.avifs");
    let _ = std::fs::remove_file(&out);
    let status = Command::new("exiftool")
        .args([
            "-q",
            "-XMP-dc:Creator=Secret Person",
            "-UserData:GPSCoordinates=48.8584, 2.2945",
            "-UserData:Make=SecretCam",
            "-Keys:Author=SecretAuthor",
            "-ItemList:Comment=SecretComment",
            "-o",
        ])
        .arg(&out)
        .arg(&source)
        .status()
        .expect("exiftool");
    assert!(status.success());
    (out, vec!["Secret Person", "SecretCam", "SecretAuthor", "SecretComment", "+48.8584"])
}

#[test]
fn sequences_are_cleaned_losslessly_and_reveal_nothing() {
    let dir = scratch();
    let (dirty_path, markers) = dirty(&dir);
    let mut files: Vec<PathBuf> = SEQUENCES.iter().map(|p| common::corpus_dir().join(p)).collect();
    files.push(dirty_path.clone());
    let mut stills_judged = 0;
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let original = std::fs::read(path).unwrap();
        assert!(!revealing_tags(path).is_empty(), "{name}: exiftool finds dates or more in the original");
        let before = inspect(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(before.findings.iter().any(|f| f.category != Category::Display), "{name}: something to remove");

        let cleaned = clean(&original, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = dir.join(format!("cleaned-{i}-{name}"));
        std::fs::write(&out, &cleaned.data).unwrap();
        assert_eq!(revealing_tags(&out), Vec::<String>::new(), "{name}: exiftool still finds these");
        let frames = frame_hashes(&out);
        assert!(frames.len() >= 5, "{name}: {} frames", frames.len());
        assert_eq!(frames, frame_hashes(path), "{name}: every frame of every track decodes as before");
        let after = inspect(&cleaned.data).unwrap();
        assert!(after.findings.iter().all(|f| f.category == Category::Display), "{name}: {:?}", after.findings);
        assert!(after.findings.iter().any(|f| f.value.starts_with("Picture sequence track")), "{name}: its track");
        assert_eq!(clean(&cleaned.data, &Policy::default()).unwrap().data, cleaned.data, "{name}: idempotent");
        // The still image: libheif's pixels the same, where it reads the original (the
        // alpha files' still refers to a missing item, which libheif refuses; cleaning
        // drops the dangling alpha, so it reads their cleaned copies).
        let cleaned_still = still_pixels(&cleaned.data, &dir, &format!("after-{i}"));
        assert!(cleaned_still.is_some(), "{name}: libheif reads the cleaned still image");
        if let Some(before) = still_pixels(&original, &dir, &format!("before-{i}")) {
            assert!(cleaned_still == Some(before), "{name}: the still image's pixels are unchanged");
            stills_judged += 1;
        }
    }
    assert_eq!(stills_judged, 3, "libheif judged the three still images it reads");

    let original = std::fs::read(&dirty_path).unwrap();
    let cleaned = clean(&original, &Policy::default()).unwrap();
    for m in &markers {
        let found = |d: &[u8]| d.windows(m.len()).any(|w| w == m.as_bytes());
        assert!(found(&original), "the dirty file carries {m:?}");
        assert!(!found(&cleaned.data), "{m:?} survived cleaning");
    }
    let report = inspect(&original).unwrap();
    assert!(report.location.is_some(), "the place in user data is reported");
    assert!(cleaned.report.removed.iter().any(|f| f.category == Category::Location), "{:?}", cleaned.report.removed);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sequences_are_not_converted_yet_and_say_so() {
    let data = std::fs::read(common::corpus_dir().join(SEQUENCES[0])).unwrap();
    let err = convert(&data, &ConvertOptions::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert_eq!(err.reason.map(|r| r.code), Some(reason::IMAGE_SEQUENCE));
}

#[test]
fn damaged_sequences_are_errors_not_panics() {
    // Every truncation and a byte flipped every 61 bytes, of both kinds of file.
    for path in [SEQUENCES[0], SEQUENCES[2]] {
        let data = std::fs::read(common::corpus_dir().join(path)).unwrap();
        for cut in (0..data.len()).step_by(97) {
            let _ = clean(&data[..cut], &Policy::default());
            let _ = inspect(&data[..cut]);
        }
        for at in (0..data.len()).step_by(61) {
            let mut bad = data.clone();
            bad[at] ^= 0x5A;
            if let Ok(cleaned) = clean(&bad, &Policy::default()) {
                // Whatever cleaning accepts, it checked: nothing but display is left.
                let report = inspect(&cleaned.data).unwrap();
                assert!(report.findings.iter().all(|f| f.category == Category::Display), "{path} flipped at {at}");
            }
        }
    }
}
