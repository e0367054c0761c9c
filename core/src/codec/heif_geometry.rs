//! HEIF's transformative properties as geometry: the `clap` crop rectangle, and
//! where a rectangle lands after `irot`/`imir`. Used by our AVIF decoder, and to
//! finish the browser's work: Chromium's AV1 path applies `irot` and `imir` but
//! not `clap`, and a crop left undone would show what the author cut away.

use heifer::heifer_isobmff::boxes::Property;
use heifer::heifer_isobmff::{HeifFile, ItemId};

use super::Pixels;
use crate::error::{Error, ErrorKind, Result};

/// The two auxiliary types that mean "alpha" (MPEG-B for AV1, and HEVC's).
const ALPHA: [&str; 2] = ["urn:mpeg:mpegB:cicp:systems:auxiliary:alpha", "urn:mpeg:hevc:2015:auxid:1"];

/// The auxiliary image that is item `id`'s alpha, if any (an iPhone photo's other
/// auxiliary image, its gain map, is not).
pub(crate) fn alpha_item(
    file: &HeifFile,
    id: ItemId,
) -> std::result::Result<Option<ItemId>, heifer::heifer_isobmff::Error> {
    for aux in file.referencing_items(id, b"auxl") {
        if file.item_properties(aux)?.any(|p| matches!(p, Property::AuxiliaryType(t) if ALPHA.contains(&t.as_str()))) {
            return Ok(Some(aux));
        }
    }
    Ok(None)
}

/// A rectangle of whole pixels: left, top, width, height.
pub(crate) type Rect = (u32, u32, u32, u32);

/// A `clap` as stored: width, height (fractions), then the centre's
/// horizontal and vertical offsets (signed fractions).
pub(crate) type Clap = ((u32, u32), (u32, u32), (i32, u32), (i32, u32));

/// The pixels `clap` keeps of a `width` × `height` image (ISO/IEC 14496-12,
/// 12.1.4), rounded as libheif rounds them (left edge down, top edge to nearest),
/// or an error when it divides by zero or reaches outside the image.
pub(crate) fn clap_rect(width: u32, height: u32, clap: Clap) -> std::result::Result<Rect, String> {
    let ((cw, cwd), (ch, chd), (ho, hod), (vo, vod)) = clap;
    if cwd == 0 || chd == 0 || hod == 0 || vod == 0 {
        return Err("its crop (clap) divides by zero".into());
    }
    let (w, h) = (f64::from(cw) / f64::from(cwd), f64::from(ch) / f64::from(chd));
    let centre_x = f64::from(ho) / f64::from(hod) + (f64::from(width) - 1.0) / 2.0;
    let centre_y = f64::from(vo) / f64::from(vod) + (f64::from(height) - 1.0) / 2.0;
    let (left, top) = ((centre_x - (w - 1.0) / 2.0).floor(), (centre_y - (h - 1.0) / 2.0 + 0.5).floor());
    let (w, h) = (w.round(), h.round());
    if w < 1.0 || h < 1.0 || left < 0.0 || top < 0.0 || left + w > f64::from(width) || top + h > f64::from(height) {
        return Err(format!("its crop (clap) reaches outside the {width}×{height} image"));
    }
    Ok((left as u32, top as u32, w as u32, h as u32))
}

/// Where `rect` of a `width` × `height` image lands once the image is turned
/// `quarters` × 90° anti-clockwise (`irot`), and the new image's size.
pub(crate) fn rotated(rect: Rect, (width, height): (u32, u32), quarters: u8) -> (Rect, (u32, u32)) {
    let (x, y, w, h) = rect;
    match quarters % 4 {
        // A pixel (x, y) goes to (y, width - 1 - x).
        1 => ((y, width - x - w, h, w), (height, width)),
        2 => ((width - x - w, height - y - h, w, h), (width, height)),
        // A pixel (x, y) goes to (height - 1 - y, x).
        3 => ((height - y - h, x, h, w), (height, width)),
        _ => (rect, (width, height)),
    }
}

/// Where `rect` lands once the image is mirrored (`imir`): `top_bottom` flips it
/// upside down, otherwise left to right.
pub(crate) fn mirrored(rect: Rect, (width, height): (u32, u32), top_bottom: bool) -> Rect {
    let (x, y, w, h) = rect;
    if top_bottom {
        (x, height - y - h, w, h)
    } else {
        (width - x - w, y, w, h)
    }
}

