#![cfg(not(target_arch = "wasm32"))]
//! Inputs that once broke the engine (found by fuzzing), kept so they never do again.

use traceless_core::{clean, convert, inspect, ConvertOptions, Policy};

#[test]
fn past_crashers_give_results_or_errors_not_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = inspect(&data);
        let _ = clean(&data, &Policy::default());
        let _ = convert(&data, &ConvertOptions::default());
        count += 1;
    }
    assert!(count >= 1);
}

#[test]
fn a_transparent_image_with_a_colour_profile_converts_to_a_valid_lossy_webp() {
    // Found by the convert fuzz target's 10^7 run: libwebp writes an extended file
    // (VP8X, ALPH, VP8) for lossy with alpha, and a second VP8X was put before it.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut data = std::fs::read(dir.join("gif-alpha-icc-to-lossy-webp.gif")).unwrap();
    // The fuzzer's profile has a tag count past any profile's (since session 37 such a
    // profile goes: a device tag could hide past the entries read), its header neither
    // gives its length nor has its signature, and the file holds eight more (since session
    // 41 a profile not kept is not carried into a conversion either); an empty table, the
    // length and the signature, and the other extensions renamed keep it, and with it what
    // this test is about. The first three are in the first sub-block.
    let named: Vec<usize> =
        data.windows(11).enumerate().filter(|(_, w)| *w == b"ICCRGBG1012").map(|(i, _)| i).collect();
    for &other in &named[1..] {
        data[other + 10] = b'3';
    }
    let at = named[0] + 12;
    assert!(data[at - 1] as usize >= 132, "the first sub-block holds the profile's header");
    let mut length = 0;
    let mut block = at - 1;
    while data[block] != 0 {
        length += data[block] as usize;
        block += 1 + data[block] as usize;
    }
    data[at..at + 4].copy_from_slice(&(length as u32).to_be_bytes());
    data[at + 36..at + 40].copy_from_slice(b"acsp");
    data[at + 128..at + 132].fill(0);
    let options = ConvertOptions {
        format: traceless_core::OutputFormat::Webp,
        quality: 13,
        max_width: Some(64),
        max_height: Some(64),
        ..ConvertOptions::default()
    };
    let converted = convert(&data, &options).unwrap();
    let report = inspect(&converted.data).unwrap();
    assert_eq!(report.format, traceless_core::Format::Webp);
    assert!(report.icc.is_some(), "the profile is carried over");
    assert_eq!(converted.data.windows(4).filter(|w| w == b"VP8X").count(), 1);
}

/// Found by the inspect fuzz target (session 40): the colour profile's finding, and a
/// location read from XMP, were added past the findings' limit (the target checks it):
/// a JPEG whose GPS directory holds more fields than the limit, with a profile and an
/// XMP location.
#[test]
fn findings_stay_within_their_limit_with_a_profile_and_an_xmp_location() {
    use traceless_core::limits::MAX_FINDINGS;
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    let fields = MAX_FINDINGS + 50;
    // IFD0 at 8 with one entry (GPSInfo, the GPS directory at 26); the GPS directory's
    // fields are of tags no standard names, each the ASCII "A" held in the entry.
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(le32(8));
    tiff.extend(le16(1));
    tiff.extend([le16(0x8825).as_slice(), &le16(4), &le32(1), &le32(26)].concat());
    tiff.extend(le32(0));
    tiff.extend(le16(fields as u16));
    for i in 0..fields {
        tiff.extend([le16(0x1000 + i as u16).as_slice(), &le16(2), &le32(2), b"A\0\0\0"].concat());
    }
    tiff.extend(le32(0));
    let mut profile = vec![0u8; 132];
    profile[..4].copy_from_slice(&132u32.to_be_bytes());
    profile[36..40].copy_from_slice(b"acsp");
    let xmp = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="58,58.8738N" exif:GPSLongitude="11,53.10762W"/></rdf:RDF></x:xmpmeta>"#;
    let segment = |marker: u8, parts: &[&[u8]]| {
        let body = parts.concat();
        [&[0xFF, marker][..], &((body.len() + 2) as u16).to_be_bytes(), &body].concat()
    };
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let file = [
        &jpeg[..2],
        // The XMP first, so that its fields are read before the limit is reached.
        &segment(0xE1, &[b"http://ns.adobe.com/xap/1.0/\0", xmp]),
        &segment(0xE1, &[b"Exif\0\0", &tiff]),
        &segment(0xE2, &[b"ICC_PROFILE\0\x01\x01", &profile]),
        &jpeg[2..],
    ]
    .concat();
    let report = inspect(&file).unwrap();
    assert_eq!(report.findings.len(), MAX_FINDINGS);
    assert!(report.findings_omitted > 0);
    assert!(report.location.is_some(), "the XMP location is read");
    assert_eq!(report.findings.iter().position(|f| f.key == "XMP GPS position"), Some(0), "and shown first");
}

/// Found by the convert fuzz target in CI (session 41): a JPEG whose colour profile does
/// not read as one (its signature is not where the header puts it), converted to a JPEG,
/// came out carrying that profile, which inspection then rightly called not a display
/// profile: a conversion writes only a profile it would keep.
#[test]
fn a_profile_that_does_not_read_as_one_is_not_carried_into_a_conversion() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let data = std::fs::read(dir.join("jpeg-damaged-icc-to-jpeg.jpg")).unwrap();
    let before = inspect(&data).unwrap();
    assert!(before.findings.iter().any(|f| f.key == "ICC profile" && f.category == traceless_core::Category::Other));
    for format in
        [traceless_core::OutputFormat::Jpeg, traceless_core::OutputFormat::Png, traceless_core::OutputFormat::Webp]
    {
        let options = ConvertOptions {
            format,
            quality: 80,
            max_width: Some(64),
            max_height: Some(64),
            ..ConvertOptions::default()
        };
        let converted = convert(&data, &options).unwrap();
        let report = inspect(&converted.data).unwrap();
        assert!(
            report.findings.iter().all(|f| f.category == traceless_core::Category::Display),
            "{format:?}: {:?}",
            report.findings
        );
        assert!(report.icc.is_none(), "{format:?}: a profile was written");
    }
}
