//! Shared helpers for tests that use the corpus and independent tools.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

/// The shared corpus (`../shared/corpus` beside the checkout, or $TRACELESS_CORPUS).
/// Missing corpus is a failure, not a skip: these tests must not pass vacuously.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("TRACELESS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    assert!(dir.join("INDEX.tsv").is_file(), "corpus not found at {} (set TRACELESS_CORPUS)", dir.display());
    dir
}

pub struct Row {
    pub path: String,
    pub format: String,
    pub orientation: u8,
    pub animated: bool,
}

pub fn index() -> Vec<Row> {
    let text = std::fs::read_to_string(corpus_dir().join("INDEX.tsv")).expect("read INDEX.tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Row {
                path: cols[0].to_string(),
                format: cols[1].to_string(),
                orientation: cols[11].parse().unwrap_or(0),
                animated: cols[12] == "1",
            }
        })
        .collect()
}

fn run_with_args_file(program: &str, args: &[&str], files: &[PathBuf]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); run `make deps` to install it"));
    let mut stdin = child.stdin.take().expect("stdin");
    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write file list");
    out.stdout
}

/// exiftool's JSON for each file, keyed by path, in one exiftool process.
pub fn exiftool(files: &[PathBuf], extra: &[&str]) -> HashMap<String, serde_json::Map<String, serde_json::Value>> {
    let mut args = vec!["-j", "-a", "-G0:1", "-n"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-@", "-"]);
    let out = run_with_args_file("exiftool", &args, files);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out).expect("exiftool JSON");
    rows.into_iter()
        .filter_map(|r| match r {
            serde_json::Value::Object(map) => Some((map["SourceFile"].as_str()?.to_string(), map)),
            _ => None,
        })
        .collect()
}

/// Per-frame pixel hashes from Pillow (an independent decoder), keyed by path.
pub fn pillow_hashes(files: &[PathBuf]) -> HashMap<String, serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/pixels.py");
    let out = run_with_args_file("/usr/bin/python3", &[script.to_str().unwrap(), "-"], files);
    serde_json::from_slice(&out).expect("pixels.py JSON (is python3-pil installed?)")
}

/// All frames decoded by the image crate, as RGBA bytes, or an error string.
pub fn decode_frames(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use image::AnimationDecoder;
    use std::io::Cursor;
    let err = |e: image::ImageError| e.to_string();
    let frames = |f: image::Frames| -> Result<Vec<Vec<u8>>, String> {
        f.map(|fr| fr.map(|fr| fr.into_buffer().into_raw()).map_err(err)).collect()
    };
    match image::guess_format(data).map_err(err)? {
        image::ImageFormat::Gif => {
            frames(image::codecs::gif::GifDecoder::new(Cursor::new(data)).map_err(err)?.into_frames())
        }
        image::ImageFormat::Png => {
            let decoder = image::codecs::png::PngDecoder::new(Cursor::new(data)).map_err(err)?;
            if decoder.is_apng().map_err(err)? {
                frames(decoder.apng().map_err(err)?.into_frames())
            } else {
                Ok(vec![image::DynamicImage::from_decoder(decoder).map_err(err)?.into_rgba8().into_raw()])
            }
        }
        image::ImageFormat::WebP => {
            let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(data)).map_err(err)?;
            if decoder.has_animation() {
                frames(decoder.into_frames())
            } else {
                Ok(vec![image::DynamicImage::from_decoder(decoder).map_err(err)?.into_rgba8().into_raw()])
            }
        }
        _ => Ok(vec![image::load_from_memory(data).map_err(err)?.into_rgba8().into_raw()]),
    }
}

/// exiftool tags that describe only structure or display, per family-0 group.
pub fn allowed(group: &str, tag: &str) -> bool {
    match group {
        "SourceFile" | "JFIF" | "APP14" | "ICC_Profile" => true,
        "ExifTool" => tag == "ExifToolVersion",
        "File" => tag != "Comment",
        "Composite" => matches!(tag, "ImageSize" | "Megapixels"),
        "EXIF" => tag == "Orientation",
        "PNG" => matches!(
            tag,
            "ImageWidth"
                | "ImageHeight"
                | "BitDepth"
                | "ColorType"
                | "Compression"
                | "Filter"
                | "Interlace"
                | "Palette"
                | "Transparency"
                | "BackgroundColor"
                | "PixelsPerUnitX"
                | "PixelsPerUnitY"
                | "PixelUnits"
                | "Gamma"
                | "SRGBRendering"
                | "WhitePointX"
                | "WhitePointY"
                | "RedX"
                | "RedY"
                | "GreenX"
                | "GreenY"
                | "BlueX"
                | "BlueY"
                | "SignificantBits"
                | "AnimationFrames"
                | "AnimationPlays"
                | "ProfileName"
        ),
        "RIFF" => matches!(
            tag,
            "ImageWidth"
                | "ImageHeight"
                | "VP8Version"
                | "HorizontalScale"
                | "VerticalScale"
                | "AlphaCompression"
                | "AlphaFiltering"
                | "AlphaPreprocessing"
                | "AnimationLoopCount"
                | "BackgroundColor"
                | "Duration"
                | "WebP_Flags"
        ),
        // HEIF containers (AVIF output): brands, item structure and the AV1 configuration.
        "QuickTime" => matches!(
            tag,
            "MajorBrand"
                | "MinorVersion"
                | "CompatibleBrands"
                | "HandlerType"
                | "PrimaryItemReference"
                | "ImageSpatialExtent"
                | "ImagePixelDepth"
                | "AV1ConfigurationVersion"
                | "ChromaFormat"
                | "ChromaSamplePosition"
                | "MediaDataSize"
                | "MediaDataOffset"
                | "ColorProfiles"
                | "ColorPrimaries"
                | "TransferCharacteristics"
                | "MatrixCoefficients"
                | "VideoFullRangeFlag"
                | "AuxiliaryImageType"
        ),
        "GIF" => matches!(
            tag,
            "GIFVersion"
                | "ImageWidth"
                | "ImageHeight"
                | "HasColorMap"
                | "ColorResolutionDepth"
                | "BitsPerPixel"
                | "BackgroundColor"
                | "AnimationIterations"
                | "FrameCount"
                | "Duration"
                | "TransparentColor"
                | "PixelAspectRatio"
        ),
        _ => false,
    }
}

