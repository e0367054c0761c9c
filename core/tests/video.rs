#![cfg(all(feature = "video", not(target_arch = "wasm32")))]
//! Videos: the files tests/videos/make.sh builds with ffmpeg and exiftool
//! (H.264/HEVC + AAC in MP4 with moov first and last, MOV, 3GP, M4V; timed
//! metadata tracks; a fragmented file), cleaned and judged by exiftool,
//! ffmpeg's packet hashes and ffprobe; and hostile structures.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use traceless_core::video::source::{FileSource, SliceSource};
use traceless_core::video::{plan, write_plan, write_plan_to_file};
use traceless_core::{clean, inspect, Action, Category, ErrorKind, Format, Policy};

/// The generated videos (built once per test run; make.sh skips the work when they are up to date).
fn videos() -> &'static (PathBuf, serde_json::Value) {
    static VIDEOS: OnceLock<(PathBuf, serde_json::Value)> = OnceLock::new();
    VIDEOS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let out = root.join("target/test-videos");
        let status = Command::new("bash").arg(root.join("tests/videos/make.sh")).arg(&out).status().unwrap();
        assert!(status.success(), "tests/videos/make.sh failed");
        let manifest = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        (out, manifest)
    })
}

fn files() -> Vec<(PathBuf, serde_json::Value)> {
    let (dir, manifest) = videos();
    manifest["files"].as_array().unwrap().iter().map(|f| (dir.join(f["file"].as_str().unwrap()), f.clone())).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traceless-video-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// ffmpeg's hash of every video and audio packet, stream-copied.
fn packet_hashes(path: &Path) -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-map", "0:a", "-c", "copy", "-f", "framemd5", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.starts_with('#')).map(str::to_string).collect()
}

/// ffprobe's streams (type, codec, duration) other than data streams, and the duration.
fn streams(path: &Path) -> (Vec<(String, String, String)>, String) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-show_format", "-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let list = j["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["codec_type"] != "data")
        .map(|s| (text(&s["codec_type"]), text(&s["codec_name"]), text(&s["duration"])))
        .collect();
    (list, text(&j["format"]["duration"]))
}

