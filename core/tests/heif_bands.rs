#![cfg(feature = "heif-decode")]
//! A grid HEIC decoded in bands (by two wasm workers in the extension) must be the
//! very image `decode_upright` gives, whatever the number of bands; images that are not
//! split are decoded whole by the first band; bands that do not fit are refused.

mod common;

use traceless_core::{
    decode_upright, decode_upright_band, join_upright_bands, screen_picture, screen_picture_of_bands, screen_rows,
    UprightBand,
};

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

/// The picture the converter shows of a split `data`, made as its workers make it: each
/// band's rows in sRGB by the band's worker, stacked into one BMP.
fn picture_in_bands(data: &[u8], count: u32) -> Vec<u8> {
    let screens = (0..count)
        .map(|index| match decode_upright_band(data, index, count).unwrap() {
            UprightBand::Rows(rows) => screen_rows(data, &rows).unwrap().unwrap_or(rows),
            _ => panic!("not split"),
        })
        .collect();
    screen_picture_of_bands(data, screens).unwrap()
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

/// The iPhone photo (a grid) turned every other way: its `irot` box's angle changed, or
/// the box made an `imir` of either axis (both are 9 bytes). Its bands are cut along the
/// grid's columns when it is turned a quarter, else along its rows, and each band is
/// turned by its worker: joined, they must still be the whole decode.
#[test]
fn a_grid_turned_or_mirrored_any_way_in_bands_is_the_whole_decode() {
    let data =
        std::fs::read(common::corpus_dir().join("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    let at = data.windows(8).position(|w| w == [0, 0, 0, 9, b'i', b'r', b'o', b't']).expect("the photo's irot box");
    let mut variants = Vec::new();
    for angle in 0..4u8 {
        let mut turned = data.clone();
        turned[at + 8] = angle;
        variants.push((format!("irot {angle}"), turned));
    }
    for axis in 0..2u8 {
        let mut mirrored = data.clone();
        mirrored[at + 4..at + 8].copy_from_slice(b"imir");
        mirrored[at + 8] = axis;
        variants.push((format!("imir {axis}"), mirrored));
    }
    for (name, variant) in &variants {
        let whole = decode_upright(variant).unwrap();
        // Nine: more bands than the grid's 8 columns or 6 rows, so some have no pixels.
        for count in [2, 3, 9] {
            let (rgba, width, height, split) = in_bands(variant, count).unwrap();
            assert!(split, "{name}: split");
            assert_eq!((width, height), (whole.width, whole.height), "{name} in {count}");
            assert!(rgba == whole.rgba, "{name} in {count} bands: other pixels");
            assert!(
                picture_in_bands(variant, count) == screen_picture(variant, &whole).unwrap(),
                "{name} in {count}: picture"
            );
        }
    }
}

/// The iPhone photo's picture: Display P3, so its bands' rows are converted (not the
/// rows as decoded), and the stacked picture is the one made of the whole decode.
#[test]
fn a_picture_made_in_bands_is_the_whole_picture() {
    let data =
        std::fs::read(common::corpus_dir().join("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC")).unwrap();
    let UprightBand::Rows(rows) = decode_upright_band(&data, 0, 2).unwrap() else { panic!("split") };
    let screen = screen_rows(&data, &rows).unwrap().expect("a Display P3 photo is converted for the screen");
    assert_eq!(screen.len(), rows.len());
    assert!(screen != rows);
    let whole = screen_picture(&data, &decode_upright(&data).unwrap()).unwrap();
    assert!(picture_in_bands(&data, 2) == whole);
    assert!(screen_rows(&data, &rows[1..]).is_err(), "not whole pixels");
    assert!(screen_picture_of_bands(&data, vec![screen]).is_err(), "one band of two");
}
