//! A HEIC's own thumbnail (a `thmb` item: 240×320 on an iPhone), decoded for a
//! list of files to show: a few milliseconds where the photo itself takes a second
//! or more, and the browser cannot show a HEIC at all.
//!
//! Only a thumbnail that is one plain HEVC picture, turned and mirrored as the photo
//! is, in the photo's colours (its own `colr`, if any, the photo's), and of the
//! photo's shape is used, so that an edited photo whose old thumbnail was left behind
//! does not show a picture the copy will not be; anything else is None, and the
//! caller decodes the photo.

use heifer::color::frame_to_rgba_into;
use heifer::heifer_hevc_dec::decoder::{decode_picture, DecodeOptions};
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};
use heifer::Image;

use super::{heif, heif_bands, Pixels};
use crate::error::Result;

/// Larger than any thumbnail a camera writes (Samsung's are 512×384): an item
/// claiming more is not decoded as one.
const MAX_THUMBNAIL_PIXELS: u64 = 1 << 20;

/// Thumbnails looked at: phones store one. A hostile file may name the same item a
/// thumbnail hundreds of thousands of times, and each look reads every reference.
const MAX_THUMBNAILS: usize = 4;

/// The primary image's thumbnail, upright, RGBA8 in its coded colours (as the
/// photo's are), or None when it has no usable one. `min_side`: the smallest
/// thumbnail whose longer side reaches it is chosen, else the largest.
pub(crate) fn decode(data: &[u8], min_side: u32) -> Result<Option<Pixels>> {
    let file = HeifFile::parse(data).map_err(heif::error)?;
    let primary = file.primary_id;
    let Some(photo) = upright_size(&file, primary)? else { return Ok(None) };
    let (photo_turns, photo_colour) = (turns(&file, primary)?, colour_chain(&file, primary)?);
    let mut ids = file.referencing_items(primary, b"thmb");
    ids.sort_unstable();
    ids.dedup();
    let mut usable = Vec::new();
    for id in ids.into_iter().take(MAX_THUMBNAILS) {
        let Some(size) = upright_size(&file, id)? else { continue };
        let colour = colours(&file, id)?;
        if plain(&file, id)?
            && same_shape(size, photo)
            && u64::from(size.0) * u64::from(size.1) <= MAX_THUMBNAIL_PIXELS
            && turns(&file, id)? == photo_turns
            && (colour.is_empty() || colour == photo_colour)
        {
            usable.push((id, size));
        }
    }
    let side = |&(_, (w, h)): &(ItemId, (u32, u32))| w.max(h);
    let chosen = usable.iter().copied().filter(|t| side(t) >= min_side).min_by_key(side);
    let Some((id, _)) = chosen.or_else(|| usable.iter().copied().max_by_key(side)) else { return Ok(None) };
    let Some((width, height)) = file.image_size(id).map_err(heif::error)? else { return Ok(None) };
    let options = DecodeOptions { max_pixels: MAX_THUMBNAIL_PIXELS, ..Default::default() };
    let frame = decode_picture(&file.hevc_bitstream(id).map_err(heif::error)?, options).map_err(heif::error)?;
    if frame.widths[0] < width || frame.heights[0] < height {
        return Ok(None);
    }
    let mut image =
        Image { width, height, bit_depth: 8, has_alpha: false, data: super::rgba_buffer("HEIF", width, height)? };
    let mut rows: Vec<&mut [u8]> = image.data.chunks_exact_mut(width as usize * 4).collect();
    frame_to_rgba_into(&frame, heif_bands::colour(&file, id, &frame)?, &mut rows, width as usize, height as usize);
    let image = heif_bands::upright(&file, id, image)?;
    Ok(Some(Pixels { rgba: image.data, width: image.width, height: image.height }))
}

/// An item's size once turned by its `irot`; None if it has no size, or a crop
/// (whose rounding is not worth repeating for a thumbnail's shape).
fn upright_size(file: &HeifFile, id: ItemId) -> Result<Option<(u32, u32)>> {
    let Some((width, height)) = file.image_size(id).map_err(heif::error)? else { return Ok(None) };
    let mut turned = false;
    for property in file.item_properties(id).map_err(heif::error)? {
        match property {
            Property::CleanAperture { .. } => return Ok(None),
            Property::Rotation(quarters) => turned ^= quarters % 2 == 1,
            _ => {}
        }
    }
    Ok(Some(if turned { (height, width) } else { (width, height) }))
}

