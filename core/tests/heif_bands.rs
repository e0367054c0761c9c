#![cfg(feature = "heif-decode")]
//! A grid HEIC decoded in bands (by two wasm workers in the extension) must be the
//! very image `decode_upright` gives, whatever the number of bands; images that are not
//! split are decoded whole by the first band; bands that do not fit are refused.

mod common;

use traceless_core::{decode_upright, decode_upright_band, join_upright_bands, UprightBand};

/// `data` decoded in `count` bands and joined, and whether it was split at all.
fn in_bands(data: &[u8], count: u32) -> Result<(Vec<u8>, u32, u32, bool), traceless_core::Error> {
    let mut rows = Vec::new();
    let mut whole = None;
    for index in 0..count {
        match decode_upright_band(data, index, count)? {
            UprightBand::Rows(band) => rows.push(band),
            UprightBand::Whole(image) => {
                assert_eq!(index, 0, "only the first band decodes a whole image");
                whole = Some(image);
            }
            UprightBand::Nothing => assert!(whole.is_some(), "band {index}: nothing, though the first was not whole"),
        }
    }
    if let Some(image) = whole {
        assert!(rows.is_empty(), "a whole image and bands");
        return Ok((image.rgba, image.width, image.height, false));
    }
    let image = join_upright_bands(data, rows)?;
    Ok((image.rgba, image.width, image.height, true))
}

#[test]
fn every_corpus_heif_in_bands_is_the_whole_decode() {
    let corpus = common::corpus_dir();
    let mut split = Vec::new();
    for record in common::index().into_iter().filter(|r| r.format == "HEIF") {
        let data = std::fs::read(corpus.join(&record.path)).unwrap();
        let whole = decode_upright(&data);
        for count in [1, 2, 3, 7] {
            match (&whole, in_bands(&data, count)) {
                (Ok(expected), Ok((rgba, width, height, was_split))) => {
                    assert_eq!((width, height), (expected.width, expected.height), "{} in {count}", record.path);
                    assert!(rgba == expected.rgba, "{} in {count} bands: other pixels", record.path);
                    if was_split && count == 2 {
                        split.push(record.path.clone());
                    }
                }
                (Err(_), Err(_)) => {}
                (whole, bands) => {
                    panic!("{} in {count}: whole {:?}, bands {:?}", record.path, whole.is_ok(), bands.is_ok())
                }
            }
        }
    }
    // The iPhone photo: 48 tiles of 512×512, cut at 4032×3024 (partial edge tiles), turned by irot.
    assert!(split.iter().any(|p| p.ends_with("iphone_13_pro_max.HEIC")), "split: {split:?}");
}

#[test]
fn bands_that_do_not_fit_are_refused() {
    let data =
        std::fs::read(common::corpus_dir().join("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    assert!(decode_upright_band(&data, 2, 2).is_err(), "no band 2 of 2");
    assert!(decode_upright_band(&data, 0, 0).is_err());
    let bands: Vec<Vec<u8>> = (0..2)
        .map(|index| match decode_upright_band(&data, index, 2).unwrap() {
            UprightBand::Rows(rows) => rows,
            _ => panic!("the iPhone photo is split"),
        })
        .collect();
    // Two bands as three, out of order (the bottom band is shorter), or short by a byte.
    assert!(join_upright_bands(&data, vec![bands[1].clone(), bands[0].clone()]).is_err());
    assert!(join_upright_bands(&data, vec![bands[0].clone(), bands[1].clone(), Vec::new()]).is_err());
    let mut short = bands.clone();
    short[1].pop();
    assert!(join_upright_bands(&data, short).is_err());
    let png = std::fs::read(common::corpus_dir().join("ianare-exif-samples/heic/samplefilehub.heif")).unwrap();
    assert!(join_upright_bands(&png, bands.clone()).is_err(), "bands of another image");
    // Cut short anywhere: an error from some band, never a panic.
    for end in [data.len() / 2, data.len() - 1000, 5000] {
        let cut = &data[..end];
        let results: Vec<bool> = (0..2).map(|index| decode_upright_band(cut, index, 2).is_ok()).collect();
        assert!(results.contains(&false), "cut at {end}: {results:?}");
    }
    // The two bands' rows are one band's.
    let one = join_upright_bands(&data, vec![bands.concat()]).unwrap();
    let joined = join_upright_bands(&data, bands).unwrap();
    assert_eq!((joined.width, joined.height), (3024, 4032));
    assert!(one.rgba == joined.rgba);
}
