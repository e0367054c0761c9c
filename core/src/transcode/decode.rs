//! Decoding to pixels with every limit checked before anything large is allocated,
//! then turning the image upright.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::codec;
use crate::container::Parsed;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::report::BlockKind;

/// Most pixels decoded (about 100 megapixels: 400 MB as RGBA).
pub const MAX_DECODE_PIXELS: u64 = 100_000_000;
/// Largest single allocation the decoder may make.
const MAX_DECODE_ALLOC: u64 = 1024 * 1024 * 1024;

pub(crate) struct Decoded {
    pub image: DynamicImage,
    pub icc: Option<Vec<u8>>,
}

/// Refuses, from the container's own header, what should never be decoded.
pub(crate) fn check(parsed: &Parsed) -> Result<()> {
    let name = parsed.format.name();
    let pixels = u64::from(parsed.width) * u64::from(parsed.height);
    if pixels > MAX_DECODE_PIXELS {
        return Err(Error::limit(
            name,
            format!(
                "{}×{} is {} megapixels; conversion is limited to {} (cleaning works at any size)",
                parsed.width,
                parsed.height,
                pixels / 1_000_000,
                MAX_DECODE_PIXELS / 1_000_000
            ),
        ));
    }
    if parsed.frames > 1 {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "this {name} is animated ({} frames); converting animations is not supported yet, but removing its metadata is",
                parsed.frames
            ),
        )
        .in_format(name));
    }
    // The decoder reads baseline, extended and progressive Huffman JPEGs only.
    let exotic = parsed
        .blocks
        .iter()
        .find(|b| b.label.starts_with("SOF") && !matches!(b.label.as_str(), "SOF0" | "SOF1" | "SOF2"));
    if let Some(frame) = exotic {
        let kind = match frame.label.as_str() {
            "SOF3" | "SOF7" | "SOF11" | "SOF15" => "lossless",
            "SOF5" | "SOF6" | "SOF13" | "SOF14" => "hierarchical",
            _ => "arithmetic-coded",
        };
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "this is a {kind} JPEG ({}); converting it is not supported, but removing its metadata is",
                frame.label
            ),
        )
        .in_format(name));
    }
    if parsed.format == Format::Jpeg && parsed.components == 4 {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "this JPEG is CMYK (print colours); converting it is not supported yet, but removing its metadata is",
        )
        .in_format(name));
    }
    Ok(())
}

pub(crate) fn decode(data: &[u8], parsed: &Parsed) -> Result<Decoded> {
    let format = parsed.format;
    let image_format = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Gif => image::ImageFormat::Gif,
        Format::Webp => {
            let icc = parsed.blocks.iter().find(|b| b.kind == BlockKind::Icc).map(|b| b.payload_bytes(data).into_owned());
            return Ok(Decoded { image: codec::webp::decode(data)?, icc: icc.filter(|p| !p.is_empty()) });
        }
    };
    let mut reader = ImageReader::with_format(Cursor::new(data), image_format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits.max_image_width = Some(65_535);
    limits.max_image_height = Some(65_535);
    reader.limits(limits);
    let failed = |e: image::ImageError| match e {
        image::ImageError::Limits(l) => Error::limit(format.name(), format!("the image is too large to convert ({l})")),
        other => Error::new(ErrorKind::Corrupt, format!("the image data cannot be decoded: {other}"))
            .in_format(format.name()),
    };
    let mut decoder = reader.into_decoder().map_err(failed)?;
    let icc = decoder.icc_profile().ok().flatten().filter(|p| !p.is_empty());
    let image = DynamicImage::from_decoder(decoder).map_err(failed)?;
    Ok(Decoded { image, icc })
}

/// Applies an EXIF orientation (1-8) to the pixels.
pub(crate) fn orient(image: &mut DynamicImage, orientation: Option<u16>) {
    if let Some(o) = orientation.and_then(|o| u8::try_from(o).ok()).and_then(image::metadata::Orientation::from_exif) {
        image.apply_orientation(o);
    }
}