#[test]
fn every_generated_video_is_cleaned_losslessly_and_reveals_nothing() {
    let mut cleaned_count = 0;
    for (path, entry) in files().into_iter().filter(|(_, e)| e["fragmented"] != true) {
        let name = entry["file"].as_str().unwrap();
        let original = std::fs::read(&path).unwrap();
        let markers: Vec<String> =
            entry["markers"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
        assert!(
            !markers.is_empty() && markers.iter().all(|m| contains(&original, m.as_bytes())),
            "{name}: the original carries its markers"
        );
        assert!(
            !common::movie_revealing_tags(&path).is_empty(),
            "{name}: exiftool finds metadata in the original (the test can fail)"
        );

        let cleaned = clean(&original, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = scratch(name, &cleaned.data);
        for m in &markers {
            assert!(!contains(&cleaned.data, m.as_bytes()), "{name}: marker {m:?} survived");
        }
        assert_eq!(common::movie_revealing_tags(&out), Vec::<String>::new(), "{name}: exiftool still finds these");
        assert_eq!(packet_hashes(&out), packet_hashes(&path), "{name}: every video and audio packet is unchanged");
        assert_eq!(streams(&out), streams(&path), "{name}: same streams and durations (data tracks aside)");
        let report = inspect(&cleaned.data).unwrap();
        assert!(report.findings.iter().all(|f| f.category == Category::Display), "{name}: {:?}", report.findings);
        assert!(
            report.findings.iter().any(|f| f.value.starts_with("Video track")),
            "{name}: the video track is reported"
        );
        assert_eq!(
            clean(&cleaned.data, &Policy::default()).unwrap().data,
            cleaned.data,
            "{name}: cleaning is idempotent"
        );
        // A moov that came first still comes first (the file still streams).
        let moov_first = entry["moov"] == "first";
        let moov_at = cleaned.data.windows(4).position(|w| w == b"moov").unwrap();
        let mdat_at = cleaned.data.windows(4).position(|w| w == b"mdat").unwrap();
        assert_eq!(moov_at < mdat_at, moov_first, "{name}: moov keeps its place");
        cleaned_count += 1;
    }
    assert!(cleaned_count >= 10, "{cleaned_count} videos checked");
}

#[test]
fn timed_metadata_tracks_go_with_their_samples() {
    for (path, entry) in files().into_iter().filter(|(_, e)| !e["data_codec"].is_null()) {
        let name = entry["file"].as_str().unwrap();
        let original = std::fs::read(&path).unwrap();
        let report = inspect(&original).unwrap();
        assert!(
            report.findings.iter().any(|f| f.key.starts_with("QuickTime trak") && f.category != Category::Display),
            "{name}: the timed metadata track is reported: {:?}",
            report.findings
        );
        let cleaned = clean(&original, &Policy::default()).unwrap();
        let out = scratch(name, &cleaned.data);
        let (list, _) = streams(&out);
        assert_eq!(list.len(), 2, "{name}: video and audio remain: {list:?}");
        for m in entry["markers"].as_array().unwrap() {
            assert!(!contains(&cleaned.data, m.as_str().unwrap().as_bytes()), "{name}: {m} survived");
        }
    }
}

#[test]
fn the_streamed_path_writes_what_clean_returns_through_a_small_buffer() {
    for (path, entry) in files().into_iter().filter(|(_, e)| e["fragmented"] != true) {
        let original = std::fs::read(&path).unwrap();
        let expected = clean(&original, &Policy::default()).unwrap().data;
        let mut source = FileSource::new(std::fs::File::open(&path).unwrap()).unwrap();
        let plan = plan(&mut source, &Policy::default()).unwrap();
        assert_eq!(plan.report.output_bytes as usize, expected.len());
        let mut out = Vec::new();
        write_plan(&plan, &mut source, &mut out, 4096).unwrap();
        assert_eq!(out, expected, "{}", entry["file"]);
        // The same through the kernel's copies, zeros as holes.
        let path_out = scratch(&format!("streamed-{}", entry["file"].as_str().unwrap()), b"");
        let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(&path_out).unwrap();
        write_plan_to_file(&plan, &source, &mut file).unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path_out).unwrap(), expected, "{}", entry["file"]);
        // The plan holds new bytes only for moov: the media is copied or zeroed.
        let new_bytes: usize =
            plan.pieces.iter().map(|p| if let traceless_core::video::Piece::Bytes(b) = p { b.len() } else { 0 }).sum();
        assert!(new_bytes < 8192, "{}: {new_bytes} new bytes", entry["file"]);
    }
}