/// Pixels a browser decoded from the HEIF `data`, as the file asks them shown:
/// when their size says the browser left the primary image's `clap` undone
/// (but did turn and mirror it), the crop is made here, where it lands after
/// the turn and mirror. Anything else that does not match is an error, never
/// a picture with more than the file shows.
pub(crate) fn finish_browser_decode(data: &[u8], pixels: Pixels) -> Result<Pixels> {
    let file = HeifFile::parse(data).map_err(|e| failed(format!("its structure cannot be read ({e})")))?;
    let id = file.primary_id;
    let Some((width, height)) = file.image_size(id).ok().flatten() else {
        return Ok(pixels);
    };
    let properties: Vec<&Property> = file.item_properties(id).map_err(|e| failed(e.to_string()))?.collect();
    // The full image, and the crop, through every transform in association order.
    let mut size = (width, height);
    let mut kept: Option<Rect> = None;
    for property in properties {
        match *property {
            Property::CleanAperture { width: w, height: h, horiz_offset, vert_offset } => {
                let crop = clap_rect(size.0, size.1, (w, h, horiz_offset, vert_offset)).map_err(failed)?;
                kept = Some(match kept {
                    // A second crop is relative to the first: not seen in real files.
                    Some(_) => return Err(failed("it has two crops (clap)".into())),
                    None => crop,
                });
            }
            Property::Rotation(quarters) => {
                let (rect, turned) = rotated(kept.unwrap_or((0, 0, size.0, size.1)), size, quarters);
                kept = kept.map(|_| rect);
                size = turned;
            }
            Property::Mirror(top_bottom) => kept = kept.map(|rect| mirrored(rect, size, top_bottom)),
            _ => {}
        }
    }
    let Some((x, y, w, h)) = kept else {
        // Nothing to crop: the browser must have shown it whole, turned as asked.
        if (pixels.width, pixels.height) != size {
            return Err(failed(format!(
                "the browser decoded it at {}×{}, not the {}×{} it shows",
                pixels.width, pixels.height, size.0, size.1
            )));
        }
        return Ok(pixels);
    };
    if (pixels.width, pixels.height) == (w, h) {
        return Ok(pixels);
    }
    if (pixels.width, pixels.height) != size {
        return Err(failed(format!(
            "the browser decoded it at {}×{}, not the {w}×{h} it shows or the {}×{} it codes",
            pixels.width, pixels.height, size.0, size.1
        )));
    }
    let stride = pixels.width as usize * 4;
    let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
    for row in pixels.rgba.chunks_exact(stride).skip(y as usize).take(h as usize) {
        rgba.extend_from_slice(&row[x as usize * 4..(x + w) as usize * 4]);
    }
    Ok(Pixels { rgba, width: w, height: h })
}