/// Names that must never survive cleaning, whatever group exiftool puts them in.
pub const FORBIDDEN_WORDS: &[&str] = &[
    "GPS",
    "SerialNumber",
    "Owner",
    "Artist",
    "Creator",
    "By-line",
    "Comment",
    "Thumbnail",
    "Preview",
    "Copyright",
    "Author",
    "MakerNote",
    "XMP",
    "IPTC",
    "Photoshop",
    "MPImage",
    "Trailer",
];

/// What exiftool still reports that cleaning should have removed.
pub fn leaks(record: &Map<String, Value>) -> Vec<String> {
    record
        .keys()
        .filter(|key| {
            let parts: Vec<&str> = key.split(':').collect();
            let (group, tag) = (parts[0], *parts.last().unwrap());
            // The kept ICC profile has its own (harmless) creator and copyright fields.
            !allowed(group, tag) || (group != "ICC_Profile" && FORBIDDEN_WORDS.iter().any(|w| tag.contains(w)))
        })
        .filter(|key| *key != "SourceFile" && !key.starts_with("File:System:"))
        .cloned()
        .collect()
}

/// Files in the corpus that are broken on purpose, and how we must refuse them.
pub const EXPECTED_ERRORS: &[(&str, traceless_core::ErrorKind)] = &[
    ("ianare-exif-samples/jpg/corrupted.jpg", traceless_core::ErrorKind::Corrupt),
    ("image-rs-image/tests/regression/gif/zero-loop-count.gif", traceless_core::ErrorKind::Corrupt),
    // Bytes between its segments are passed over since session 44, as libjpeg does; its
    // last scan then runs to the end of the file.
    ("image-rs-image/tests/regression/jpg/oss-fuzz-36829.jpeg", traceless_core::ErrorKind::Truncated),
    ("pngsuite/png/xc1n0g08.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xc9n2c08.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xcsn0g01.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xd0n2c08.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xd3n2c08.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xd9n2c08.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xdtn0g01.png", traceless_core::ErrorKind::Corrupt),
    ("pngsuite/png/xhdn0g08.png", traceless_core::ErrorKind::Corrupt),
];

pub const SUPPORTED: &[&str] = &["JPEG", "PNG", "APNG", "GIF", "WEBP"];

/// Cleaned too, but judged by libheif in tests/heif.rs (Pillow cannot decode them).
pub const HEIF: &[&str] = &["HEIF", "AVIF"];

pub fn field<'a>(record: &'a Map<String, Value>, suffix: &str) -> Option<&'a Value> {
    record.iter().find(|(k, _)| k.ends_with(suffix)).map(|(_, v)| v)
}

/// An ISO BMFF box: size, type, body.
pub fn bx(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(fourcc);
    out.extend_from_slice(body);
    out
}

/// An ISO BMFF full box: version and flags, then the body.
pub fn full(fourcc: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
    b.extend_from_slice(body);
    bx(fourcc, &b)
}

/// What exiftool still finds in a movie (a video, or an image sequence's `moov`) that
/// names a place, a device, software, a person or a date: tags of those kinds, the
/// encoder and vendor in a video sample entry (GoPro, DJI, FFmpeg) and each track's
/// handler name (Apple's "Core Media Video", FFmpeg's "VideoHandler").
pub fn movie_revealing_tags(path: &Path) -> Vec<String> {
    let out = Command::new("exiftool").args(["-a", "-G1", "-s", "-ee"]).arg(path).output().expect("exiftool runs");
    const REVEALING: [&str; 16] = [
        "[Keys]",
        "[UserData]",
        "[ItemList]",
        "[XMP",
        "GPS",
        "Make",
        "Model",
        "Software",
        "Author",
        "Title",
        "Artist",
        "Creator",
        "CompressorName",
        "VendorID",
        "HandlerDescription",
        "HandlerVendorID",
    ];
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("[System]") && !l.starts_with("[File]") && !l.starts_with("[ExifTool]"))
        .filter(|l| {
            REVEALING.iter().any(|k| l.contains(k)) || (l.contains("Date") && !l.contains("0000:00:00 00:00:00"))
        })
        .map(str::to_string)
        .collect()
}
