//! A JPEG conversion in parts (`convert_in_parts`, `encode_part`, `join_parts`), as the
//! extension runs it over two workers: the same picture, report and privacy as `convert`.

mod common;

use std::path::PathBuf;

use common::{corpus_dir, exiftool, leaks};
use traceless_core::{
    convert, convert_in_parts, decode_upright, encode_decoded_strip, encode_part, join_parts, splice_scans,
    write_scans, ConvertOptions, Converted, InParts, OutputFormat,
};

fn jpeg_options() -> ConvertOptions {
    ConvertOptions { format: OutputFormat::Jpeg, quality: 80, ..ConvertOptions::default() }
}

/// The file joined by one worker, and the same written in two halves of its scans.
fn in_parts(data: &[u8], decoded: bool, options: &ConvertOptions) -> (Converted, Converted) {
    let pixels = decoded.then(|| decode_upright(data).unwrap());
    let InParts::Parts(parts) = convert_in_parts(data, pixels, options, 2).unwrap() else {
        panic!("an 8 MP photo to JPEG is split");
    };
    assert_eq!(parts.job.heights.len(), 2);
    let strips: Vec<Vec<u8>> =
        (0..2).map(|k| encode_part(parts.strip(k), parts.job.heights[k], &parts.job).unwrap()).collect();
    let strips: Vec<&[u8]> = strips.iter().map(Vec::as_slice).collect();
    let halves: Vec<Vec<u8>> = (0..2).map(|half| write_scans(&strips, &parts.job, half).unwrap()).collect();
    let shared = splice_scans(&[&halves[0], &halves[1]], std::slice::from_ref(&parts.job)).unwrap();
    (join_parts(&strips, parts.job).unwrap(), shared)
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

#[test]
fn a_photo_converted_in_parts_is_the_photo_converted_whole() {
    let path = corpus_dir().join("ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg");
    let data = std::fs::read(&path).unwrap();
    for (options, decoded) in [
        (jpeg_options(), false),
        // From pixels decoded earlier (the converter's HEIC path), and resized.
        (ConvertOptions { max_width: Some(3000), ..jpeg_options() }, true),
    ] {
        let whole = convert(&data, &options).unwrap();
        let (joined, shared) = in_parts(&data, decoded, &options);
        // Two workers writing half the scans each: the same coefficients, so the same pixels.
        let mut shared_report = shared.report.clone();
        shared_report.output_bytes = joined.report.output_bytes;
        assert_eq!(shared_report, joined.report);
        assert_eq!(shared.report.output_bytes, shared.data.len() as u64);
        assert_eq!(decode_upright(&shared.data).unwrap().rgba, decode_upright(&joined.data).unwrap().rgba);
        let split_growth = shared.data.len() as f64 / joined.data.len() as f64;
        assert!(
            (1.0..1.01).contains(&split_growth),
            "{} bytes in halves, {} joined",
            shared.data.len(),
            joined.data.len()
        );
        let mut report = joined.report.clone();
        report.output_bytes = whole.report.output_bytes;
        assert_eq!(report, whole.report, "the same report, but for the size");
        assert_eq!(joined.report.output_bytes, joined.data.len() as u64);
        let growth = joined.data.len() as f64 / whole.data.len() as f64;
        assert!((0.99..1.01).contains(&growth), "{} bytes in parts, {} whole", joined.data.len(), whole.data.len());
        let (a, b) = (decode_upright(&whole.data).unwrap(), decode_upright(&joined.data).unwrap());
        assert_eq!((a.width, a.height), (b.width, b.height));
        let similar = psnr(&a.rgba, &b.rgba);
        assert!(similar > 40.0, "{similar:.1} dB between the two files' pixels");
    }

    // exiftool, on the file the parts made: nothing of the photo's metadata.
    let out = std::env::temp_dir().join(format!("traceless-parts-{}.jpg", std::process::id()));
    let (joined, shared) = in_parts(&data, false, &jpeg_options());
    for file in [joined, shared] {
        std::fs::write(&out, file.data).unwrap();
        let records = exiftool(&[PathBuf::from(&out)], &[]);
        let record = records.values().next().expect("exiftool read the file");
        assert_eq!(
            record.get("File:System:FileType").or(record.get("File:FileType")).and_then(|v| v.as_str()),
            Some("JPEG")
        );
        assert_eq!(leaks(record), Vec::<String>::new());
    }
    std::fs::remove_file(&out).ok();
}

#[test]
fn small_images_and_other_formats_are_converted_whole() {
    let photo = std::fs::read(corpus_dir().join("ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg")).unwrap();
    let small = ConvertOptions { max_width: Some(1000), max_height: Some(1000), ..jpeg_options() };
    let png = ConvertOptions { format: OutputFormat::Png, max_width: Some(2400), ..jpeg_options() };
    let target = ConvertOptions { target_bytes: Some(400_000), ..jpeg_options() };
    for options in [small, png, target] {
        let InParts::Whole(converted) = convert_in_parts(&photo, None, &options, 2).unwrap() else {
            panic!("{options:?} is not split");
        };
        assert_eq!(converted.data, convert(&photo, &options).unwrap().data);
    }
    // One part asked for: never split.
    assert!(matches!(convert_in_parts(&photo, None, &jpeg_options(), 1).unwrap(), InParts::Whole(_)));
}

#[test]
fn strips_that_are_not_the_jobs_are_refused() {
    let photo = std::fs::read(corpus_dir().join("ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg")).unwrap();
    let InParts::Parts(parts) = convert_in_parts(&photo, None, &jpeg_options(), 2).unwrap() else { panic!() };
    assert!(encode_part(parts.strip(0), 17, &parts.job).is_err(), "a height no strip has");
    let top = encode_part(parts.strip(0), parts.job.heights[0], &parts.job).unwrap();
    assert!(join_parts(&[&top], parts.job.clone()).is_err(), "a strip missing");
    assert!(join_parts(&[&top, &top], parts.job.clone()).is_err(), "the top strip twice");
    assert!(join_parts(&[&top, b"not a JPEG"], parts.job.clone()).is_err());
    let bottom = encode_part(parts.strip(1), parts.job.heights[1], &parts.job).unwrap();
    assert!(write_scans(&[&top, &top], &parts.job, 0).is_err(), "the top strip twice");
    assert!(write_scans(&[&top, &bottom], &parts.job, 2).is_err(), "there are two halves");
    let first = write_scans(&[&top, &bottom], &parts.job, 0).unwrap();
    let second = write_scans(&[&top, &bottom], &parts.job, 1).unwrap();
    assert!(splice_scans(&[&first], std::slice::from_ref(&parts.job)).is_err(), "a half missing");
    assert!(splice_scans(&[&second, &first], std::slice::from_ref(&parts.job)).is_err(), "the halves swapped");
    assert!(splice_scans(&[b"not a JPEG", &second], &[parts.job]).is_err());
}

#[test]
fn strips_prepared_by_each_worker_make_the_same_file() {
    // The converter hands each worker its own rows of a HEIC's decoded pixels.
    let heic = std::fs::read(corpus_dir().join("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    let decoded = decode_upright(&heic).unwrap();
    for options in
        [jpeg_options(), ConvertOptions { colour: traceless_core::ColourMode::ConvertToSrgb, ..jpeg_options() }]
    {
        let InParts::Parts(parts) = convert_in_parts(&heic, Some(decoded.clone()), &options, 2).unwrap() else {
            panic!()
        };
        let strips: Vec<Vec<u8>> =
            (0..2).map(|k| encode_part(parts.strip(k), parts.job.heights[k], &parts.job).unwrap()).collect();
        let row = decoded.width as usize * 4;
        let mut top = 0;
        let mut own = Vec::new();
        for (k, &rows) in parts.job.heights.iter().enumerate() {
            let rgba = decoded.rgba[top * row..(top + rows as usize) * row].to_vec();
            own.push(encode_decoded_strip(&heic, rgba, decoded.width, &parts.job.heights, k, &options).unwrap());
            top += rows as usize;
        }
        assert!(own.iter().zip(&strips).all(|((strip, _), made)| strip == made), "the same strips");
        let jobs: Vec<_> = own.iter().map(|(_, job)| job.clone()).collect();
        assert!(jobs.iter().all(|job| *job == parts.job), "the same job");
        let strips: Vec<&[u8]> = own.iter().map(|(strip, _)| strip.as_slice()).collect();
        let halves: Vec<Vec<u8>> = (0..2).map(|half| write_scans(&strips, &jobs[half], half as u32).unwrap()).collect();
        let file = splice_scans(&[&halves[0], &halves[1]], &jobs).unwrap();
        let whole = convert(&heic, &options).unwrap();
        let mut report = file.report.clone();
        report.output_bytes = whole.report.output_bytes;
        assert_eq!(report, whole.report);
    }
    // Not the engine's cut, a resized conversion, rows that are not the strip's: refused.
    let InParts::Parts(parts) = convert_in_parts(&heic, Some(decoded.clone()), &jpeg_options(), 2).unwrap() else {
        panic!()
    };
    let rows = |n: u32| vec![0u8; decoded.width as usize * n as usize * 4];
    let h = parts.job.heights.clone();
    assert!(encode_decoded_strip(&heic, rows(h[0] + 16), decoded.width, &[h[0] + 16, h[1] - 16], 0, &jpeg_options())
        .is_err());
    let smaller = ConvertOptions { max_width: Some(1000), ..jpeg_options() };
    assert!(encode_decoded_strip(&heic, rows(h[0]), decoded.width, &h, 0, &smaller).is_err());
    assert!(encode_decoded_strip(&heic, rows(h[0] - 1), decoded.width, &h, 0, &jpeg_options()).is_err());
    assert!(encode_decoded_strip(&heic, rows(h[1]), decoded.width, &h, 2, &jpeg_options()).is_err());
    // Halves that would splice, with a job that is not the other strip's: refused.
    let strips: Vec<Vec<u8>> =
        (0..2).map(|k| encode_part(parts.strip(k), parts.job.heights[k], &parts.job).unwrap()).collect();
    let strips: Vec<&[u8]> = strips.iter().map(Vec::as_slice).collect();
    let halves: Vec<Vec<u8>> = (0..2).map(|half| write_scans(&strips, &parts.job, half).unwrap()).collect();
    assert!(splice_scans(&[&halves[0], &halves[1]], &[parts.job.clone(), parts.job.clone()]).is_ok());
    let mut other = parts.job.clone();
    other.quality = 50;
    let refused = splice_scans(&[&halves[0], &halves[1]], &[parts.job.clone(), other]).unwrap_err();
    assert!(refused.to_string().contains("different jobs"), "{refused}");
}
