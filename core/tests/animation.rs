//! Animations to animated WebP, judged by an independent decoder (the image
//! crate composes GIF, APNG and WebP frames itself): every animated GIF, APNG and
//! WebP in the corpus keeps its timeline (frames and delays) and its look.

mod common;

use std::io::Cursor;

use image::AnimationDecoder;
use traceless_core::{convert, ConvertOptions, OutputFormat};

/// A frame as shown and for how long (milliseconds).
struct Shown {
    rgba: Vec<u8>,
    ms: f64,
}

fn timeline(data: &[u8]) -> Result<Vec<Shown>, image::ImageError> {
    let frames = match image::guess_format(data).expect("format") {
        image::ImageFormat::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(data)).unwrap().into_frames(),
        image::ImageFormat::Png => {
            image::codecs::png::PngDecoder::new(Cursor::new(data)).unwrap().apng().unwrap().into_frames()
        }
        image::ImageFormat::WebP => image::codecs::webp::WebPDecoder::new(Cursor::new(data)).unwrap().into_frames(),
        other => panic!("{other:?} is not animated"),
    };
    frames
        .map(|f| {
            let f = f?;
            let (num, den) = f.delay().numer_denom_ms();
            Ok(Shown { ms: f64::from(num) / f64::from(den), rgba: f.into_buffer().into_raw() })
        })
        .collect()
}

