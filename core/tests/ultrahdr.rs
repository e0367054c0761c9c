//! Ultra HDR JPEGs (tests/ultrahdr/files: a real encoder's files with personal
//! metadata in both pictures, and libavif's Photoshop-made samples): cleaning keeps
//! the gain map with the same pixels and the metadata a reader needs, removes every
//! personal field from both pictures, and writes an MPF index exiftool follows.
//! exiftool is the judge throughout.

mod common;

use std::path::{Path, PathBuf};

use common::{exiftool, leaks};
use traceless_core::{clean, convert, inspect, Category, ConvertOptions, OutputFormat, Policy};

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ultrahdr/files");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "the Ultra HDR test files are missing: {files:?}");
    files
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traceless-ultrahdr-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn exiftool_bytes(args: &[&str], file: &Path) -> Vec<u8> {
    let out = std::process::Command::new("exiftool").args(args).arg(file).output().expect("run exiftool");
    assert!(out.status.success(), "exiftool {args:?} {}", file.display());
    out.stdout
}

/// The gain map as exiftool finds it through the MPF index.
fn gain_map_of(file: &Path) -> Vec<u8> {
    exiftool_bytes(&["-b", "-MPImage2"], file)
}

/// The metadata segments of a JPEG (marker and payload), up to its first scan.
fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA {
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        out.push((jpeg[pos + 1], jpeg[pos + 4..pos + 2 + len].to_vec()));
        pos += 2 + len;
    }
    out
}

const ISO_ID: &[u8] = b"urn:iso:std:iso:ts:21496:-1\0";

fn pixels(jpeg: &[u8]) -> Vec<u8> {
    image::load_from_memory(jpeg).expect("decodes").into_rgb8().into_raw()
}

/// What exiftool still reports that is neither display nor what a gain map needs.
fn personal(record: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    leaks(record)
        .into_iter()
        .filter(|k| !k.starts_with("XMP:XMP-hdrgm:") && !k.starts_with("XMP:XMP-Container:"))
        .filter(|k| !k.starts_with("MPF:"))
        .filter(|k| k != "Composite:Composite:ImageSize" && k != "Composite:Composite:Megapixels")
        .collect()
}