fn failed(message: String) -> Error {
    Error::new(ErrorKind::Corrupt, message).in_format("HEIF/AVIF")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pixel of a `width` × `height` image labelled with its own (x, y).
    fn labels(width: u32, height: u32) -> Vec<(u32, u32)> {
        (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).collect()
    }

    /// The image turned a quarter anti-clockwise, as heifer (and the spec) turns it.
    fn turn(image: &[(u32, u32)], width: u32, height: u32) -> Vec<(u32, u32)> {
        (0..width)
            .flat_map(|ny| (0..height).map(move |nx| (nx, ny)))
            .map(|(nx, ny)| image[(nx * width + (width - 1 - ny)) as usize])
            .collect()
    }

    #[test]
    fn a_rectangle_follows_the_pixels_through_a_quarter_turn() {
        let (width, height) = (5, 3);
        let image = labels(width, height);
        let turned = turn(&image, width, height); // 3 × 5
        let rect = (1, 0, 3, 2);
        let ((x, y, w, h), size) = rotated(rect, (width, height), 1);
        assert_eq!(size, (3, 5));
        let mut inside: Vec<(u32, u32)> = (y..y + h)
            .flat_map(|r| (x..x + w).map(move |c| (c, r)))
            .map(|(c, r)| turned[(r * 3 + c) as usize])
            .collect();
        inside.sort();
        let mut expected: Vec<(u32, u32)> = (0..2).flat_map(|r| (1..4).map(move |c| (c, r))).collect();
        expected.sort();
        assert_eq!(inside, expected);
    }

    #[test]
    fn half_and_three_quarter_turns_and_mirrors_are_consistent() {
        let size = (10, 6);
        let rect = (2, 1, 3, 4);
        // Two quarter turns are a half turn; four are none.
        let (once, s1) = rotated(rect, size, 1);
        let (twice, s2) = rotated(once, s1, 1);
        assert_eq!((twice, s2), rotated(rect, size, 2));
        let (thrice, s3) = rotated(twice, s2, 1);
        assert_eq!((thrice, s3), rotated(rect, size, 3));
        assert_eq!(rotated(thrice, s3, 1), (rect, size));
        // Mirroring twice is nothing.
        assert_eq!(mirrored(mirrored(rect, size, true), size, true), rect);
        assert_eq!(mirrored(rect, size, false), (5, 1, 3, 4));
        assert_eq!(mirrored(rect, size, true), (2, 1, 3, 4));
        assert_eq!(mirrored((2, 0, 3, 2), size, true), (2, 4, 3, 2));
    }

    /// A browser's pixels of the corpus's cropped AVIF, left uncropped (as
    /// Chromium leaves them): each pixel labelled with its place, so the crop
    /// that comes out shows which pixels were kept.
    #[test]
    fn a_crop_the_browser_left_undone_is_made() {
        let dir = std::env::var_os("TRACELESS_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
        let data = std::fs::read(dir.join("link-u-avif-sample-images/kimono.crop.avif")).unwrap();
        let file = HeifFile::parse(&data).unwrap();
        let (width, height) = file.image_size(file.primary_id).unwrap().unwrap();
        let clap = file.item_properties(file.primary_id).unwrap().find_map(|p| match *p {
            Property::CleanAperture { width, height, horiz_offset, vert_offset } => {
                Some((width, height, horiz_offset, vert_offset))
            }
            _ => None,
        });
        let (left, top, w, h) = clap_rect(width, height, clap.expect("the file has a clap")).unwrap();
        let labelled = |width: u32, height: u32| Pixels {
            rgba: (0..height)
                .flat_map(|y| {
                    (0..width).flat_map(move |x| [(x % 256) as u8, (y % 256) as u8, (x / 256) as u8, (y / 256) as u8])
                })
                .collect(),
            width,
            height,
        };
        let out = finish_browser_decode(&data, labelled(width, height)).unwrap();
        assert_eq!((out.width, out.height), (w, h));
        assert!((w, h) != (width, height), "the crop changes the size (the test can fail)");
        let place = |i: usize| {
            let p = &out.rgba[i * 4..i * 4 + 4];
            (u32::from(p[0]) + 256 * u32::from(p[2]), u32::from(p[1]) + 256 * u32::from(p[3]))
        };
        assert_eq!(place(0), (left, top));
        assert_eq!(place((w * h - 1) as usize), (left + w - 1, top + h - 1));
        // Already cropped by the browser: kept as it is.
        let done = finish_browser_decode(&data, labelled(w, h)).unwrap();
        assert_eq!((done.width, done.height), (w, h));
        // Any other size is an error, never shown.
        assert!(finish_browser_decode(&data, labelled(width + 1, height)).is_err());
        // A file with no crop: only its own size passes.
        let plain = std::fs::read(dir.join("link-u-avif-sample-images/kimono.avif")).unwrap();
        assert!(finish_browser_decode(&plain, labelled(width, height)).is_ok());
        assert!(finish_browser_decode(&plain, labelled(height, width)).is_err());
    }

    #[test]
    fn clap_is_centred_and_checked() {
        assert_eq!(clap_rect(722, 1024, ((385, 1), (330, 1), (103, 1), (-308, 1))), Ok((271, 39, 385, 330)));
        assert!(clap_rect(10, 10, ((4, 0), (4, 1), (0, 1), (0, 1))).is_err());
        assert!(clap_rect(10, 10, ((8, 1), (8, 1), (3, 1), (0, 1))).is_err());
    }
}