/// An item's rotations and mirrorings, in order.
fn turns(file: &HeifFile, id: ItemId) -> Result<Vec<Property>> {
    Ok(file
        .item_properties(id)
        .map_err(heif::error)?
        .filter(|p| matches!(p, Property::Rotation(_) | Property::Mirror(_)))
        .cloned()
        .collect())
}

/// An item's `colr` properties.
fn colours(file: &HeifFile, id: ItemId) -> Result<Vec<ColorInfo>> {
    Ok(file
        .item_properties(id)
        .map_err(heif::error)?
        .filter_map(|p| match p {
            Property::Color(colour) => Some(colour.clone()),
            _ => None,
        })
        .collect())
}

/// The photo's colours: its own `colr`, else (a grid's) its first tile's.
fn colour_chain(file: &HeifFile, id: ItemId) -> Result<Vec<ColorInfo>> {
    let own = colours(file, id)?;
    match file.referenced_items(id, b"dimg").first() {
        Some(&tile) if own.is_empty() => colours(file, tile),
        _ => Ok(own),
    }
}

/// Within 3% of the same width to height (thumbnails are rounded to whole pixels).
fn same_shape((w, h): (u32, u32), (pw, ph): (u32, u32)) -> bool {
    let (a, b) = (u64::from(w) * u64::from(ph), u64::from(h) * u64::from(pw));
    w > 0 && h > 0 && a.abs_diff(b) * 100 <= 3 * a.max(b)
}

/// One HEVC picture with no auxiliary image (alpha) of its own.
fn plain(file: &HeifFile, id: ItemId) -> Result<bool> {
    Ok(file.item(id).map_err(heif::error)?.item_type.0 == *b"hvc1"
        && file.referencing_items(id, b"auxl").is_empty()
        && file.hevc_config(id).map_err(heif::error)?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(path: &str) -> Vec<u8> {
        let root = std::env::var_os("TRACELESS_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
        std::fs::read(root.join(path)).unwrap()
    }

    /// Mean colour of each cell of a 4 × 4 grid over the picture.
    fn cells(p: &Pixels) -> Vec<[f64; 3]> {
        let mut sums = vec![[0.0; 4]; 16];
        for y in 0..p.height {
            for x in 0..p.width {
                let cell = &mut sums[(y * 4 / p.height * 4 + x * 4 / p.width) as usize];
                let at = ((y * p.width + x) * 4) as usize;
                for (sum, &v) in cell.iter_mut().zip(&p.rgba[at..at + 3]) {
                    *sum += f64::from(v);
                }
                cell[3] += 1.0;
            }
        }
        sums.iter().map(|s| [s[0] / s[3], s[1] / s[3], s[2] / s[3]]).collect()
    }

    #[test]
    fn an_iphone_photo_s_thumbnail_is_the_photo_upright_and_in_its_colours() {
        let data = corpus("ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC");
        let thumbnail = decode(&data, 112).unwrap().expect("its 320×240 thumbnail");
        let photo = heif::decode(&data).unwrap();
        // The photo is turned by irot (4032×3024 coded): the thumbnail is turned with it.
        assert_eq!((photo.width, photo.height), (3024, 4032));
        assert_eq!((thumbnail.width, thumbnail.height), (240, 320));
        for (ours, whole) in cells(&thumbnail).iter().zip(cells(&photo)) {
            for c in 0..3 {
                assert!((ours[c] - whole[c]).abs() < 8.0, "{ours:?} against the photo's {whole:?}");
            }
        }
    }

    #[test]
    fn no_thumbnail_or_one_of_another_shape_is_none() {
        // No thumbnail at all.
        assert!(decode(&corpus("ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif"), 112).unwrap().is_none());
        // 320×240 for a 1596×1064 photo: not the photo's shape (an edit left it behind?).
        assert!(decode(&corpus("exiftool/t/images/QuickTime.heic"), 112).unwrap().is_none());
        assert!(same_shape((240, 320), (3024, 4032)) && same_shape((512, 384), (4000, 3000)));
        assert!(!same_shape((320, 240), (1596, 1064)) && !same_shape((320, 240), (3024, 4032)));
    }
}