/// An animated WebP as browsers show it: libwebp's own decoding, through Pillow
/// (tests/tools/frames.py). The image crate's WebP reader is not the judge of our
/// output: it composes some libwebp-made frames differently from libwebp and
/// browsers (its reading of the corpus's anim.webp differs from libwebp's too).
fn webp_timeline(path: &std::path::Path) -> (Option<u16>, Vec<Shown>) {
    let doc = frames_json(path);
    let hex = |s: &str| (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
    let frames = doc["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Shown { ms: f["ms"].as_f64().unwrap(), rgba: hex(f["rgba"].as_str().unwrap()) })
        .collect();
    (doc["loop"].as_u64().map(|l| l as u16), frames)
}

fn frames_json(path: &std::path::Path) -> serde_json::Value {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/frames.py");
    let out = std::process::Command::new("/usr/bin/python3").arg(script).arg(path).output().expect("python3");
    assert!(out.status.success(), "frames.py: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("frames.py JSON")
}

/// PSNR over colour weighted by alpha and over alpha (the colour of a
/// transparent pixel is not shown, and the encoder does not keep it).
fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "frames of different sizes");
    let mut se = 0f64;
    for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        let (pa, qa) = (f64::from(p[3]) / 255.0, f64::from(q[3]) / 255.0);
        for c in 0..3 {
            se += (f64::from(p[c]) * pa - f64::from(q[c]) * qa).powi(2);
        }
        se += (f64::from(p[3]) - f64::from(q[3])).powi(2);
    }
    let mse = se / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

/// Random noise (every pixel independent), which lossy VP8 (4:2:0 colour) cannot
/// keep near 35 dB at q90, with the floor each reaches; both exact when lossless.
/// (cwebp's -sharp_yuv lifts random_lossy.webp to 35.0 dB, but makes real photo
/// clips 3.6% larger for 0.2 dB: not taken.)
const NOISE: [(&str, f64); 2] = [("animated/random_lossless.webp", 13.0), ("animated/random_lossy.webp", 34.0)];

#[test]
fn every_corpus_animation_keeps_its_frames_delays_and_look_lossy() {
    check_corpus(false);
}

#[test]
fn every_corpus_animation_is_exact_when_lossless() {
    check_corpus(true);
}

fn check_corpus(lossless: bool) {
    let dir = common::corpus_dir();
    let rows: Vec<_> = common::index().into_iter().filter(|r| r.animated && r.format != "AVIF").collect();
    assert!(rows.len() >= 18, "the corpus's animated GIF/APNG/WebP files are missing");
    let options =
        ConvertOptions { format: OutputFormat::Webp, quality: 90, webp_lossless: lossless, ..Default::default() };
    let mut failures = Vec::new();
    let mut unjudged = Vec::new();
    let tmp = std::env::temp_dir().join(format!("traceless-animation-{}-{lossless}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for row in &rows {
        let data = std::fs::read(dir.join(&row.path)).unwrap();
        let out = convert(&data, &options).unwrap_or_else(|e| panic!("{}: {e}", row.path));
        let written = tmp.join(format!("{}.webp", row.path.replace('/', "_")));
        std::fs::write(&written, &out.data).unwrap();
        let (loops, result) = webp_timeline(&written);
        let source = if row.format == "WEBP" { Ok(webp_timeline(&dir.join(&row.path)).1) } else { timeline(&data) };
        let source = match source {
            Ok(source) => source,
            Err(e) => {
                unjudged.push(format!("{} ({e})", row.path));
                continue;
            }
        };
        // libwebp's encoder shows a frame identical to the one before as a longer
        // showing of that one: compare the source with its repeats merged the same way.
        let mut merged: Vec<Shown> = Vec::new();
        for mut frame in source {
            // Browsers (and gif2webp) show GIF delays of 0 and 10 ms for 100 ms.
            if row.format == "GIF" && frame.ms <= 10.0 {
                frame.ms = 100.0;
            }
            match merged.last_mut() {
                Some(last) if last.rgba == frame.rgba => last.ms += frame.ms,
                _ => merged.push(frame),
            }
        }
        if merged.len() != result.len() {
            failures.push(format!("{}: {} frames shown, {} after conversion", row.path, merged.len(), result.len()));
            continue;
        }
        for (i, (a, b)) in merged.iter().zip(result.iter()).enumerate() {
            // WebP stores whole milliseconds; an APNG's fractions round.
            if (a.ms - b.ms).abs() > 1.0 {
                failures.push(format!("{} frame {i}: {} ms became {} ms", row.path, a.ms, b.ms));
            }
            let quality = psnr(&a.rgba, &b.rgba);
            let noise = NOISE.iter().find(|(name, _)| row.path.ends_with(name)).map(|(_, floor)| *floor);
            let floor = match (lossless, noise) {
                (true, _) => f64::INFINITY,
                (false, Some(floor)) => floor,
                (false, None) => 35.0,
            };
            if quality < floor {
                failures.push(format!("{} frame {i}: PSNR {quality:.1} dB", row.path));
            }
        }
        // Pillow's `loop`: a GIF's NETSCAPE repeat count (none: play once), an APNG's
        // plays, a WebP's loops. WebP counts plays, GIF repeats after the first.
        let stated = frames_json(&dir.join(&row.path))["loop"].as_u64();
        let expected = match (row.format.as_str(), stated) {
            ("GIF", None) => 1,
            ("GIF", Some(0)) => 0,
            ("GIF", Some(n)) => n + 1,
            (_, n) => n.unwrap_or(0),
        };
        if loops != Some(expected as u16) {
            failures.push(format!("{}: loop count {loops:?}, expected {expected}", row.path));
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The image crate does not read 16-bit APNG frames; that output still decodes (above).
    assert_eq!(unjudged.len(), 1, "{unjudged:?}");
    assert!(unjudged[0].contains("apng/rgba16.png"), "{unjudged:?}");
}

fn corpus_file(name: &str) -> Vec<u8> {
    let row = common::index().into_iter().find(|r| r.path.ends_with(name)).expect("in the corpus");
    std::fs::read(common::corpus_dir().join(row.path)).unwrap()
}

#[test]
fn jpeg_and_png_refuse_an_animation_and_say_why() {
    let gif = corpus_file("mat2/tests/data/dirty.gif");
    for format in [OutputFormat::Jpeg, OutputFormat::Png] {
        let e = convert(&gif, &ConvertOptions { format, ..Default::default() }).unwrap_err();
        assert_eq!(e.kind, traceless_core::ErrorKind::Unsupported);
        assert!(e.to_string().contains("animated (8 frames)") && e.to_string().contains("convert it to WebP"), "{e}");
        // The same, for the extension to say in the user's language.
        let reason = e.reason.expect("a reason code");
        assert_eq!(
            (reason.code, reason.args.iter().map(String::as_str).collect::<Vec<_>>().as_slice()),
            (
                traceless_core::reason::ANIMATED_TO_SINGLE,
                &["GIF", "8", if format == OutputFormat::Jpeg { "JPEG" } else { "PNG" }][..]
            )
        );
    }
    // "Keep the format" keeps the animation: GIF and APNG have no encoder here, WebP does.
    let out = convert(&gif, &ConvertOptions::default()).unwrap();
    assert_eq!(out.report.format, traceless_core::Format::Webp);
}

#[test]
fn the_output_carries_no_metadata() {
    let dir = std::env::temp_dir().join(format!("traceless-animation-meta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for name in [
        "mat2/tests/data/dirty.gif",
        "link-u-avif-sample-images/star.gif",
        "apng/ball.png",
        "extended_images/anim.webp",
    ] {
        let out =
            convert(&corpus_file(name), &ConvertOptions { format: OutputFormat::Webp, ..Default::default() }).unwrap();
        let path = dir.join(format!("{}.webp", name.replace('/', "_")));
        std::fs::write(&path, &out.data).unwrap();
        files.push(path);
    }
    let records = common::exiftool(&files, &[]);
    let source = common::exiftool(&[common::corpus_dir().join("mat2/tests/data/dirty.gif")], &[]);
    assert!(source.values().any(|r| r.keys().any(|k| k.contains("Comment"))), "the guard: dirty.gif has a comment");
    for file in &files {
        let record = &records[file.to_str().unwrap()];
        assert!(common::leaks(record).is_empty(), "{}: {:?}", file.display(), common::leaks(record));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resizing_and_target_size_apply_to_every_frame() {
    let apng = corpus_file("apng/ball.png");
    let small = ConvertOptions { format: OutputFormat::Webp, max_width: Some(40), ..Default::default() };
    let out = convert(&apng, &small).unwrap();
    assert_eq!((out.report.width, out.report.height), (40, 40));
    let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(&out.data)).unwrap();
    let frames: Vec<_> = decoder.into_frames().collect::<Result<_, _>>().unwrap();
    assert_eq!(frames.len(), 20);
    assert!(frames.iter().all(|f| f.buffer().dimensions() == (40, 40)));

    let full =
        convert(&apng, &ConvertOptions { format: OutputFormat::Webp, quality: 90, ..Default::default() }).unwrap();
    let target = full.data.len() as u64 * 2 / 3;
    let fitted =
        ConvertOptions { format: OutputFormat::Webp, quality: 90, target_bytes: Some(target), ..Default::default() };
    let out = convert(&apng, &fitted).unwrap();
    assert!(out.data.len() as u64 <= target, "{} > {target}", out.data.len());
    assert!(out.report.quality.is_some_and(|q| q < 90), "{:?}", out.report.quality);
}

/// A GIF of `frames` 1×1 frames on a `width` × `height` screen: tiny to store, huge to play.
fn sparse_gif(width: u16, height: u16, frames: usize) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, width, height, &[0, 0, 0, 255, 255, 255]).unwrap();
        for i in 0..frames {
            let mut frame = gif::Frame::from_indexed_pixels(1, 1, vec![(i % 2) as u8], None);
            frame.delay = 5;
            encoder.write_frame(&frame).unwrap();
        }
    }
    out
}

#[test]
fn limits_are_checked_from_the_header_before_decoding() {
    // 10,000 × 10,000 is 100 megapixels: one canvas is allowed, 11 frames of it are not.
    let long =
        convert(&sparse_gif(10_000, 10_000, 11), &ConvertOptions { format: OutputFormat::Webp, ..Default::default() })
            .unwrap_err();
    assert_eq!(long.kind, traceless_core::ErrorKind::LimitExceeded, "{long}");
    assert!(long.to_string().contains("1000 megapixels"), "{long}");
    let reason = long.reason.expect("a reason code");
    assert_eq!(
        (reason.code, reason.args.iter().map(String::as_str).collect::<Vec<_>>().as_slice()),
        (traceless_core::reason::ANIMATION_TOO_LONG, &["11", "1000"][..])
    );
    let wide =
        convert(&sparse_gif(20_000, 10_000, 2), &ConvertOptions { format: OutputFormat::Webp, ..Default::default() })
            .unwrap_err();
    assert_eq!(wide.kind, traceless_core::ErrorKind::LimitExceeded, "{wide}");
    // Within the limits, a sparse animation converts, its short delays shown as browsers do.
    let out =
        convert(&sparse_gif(64, 64, 30), &ConvertOptions { format: OutputFormat::Webp, ..Default::default() }).unwrap();
    let frames: Vec<_> = image::codecs::webp::WebPDecoder::new(Cursor::new(&out.data))
        .unwrap()
        .into_frames()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(frames.len(), 30);
    assert!(frames.iter().all(|f| f.delay().numer_denom_ms() == (50, 1)), "50 ms each");
}

/// The first frame of an animated WebP alone: still flagged animated, as some
/// tools write one-frame animations.
fn one_frame(webp: &[u8]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    let mut at = 12;
    let mut frames = 0;
    while at + 8 <= webp.len() {
        let size = u32::from_le_bytes(webp[at + 4..at + 8].try_into().unwrap()) as usize;
        let chunk = &webp[at..at + 8 + size + (size & 1)];
        if &chunk[..4] != b"ANMF" || frames == 0 {
            frames += usize::from(&chunk[..4] == b"ANMF");
            body.extend_from_slice(chunk);
        }
        at += chunk.len();
    }
    [b"RIFF".to_vec(), (body.len() as u32).to_le_bytes().to_vec(), body].concat()
}

#[test]
fn a_one_frame_animation_converts_as_the_frame_browsers_show() {
    let single = one_frame(&corpus_file("extended_images/anim.webp"));
    assert_eq!(traceless_core::inspect(&single).unwrap().frames, 1);
    let out =
        convert(&single, &ConvertOptions { format: OutputFormat::Webp, webp_lossless: true, ..Default::default() })
            .expect("converted, not refused as an animation the still decoder cannot read");
    let first = timeline_of_webp(&single);
    let result = timeline_of_webp(&out.data);
    assert_eq!(result.len(), 1);
    // Exact as shown (lossless; the colour under full transparency is not kept).
    let quality = psnr(&first[0].rgba, &result[0].rgba);
    assert!(quality.is_infinite(), "{quality} dB");
    let jpeg = convert(&single, &ConvertOptions { format: OutputFormat::Jpeg, ..Default::default() }).unwrap_err();
    assert!(jpeg.to_string().contains("animated (1 frame)"), "{jpeg}");
}

fn timeline_of_webp(data: &[u8]) -> Vec<Shown> {
    let path = std::env::temp_dir().join(format!("traceless-one-frame-{}-{}.webp", std::process::id(), data.len()));
    std::fs::write(&path, data).unwrap();
    let frames = webp_timeline(&path).1;
    std::fs::remove_file(&path).ok();
    frames
}

#[test]
fn an_actl_after_the_image_data_is_not_an_animation() {
    // ball.png with its acTL moved after the first IDAT: browsers show a still image.
    let apng = corpus_file("apng/ball.png");
    let mut chunks = Vec::new();
    let mut at = 8;
    while at + 12 <= apng.len() {
        let len = u32::from_be_bytes(apng[at..at + 4].try_into().unwrap()) as usize;
        chunks.push(&apng[at..at + 12 + len]);
        at += 12 + len;
    }
    let actl = chunks.iter().position(|c| &c[4..8] == b"acTL").unwrap();
    let control = chunks.remove(actl);
    let idat = chunks.iter().position(|c| &c[4..8] == b"IDAT").unwrap();
    chunks.insert(idat + 1, control);
    let moved = [&apng[..8], &chunks.concat()].concat();
    assert_eq!(traceless_core::inspect(&moved).unwrap().frames, 1);
    let out = convert(&moved, &ConvertOptions { format: OutputFormat::Png, ..Default::default() }).unwrap();
    assert_eq!(out.report.format, traceless_core::Format::Png);
}
