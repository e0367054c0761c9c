//! Hand-built edge cases, per container: boundaries, odd layouts, hostile lengths.

use std::io::Cursor;

// The same tests run natively and as wasm (in Node) through wasm-bindgen-test.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use traceless_core::{clean, inspect, Action, BlockKind, Category, ErrorKind, Policy};

fn encode(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(4, 3, |x, y| image::Rgba([x as u8 * 60, y as u8 * 80, 128, 255]));
    let mut out = Cursor::new(Vec::new());
    let dynamic = image::DynamicImage::ImageRgba8(img);
    let dynamic =
        if format == image::ImageFormat::Jpeg { image::DynamicImage::ImageRgb8(dynamic.to_rgb8()) } else { dynamic };
    dynamic.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A profile that reads as ICC (its size field, 'acsp' signature and an empty tag
/// table: a count past any profile's makes it unreadable), of `len` bytes.
fn icc_like(len: usize) -> Vec<u8> {
    let mut p = vec![0x11u8; len];
    p[..4].copy_from_slice(&(len as u32).to_be_bytes());
    p[36..40].copy_from_slice(b"acsp");
    p[128..132].fill(0);
    p
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// A minimal big-endian EXIF (TIFF) with an orientation and a GPS-free camera make.
fn exif_tiff(orientation: u16) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08\0\x02".to_vec();
    // Make (ASCII, 4 bytes inline: "Cam\0"), Orientation (SHORT).
    t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 4, b'C', b'a', b'm', 0]);
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    t
}

fn jpeg_with(after_soi: &[Vec<u8>], trailer: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let base = encode(image::ImageFormat::Jpeg);
    let mut file = base[..2].to_vec();
    for s in after_soi {
        file.extend_from_slice(s);
    }
    file.extend_from_slice(&base[2..]);
    file.extend_from_slice(trailer);
    (file, base)
}

#[test]
fn jpeg_removes_every_metadata_segment_and_trailer() {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_tiff(1));
    let segments = vec![
        segment(0xE1, &exif),
        segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"),
        segment(0xE1, b"SomethingElse\0payload"), // an APP1 that is neither Exif nor XMP
        segment(0xE1, b""),                       // length exactly 2: no payload at all
        segment(0xED, b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\0"),
        segment(0xE2, b"MPF\0II*\0"),
        segment(0xEF, b"vendor"),
        segment(0xFE, b"a comment"),
    ];
    let (file, base) = jpeg_with(&segments, b"\xFF\xD8trailing preview");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, base, "everything but the image itself is removed");
    let report = cleaned.report;
    assert!(report.blocks.iter().any(|b| b.kind == BlockKind::Trailer && b.action == Some(Action::Removed)));
    assert!(report
        .blocks
        .iter()
        .any(|b| b.label.starts_with("APP1 SomethingElse") && b.action == Some(Action::Removed)));
    assert!(report.removed.iter().any(|f| f.category == Category::Device && f.value == "Cam"));
    assert!(report.removed.iter().any(|f| f.category == Category::Text && f.value == "a comment"));
}