#[test]
fn a_fragmented_movie_is_refused_plainly() {
    let (path, _) = files().into_iter().find(|(_, e)| e["fragmented"] == true).unwrap();
    let err = clean(&std::fs::read(path).unwrap(), &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
    assert!(err.message.contains("fragmented"), "{err}");
    assert!(err.to_string().starts_with("unsupported video"), "{err}");
    assert_eq!(err.reason.map(|r| r.code), Some(traceless_core::reason::FRAGMENTED_VIDEO));
}

// ---------------------------------------------------------------------------
// Hostile and damaged files.

fn sample() -> Vec<u8> {
    let (path, _) = files().into_iter().find(|(_, e)| e["file"] == "h264_aac_moovlast.mp4").unwrap();
    std::fs::read(path).unwrap()
}

fn find(data: &[u8], fourcc: &[u8; 4]) -> usize {
    data.windows(4).position(|w| w == fourcc).unwrap() - 4
}

#[test]
fn a_file_cut_inside_moov_is_truncated_at_a_named_offset() {
    let data = sample();
    let moov = find(&data, b"moov");
    let err = clean(&data[..moov + 200], &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
    assert_eq!(err.offset, Some(moov as u64));
    assert!(err.message.contains("'moov'"), "{err}");
}

#[test]
fn a_chunk_offset_past_the_end_is_corrupt_and_names_stco() {
    let mut data = sample();
    let stco = find(&data, b"stco");
    // Size, type, version/flags, count, then the first entry.
    data[stco + 16..stco + 20].copy_from_slice(&0xFFFF_0000u32.to_be_bytes());
    let err = clean(&data, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("'stco'") && err.message.contains("outside the media data"), "{err}");
    assert_eq!(err.offset, Some(stco as u64 + 16));
}

#[test]
fn a_box_larger_than_its_parent_is_corrupt_and_names_both() {
    let mut data = sample();
    let trak = find(&data, b"trak");
    data[trak..trak + 4].copy_from_slice(&0x00FF_FFFFu32.to_be_bytes());
    let err = clean(&data, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("'trak'") && err.message.contains("'moov'"), "{err}");
    assert_eq!(err.offset, Some(trak as u64));
}

/// The sample with `extra` inserted at the start of its first track's 'stbl' (the movie
/// comes last in it, so no chunk moves), every enclosing box grown to match.
fn with_in_first_stbl(extra: &[u8]) -> Vec<u8> {
    let mut data = sample();
    let moov = find(&data, b"moov");
    let mut parents = vec![moov];
    for fourcc in [b"trak", b"mdia", b"minf", b"stbl"] {
        let from = *parents.last().unwrap() + 8;
        parents.push(from + data[from..].windows(4).position(|w| w == fourcc).unwrap() - 4);
    }
    for &at in &parents {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) + extra.len() as u32;
        data[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    let stbl = *parents.last().unwrap();
    data.splice(stbl + 8..stbl + 8, extra.iter().copied());
    data
}

#[test]
fn a_track_with_sample_data_beside_its_samples_is_refused_and_an_empty_saio_is_kept() {
    // Version 0, no type: the entry count, then one 32-bit offset each.
    let saio = |offsets: &[u32]| {
        let mut b = (16 + 4 * offsets.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"saio\0\0\0\0");
        b.extend_from_slice(&(offsets.len() as u32).to_be_bytes());
        offsets.iter().for_each(|o| b.extend_from_slice(&o.to_be_bytes()));
        b
    };
    // One offset: bytes in the media data, outside every chunk, that cleaning would zero.
    let err = clean(&with_in_first_stbl(&saio(&[64])), &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert_eq!(err.reason.as_ref().map(|r| r.code), Some(traceless_core::reason::UNUSUAL_VIDEO));
    assert!(err.message.contains("'saio'"), "{err}");
    // No offsets: nothing points anywhere, and the file is cleaned with the box kept.
    let out = clean(&with_in_first_stbl(&saio(&[])), &Policy::default()).unwrap();
    assert!(contains(&out.data, b"saio"));
}

#[test]
fn a_million_boxes_is_a_limit_not_a_hang() {
    let data = sample();
    let mut bomb = data.clone();
    bomb.extend(std::iter::repeat_n(*b"\0\0\0\x08free", 1_000_000).flatten());
    let started = std::time::Instant::now();
    let err = clean(&bomb, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded, "{err}");
    assert!(started.elapsed().as_secs() < 10);
    // The same inside moov's user data.
    let moov = find(&data, b"moov");
    let mut inner = data[..moov].to_vec();
    let extra: Vec<u8> = std::iter::repeat_n(*b"\0\0\0\x08free", 1_000_000).flatten().collect();
    let udta_len = 8 + extra.len() as u32;
    let moov_len = u32::from_be_bytes(data[moov..moov + 4].try_into().unwrap()) + udta_len;
    inner.extend_from_slice(&moov_len.to_be_bytes());
    inner.extend_from_slice(&data[moov + 4..]);
    inner.extend_from_slice(&udta_len.to_be_bytes());
    inner.extend_from_slice(b"udta");
    inner.extend_from_slice(&extra);
    assert!(clean(&inner, &Policy::default()).is_err());
}

#[test]
fn a_movie_without_moov_or_with_two_is_corrupt() {
    let data = sample();
    let moov = find(&data, b"moov");
    let err = clean(&data[..moov], &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("'moov'"), "{err}");
    let mut twice = data.clone();
    twice.extend_from_slice(&data[moov..]);
    assert_eq!(clean(&twice, &Policy::default()).unwrap_err().kind, ErrorKind::Corrupt);
}

#[test]
fn a_samsung_trailer_is_removed() {
    let data = sample();
    let mut with = data.clone();
    let trailer = b"SEFHsome Samsung data: MarkerSamsung";
    with.extend_from_slice(trailer);
    with.extend_from_slice(&(trailer.len() as u32).to_le_bytes());
    with.extend_from_slice(b"SEFT");
    let report = inspect(&with).unwrap();
    assert!(report.findings.iter().any(|f| f.key == "Samsung trailer"), "{:?}", report.findings);
    let cleaned = clean(&with, &Policy::default()).unwrap();
    assert!(!contains(&cleaned.data, b"MarkerSamsung"));
    assert_eq!(cleaned.data, clean(&data, &Policy::default()).unwrap().data);
}

#[test]
fn quicktime_without_ftyp_is_recognised() {
    // Old QuickTime files start without ftyp: here its place is taken by a free box.
    let mut data = sample();
    data[4..8].copy_from_slice(b"free");
    assert_eq!(traceless_core::detect(&data), traceless_core::Detected::Supported(Format::Mov));
    let cleaned = clean(&data, &Policy::default()).unwrap();
    assert!(inspect(&cleaned.data).unwrap().findings.iter().all(|f| f.category == Category::Display));
}

#[test]
fn damaged_videos_never_panic() {
    // Every byte of the moov flipped in turn (a sample of positions) and every cut length.
    let data = sample();
    let moov = find(&data, b"moov");
    for at in (moov..data.len()).step_by(7) {
        let mut bad = data.clone();
        bad[at] ^= 0x5A;
        if let Ok(cleaned) = clean(&bad, &Policy::default()) {
            assert!(inspect(&cleaned.data).unwrap().findings.iter().all(|f| f.category == Category::Display));
        }
        let _ = clean(&data[..at], &Policy::default());
        let _ = plan(&mut SliceSource(&bad), &Policy::default());
    }
}

#[test]
fn boxes_players_do_not_need_are_removed_wherever_they_are() {
    // Found by the mp4_structure fuzz target: a 'trak' whose type was flipped
    // was kept whole, user data and all. Unknown boxes can hold anything.
    let data = sample();
    let moov = find(&data, b"moov");
    let unknown = [&28u32.to_be_bytes()[..], b"zzzz", b"MarkerUnknownBox!!!!"].concat();
    let mut with = data[..moov].to_vec();
    let moov_len = u32::from_be_bytes(data[moov..moov + 4].try_into().unwrap()) + unknown.len() as u32;
    with.extend_from_slice(&moov_len.to_be_bytes());
    with.extend_from_slice(&data[moov + 4..moov + 8]);
    with.extend_from_slice(&unknown);
    with.extend_from_slice(&data[moov + 8..]);
    let report = inspect(&with).unwrap();
    assert!(report.findings.iter().any(|f| f.key == "QuickTime 'zzzz'"), "{:?}", report.findings);
    let cleaned = clean(&with, &Policy::default()).unwrap();
    assert!(!contains(&cleaned.data, b"MarkerUnknownBox"));
    assert_eq!(cleaned.data, clean(&data, &Policy::default()).unwrap().data);
}

#[test]
fn a_movie_header_longer_than_its_fields_is_refused() {
    // Found by the mp4_structure fuzz target: an 'mvhd' whose size was damaged
    // swallowed the tracks (and their metadata) and was kept.
    let mut data = sample();
    let mvhd = find(&data, b"mvhd");
    let size = u32::from_be_bytes(data[mvhd..mvhd + 4].try_into().unwrap());
    data[mvhd..mvhd + 4].copy_from_slice(&(size + 8).to_be_bytes());
    let err = clean(&data, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("'mvhd'"), "{err}");
}

#[test]
fn a_kept_box_grown_over_its_next_sibling_is_refused() {
    // A kept box whose size was damaged upward would carry the box after it
    // (user data, a GPS box) through cleaning unseen: each kept box must hold
    // exactly what its fields describe. Each box here is grown to swallow its
    // next sibling in the same parent (an 'edts' swallowing the track's media
    // box is named by what is then missing).
    let data = sample();
    let cases: [(&[u8; 4], &str); 8] = [
        (b"edts", "'mdia'"),
        (b"hdlr", "'hdlr'"),
        (b"vmhd", "'vmhd'"),
        (b"dinf", "'dinf'"),
        (b"stsd", "'stsd'"),
        (b"stts", "'stts'"),
        (b"stsc", "'stsc'"),
        (b"stsz", "'stsz'"),
    ];
    for (fourcc, name) in cases {
        let at = find(&data, fourcc);
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap());
        let next = at + size as usize;
        let next_size = u32::from_be_bytes(data[next..next + 4].try_into().unwrap());
        let mut bad = data.clone();
        bad[at..at + 4].copy_from_slice(&(size + next_size).to_be_bytes());
        let err = clean(&bad, &Policy::default()).expect_err(name);
        assert_eq!(err.kind, ErrorKind::Corrupt, "{name}: {err}");
        assert!(err.message.contains(name), "{name}: {err}");
    }
}

#[test]
fn a_file_type_box_grown_over_the_box_after_it_is_refused() {
    // Found by the mp4_structure fuzz target: the 'ftyp' is copied whole, so one whose
    // size was damaged to take in the XMP 'uuid' after it carried the XMP through.
    let data = sample();
    let ftyp_len = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
    let xmp_id = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC];
    let xmp = [&28u32.to_be_bytes()[..], b"uuid", &xmp_id, b"GPS!"].concat();
    let mut file = [&data[..ftyp_len], &xmp, &data[ftyp_len..]].concat();
    // The media moved along: every chunk offset (moov comes last) too.
    let moov = find(&file, b"moov");
    let tables: Vec<usize> = (moov..file.len() - 4).filter(|&at| &file[at..at + 4] == b"stco").collect();
    assert!(!tables.is_empty());
    for stco in tables {
        let count = u32::from_be_bytes(file[stco + 8..stco + 12].try_into().unwrap()) as usize;
        for entry in (0..count).map(|i| stco + 12 + 4 * i) {
            let offset = u32::from_be_bytes(file[entry..entry + 4].try_into().unwrap()) + xmp.len() as u32;
            file[entry..entry + 4].copy_from_slice(&offset.to_be_bytes());
        }
    }
    let good = clean(&file, &Policy::default()).unwrap();
    assert!(contains(&file, b"GPS!") && !contains(&good.data, b"GPS!"));
    file[..4].copy_from_slice(&((ftyp_len + xmp.len()) as u32).to_be_bytes());
    let err = clean(&file, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("'ftyp'"), "{err}");
    assert_eq!(err.offset, Some(0));
}

/// The sample file with `extra` among its video sample entry's children (before
/// 'avcC'), every box around it grown to hold it (moov comes last: no offset moves).
fn with_in_video_entry(extra: &[u8]) -> Vec<u8> {
    let data = sample();
    with_in_video_entry_at(&data, find(&data, b"avcC"), extra)
}

/// `data` with `extra` at `at`, inside its video sample entry (or at its very end).
fn with_in_video_entry_at(data: &[u8], at: usize, extra: &[u8]) -> Vec<u8> {
    let mut file = [&data[..at], extra, &data[at..]].concat();
    for fourcc in [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"avc1"] {
        let start = file[..at].windows(4).rposition(|w| w == fourcc).unwrap() - 4;
        let size = u32::from_be_bytes(file[start..start + 4].try_into().unwrap()) + extra.len() as u32;
        file[start..start + 4].copy_from_slice(&size.to_be_bytes());
    }
    file
}

#[test]
fn boxes_of_user_data_inside_a_sample_entry_go_and_the_entry_still_decodes() {
    // A vendor's box among the video sample entry's children (beside 'avcC'): kept whole
    // with the entry until session 38.
    let data = sample();
    for extra in [
        [&20u32.to_be_bytes()[..], b"udta", &12u32.to_be_bytes(), b"\xA9xyz", b"GPS!"].concat(),
        [&28u32.to_be_bytes()[..], b"uuid", &[0x42; 16], b"GPS!"].concat(),
        // Since session 43 (a read-only review planted each): QuickTime's text atoms, a GPS
        // box, and a store's purchase records (the buyer's name) in an unencrypted entry.
        [&12u32.to_be_bytes()[..], b"\xA9xyz", b"GPS!"].concat(),
        [&12u32.to_be_bytes()[..], b"gps ", b"GPS!"].concat(),
        [&20u32.to_be_bytes()[..], b"pinf", &12u32.to_be_bytes(), b"name", b"GPS!"].concat(),
        [&28u32.to_be_bytes()[..], b"sinf", &20u32.to_be_bytes(), b"schi", &12u32.to_be_bytes(), b"name", b"GPS!"]
            .concat(),
    ] {
        let file = with_in_video_entry(&extra);
        let original = scratch("entry-extra.mp4", &file);
        assert_eq!(packet_hashes(&original), packet_hashes(&scratch("entry-plain.mp4", &data)), "ffmpeg reads it");
        let cleaned = clean(&file, &Policy::default()).unwrap();
        let fourcc = String::from_utf8_lossy(&extra[4..8]).into_owned();
        assert!(!contains(&cleaned.data, b"GPS!"), "{fourcc}");
        let gone = cleaned.report.blocks.iter().find(|b| b.label.ends_with(&format!("stsd/avc1/{fourcc}")));
        assert_eq!(gone.and_then(|b| b.action), Some(Action::Removed), "{fourcc}: {:?}", cleaned.report.blocks);
        assert_eq!(
            cleaned.data,
            clean(&data, &Policy::default()).unwrap().data,
            "{fourcc}: as if it had never been there"
        );
        assert!(clean(&cleaned.data, &Policy::default()).unwrap().report.unchanged);
        let out = scratch("entry-cleaned.mp4", &cleaned.data);
        assert_eq!(packet_hashes(&out), packet_hashes(&original), "every packet is unchanged");
    }
}

#[test]
fn a_sample_entry_whose_children_do_not_read_as_boxes_is_kept_or_refused() {
    let udta = [&20u32.to_be_bytes()[..], b"udta", &12u32.to_be_bytes(), b"\xA9xyz", b"GPS!"].concat();
    // A few zero bytes at the entry's end (as older QuickTime writers leave): read past.
    let with_udta = with_in_video_entry(&udta);
    let entry = find(&with_udta, b"avcC") - udta.len();
    let entry = with_udta[..entry].windows(4).rposition(|w| w == b"avc1").unwrap() - 4;
    let end = entry + u32::from_be_bytes(with_udta[entry..entry + 4].try_into().unwrap()) as usize;
    let padded = with_in_video_entry_at(&with_udta, end, &[0; 4]);
    assert!(!contains(&clean(&padded, &Policy::default()).unwrap().data, b"GPS!"));
    // Also when the last box ends in zeros itself (QuickTime closes user data with four).
    let closed = [&24u32.to_be_bytes()[..], b"udta", &12u32.to_be_bytes(), b"\xA9xyz", b"GPS!", &[0; 4]].concat();
    let padded = with_in_video_entry_at(&sample(), end - udta.len(), &[&closed[..], &[0; 4]].concat());
    assert!(!contains(&clean(&padded, &Policy::default()).unwrap().data, b"GPS!"));
    // A user data box whose size runs past the entry: refused, not kept with the entry.
    let mut bent = udta.clone();
    bent[3] += 3;
    let err = clean(&with_in_video_entry(&bent), &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    // Bytes that are no boxes and name none of the removed kinds: the entry is kept as it is.
    let junk = with_in_video_entry(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert!(clean(&junk, &Policy::default()).is_ok());
}

// ---------------------------------------------------------------------------
// Tracks of text and timecode, in movies ffmpeg makes here.

/// A one-second movie (x264, 10 fps) that ffmpeg makes from its test pattern and
/// `inputs` (files in `dir`), with `args` before the output name.
fn ffmpeg_movie(dir: &Path, name: &str, inputs: &[&str], args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    let mut command = Command::new("ffmpeg");
    command.current_dir(dir).args([
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=1",
    ]);
    for input in inputs {
        command.args(["-i", input]);
    }
    let status = command.args(["-c:v", "libx264", "-preset", "ultrafast"]).args(args).arg(&out).status().unwrap();
    assert!(status.success(), "ffmpeg made {name}");
    std::fs::read(out).unwrap()
}

/// The (type, track IDs) of each reference in the first track's `tref`.
fn first_references(data: &[u8]) -> Vec<(String, Vec<u32>)> {
    let tref = find(data, b"tref");
    let end = tref + u32::from_be_bytes(data[tref..tref + 4].try_into().unwrap()) as usize;
    let mut at = tref + 8;
    let mut out = Vec::new();
    while at < end {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        let ids =
            data[at + 8..at + size].chunks_exact(4).map(|id| u32::from_be_bytes(id.try_into().unwrap())).collect();
        out.push((String::from_utf8_lossy(&data[at + 4..at + 8]).into_owned(), ids));
        at += size;
    }
    out
}

/// ffprobe's chapter titles.
fn chapter_titles(path: &Path) -> Vec<String> {
    let out =
        Command::new("ffprobe").args(["-v", "error", "-show_chapters", "-of", "json"]).arg(path).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    j["chapters"].as_array().unwrap().iter().map(|c| c["tags"]["title"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn subtitle_tracks_go_with_their_text_and_a_chapter_list_stays() {
    // DJI drones write each frame's position as a subtitle track; this one's cue is
    // in the words of theirs. ffmpeg writes it as 'sbtl' in MP4, 'text' in MOV,
    // where it also writes the chapters as a text track that both other tracks
    // name as their chapter list ('tref/chap').
    let dir = std::env::temp_dir().join(format!("traceless-text-tracks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    const CUE: &str = "F/2.8, SS 1000, ISO 100, GPS (2.294500, 48.858400, 35), H 30.1m";
    std::fs::write(dir.join("flight.srt"), format!("1\n00:00:00,000 --> 00:00:00,900\n{CUE}\n")).unwrap();
    std::fs::write(
        dir.join("chapters.txt"),
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle=Opening\n\
         [CHAPTER]\nTIMEBASE=1/1000\nSTART=500\nEND=1000\ntitle=Closing\n",
    )
    .unwrap();
    let mp4 = ffmpeg_movie(&dir, "drone.mp4", &["flight.srt"], &["-map", "0", "-map", "1", "-c:s", "mov_text"]);
    let mov = ffmpeg_movie(
        &dir,
        "chapters.mov",
        &["flight.srt", "chapters.txt"],
        &["-map", "0", "-map", "1", "-map_chapters", "2", "-c:s", "mov_text", "-f", "mov"],
    );
    // The video's references gain two to the subtitles (track 2): one beside the
    // chapter list (3), one alone. moov is last (no chunk offset moves).
    let mut mov_referring = mov.clone();
    let tref = find(&mov, b"tref");
    let added = [
        &16u32.to_be_bytes()[..],
        b"folw",
        &2u32.to_be_bytes(),
        &3u32.to_be_bytes(),
        &12u32.to_be_bytes(),
        b"sync",
        &2u32.to_be_bytes(),
    ]
    .concat();
    let tref_end = tref + u32::from_be_bytes(mov[tref..tref + 4].try_into().unwrap()) as usize;
    mov_referring.splice(tref_end..tref_end, added.iter().copied());
    for fourcc in [b"moov", b"trak", b"tref"] {
        let at = find(&mov, fourcc);
        let size = u32::from_be_bytes(mov[at..at + 4].try_into().unwrap()) + added.len() as u32;
        mov_referring[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    assert_eq!(
        first_references(&mov_referring),
        [("chap".into(), vec![3]), ("folw".into(), vec![2, 3]), ("sync".into(), vec![2])]
    );

    // The drone's video given a 'tref' naming only its subtitles: it goes whole.
    let mut mp4_referring = mp4.clone();
    let trak = find(&mp4, b"trak");
    let trak_end = trak + u32::from_be_bytes(mp4[trak..trak + 4].try_into().unwrap()) as usize;
    let tref = [&20u32.to_be_bytes()[..], b"tref", &12u32.to_be_bytes(), b"subt", &2u32.to_be_bytes()].concat();
    mp4_referring.splice(trak_end..trak_end, tref.iter().copied());
    for fourcc in [b"moov", b"trak"] {
        let at = find(&mp4, fourcc);
        let size = u32::from_be_bytes(mp4[at..at + 4].try_into().unwrap()) + tref.len() as u32;
        mp4_referring[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    assert_eq!(first_references(&mp4_referring), [("subt".into(), vec![2])]);
    let cases = [
        ("drone.mp4", &mp4),
        ("referring.mp4", &mp4_referring),
        ("chapters.mov", &mov),
        ("referring.mov", &mov_referring),
    ];
    for (name, original) in cases {
        let path = scratch(name, original);
        assert!(contains(original, CUE.as_bytes()), "{name}: the original carries the cue (the test can fail)");
        assert!(streams(&path).0.iter().any(|(kind, ..)| kind == "subtitle"), "{name}: ffprobe finds the subtitles");
        let report = inspect(original).unwrap();
        assert!(
            report.findings.iter().any(|f| f.category == Category::Text && f.key.starts_with("QuickTime trak")),
            "{name}: {:?}",
            report.findings
        );
        let cleaned = clean(original, &Policy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = scratch(&format!("cleaned-{name}"), &cleaned.data);
        assert!(!contains(&cleaned.data, CUE.as_bytes()), "{name}: the cue survived");
        assert!(!contains(&cleaned.data, b"48.858400"), "{name}: the position survived");
        assert_eq!(streams(&out).0, [("video".into(), "h264".into(), streams(&path).0[0].2.clone())], "{name}");
        assert_eq!(packet_hashes_video(&out), packet_hashes_video(&path), "{name}: every video packet is unchanged");
        assert!(inspect(&cleaned.data).unwrap().findings.iter().all(|f| f.category == Category::Display), "{name}");
        assert_eq!(clean(&cleaned.data, &Policy::default()).unwrap().data, cleaned.data, "{name}: idempotent");
        if name.ends_with(".mov") {
            assert_eq!(
                chapter_titles(&path),
                ["Opening", "Closing"],
                "{name}: ffprobe reads the chapters (the test can fail)"
            );
            assert_eq!(chapter_titles(&out), ["Opening", "Closing"], "{name}: the chapter list stays");
            assert!(contains(&cleaned.data, b"Opening"), "{name}: from its text track (udta's Nero copy goes)");
        }
        if name == "referring.mp4" {
            assert!(!contains(&cleaned.data, b"tref"), "{name}: a 'tref' naming only removed tracks goes whole");
        }
        if name == "referring.mov" {
            // 'sync' named only the subtitles: gone; 'folw' keeps the chapter list.
            assert_eq!(first_references(&cleaned.data), [("chap".into(), vec![3]), ("folw".into(), vec![3])]);
        }
    }
}

/// ffmpeg's hash of every video packet, stream-copied.
fn packet_hashes_video(path: &Path) -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-c", "copy", "-f", "framemd5", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.starts_with('#')).map(str::to_string).collect()
}

/// ffprobe's timecode of the movie's timecode track: hours, minutes, seconds, frames.
fn timecode(path: &Path) -> Vec<u32> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream_tags=timecode", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.trim().split([':', ';']).map(|n| n.parse().unwrap_or(u32::MAX)).collect()
}

#[test]
fn a_timecode_that_tells_the_time_of_day_starts_at_zero() {
    // Cameras count the timecode from midnight: 14:23:51:07 is when the recording began.
    let dir = std::env::temp_dir().join(format!("traceless-timecode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for format in ["mov", "mp4"] {
        let name = format!("timecode.{format}");
        // In a MOV, ffmpeg also writes the reel name, in the timecode's sample entry.
        let reel = ["-metadata:s:v:0", "reel_name=SECRETREEL"];
        let original =
            ffmpeg_movie(&dir, &name, &[], &[&["-timecode", "14:23:51:07", "-f", format][..], &reel].concat());
        let path = dir.join(&name);
        assert_eq!(timecode(&path), [14, 23, 51, 7], "{name}: ffprobe reads it (the test can fail)");
        assert_eq!(contains(&original, b"SECRETREEL"), format == "mov", "{name}");
        let report = inspect(&original).unwrap();
        assert!(
            report.findings.iter().any(|f| f.category == Category::Time && f.key == "QuickTime tmcd"),
            "{name}: {:?}",
            report.findings
        );
        let cleaned = clean(&original, &Policy::default()).unwrap();
        assert!(cleaned.report.removed.iter().any(|f| f.key == "QuickTime tmcd"), "{name}");
        let out = scratch(&format!("cleaned-{name}"), &cleaned.data);
        assert_eq!(timecode(&out), [0, 0, 0, 0], "{name}");
        assert!(!contains(&cleaned.data, b"SECRETREEL"), "{name}: the reel name goes");
        if format == "mov" {
            let reel = cleaned.report.removed.iter().find(|f| f.key == "QuickTime name");
            assert_eq!(reel.map(|f| f.value.as_str()), Some("SECRETREEL"), "{name}: {:?}", cleaned.report.removed);
        }
        assert_eq!(packet_hashes_video(&out), packet_hashes_video(&path), "{name}: every video packet is unchanged");
        let again = clean(&cleaned.data, &Policy::default()).unwrap();
        assert!(again.report.unchanged, "{name}: a zero timecode is left alone: {:?}", again.report.removed);
        assert!(inspect(&cleaned.data).unwrap().findings.iter().all(|f| f.category == Category::Display), "{name}");
    }
}
