//! The `traceless` binary, run as a person would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(rel: &str) -> PathBuf {
    let dir = std::env::var_os("TRACELESS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.join(rel)
}

fn traceless(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_traceless")).args(args).output().expect("run traceless")
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

const GPS_JPG: &str = "exiftool/t/images/GPS.jpg";

#[test]
fn inspect_shows_location_for_people_and_json_for_machines() {
    let file = corpus(GPS_JPG);
    let out = traceless(&[os("inspect"), os(&file)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Reveals: location"), "{text}");
    assert!(text.contains("54.989667, -1.914167"), "{text}");

    let out = traceless(&[os("inspect"), os("--json"), os(&file)]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["report"]["location"]["latitude"].as_f64().map(|v| (v * 1000.0).round()), Some(54990.0));
}

#[test]
fn clean_writes_copies_and_never_touches_originals() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(corpus(GPS_JPG), input.join("sub/gps.jpg")).unwrap();
    std::fs::copy(corpus("mat2/tests/data/dirty.png"), input.join("dirty.png")).unwrap();
    std::fs::write(input.join("notes.txt"), "not an image").unwrap();
    std::fs::write(input.join("broken.jpg"), [0xFF, 0xD8, 0xFF, 0xE1, 0, 9]).unwrap();
    let before = std::fs::read(input.join("sub/gps.jpg")).unwrap();
    let out_dir = dir.path().join("out");

    let out = traceless(&[os("clean"), os(&input), os("-o"), os(&out_dir), os("--json")]);
    assert_eq!(out.status.code(), Some(1), "one broken file fails the run");
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |name: &str| {
        results.as_array().unwrap().iter().find(|r| r["file"].as_str().unwrap().ends_with(name)).unwrap()["status"]
            .clone()
    };
    assert_eq!(status("gps.jpg"), "done");
    assert_eq!(status("dirty.png"), "done");
    assert_eq!(status("notes.txt"), "skipped");
    assert_eq!(status("broken.jpg"), "failed");
    assert_eq!(std::fs::read(input.join("sub/gps.jpg")).unwrap(), before, "original untouched");
    let cleaned = std::fs::read(out_dir.join("sub/gps.jpg")).unwrap();
    assert!(cleaned.len() < before.len());
    assert!(traceless_core::inspect(&cleaned).unwrap().location.is_none());
    assert!(!out_dir.join("broken.jpg").exists() && !out_dir.join("notes.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");

    // A second run refuses to replace what it wrote, unless asked.
    let again = traceless(&[os("clean"), os(&input.join("sub/gps.jpg")), os("-o"), os(&out_dir.join("sub"))]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--overwrite"));
    let forced = traceless(&[
        os("clean"),
        os(&input.join("sub/gps.jpg")),
        os("-o"),
        os(&out_dir.join("sub")),
        os("--overwrite"),
    ]);
    assert!(forced.status.success());
}

#[test]
fn clean_refuses_to_overwrite_the_original_without_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photo.jpg");
    std::fs::copy(corpus(GPS_JPG), &file).unwrap();
    let original = std::fs::read(&file).unwrap();
    let out = traceless(&[os("clean"), os(&file), os("-o"), os(dir.path()), os("--overwrite")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--in-place"));
    assert_eq!(std::fs::read(&file).unwrap(), original);

    let out = traceless(&[os("clean"), os(&file)]);
    assert_eq!(out.status.code(), Some(2), "neither -o nor --in-place is a usage error");

    let out = traceless(&[os("clean"), os(&file), os("--in-place")]);
    assert!(out.status.success());
    let cleaned = std::fs::read(&file).unwrap();
    assert!(cleaned.len() < original.len());
    assert!(traceless_core::inspect(&cleaned)
        .unwrap()
        .findings
        .iter()
        .all(|f| f.category == traceless_core::Category::Display));
}

#[test]
fn unsupported_files_named_explicitly_fail_with_their_type() {
    let out = traceless(&[os("inspect"), os(&corpus("ianare-exif-samples/tiff/Arbitro.tiff"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TIFF"));
}

/// A new user's mistakes: a text file named .jpg, an empty file, a missing path.
/// Every command words each failure the same way, on stderr, exits 1, and with
/// --json still prints its results (with the failure) on stdout.
#[test]
fn failures_are_worded_alike_by_every_command_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "a shopping list, not a photo").unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.jpg");
    let out_dir = dir.path().join("out");
    let cases = [(&text, "not a recognised image"), (&empty, "empty file"), (&missing, "no such file or folder")];
    let commands: [&[&str]; 3] = [&["inspect"], &["clean", "-o"], &["convert", "-o"]];
    for command in commands {
        for (file, words) in cases {
            for json in [false, true] {
                let mut args: Vec<&std::ffi::OsStr> = vec![os(command[0])];
                if command.len() > 1 {
                    args.extend([os(command[1]), os(&out_dir)]);
                }
                if json {
                    args.push(os("--json"));
                }
                args.push(os(file));
                let out = traceless(&args);
                let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
                let what = format!("{command:?} {} json={json}: stdout {stdout:?} stderr {stderr:?}", file.display());
                assert_eq!(out.status.code(), Some(1), "{what}");
                assert!(stderr.contains(&format!("{}: error: {words}", file.display())), "{what}");
                assert!(!stderr.contains("os error"), "{what}");
                if json {
                    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect(&what);
                    let entry = &results[0];
                    assert!(entry["error"].as_str().is_some_and(|e| e.contains(words)), "{what}");
                } else {
                    assert!(!stdout.contains("error"), "{what}");
                }
            }
        }
    }
    assert!(!out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none(), "nothing written");
}

#[test]
fn help_explains_the_tool() {
    let out = traceless(&[os("clean"), os("--help")]);
    let text = String::from_utf8(out.stdout).unwrap();
    for words in ["--in-place", "--out", "--drop-icc", "--keep-copyright"] {
        assert!(text.contains(words), "{words} missing from help");
    }
}

/// A generated test video (tests/videos/make.sh builds them; quick when up to date).
fn test_video(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let out = root.join("target/test-videos");
    let status = Command::new("bash").arg(root.join("tests/videos/make.sh")).arg(&out).status().expect("run make.sh");
    assert!(status.success(), "tests/videos/make.sh failed");
    out.join(name)
}

#[test]
fn videos_over_the_image_limit_are_cleaned_streamed() {
    // A 600 MB video (over the 512 MB that images may have): a real one whose
    // media data box is stretched with a sparse run of zeros, which no track uses.
    let dir = tempfile::tempdir().unwrap();
    let small = std::fs::read(test_video("h264_aac_faststart.mp4")).unwrap();
    let mdat = small.windows(4).position(|w| w == b"mdat").unwrap() - 4;
    assert_eq!(
        mdat + u32::from_be_bytes(small[mdat..mdat + 4].try_into().unwrap()) as usize,
        small.len(),
        "mdat is last"
    );
    let big_len: u64 = 600 << 20;
    let mut head = small.clone();
    head[mdat..mdat + 4].copy_from_slice(&((big_len - mdat as u64) as u32).to_be_bytes());
    let input = dir.path().join("big.mp4");
    std::fs::write(&input, &head).unwrap();
    std::fs::OpenOptions::new().write(true).open(&input).unwrap().set_len(big_len).unwrap();

    let out_dir = dir.path().join("out");
    let out = traceless(&[os("clean"), os(&input), os("-o"), os(&out_dir), os("--json")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["report"]["format"], "mp4");
    let cleaned = out_dir.join("big.mp4");
    assert_eq!(std::fs::metadata(&cleaned).unwrap().len(), json[0]["report"]["output_bytes"].as_u64().unwrap());
    // Its start is the small video cleaned (the same moov), its media data the same.
    let start = {
        use std::io::Read;
        let mut b = vec![0u8; small.len()];
        std::fs::File::open(&cleaned).unwrap().read_exact(&mut b).unwrap();
        b
    };
    assert!(!start.windows(13).any(|w| w == b"MarkerMakeCam"), "metadata removed");
    assert!(start.windows(4).any(|w| w == b"moov"));

    let out = traceless(&[os("inspect"), os(&input)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("MP4 160×120") && text.contains("Reveals: location"), "{text}");
}

#[test]
fn a_header_claiming_billions_of_pixels_is_refused_and_the_batch_goes_on() {
    // A PNG whose header says 2^31-1 × 2^31-1: the memory it would need overflowed a
    // 64-bit count and brought the whole run down (exit 101) before the engine's refusal.
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&out[4..]);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
        out
    }
    let side = (u32::MAX >> 1).to_be_bytes();
    let mut header = [side, side].concat();
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let png = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &chunk(b"IHDR", &header),
        // An empty zlib stream: the data is never reached.
        &chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        &chunk(b"IEND", b""),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, png).unwrap();
    let out_dir = dir.path().join("out");
    let out = traceless(&[os("convert"), os(&huge), os(&corpus("exiftool/t/images/GPS.jpg")), os("-o"), os(&out_dir)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("huge.png: error: over the engine's limits"), "{stderr}");
    assert!(out_dir.join("GPS.jpg").exists(), "the other file converted: {stderr}");
}

#[test]
fn a_transparent_image_made_jpeg_says_what_its_transparent_areas_became() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let transparent = corpus("image-rs-image/tests/images/png/transparency/tbbn3p08.png");
    let opaque = corpus(GPS_JPG);
    let said = |extra: &[&str]| {
        let mut args = vec![os("convert"), os(&transparent), os(&opaque)];
        args.extend(["--to", "jpeg", "--overwrite", "-o"].map(os));
        args.push(os(&out_dir));
        args.extend(extra.iter().map(os));
        let out = traceless(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lines = said(&[]);
    let line = |name: &str| lines.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{lines}")).to_owned();
    assert!(line("tbbn3p08").contains("transparency made white"), "{lines}");
    // An opaque photo has nothing to say.
    assert!(!line("GPS").contains("transparency"), "{lines}");
    let lines = said(&["--background", "336699"]);
    assert!(lines.contains("transparency made #336699"), "{lines}");
}
