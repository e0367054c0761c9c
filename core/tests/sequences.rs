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
        assert!(!common::movie_revealing_tags(path).is_empty(), "{name}: exiftool finds dates or more in the original");
        let before = inspect(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(before.findings.iter().any(|f| f.category != Category::Display), "{name}: something to remove");

        let cleaned = clean(&original, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = dir.join(format!("cleaned-{i}-{name}"));
        std::fs::write(&out, &cleaned.data).unwrap();
        assert_eq!(common::movie_revealing_tags(&out), Vec::<String>::new(), "{name}: exiftool still finds these");
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

/// A sequence as ffmpeg's AVIF muxer writes it (its still image is the first
/// frame's bytes; one chunk), made with libaom from ffmpeg's test pattern.
fn ffmpeg_sequence(dir: &Path) -> Vec<u8> {
    let out = dir.join("ffmpeg.avifs");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=6"])
        .args(["-c:v", "libaom-av1", "-cpu-used", "8", "-f", "avif"])
        .arg(&out)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// The boxes at `range` of `data`: (type, start, end).
fn boxes(data: &[u8], range: std::ops::Range<usize>) -> Vec<([u8; 4], usize, usize)> {
    let mut out = Vec::new();
    let mut at = range.start;
    while at + 8 <= range.end {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        assert!(size >= 8 && at + size <= range.end, "a box at {at} of {size} bytes");
        out.push((data[at + 4..at + 8].try_into().unwrap(), at, at + size));
        at += size;
    }
    out
}

fn find(data: &[u8], range: std::ops::Range<usize>, path: &[&[u8; 4]]) -> (usize, usize) {
    let (kind, rest) = path.split_first().unwrap();
    let (_, start, end) = boxes(data, range).into_iter().find(|(k, _, _)| k == *kind).unwrap();
    if rest.is_empty() {
        (start, end)
    } else {
        // `meta` is a full box: version and flags before its children.
        let body = if *kind == b"meta" { start + 12 } else { start + 8 };
        find(data, body..end, rest)
    }
}

/// `seq` (one chunk of 60 samples, `moov` before `mdat`) rewritten as three chunks
/// of 20 with 100 bytes of "hidden" data between the first and the second: `stsc`
/// says 20 a chunk, `stco` lists three, every box around it grows by 8 bytes, and
/// every offset (the chunks', the still item's) moves by those 8 and the gap.
fn three_chunks(seq: &[u8]) -> Vec<u8> {
    let trak = [b"moov", b"trak", b"mdia", b"minf", b"stbl"];
    let (stsc, _) = find(seq, 0..seq.len(), &[trak[0], trak[1], trak[2], trak[3], trak[4], b"stsc"]);
    let (stsz, _) = find(seq, 0..seq.len(), &[trak[0], trak[1], trak[2], trak[3], trak[4], b"stsz"]);
    let (stco, stco_end) = find(seq, 0..seq.len(), &[trak[0], trak[1], trak[2], trak[3], trak[4], b"stco"]);
    let (mdat, _) = find(seq, 0..seq.len(), &[b"mdat"]);
    let be = |at: usize| u32::from_be_bytes(seq[at..at + 4].try_into().unwrap());
    assert_eq!((be(stsc + 12), be(stsc + 20)), (1, 60), "one stsc entry of 60 samples");
    assert_eq!((be(stco + 12), stco_end - stco), (1, 20), "one chunk");
    assert!(stco < mdat, "moov before mdat");
    let sizes: Vec<u32> = (0..60).map(|i| be(stsz + 20 + 4 * i)).collect();
    let first = be(stco + 16) as usize;
    let (one, two): (usize, usize) =
        (sizes[..20].iter().sum::<u32>() as usize, sizes[20..40].iter().sum::<u32>() as usize);
    let gap = b"SECRETGAP".repeat(12)[..100].to_vec();

    let mut out = seq[..stco].to_vec();
    out.extend_from_slice(&28u32.to_be_bytes());
    out.extend_from_slice(b"stco");
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 3]);
    for offset in [first + 8, first + 8 + one + 100, first + 8 + one + 100 + two] {
        out.extend_from_slice(&(offset as u32).to_be_bytes());
    }
    out.extend_from_slice(&seq[stco_end..first]);
    out.extend_from_slice(&seq[first..first + one]);
    out.extend_from_slice(&gap);
    out.extend_from_slice(&seq[first + one..]);
    out[stsc + 20..stsc + 24].copy_from_slice(&20u32.to_be_bytes());
    let grow = |out: &mut Vec<u8>, at: usize, by: u32| {
        let size = u32::from_be_bytes(out[at..at + 4].try_into().unwrap()) + by;
        out[at..at + 4].copy_from_slice(&size.to_be_bytes());
    };
    for depth in 1..=trak.len() {
        grow(&mut out, find(seq, 0..seq.len(), &trak[..depth]).0, 8);
    }
    grow(&mut out, mdat + 8, 100);
    // The still item (iloc version 0, 4-byte offsets, no base offset, one extent)
    // is the first frame: after the box's header, the field sizes (2), the item count,
    // the item's id, its data reference and its extent count (2 each).
    let (iloc, _) = find(seq, 0..seq.len(), &[b"meta", b"iloc"]);
    assert_eq!((seq[iloc + 8], seq[iloc + 12], seq[iloc + 13]), (0, 0x44, 0), "iloc v0, 4-byte fields, no base");
    let item_offset = iloc + 12 + 2 + 2 + 2 + 2 + 2;
    assert_eq!(be(item_offset) as usize, first, "the still is the first frame's bytes");
    out[item_offset..item_offset + 4].copy_from_slice(&((first + 8) as u32).to_be_bytes());
    out
}

#[test]
fn chunks_are_moved_apart_from_what_lies_between_them() {
    let dir = scratch();
    let seq = ffmpeg_sequence(&dir);
    let file = three_chunks(&seq);
    let path = dir.join("three-chunks.avifs");
    std::fs::write(&path, &file).unwrap();
    // The surgery is sound: the same frames, and the still image, as ffmpeg wrote them.
    assert_eq!(frame_hashes(&path), frame_hashes(&dir.join("ffmpeg.avifs")), "the three-chunk file plays as written");
    let still = still_pixels(&seq, &dir, "ffmpeg-still").expect("libheif reads ffmpeg's still");
    assert!(still_pixels(&file, &dir, "three-still") == Some(still.clone()), "the three-chunk file's still");

    let cleaned = clean(&file, &Policy::default()).unwrap();
    let out = dir.join("three-chunks-cleaned.avifs");
    std::fs::write(&out, &cleaned.data).unwrap();
    assert_eq!(frame_hashes(&out), frame_hashes(&path), "every frame, from the moved chunks");
    assert!(still_pixels(&cleaned.data, &dir, "three-cleaned") == Some(still), "the still, moved with them");
    assert!(!cleaned.data.windows(9).any(|w| w == b"SECRETGAP"), "the bytes between chunks are gone");
    // The still is the first frame's bytes: kept once, not copied beside the chunk.
    assert_eq!(cleaned.data.len() + 100, file.len() - removed_bytes(&file, &cleaned.data), "nothing copied twice");
    assert_eq!(clean(&cleaned.data, &Policy::default()).unwrap().data, cleaned.data, "idempotent");
}

/// What cleaning took out of `before` besides the 100-byte gap: the bytes `meta`
/// and `moov` lost (names, encoder name, dates are zeroed in place).
fn removed_bytes(before: &[u8], after: &[u8]) -> usize {
    let len = |d: &[u8], kind: &[u8; 4]| {
        let (s, e) = find(d, 0..d.len(), &[kind]);
        e - s
    };
    (len(before, b"meta") - len(after, b"meta")) + (len(before, b"moov") - len(after, b"moov"))
}
