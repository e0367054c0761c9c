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
    for command in ["clean", "inspect", "convert"] {
        let mut args = vec![OsStr::new(command), pipe.as_os_str()];
        let out_dir = dir.path().join("out");
        if command != "inspect" {
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

#[test]
fn an_output_folder_that_comes_back_to_the_originals_is_refused() {
    // `new/..` is the originals' own folder once `new` is made: a path made absolute without
    // resolving it was not seen to be, and the original was replaced.
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("a.jpg");
    std::fs::copy(photo(), &original).unwrap();
    let before = std::fs::read(&original).unwrap();
    for out_dir in ["new/..", "new/deeper/../..", "./new/../."] {
        let out = Command::new(env!("CARGO_BIN_EXE_traceless"))
            .current_dir(dir.path())
            .args(["clean", "a.jpg", "-o", out_dir])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out_dir}: {}", stderr(&out));
        assert!(stderr(&out).contains("would replace the original"), "{out_dir}: {}", stderr(&out));
        assert_eq!(std::fs::read(&original).unwrap(), before, "{out_dir}: the original is as it was");
        assert!(!dir.path().join("new").exists(), "{out_dir}: no folder made for nothing");
    }
    // A file named as the output folder is said to be one.
    let out = traceless(&[OsStr::new("clean"), original.as_os_str(), OsStr::new("-o"), original.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is a file (-o names a folder)"), "{}", stderr(&out));
}

#[test]
fn a_pipe_in_a_folder_is_said_to_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(photo(), input.join("a.jpg")).unwrap();
    assert!(Command::new("mkfifo").arg(input.join("pipe.jpg")).status().unwrap().success());
    // Converting names copies by their first bytes: a pipe is not opened for them (it hung).
    for command in ["clean", "convert"] {
        let out_dir = dir.path().join(command);
        let out = traceless(&[OsStr::new(command), input.as_os_str(), OsStr::new("-o"), out_dir.as_os_str()]);
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("pipe.jpg: skipped: not a regular file"), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("1 done"), "{command}: {}", stderr(&out));
    }
}

#[test]
fn output_cut_short_by_a_closed_pipe_ends_no_run_half_way() {
    // `traceless … | head`: the reader goes, the files are still all cleaned, no panic.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..6 {
        std::fs::copy(photo(), input.join(format!("{i}.jpg"))).unwrap();
    }
    let out_dir = dir.path().join("out");
    for args in [vec!["inspect", "in"], vec!["clean", "in", "-o", "out", "-j1"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_traceless"))
            .current_dir(dir.path())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before the first line
        let out = child.wait_with_output().unwrap();
        assert_ne!(out.status.code(), Some(101), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 6, "every file cleaned");
}

#[test]
fn a_file_cleaned_in_place_keeps_its_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.jpg");
    std::fs::copy(photo(), &file).unwrap();
    let me = std::fs::metadata(&file).unwrap();
    // Only root can give a file away (CI runs as root); for anyone else the new file is
    // theirs anyway, and this test would say nothing.
    if me.uid() != 0 {
        eprintln!("not root: the owner test says nothing here");
        return;
    }
    let (user, group) = (1234, 5678);
    std::os::unix::fs::chown(&file, Some(user), Some(group)).unwrap();
    let out = traceless(&[OsStr::new("clean"), file.as_os_str(), OsStr::new("--in-place")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!has_location(&file), "cleaned");
    let after = std::fs::metadata(&file).unwrap();
    assert_eq!((after.uid(), after.gid()), (user, group));
}

#[test]
fn converting_in_the_same_format_names_the_copy_by_what_was_written() {
    // A HEIC named .png becomes a JPEG (no HEIC encoder): named .jpg, not .png.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(corpus("mat2/tests/data/dirty.heic"), input.join("photo.png")).unwrap();
    std::fs::copy(photo(), input.join("a.jpeg")).unwrap();
    let out_dir = dir.path().join("out");
    let out = traceless(&[OsStr::new("convert"), input.as_os_str(), OsStr::new("-o"), out_dir.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["a.jpeg", "photo.jpg"]);
    assert!(std::fs::read(out_dir.join("photo.jpg")).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
}

/// The temporary files in `dir` and below.
#[cfg(target_os = "linux")]
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(temporary_files(&path));
        } else if path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".tmp")) {
            found.push(path);
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_stopped_by_a_signal_leaves_no_temporary_file_and_ends_by_that_signal() {
    use std::os::unix::process::ExitStatusExt;
    // strace holds each write for 3 s just before its file gets the original's permissions
    // (the temporary file exists, the rename has not happened), so the signal is sure to
    // arrive while a write is in progress: otherwise that window is a few milliseconds,
    // and a test that aims at it by timing would rarely hit it. The file is also looked
    // at while it is held: no one but its owner may read it yet.
    // `there`: the output folder is the person's own, made before the run: it stays.
    for (signal, number, in_place, there) in
        [("INT", 2, false, false), ("TERM", 15, false, false), ("HUP", 1, false, true), ("INT", 2, true, false)]
    {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("photo.jpg");
        std::fs::copy(photo(), &input).unwrap();
        let out = dir.path().join("out");
        if there {
            std::fs::create_dir(&out).unwrap();
        }
        let mut args: Vec<&OsStr> = vec![OsStr::new("clean"), input.as_os_str()];
        if in_place {
            args.push(OsStr::new("--in-place"));
        } else {
            args.extend([OsStr::new("-o"), out.as_os_str()]);
        }
        let mut strace = Command::new("strace")
            .args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=fchmod", "-e", "inject=fchmod:delay_enter=3000000"])
            .arg(env!("CARGO_BIN_EXE_traceless"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("strace (scripts/deps.sh installs it)");
        // The temporary file's name carries the process id to signal.
        let started = Instant::now();
        let temp = loop {
            let found = temporary_files(dir.path());
            if let Some(temp) = found.first() {
                break temp.clone();
            }
            if started.elapsed() > Duration::from_secs(20) || strace.try_wait().unwrap().is_some() {
                let _ = strace.kill();
                panic!("no write seen in progress ({signal})");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&temp).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "a temporary file others can read: {mode:o}");
        }
        let name = temp.file_name().unwrap().to_string_lossy().into_owned();
        let pid = name.trim_start_matches(".traceless-").split('-').next().unwrap().to_string();
        let sent = Command::new("kill").arg(format!("-{signal}")).arg(&pid).status().unwrap();
        assert!(sent.success(), "kill -{signal} {pid}");
        let status = strace.wait().unwrap();

        assert_eq!(temporary_files(dir.path()), Vec::<PathBuf>::new(), "left behind after SIG{signal}");
        // The output folder it made holds nothing yet: it goes too; one that was there stays.
        assert_eq!(out.exists(), there, "the output folder after SIG{signal} (made before the run: {there})");
        // Ended as the signal ends a program (strace passes its tracee's end on).
        assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
        assert!(has_location(&input), "the original is untouched (SIG{signal}, in place: {in_place})");
    }
}

/// The largest resident size of a run of the tool, in bytes (GNU time's).
#[cfg(target_os = "linux")]
fn peak_memory(args: &[&OsStr]) -> u64 {
    let (peak, succeeded) = peak_memory_of(args);
    assert!(succeeded, "traceless {args:?}");
    peak
}

/// The peak resident memory of a run, in bytes, and whether it succeeded.
fn peak_memory_of(args: &[&OsStr]) -> (u64, bool) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("time");
    let status = Command::new("/usr/bin/time")
        .args([OsStr::new("-f"), OsStr::new("%M"), OsStr::new("-o"), report.as_os_str()])
        .arg(env!("CARGO_BIN_EXE_traceless"))
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("GNU time (scripts/deps.sh installs it)");
    // GNU time writes "Command exited with non-zero status N" before the figure.
    let text = std::fs::read_to_string(report).unwrap();
    (text.lines().last().unwrap().trim().parse::<u64>().unwrap() * 1024, status.success())
}

#[cfg(target_os = "linux")]
#[test]
fn an_avif_grid_past_the_limit_is_refused_before_its_canvas_is_made() {
    // A read-only review's 760-byte AVIF (session 43): its grid's canvas, 1 GB, was made
    // before the grid was found not to fit (1.06 GB peak, then the error).
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/regressions/avif-grid-larger-than-the-limit.avif");
    let dir = tempfile::tempdir().unwrap();
    let args = [OsStr::new("convert"), file.as_os_str(), OsStr::new("-o"), dir.path().as_os_str()];
    let (peak, succeeded) = peak_memory_of(&args);
    assert!(!succeeded, "refused");
    assert!(peak < 200 << 20, "peak {} MB", peak >> 20);
}

#[cfg(target_os = "linux")]
#[test]
fn files_converted_at_once_share_a_memory_budget() {
    // Six 12-megapixel photos on six jobs: each conversion reserves 0.35 GB (28 bytes a
    // pixel), so in a budget of 1 MB each runs alone, and the run must then peak about as
    // high as a run on one worker, not as six workers that each keep what they freed.
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("in");
    std::fs::create_dir(&photos).unwrap();
    for i in 0..6 {
        std::fs::copy(corpus("ianare-exif-samples/jpg/tests/42_IndexError.jpg"), photos.join(format!("{i}.jpg")))
            .unwrap();
    }
    let run = |out: &str, jobs: &str, memory: &str| {
        let out = dir.path().join(out);
        let peak = peak_memory(&[
            OsStr::new("convert"),
            photos.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
            OsStr::new("--to"),
            OsStr::new("webp"),
            OsStr::new("-j"),
            OsStr::new(jobs),
            OsStr::new("--memory"),
            OsStr::new(memory),
        ]);
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 6, "every photo converted");
        peak
    };
    let together = run("together", "6", "100000");
    let alone = run("alone", "6", "1");
    let one_worker = run("one-worker", "1", "100000");
    eprintln!("peaks: {} MB together, {} MB alone, {} MB on one worker", together >> 20, alone >> 20, one_worker >> 20);
    assert!(alone * 2 < together, "{} MB one at a time against {} MB together", alone >> 20, together >> 20);
    assert!(
        alone * 10 < one_worker * 17,
        "{} MB one at a time on six workers, {} MB on one",
        alone >> 20,
        one_worker >> 20
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_exif_whose_fields_all_name_the_same_bytes_is_cleaned_in_little_memory() {
    // A read-only review's 63.5 KB JPEG (session 44): 2,700 text entries each naming the same
    // 32,000 zeros made kamadak-exif hold 2.3 GB; in a folder run the abort took every file.
    let (entries, zeros) = (2700usize, 32_000usize);
    let values = 8 + 2 + 12 * entries + 4;
    let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
    tiff.extend((entries as u16).to_be_bytes());
    for _ in 0..entries {
        tiff.extend([0xC0, 0x00, 0x00, 0x02]);
        tiff.extend((zeros as u32).to_be_bytes());
        tiff.extend((values as u32).to_be_bytes());
    }
    tiff.extend([0; 4]);
    tiff.resize(values + zeros, 0);
    // And a review of that mend's (63.6 KB): 1,800 directories 12 bytes apart, each read as
    // 1,800 entries, pointed to by 1,800 entries (442 MB).
    let n = 1800usize;
    let mut tables = b"MM\0*\0\0\0\x08".to_vec();
    tables.extend((n as u16).to_be_bytes());
    let first = 8 + 2 + 12 * n + 4;
    for i in 0..n {
        tables.extend([0x87, 0x69, 0, 4, 0, 0, 0, 1]);
        tables.extend(((first + 12 * i) as u32).to_be_bytes());
    }
    tables.extend([0; 4]);
    let count = (n as u16).to_be_bytes();
    for _ in 0..2 * n + 1 {
        tables.extend([count[0], count[1], 0x01, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, count[0], count[1]]);
    }
    let photo = std::fs::read(photo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec![OsStr::new("clean").to_os_string()];
    for (name, tiff) in [("bomb.jpg", &tiff), ("tables.jpg", &tables)] {
        let mut file = vec![0xFF, 0xD8, 0xFF, 0xE1];
        file.extend(((tiff.len() + 8) as u16).to_be_bytes());
        file.extend(b"Exif\0\0");
        file.extend(tiff);
        file.extend(&photo[2..]);
        std::fs::write(dir.path().join(name), &file).unwrap();
        args.push(dir.path().join(name).into_os_string());
    }
    args.extend([OsStr::new("-o").to_os_string(), out.clone().into_os_string()]);
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let peak = peak_memory(&args);
    assert!(peak < 200 << 20, "peak {} MB", peak >> 20);
    assert!(!has_location(&out.join("bomb.jpg")) && out.join("tables.jpg").exists(), "cleaned");
}