#[test]
fn cleaning_keeps_the_gain_map_and_removes_every_personal_field_from_both_pictures() {
    let dir = scratch("clean");
    let mut cleaned_files = Vec::new();
    let mut gain_maps = Vec::new();
    for file in files() {
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let original = std::fs::read(&file).unwrap();
        let report = inspect(&original).unwrap();
        assert!(report.findings.iter().any(|f| f.key == "HDR gain map"), "{name}: {:?}", report.findings);
        let cleaned = clean(&original, &Policy::default()).unwrap();
        assert!(cleaned.report.summary.ends_with("; HDR gain map kept"), "{name}: {}", cleaned.report.summary);
        assert!(cleaned.report.kept.iter().any(|f| f.key == "HDR gain map"), "{name}");
        assert!(cleaned.report.removed.iter().all(|f| f.key != "HDR gain map"), "{name}");

        let out = dir.join(&name);
        std::fs::write(&out, &cleaned.data).unwrap();
        let before = gain_map_of(&file);
        let after = gain_map_of(&out);
        assert!(after.starts_with(&[0xFF, 0xD8]) && after.ends_with(&[0xFF, 0xD9]), "{name}: MPF image 2 is a JPEG");
        assert_eq!(cleaned.data[cleaned.data.len() - after.len()..], after[..], "{name}: image 2 is the file's end");
        // The same pictures, and the gain map's numbers byte for byte.
        assert_eq!(pixels(&before), pixels(&after), "{name}: gain map pixels");
        assert_eq!(pixels(&original), pixels(&cleaned.data), "{name}: primary pixels");
        let iso = |jpeg: &[u8]| {
            segments(jpeg).into_iter().filter(|(m, p)| *m == 0xE2 && p.starts_with(ISO_ID)).collect::<Vec<_>>()
        };
        assert_eq!(iso(&before), iso(&after), "{name}: ISO 21496-1 metadata");
        assert_eq!(iso(&original).len(), iso(&cleaned.data).len(), "{name}: ISO 21496-1 version segment");
        let hdrgm = |f: &Path| {
            let text = String::from_utf8(exiftool_bytes(&["-XMP-hdrgm:all", "-s", "-n"], f)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort();
            lines
        };
        let gm_before = dir.join(format!("{name}.gm-before.jpg"));
        let gm_after = dir.join(format!("{name}.gm.jpg"));
        std::fs::write(&gm_before, &before).unwrap();
        std::fs::write(&gm_after, &after).unwrap();
        let fields = hdrgm(&gm_before);
        assert!(fields.len() >= 5 || !iso(&before).is_empty(), "{name}: described by XMP or ISO 21496-1");
        assert_eq!(fields, hdrgm(&gm_after), "{name}: gain map XMP fields");
        // What a cleaned Ultra HDR photo reveals is how it displays, and nothing else.
        let after = inspect(&cleaned.data).unwrap();
        assert!(after.findings.iter().all(|f| f.category == Category::Display), "{name}: {:?}", after.findings);
        assert!(after.findings.iter().any(|f| f.key == "HDR gain map"), "{name}");
        // Cleaning again changes nothing: the new index and XMP are read back as written.
        let again = clean(&cleaned.data, &Policy::default()).unwrap();
        assert_eq!(again.data, cleaned.data, "{name}: a second clean");
        cleaned_files.push(out);
        gain_maps.push(gm_after);
    }
    let meta = exiftool(&[cleaned_files.clone(), gain_maps.clone()].concat(), &[]);
    for file in cleaned_files.iter().chain(&gain_maps) {
        let record = &meta[file.to_str().unwrap()];
        assert_eq!(personal(record), Vec::<String>::new(), "{}", file.display());
        assert!(!record.keys().any(|k| k.contains("Warning")), "{}: {record:?}", file.display());
    }
    for file in &cleaned_files {
        let record = &meta[file.to_str().unwrap()];
        assert_eq!(record.get("MPF:MPF0:NumberOfImages").and_then(|v| v.as_u64()), Some(2), "{}", file.display());
    }
}

#[test]
fn the_sources_really_carry_personal_fields_in_both_pictures() {
    // Guards the test above: it proves nothing if the inputs were already clean.
    let made = files().into_iter().filter(|f| f.to_str().unwrap().contains("ultrahdr-")).collect::<Vec<_>>();
    let dir = scratch("sources");
    let gain_maps: Vec<PathBuf> = made
        .iter()
        .map(|f| {
            let out = dir.join(f.file_name().unwrap());
            std::fs::write(&out, gain_map_of(f)).unwrap();
            out
        })
        .collect();
    let meta = exiftool(&[made.clone(), gain_maps.clone()].concat(), &[]);
    for file in made.iter().chain(&gain_maps) {
        let record = &meta[file.to_str().unwrap()];
        let found = personal(record);
        assert!(found.iter().any(|k| k.contains("GPSLatitude")), "{}: {found:?}", file.display());
        assert!(found.iter().any(|k| k.contains("SerialNumber")), "{}: {found:?}", file.display());
    }
    let report = inspect(&std::fs::read(&made[0]).unwrap()).unwrap();
    let in_gain_map: Vec<_> = report.findings.iter().filter(|f| f.key.starts_with("Gain map ")).collect();
    assert!(in_gain_map.iter().any(|f| f.category == Category::Location), "{in_gain_map:?}");
}

#[test]
fn strict_cleaning_and_conversion_drop_the_gain_map() {
    for file in files() {
        let original = std::fs::read(&file).unwrap();
        let strict = clean(&original, &Policy::strict()).unwrap();
        let parsed = inspect(&strict.data).unwrap();
        assert!(parsed.findings.is_empty(), "{}: {:?}", file.display(), parsed.findings);
        assert!(strict.report.removed.iter().any(|f| f.key == "HDR gain map"), "{}", file.display());
        // One picture: the data ends at the primary's end-of-image marker.
        assert_eq!(segments(&strict.data).iter().filter(|(m, _)| *m == 0xE2).count(), 0, "{}", file.display());
        let options = ConvertOptions { format: OutputFormat::Jpeg, ..ConvertOptions::default() };
        let converted = convert(&original, &options).unwrap();
        let report = inspect(&converted.data).unwrap();
        assert!(
            report.findings.iter().all(|f| f.key != "HDR gain map"),
            "{}: converting gives the SDR picture",
            file.display()
        );
    }
}

#[test]
fn a_motion_photo_video_after_the_gain_map_is_still_removed() {
    let file = files().into_iter().find(|f| f.ends_with("ultrahdr-both.jpg")).unwrap();
    let mut data = std::fs::read(&file).unwrap();
    let video = [&[0, 0, 0, 24][..], b"ftypmp42", &[0; 4], b"isommp42", b"secret video"].concat();
    data.extend_from_slice(&video);
    let cleaned = clean(&data, &Policy::default()).unwrap();
    assert!(
        cleaned.report.removed.iter().any(|f| f.value.contains("motion photo") || f.label.contains("motion photo")),
        "{:?}",
        cleaned.report.removed
    );
    assert!(memchr::memmem::find(&cleaned.data, b"secret video").is_none());
    assert!(cleaned.report.kept.iter().any(|f| f.key == "HDR gain map"));
}

#[test]
fn a_plain_second_picture_is_not_taken_for_a_gain_map() {
    // A JPEG whose MPF entry points at another JPEG that says nothing of gain maps
    // (a stereo pair, a preview): the second picture is removed, as before.
    let file = files().into_iter().find(|f| f.ends_with("ultrahdr-both.jpg")).unwrap();
    let data = std::fs::read(&file).unwrap();
    let gain_map_at = data.len() - gain_map_of(&file).len();
    let mut plain = data[..gain_map_at].to_vec();
    let second = &data[gain_map_at..];
    // The second picture without its XMP and ISO 21496-1 segments.
    let mut stripped = vec![0xFF, 0xD8];
    let mut pos = 2;
    while second[pos + 1] != 0xDA {
        let len = u16::from_be_bytes([second[pos + 2], second[pos + 3]]) as usize;
        let payload = &second[pos + 4..pos + 2 + len];
        if !(payload.starts_with(b"http://ns.adobe.com/xap/1.0/") || payload.starts_with(ISO_ID)) {
            stripped.extend_from_slice(&second[pos..pos + 2 + len]);
        }
        pos += 2 + len;
    }
    stripped.extend_from_slice(&second[pos..]);
    plain.extend_from_slice(&stripped);
    let cleaned = clean(&plain, &Policy::default()).unwrap();
    assert!(!cleaned.report.summary.contains("gain map"), "{}", cleaned.report.summary);
    assert_eq!(cleaned.data.windows(2).filter(|w| w == &[0xFF, 0xD8]).count(), 1, "one picture left");
}

/// The corpus's Ultra HDR photo with the primary's profile, changed by `edit`, put in
/// its gain map too (the MPF index's size of it grown to match).
fn with_gain_map_profile(edit: impl Fn(&mut [u8])) -> Vec<u8> {
    let path = files().into_iter().find(|p| p.ends_with("seine_sdr_gainmap_srgb.jpg")).unwrap();
    let data = std::fs::read(&path).unwrap();
    // The primary's profile (one APP2 segment): marker, length, name, sequence, count, profile.
    let at = data.windows(12).position(|w| w == b"ICC_PROFILE\0").unwrap() - 4;
    let len = u16::from_be_bytes([data[at + 2], data[at + 3]]) as usize;
    let mut profile_segment = data[at..at + 2 + len].to_vec();
    edit(&mut profile_segment[4 + 14..]);
    // The gain map through the MPF index: entries after "MPF\0" and a TIFF header.
    let mpf = data.windows(4).position(|w| w == b"MPF\0").unwrap() + 4;
    let little = &data[mpf..mpf + 2] == b"II";
    let u16_at = |d: &[u8], i: usize| {
        if little {
            u16::from_le_bytes([d[i], d[i + 1]])
        } else {
            u16::from_be_bytes([d[i], d[i + 1]])
        }
    };
    let u32_at = |d: &[u8], i: usize| {
        let b = d[i..i + 4].try_into().unwrap();
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let ifd = mpf + u32_at(&data, mpf + 4) as usize;
    let entry =
        (0..u16_at(&data, ifd) as usize).map(|i| ifd + 2 + 12 * i).find(|&e| u16_at(&data, e) == 0xB002).unwrap();
    let second = mpf + u32_at(&data, entry + 8) as usize + 16;
    let gain_map = mpf + u32_at(&data, second + 8) as usize;
    assert_eq!(&data[gain_map..gain_map + 2], b"\xFF\xD8", "the index points at the gain map");
    let mut file = [&data[..gain_map + 2], &profile_segment, &data[gain_map + 2..]].concat();
    let size = u32_at(&file, second + 4) + profile_segment.len() as u32;
    file[second + 4..second + 8].copy_from_slice(&if little { size.to_le_bytes() } else { size.to_be_bytes() });
    file
}

#[test]
fn a_gain_map_profile_that_names_its_display_goes() {
    // Found by the clean fuzz target: a gain map's own colour profile naming the display
    // ('ndin') came through cleaning, where the primary's is rewritten without it.
    let file = with_gain_map_profile(|profile| {
        assert!(u32::from_be_bytes(profile[128..132].try_into().unwrap()) > 0);
        profile[132..136].copy_from_slice(b"ndin");
    });
    let report = inspect(&file).unwrap();
    assert!(report.findings.iter().any(|f| f.key == "Gain map ICC ndin"), "{:?}", report.findings);

    let cleaned = clean(&file, &Policy::default()).unwrap();
    let again = inspect(&cleaned.data).unwrap();
    assert!(again.findings.iter().all(|f| f.category == Category::Display), "{:?}", again.findings);
    assert!(again.findings.iter().any(|f| f.key == "HDR gain map"), "the gain map stays");
    assert!(cleaned.report.removed.iter().any(|f| f.key == "Gain map ICC ndin"), "{:?}", cleaned.report.removed);
    assert_eq!(clean(&cleaned.data, &Policy::default()).unwrap().data, cleaned.data);
}

/// Found by the clean fuzz target (session 40): a gain map's profile that does not read as
/// one (its size field wrong) was kept, where the primary's goes; inspection of the output
/// no longer calls such a profile kept, so the cleaned file showed it.
#[test]
fn a_gain_map_profile_that_does_not_read_as_one_goes() {
    let file = with_gain_map_profile(|profile| {
        let size = u32::from_be_bytes(profile[..4].try_into().unwrap());
        profile[..4].copy_from_slice(&(size + 1).to_be_bytes());
    });
    let cleaned = clean(&file, &Policy::default()).unwrap();
    let again = inspect(&cleaned.data).unwrap();
    assert!(again.findings.iter().all(|f| f.category == Category::Display), "{:?}", again.findings);
    assert!(again.findings.iter().any(|f| f.key == "HDR gain map"), "the gain map stays");
    assert!(!again.findings.iter().any(|f| f.key == "Gain map ICC profile"), "{:?}", again.findings);
}