#[test]
fn jpeg_jfif_thumbnails_are_removed_but_a_plain_jfif_is_kept() {
    // A JFIF header may end in an uncompressed RGB thumbnail (found by the
    // jpeg_structure fuzz target: it survived cleaning). Here 2 x 1 pixels.
    let with_thumbnail = segment(0xE0, b"JFIF\0\x01\x02\x01\0\x48\0\x48\x02\x01SECRET");
    let (file, base) = jpeg_with(&[with_thumbnail], b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, base);
    assert!(cleaned
        .report
        .blocks
        .iter()
        .any(|b| b.label == "APP0 JFIF with thumbnail" && b.action == Some(Action::Removed)));
    assert!(inspect(&file).unwrap().findings.iter().any(|f| f.category != Category::Display));

    // A JFIF or Adobe segment longer than its fields (a damaged length swallowing the
    // segments after it) is removed: kept, it would carry them through.
    for longer in
        [segment(0xE0, b"JFIF\0\x01\x02\x01\0\x48\0\x48\0\0SECRET"), segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01SECRET")]
    {
        let (file, base) = jpeg_with(&[longer], b"");
        let cleaned = clean(&file, &Policy::default()).unwrap();
        assert!(!cleaned.data.windows(6).any(|w| w == b"SECRET"));
        assert_eq!(cleaned.data, base);
    }
    let plain = segment(0xE0, b"JFIF\0\x01\x02\x01\0\x48\0\x48\0\0");
    let (file, _) = jpeg_with(&[plain], b"");
    assert_eq!(clean(&file, &Policy::default()).unwrap().data, file, "a JFIF without thumbnail is kept");
}

#[test]
fn jpeg_segments_with_reserved_markers_or_overlong_tables_are_refused() {
    // Kept as "image data", a segment under a reserved or extension marker
    // carried its bytes through cleaning (found by the jpeg_structure fuzz
    // target: a flipped APP1 marker became 0x14).
    for marker in [0x02, 0x14, 0xBF, 0xC8, 0xDE, 0xDF, 0xF0, 0xF7, 0xFD] {
        let (file, _) = jpeg_with(&[segment(marker, b"SECRET")], b"");
        let err = clean(&file, &Policy::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt);
        assert!(err.message.contains(&format!("unknown marker 0x{marker:02X}")), "{err}");
    }
    // Tables are kept as image data: one with bytes after its tables would
    // carry them through (the fuzz target's case: IPTC under a DAC marker).
    let dqt = [&[0u8][..], &[1; 64]].concat();
    let dht = [&[0u8, 1][..], &[0; 15], &[7]].concat();
    for (marker, payload) in [
        (0xDB, [&dqt[..], b"SECRET"].concat()),
        (0xDB, dqt[..40].to_vec()),
        (0xC4, [&dht[..], b"SECRET"].concat()),
        (0xCC, b"Photoshop".to_vec()),
        // The 10^7 fuzz run's case: an EXIF segment under a DAC marker, of even length.
        (0xCC, [b"Exif\0\0II*\0".as_slice(), b"SECRET"].concat()),
        (0xCC, vec![0x10, 0x00]),
        (0xDB, [&[0x20u8][..], &[1; 64]].concat()),
        (0xDB, [&[0x00u8][..], &[0; 64]].concat()),
        (0xC4, [&[0x24u8, 1][..], &[0; 15], &[7]].concat()),
        (0xDD, b"\0\x10SECRET".to_vec()),
    ] {
        let (file, _) = jpeg_with(&[segment(marker, &payload)], b"");
        let err = clean(&file, &Policy::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    }
    // Well-formed ones pass (a second DQT/DHT is allowed; they redefine tables).
    for (marker, payload) in [(0xDB, dqt), (0xC4, dht), (0xDD, vec![0, 0]), (0xCC, vec![0x00, 0x10, 0x10, 0x05])] {
        let (file, _) = jpeg_with(&[segment(marker, &payload)], b"");
        assert!(clean(&file, &Policy::default()).is_ok(), "0x{marker:02X}");
    }
}

#[test]
fn jpeg_keeps_orientation_as_minimal_exif_unless_told_not_to() {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_tiff(6));
    let (file, base) = jpeg_with(&[segment(0xE1, &exif)], b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    let after = inspect(&cleaned.data).unwrap();
    assert_eq!(after.orientation, Some(6));
    assert!(after.findings.iter().all(|f| f.category == Category::Display), "{:?}", after.findings);
    assert!(cleaned.report.kept.iter().any(|f| f.key == "EXIF Orientation"));
    assert!(cleaned.report.removed.iter().any(|f| f.key == "EXIF Make"));
    let strict = clean(&file, &Policy { keep_orientation: false, ..Policy::default() }).unwrap();
    assert_eq!(strict.data, base);
}

#[test]
fn jpeg_keeps_multi_chunk_icc_in_order_and_jfif() {
    let profile = icc_like(300);
    let chunks: Vec<Vec<u8>> = (1..=3u8)
        .map(|i| {
            let mut p = b"ICC_PROFILE\0".to_vec();
            p.extend_from_slice(&[i, 3]);
            p.extend_from_slice(&profile[usize::from(i - 1) * 100..usize::from(i) * 100]);
            segment(0xE2, &p)
        })
        .collect();
    let (file, _) = jpeg_with(&chunks, b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, file, "ICC chunks and JFIF are kept byte for byte");
    assert!(cleaned.report.unchanged);
    let no_icc = clean(&file, &Policy { keep_icc: false, ..Policy::default() }).unwrap();
    assert!(no_icc.data.len() < file.len() - 300);

    // What does not read as a profile is removed even when profiles are kept: chunks
    // out of number, or a chunk whose length swallowed the segments after it (found by
    // the jpeg_structure fuzz target's 10^7 run: a comment inside the "profile").
    let (_, base) = jpeg_with(&[], b"");
    let mut renumbered = chunks.clone();
    renumbered[2][4 + 12] = 5;
    let (file, _) = jpeg_with(&renumbered, b"");
    assert_eq!(clean(&file, &Policy::default()).unwrap().data, base);
    let mut swallowing = b"ICC_PROFILE\0\x01\x01".to_vec();
    swallowing.extend_from_slice(&profile[..200]);
    let mut file = base[..2].to_vec();
    file.extend_from_slice(&[0xFF, 0xE2]);
    file.extend_from_slice(&((swallowing.len() + 2 + 18) as u16).to_be_bytes());
    file.extend_from_slice(&swallowing);
    file.extend_from_slice(&segment(0xFE, b"SECRET-COMMENT"));
    file.extend_from_slice(&base[2..]);
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert!(!cleaned.data.windows(14).any(|w| w == b"SECRET-COMMENT"));
}

#[test]
fn jpeg_bad_lengths_and_truncation_are_typed_errors() {
    let base = encode(image::ImageFormat::Jpeg);
    // A segment whose length runs exactly one byte past the end of the file.
    let mut over = base[..2].to_vec();
    over.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x10]);
    over.extend_from_slice(&[0; 11]);
    assert_eq!(clean(&over, &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
    // The same segment ending exactly at EOF parses, but the file has no image.
    over.push(0);
    assert_eq!(clean(&over, &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
    // Length 1 is below the minimum of 2.
    let mut short = base[..2].to_vec();
    short.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x01]);
    short.extend_from_slice(&base[2..]);
    let err = clean(&short, &Policy::default()).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::Corrupt, Some(4)));
    // No EOI.
    let cut = &base[..base.len() - 2];
    assert_eq!(clean(cut, &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
    assert!(clean(cut, &Policy::default()).unwrap_err().to_string().contains("JPEG"));
}

fn png_chunk(ty: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = (body.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(ty);
    c.extend_from_slice(body);
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(body);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

/// Inserts chunks after IHDR (8 + 25 bytes in) and appends `trailer` after IEND.
fn png_with(chunks: &[Vec<u8>], trailer: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let base = encode(image::ImageFormat::Png);
    let mut file = base[..33].to_vec();
    for c in chunks {
        file.extend_from_slice(c);
    }
    file.extend_from_slice(&base[33..]);
    file.extend_from_slice(trailer);
    (file, base)
}

#[test]
fn png_removes_text_time_exif_private_chunks_and_data_after_iend() {
    let ztxt = {
        let mut b = b"Author\0\0".to_vec();
        b.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(b"Jane Doe", 6));
        b
    };
    let chunks = vec![
        png_chunk(b"tEXt", b"Comment\0hello"),
        png_chunk(b"zTXt", &ztxt),
        png_chunk(b"iTXt", b"Title\0\0\0en\0\0Holiday"),
        png_chunk(b"tIME", &[0x07, 0xE9, 1, 2, 3, 4, 5]),
        png_chunk(b"prVt", b"private"),
        png_chunk(b"gAMA", &45455u32.to_be_bytes()),
    ];
    let (file, _) = png_with(&chunks, &png_chunk(b"tEXt", b"After\0IEND"));
    let cleaned = clean(&file, &Policy::default()).unwrap();
    let (expected, _) = png_with(&[png_chunk(b"gAMA", &45455u32.to_be_bytes())], b"");
    assert_eq!(cleaned.data, expected);
    let removed: Vec<_> = cleaned.report.removed.iter().map(|f| (f.category, f.value.as_str())).collect();
    assert!(removed.contains(&(Category::People, "Jane Doe")), "{removed:?}");
    assert!(removed.contains(&(Category::Time, "2025-01-02 03:04:05")), "{removed:?}");
    assert!(removed.contains(&(Category::Text, "Holiday")), "{removed:?}");
}

#[test]
fn png_exif_orientation_is_rewritten_and_crcs_stay_valid() {
    let (file, _) = png_with(&[png_chunk(b"eXIf", &exif_tiff(3))], b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    let after = inspect(&cleaned.data).unwrap();
    assert_eq!(after.orientation, Some(3));
    assert!(!after.findings.iter().any(|f| f.key == "EXIF Make"));
    // Every chunk's CRC is checked by the parser; decoding proves the rest.
    image::load_from_memory(&cleaned.data).unwrap();
}

#[test]
fn png_bad_crc_and_unknown_critical_chunks_are_refused() {
    let (mut file, _) = png_with(&[png_chunk(b"tEXt", b"k\0v")], b"");
    let crc_at = 33 + 8 + 3;
    file[crc_at] ^= 0xFF;
    let err = clean(&file, &Policy::default()).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::Corrupt, Some(33)));
    let (file, _) = png_with(&[png_chunk(b"CRIT", b"x")], b"");
    assert!(clean(&file, &Policy::default()).unwrap_err().message.contains("critical"));
    let base = encode(image::ImageFormat::Png);
    assert_eq!(clean(&base[..base.len() - 12], &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
}

fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut f = b"RIFF".to_vec();
    f.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
    f.extend_from_slice(b"WEBP");
    f.extend_from_slice(&body);
    f
}

fn webp_chunk(fourcc: &[u8; 4], body: &[u8], pad: bool) -> Vec<u8> {
    let mut c = fourcc.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if pad && body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// The VP8L chunk of a small lossless WebP made by the image crate.
fn vp8l() -> Vec<u8> {
    let simple = encode(image::ImageFormat::WebP);
    assert_eq!(&simple[12..16], b"VP8L");
    simple[12..].to_vec()
}

fn vp8x(flags: u8) -> Vec<u8> {
    webp_chunk(b"VP8X", &[flags, 0, 0, 0, 3, 0, 0, 2, 0, 0], true)
}

#[test]
fn webp_removes_exif_xmp_with_odd_sizes_and_fixes_flags_and_riff_size() {
    let file = riff(&[
        vp8x(0x20 | 0x08 | 0x04 | 0x10),
        webp_chunk(b"ICCP", &icc_like(140), true),
        vp8l(),
        webp_chunk(b"EXIF", &exif_tiff(1), true),
        webp_chunk(b"XMP ", b"<x:xmpmeta>odd</x:xmpmeta>X", true), // odd size, padded
        webp_chunk(b"JUNK", b"abc", false),                        // odd final chunk, pad missing
    ]);
    let cleaned = clean(&file, &Policy::default()).unwrap();
    let expected = riff(&[vp8x(0x20 | 0x10), webp_chunk(b"ICCP", &icc_like(140), true), vp8l()]);
    assert_eq!(cleaned.data, expected);
    let flags_without_icc = clean(&file, &Policy { keep_icc: false, ..Policy::default() }).unwrap().data[20];
    assert_eq!(flags_without_icc, 0x10);
}

#[test]
fn webp_keeps_orientation_in_an_exif_chunk_with_its_flag() {
    let file = riff(&[vp8x(0x08), vp8l(), webp_chunk(b"EXIF", &exif_tiff(8), true)]);
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data[20] & 0x08, 0x08);
    assert_eq!(inspect(&cleaned.data).unwrap().orientation, Some(8));
    assert!(!inspect(&cleaned.data).unwrap().findings.iter().any(|f| f.key == "EXIF Make"));
}

#[test]
fn webp_truncation_and_trailers() {
    let simple = encode(image::ImageFormat::WebP);
    assert_eq!(clean(&simple[..simple.len() - 1], &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
    let mut trailing = simple.clone();
    trailing.extend_from_slice(b"appended after the RIFF");
    assert_eq!(clean(&trailing, &Policy::default()).unwrap().data, simple);
    let mut not_image = riff(&[webp_chunk(b"EXIF", b"xx", true)]);
    assert_eq!(clean(&not_image, &Policy::default()).unwrap_err().kind, ErrorKind::Corrupt);
    not_image.truncate(14);
    assert!(clean(&not_image, &Policy::default()).is_err());
}

fn gif_parts() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let base = encode(image::ImageFormat::Gif);
    // Header + logical screen descriptor + global colour table (if any), then blocks.
    let packed = base[10];
    let header_len = 13 + if packed & 0x80 != 0 { 3 * (1 << ((packed & 7) + 1)) } else { 0 };
    let body = base[header_len..base.len() - 1].to_vec();
    (base[..header_len].to_vec(), body, base)
}

fn sub_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(255) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    out.push(0);
    out
}

#[test]
fn gif_removes_comments_and_xmp_keeps_looping_and_frames() {
    let (header, body, _) = gif_parts();
    let netscape = [b"\x21\xFF\x0BNETSCAPE2.0".to_vec(), vec![3, 1, 0, 0, 0]].concat();
    let comment = [vec![0x21, 0xFE], sub_blocks(&[b'x'; 300])].concat();
    // XMP's 258-byte "magic trailer" makes any packet parse as sub-blocks.
    let magic: Vec<u8> = std::iter::once(1u8).chain((0..=255u8).rev()).chain(std::iter::once(0)).collect();
    let xmp = [b"\x21\xFF\x0BXMP DataXMP".to_vec(), b"<x:xmpmeta>me</x:xmpmeta>".to_vec(), magic].concat();
    let file = [header.clone(), netscape.clone(), comment, body.clone(), xmp, body.clone(), vec![0x3B]].concat();
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, [header, netscape, body.clone(), body, vec![0x3B]].concat());
    assert_eq!(inspect(&cleaned.data).unwrap().frames, 2);
}

#[test]
fn gif_without_trailer_is_completed_and_cut_sub_blocks_are_refused() {
    let (header, body, base) = gif_parts();
    let no_trailer = [header.clone(), body.clone()].concat();
    assert_eq!(clean(&no_trailer, &Policy::default()).unwrap().data, base);
    let cut = &base[..base.len() - 3];
    assert_eq!(clean(cut, &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
    let mut after = base.clone();
    after.extend_from_slice(b"hidden after trailer");
    assert_eq!(clean(&after, &Policy::default()).unwrap().data, base);
}

#[test]
fn opt_ins_keep_author_and_copyright_in_minimal_exif() {
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x02".to_vec();
    tiff.extend_from_slice(&[0x01, 0x3B, 0, 2, 0, 0, 0, 4, b'A', b'd', b'a', 0]);
    tiff.extend_from_slice(&[0x82, 0x98, 0, 2, 0, 0, 0, 4, b'(', b'c', b')', 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let exif = [b"Exif\0\0".to_vec(), tiff].concat();
    let (file, base) = jpeg_with(&[segment(0xE1, &exif)], b"");
    assert_eq!(clean(&file, &Policy::default()).unwrap().data, base);
    let policy = Policy { keep_author: true, keep_copyright: true, ..Policy::default() };
    let kept = clean(&file, &policy).unwrap();
    let values: Vec<_> = inspect(&kept.data).unwrap().findings.into_iter().map(|f| f.value).collect();
    assert!(values.contains(&"Ada".to_string()) && values.contains(&"(c)".to_string()), "{values:?}");
}

#[test]
fn wrong_types_are_refused_by_content_not_name() {
    assert_eq!(clean(b"", &Policy::default()).unwrap_err().kind, ErrorKind::Empty);
    assert_eq!(clean(b"%PDF-1.7", &Policy::default()).unwrap_err().kind, ErrorKind::Unsupported);
    let err = inspect(b"\0\0\0\x14ftypcrx \0\0\0\0isom").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
    assert!(err.to_string().contains("CR3"), "{err}");
    let reason = err.reason.expect("a reason code");
    assert_eq!((reason.code, reason.args), (traceless_core::reason::OTHER_TYPE, vec!["Canon CR3 raw".to_string()]));
    // HEIC is recognised (and cleaned): an ftyp alone is a corrupt HEIC, not an unknown file.
    let err = inspect(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt);
    assert!(err.to_string().contains("HEIC"), "{err}");
}

/// An image sequence (an animated AVIF) where the video cleaner is not built, as in
/// the image engine's wasm module: refused, saying what it is, with a reason code the
/// extension words for the user. (With it, sequences are cleaned: sequences.rs.)
#[cfg(not(feature = "video"))]
#[test]
fn image_sequences_are_refused_with_their_reason() {
    let mut file = b"\0\0\0\x18ftypavis\0\0\0\0avismsf1".to_vec();
    let mut mvhd = vec![0u8; 108];
    mvhd[..4].copy_from_slice(&108u32.to_be_bytes());
    mvhd[4..8].copy_from_slice(b"mvhd");
    file.extend_from_slice(&116u32.to_be_bytes());
    file.extend_from_slice(b"moov");
    file.extend_from_slice(&mvhd);
    for err in [clean(&file, &Policy::default()).unwrap_err(), inspect(&file).unwrap_err()] {
        assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
        assert!(err.to_string().contains("image sequence"), "{err}");
        let reason = err.reason.expect("a reason code");
        assert_eq!((reason.code, reason.args), (traceless_core::reason::IMAGE_SEQUENCE, vec!["AVIF".to_string()]));
    }
}

#[test]
fn a_profile_with_anything_beside_it_is_not_kept() {
    // A PNG, WebP or GIF holds one profile, and an iCCP chunk one zlib stream: a second
    // profile, or bytes after the stream, are read by no decoder, so nothing checked what
    // they hold. Either way the profile goes (a read-only review found both kept).
    let iccp = |trailer: &[u8]| {
        let mut body = b"ICC Profile\0\0".to_vec();
        body.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(&icc_like(300), 6));
        body.extend_from_slice(trailer);
        png_chunk(b"iCCP", &body)
    };
    let (one, _) = png_with(&[iccp(b"")], b"");
    assert_eq!(clean(&one, &Policy::default()).unwrap().data, one, "one whole profile is kept (the test can fail)");
    let (base, _) = png_with(&[], b"");
    for (what, file) in [
        ("bytes after the zlib stream", png_with(&[iccp(b"GPS 48.8584 N")], b"").0),
        ("a second iCCP", png_with(&[iccp(b""), iccp(b"")], b"").0),
    ] {
        let cleaned = clean(&file, &Policy::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(cleaned.data, base, "{what}: the profile goes");
        assert!(!contains(&cleaned.data, b"iCCP"), "{what}");
    }
    let two = riff(&[
        vp8x(0x20 | 0x10),
        webp_chunk(b"ICCP", &icc_like(140), true),
        webp_chunk(b"ICCP", &icc_like(140), true),
        vp8l(),
    ]);
    assert_eq!(clean(&two, &Policy::default()).unwrap().data, riff(&[vp8x(0x10), vp8l()]), "WebP: a second ICCP");
}

#[test]
fn a_kept_png_profile_loses_its_writers_name_and_nothing_else() {
    // The iCCP chunk's name is free text exiftool shows (ProfileName): a display's name
    // ("DELL U2720Q") even where the profile names no device. The compressed profile stays
    // byte for byte; the name is the one the cleaner writes on every profile.
    let stream = miniz_oxide::deflate::compress_to_vec_zlib(&icc_like(300), 6);
    let iccp = |name: &[u8]| png_chunk(b"iCCP", &[name, b"\0\0".as_slice(), &stream].concat());
    let (named, _) = png_with(&[iccp(b"DELL U2720Q of J. Smith")], b"");
    let (expected, _) = png_with(&[iccp(b"ICC Profile")], b"");
    let cleaned = clean(&named, &Policy::default()).unwrap();
    assert!(!contains(&cleaned.data, b"DELL"), "the name is gone");
    assert_eq!(cleaned.data, expected, "the same profile under the cleaner's name");
    assert_eq!(clean(&expected, &Policy::default()).unwrap().data, expected, "cleaned again, nothing changes");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn png_chunks_kept_for_display_hold_their_fields_and_nothing_more() {
    // A read-only review found a kept chunk of any length kept whole: bytes past its
    // fields, which no decoder reads, could carry anything.
    let gama = png_chunk(b"gAMA", &45455u32.to_be_bytes());
    let (base, _) = png_with(std::slice::from_ref(&gama), b"");
    assert_eq!(clean(&base, &Policy::default()).unwrap().data, base, "a gAMA of 4 bytes stays (the test can fail)");
    let mut long = 45455u32.to_be_bytes().to_vec();
    long.extend_from_slice(b"GPS 48.8584 N");
    let (file, _) = png_with(&[png_chunk(b"gAMA", &long), png_chunk(b"pHYs", b"short")], b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, png_with(&[], b"").0, "a gAMA and a pHYs of the wrong size go");
    // Frame chunks in a PNG without acTL: a still image, whose frames no browser reads.
    let mut fctl = vec![0u8; 26];
    fctl[3] = 0; // sequence 0
    let mut fdat = 1u32.to_be_bytes().to_vec();
    fdat.extend_from_slice(b"GPS 48.8584 N");
    let (still, _) = png_with(&[png_chunk(b"fcTL", &fctl), png_chunk(b"fdAT", &fdat)], b"");
    let cleaned = clean(&still, &Policy::default()).unwrap();
    assert!(!contains(&cleaned.data, b"GPS"), "an fdAT in a still image goes");
    assert_eq!(cleaned.data, png_with(&[], b"").0);
    // An IEND with a body is refused, plainly.
    let plain = png_with(&[], b"").0;
    let mut iend_body = plain[..plain.len() - 12].to_vec();
    iend_body.extend_from_slice(&png_chunk(b"IEND", b"GPS"));
    let err = clean(&iend_body, &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
    assert!(err.message.contains("IEND"), "{err}");
}

#[test]
fn kept_gif_and_webp_animation_blocks_hold_nothing_past_their_fields() {
    // A read-only review found these kept whole: a graphic control or looping extension
    // with sub-blocks past its fields, a WebP frame holding an EXIF chunk. Decoders pass
    // over those bytes; nothing would have checked them. Such files are refused, plainly.
    let (header, body, _) = gif_parts();
    let netscape = [b"\x21\xFF\x0BNETSCAPE2.0".to_vec(), vec![3, 1, 0, 0, 0]].concat();
    let plain = [header.clone(), netscape.clone(), body.clone(), vec![0x3B]].concat();
    assert_eq!(
        clean(&plain, &Policy::default()).unwrap().data,
        plain,
        "a plain loop count is kept (the test can fail)"
    );
    let secret = sub_blocks(b"GPS 48.8584 N");
    let long_netscape = [b"\x21\xFF\x0BNETSCAPE2.0".to_vec(), vec![3, 1, 0, 0], secret.clone()].concat();
    let long_control = [vec![0x21, 0xF9, 4, 0, 10, 0, 0], secret].concat();
    for (what, block) in [("NETSCAPE2.0", long_netscape), ("graphic control", long_control)] {
        let file = [header.clone(), block, body.clone(), vec![0x3B]].concat();
        let err = clean(&file, &Policy::default()).expect_err(what);
        assert_eq!(err.kind, ErrorKind::Corrupt, "{what}: {err}");
        assert!(err.message.contains(what), "{what}: {err}");
    }
    let frame = |extra: &[Vec<u8>]| {
        let mut anmf = vec![0u8; 16];
        for c in extra {
            anmf.extend_from_slice(c);
        }
        anmf.extend_from_slice(&vp8l());
        webp_chunk(b"ANMF", &anmf, true)
    };
    let animated = |extra: &[Vec<u8>]| riff(&[vp8x(0x02), webp_chunk(b"ANIM", &[0; 6], true), frame(extra)]);
    assert!(clean(&animated(&[]), &Policy::default()).is_ok(), "a plain frame (the test can fail)");
    let err = clean(&animated(&[webp_chunk(b"EXIF", &exif_tiff(1), true)]), &Policy::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
    assert!(err.message.contains("EXIF"), "{err}");
}

#[test]
fn bytes_between_jpeg_segments_go_and_the_image_stays() {
    // Real cameras' files have them (exiftool: "Skipped unknown 4 bytes after JPEG APP1
    // segment"); libjpeg reads on. They were refused ("expected a marker").
    let exif = [b"Exif\0\0".to_vec(), exif_tiff(1)].concat();
    let (file, base) =
        jpeg_with(&[segment(0xE1, &exif), vec![0, 0, 0, 0], segment(0xFE, b"hi"), b"GPS 48.8584 N".to_vec()], b"");
    let cleaned = clean(&file, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, base, "the segments and the bytes between them go, nothing else");
    // Bytes that reach no marker at all: the file ends before its image.
    let mut endless = base[..2].to_vec();
    endless.extend_from_slice(&segment(0xFE, b"hi"));
    endless.extend_from_slice(&[0x12; 40]);
    assert_eq!(clean(&endless, &Policy::default()).unwrap_err().kind, ErrorKind::Truncated);
}

#[test]
fn chunks_where_no_decoder_reads_them_go() {
    // A review's WebPs: an ALPH and an ANIM holding text in a simple WebP, an ANIM in a
    // still extended one, kept as "image data" and "animation"; a text tRNS in an RGBA PNG.
    let secret = b"SECRETLEAK in a chunk";
    let anim = [vec![0; 6], secret.to_vec()].concat();
    let plain = riff(&[vp8l()]);
    let simple = riff(&[vp8l(), webp_chunk(b"ALPH", secret, true), webp_chunk(b"ANIM", &anim, true)]);
    let cleaned = clean(&simple, &Policy::default()).unwrap();
    assert_eq!(cleaned.data, plain);
    let still = riff(&[vp8x(0), webp_chunk(b"ANIM", &anim, true), vp8l()]);
    assert!(!contains(&clean(&still, &Policy::default()).unwrap().data, b"SECRET"), "an ANIM in a still image goes");
    let alpha_first = riff(&[vp8x(0x10), webp_chunk(b"ALPH", &[0; 8], true), vp8l()]);
    assert_eq!(clean(&alpha_first, &Policy::default()).unwrap().data, alpha_first, "an ALPH before the image stays");
    // PNG: this image has alpha of its own (RGBA), so a tRNS is not read.
    let (file, base) = png_with(&[png_chunk(b"tRNS", &[&[0u8; 6][..], secret].concat())], b"");
    assert_eq!(clean(&file, &Policy::default()).unwrap().data, base);
}

#[test]
fn a_palette_transparency_longer_than_its_palette_is_kept() {
    // The png crate (browsers') and Pillow read it (up to 256 alphas); a review of the
    // stricter size rule found the picture's transparency removed with it.
    let ihdr = png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 3, 0, 0, 0]);
    let plte = png_chunk(b"PLTE", &[255, 0, 0, 0, 0, 255]);
    let trns = png_chunk(b"tRNS", &[0; 256]);
    let idat = png_chunk(b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&[0, 0], 6));
    let file = [b"\x89PNG\r\n\x1a\n".to_vec(), ihdr, plte, trns, idat, png_chunk(b"IEND", b"")].concat();
    assert_eq!(clean(&file, &Policy::default()).unwrap().data, file);
}
