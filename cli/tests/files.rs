#![cfg(unix)]
//! The files a person's folders hold besides plain photos (links, pipes, names that are
//! not text, names near the system's limit) and runs whose outputs would land on their
//! own inputs: never an original replaced or left with its metadata while the run says
//! it is done, never a panic or a hang.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn corpus(rel: &str) -> PathBuf {
    let dir = std::env::var_os("TRACELESS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.join(rel)
}

/// A photo with a GPS position (exiftool's sample).
fn photo() -> PathBuf {
    corpus("exiftool/t/images/GPS.jpg")
}

/// Runs the tool; fails the test rather than wait for ever if it hangs.
fn traceless<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_traceless"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run traceless");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("traceless {:?} hung", args.iter().map(|a| a.as_ref().to_string_lossy()).collect::<Vec<_>>());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn has_location(path: &Path) -> bool {
    traceless_core::inspect(&std::fs::read(path).unwrap()).unwrap().location.is_some()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn overwrite_never_replaces_another_original_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("t");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(photo(), folder.join("x.jpg")).unwrap();
    std::fs::copy(corpus("mat2/tests/data/dirty.png"), folder.join("x.png")).unwrap();
    let original = std::fs::read(folder.join("x.jpg")).unwrap();
    // x.png as JPEG would be t/x.jpg: the photo beside it.
    let out = traceless(&[
        OsStr::new("convert"),
        OsStr::new("--to"),
        OsStr::new("jpeg"),
        folder.as_os_str(),
        OsStr::new("-o"),
        folder.as_os_str(),
        OsStr::new("--overwrite"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("another original of this run"), "{}", stderr(&out));
    assert_eq!(std::fs::read(folder.join("x.jpg")).unwrap(), original, "the photo is as it was");

    // Two inputs, one folder's output over the other's original.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a.join("c")).unwrap();
    std::fs::create_dir_all(b.join("c")).unwrap();
    std::fs::copy(photo(), a.join("c/x.jpg")).unwrap();
    std::fs::copy(corpus("ianare-exif-samples/jpg/gps/DSCN0010.jpg"), b.join("c/x.jpg")).unwrap();
    let theirs = std::fs::read(b.join("c/x.jpg")).unwrap();
    let out = traceless(&[
        OsStr::new("clean"),
        a.as_os_str(),
        b.join("c").as_os_str(),
        OsStr::new("-o"),
        b.as_os_str(),
        OsStr::new("--overwrite"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read(b.join("c/x.jpg")).unwrap(), theirs, "b/c/x.jpg is an original, not an output");
}

#[test]
fn in_place_cleans_the_photo_a_link_points_to_and_refuses_a_file_with_other_names() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.jpg");
    let link = dir.path().join("link.jpg");
    std::fs::copy(photo(), &real).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = traceless(&[OsStr::new("clean"), OsStr::new("--in-place"), link.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!has_location(&real), "the photo itself is cleaned");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");

    let hard = dir.path().join("hard.jpg");
    let other = dir.path().join("other-name.jpg");
    std::fs::copy(photo(), &hard).unwrap();
    std::fs::hard_link(&hard, &other).unwrap();
    let out = traceless(&[OsStr::new("clean"), OsStr::new("--in-place"), hard.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("hard links"), "{}", stderr(&out));
    assert!(has_location(&hard) && has_location(&other), "refused: nothing changed");

    // Named twice (and through a link): cleaned once, the second refused.
    std::fs::copy(photo(), &real).unwrap();
    let out = traceless(&[OsStr::new("clean"), OsStr::new("--in-place"), real.as_os_str(), link.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("named twice"), "{}", stderr(&out));
    assert!(!has_location(&real));
}

#[test]
fn names_that_are_not_text_or_near_the_limit_clean_in_both_modes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // Names from another system's encoding, alike but for bytes that are not UTF-8.
    for byte in 0xF1..=0xF8u8 {
        std::fs::copy(photo(), input.join(OsStr::from_bytes(&[b'r', byte, b'.', b'j', b'p', b'g']))).unwrap();
    }
    // 244 bytes: within the 255 a name may have.
    let long = format!("{}.jpg", "a".repeat(240));
    std::fs::copy(photo(), input.join(&long)).unwrap();
    for (json, out_name) in [(false, "text"), (true, "json")] {
        let out_dir = dir.path().join(out_name);
        let mut args = vec![
            OsStr::new("clean"),
            OsStr::new("-j"),
            OsStr::new("2"),
            input.as_os_str(),
            OsStr::new("-o"),
            out_dir.as_os_str(),
        ];
        if json {
            args.push(OsStr::new("--json"));
        }
        let out = traceless(&args);
        assert!(out.status.success(), "{out_name}: {:?} {}", out.status, stderr(&out));
        assert_eq!(
            std::fs::read_dir(&out_dir).unwrap().count(),
            9,
            "{out_name}: every file written, no temporary left"
        );
        assert!(!has_location(&out_dir.join(&long)));
        if json {
            let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(results.as_array().unwrap().len(), 9);
            assert!(results.as_array().unwrap().iter().all(|r| r["status"] == "done"));
        }
    }
    let out = traceless(&[OsStr::new("inspect"), OsStr::new("--json"), input.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
}

#[test]
fn a_pipe_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe.jpg");
    assert!(Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    for command in ["clean", "inspect"] {
        let mut args = vec![OsStr::new(command), pipe.as_os_str()];
        let out_dir = dir.path().join("out");
        if command == "clean" {
            args.extend([OsStr::new("-o"), out_dir.as_os_str()]);
        }
        let out = traceless(&args);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(stderr(&out).contains("not a regular file"), "{command}: {}", stderr(&out));
    }
}

#[test]
fn links_in_a_folder_are_said_to_be_left_out_and_an_output_folder_inside_is_not_cleaned_again() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(photo(), input.join("a.jpg")).unwrap();
    std::os::unix::fs::symlink(input.join("a.jpg"), input.join("b.jpg")).unwrap();
    let out_dir = input.join("out");
    for run in 0..2 {
        let mut args = vec![OsStr::new("clean"), input.as_os_str(), OsStr::new("-o"), out_dir.as_os_str()];
        if run == 1 {
            args.push(OsStr::new("--overwrite"));
        }
        let out = traceless(&args);
        assert!(out.status.success(), "run {run}: {}", stderr(&out));
        assert!(stderr(&out).contains("b.jpg: skipped: a symbolic link"), "run {run}: {}", stderr(&out));
        assert!(stderr(&out).contains("1 done"), "run {run}: {}", stderr(&out));
    }
    assert!(!out_dir.join("out").exists(), "the second run did not clean the first one's copies");

    // A link already at the output's place, even one to nothing, counts as a file there.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nothing"), elsewhere.join("a.jpg")).unwrap();
    let out =
        traceless(&[OsStr::new("clean"), input.join("a.jpg").as_os_str(), OsStr::new("-o"), elsewhere.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--overwrite"), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(elsewhere.join("a.jpg")).unwrap().file_type().is_symlink());
}
