//! Decoding to pixels, with every limit checked before anything large is
//! allocated.

use super::colour;
use crate::codec::{self, Pixels};
use crate::container::Parsed;
use crate::error::{reason, Error, ErrorKind, Result};
use crate::format::Format;
use crate::report::BlockKind;

/// Most pixels decoded (about 100 megapixels: 400 MB as RGBA).
pub const MAX_DECODE_PIXELS: u64 = 100_000_000;

/// Most items in a HEIF or AVIF that is decoded, and most entries in each of its other
/// item lists (`check_lists`). heifer scans these lists, so its parse and every grid
/// tile cost time in proportion to them: a crafted file with 50,000 items (cleaning's
/// limit) and a 255×255 grid took 7 s natively before failing. Phones write tens of
/// items (the corpus's iPhone photo: 53); a 200-megapixel photo in 512-pixel tiles
/// would have about 800 (32 × 24 tiles).
pub const MAX_DECODE_ITEMS: usize = 4_096;

/// Refuses, from the container's own header, what should never be decoded.
/// `decoded_elsewhere`: the caller brings the pixels (the format need not be
/// decodable here; the limits still hold).
pub(crate) fn check(parsed: &Parsed, decoded_elsewhere: bool) -> Result<()> {
    let name = parsed.format.name();
    if !decoded_elsewhere && !decodable(parsed.format) {
        return Err(undecodable(parsed.format));
    }
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
        )
        .because_with(reason::TOO_MANY_PIXELS, &[&parsed.width, &parsed.height, &(MAX_DECODE_PIXELS / 1_000_000)]));
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
        .in_format(name)
        .because_with(reason::CANNOT_CONVERT, &[&name]));
    }
    Ok(())
}

/// Refuses a HEIF or AVIF whose item lists heifer would take too long over: it finds
/// an item, its properties, its data and the items referring to it by scanning lists,
/// in its parse for each item and in a grid's decode for each tile. Checked before
/// anything reaches heifer, with the work a HEIC's grids ask for (`heif_work`); only
/// where heifer is built in.
#[cfg(feature = "heif-decode")]
pub(crate) fn check_lists(format: Format, data: &[u8]) -> Result<()> {
    if !matches!(format, Format::Heif | Format::Avif) {
        return Ok(());
    }
    let lists = crate::container::isobmff::list_lengths(format, data)?;
    let counts = [
        (lists.items, "items"),
        (lists.locations, "item locations"),
        (lists.associations, "property associations"),
        (lists.references, "item references"),
        (lists.other_targets, "items referred to other than grid tiles"),
    ];
    for (count, what) in counts {
        if count > MAX_DECODE_ITEMS {
            return Err(Error::limit(
                format.name(),
                format!(
                    "it has {count} {what}; conversion is limited to {MAX_DECODE_ITEMS} (cleaning works with more)"
                ),
            ));
        }
    }
    // What heifer would decode, counted (an AVIF's grid is checked as it is decoded).
    if format == Format::Heif {
        codec::heif_work::check(data)?;
    }
    Ok(())
}

/// A CMYK or YCCK JPEG (print colours): its pixels come out in sRGB, so its profile,
/// a CMYK one, no longer describes them.
pub(crate) fn is_cmyk(parsed: &Parsed) -> bool {
    parsed.format == Format::Jpeg && parsed.components == 4
}

/// A CMYK JPEG's pixels in sRGB: through its CMYK profile when it has one (as Firefox
/// shows them), else with the formula of browsers without colour management.
pub(crate) fn decode_cmyk(data: &[u8], parsed: &Parsed, profile: Option<&[u8]>) -> Result<Pixels> {
    let Some(profile) = profile.filter(|p| colour::is_cmyk_profile(p)) else {
        return codec::jpeg::decode(data);
    };
    let inverted = parsed.blocks.iter().any(|b| b.kind == BlockKind::Adobe);
    let mut pixels = codec::jpeg::decode_inks(data, inverted)?;
    colour::cmyk_to_srgb(&mut pixels.rgba, profile)?;
    Ok(pixels)
}

/// Whether this build decodes the format (HEIC needs the `heif-decode` feature,
/// AVIF `avif-decode`).
fn decodable(format: Format) -> bool {
    // Named first: written as literal arms, clippy finds the match a `matches!` in the
    // image module's build (both false) and not in the others.
    let heif = cfg!(feature = "heif-decode");
    let avif = cfg!(feature = "avif-decode");
    match format {
        Format::Heif => heif,
        Format::Avif => avif,
        _ => true,
    }
}

/// Whether the decoder applies the file's own rotation and mirroring (HEIF's
/// `irot`/`imir`), so the pixels must not be turned again.
pub(crate) fn decodes_upright(format: Format) -> bool {
    matches!(format, Format::Heif | Format::Avif)
}

/// The pixels as stored: not yet turned upright (but see `decodes_upright`).
pub(crate) fn decode(data: &[u8], format: Format) -> Result<Pixels> {
    match format {
        Format::Jpeg => codec::jpeg::decode(data),
        Format::Png => codec::png::decode(data),
        Format::Webp => codec::webp::decode(data),
        Format::Gif => codec::gif::decode(data),
        #[cfg(feature = "heif-decode")]
        Format::Heif => codec::heif::decode(data),
        #[cfg(not(feature = "heif-decode"))]
        Format::Heif => Err(undecodable(format)),
        #[cfg(feature = "avif-decode")]
        Format::Avif => codec::avif::decode(data),
        #[cfg(not(feature = "avif-decode"))]
        Format::Avif => Err(undecodable(format)),
        Format::Mp4 | Format::Mov => Err(Error::new(
            ErrorKind::Unsupported,
            "videos are not re-encoded: Traceless only removes their metadata (choose \"metadata removed\")",
        )
        .in_format(format.name())
        .because(reason::VIDEO_NOT_REENCODED)),
    }
}

/// A build without the decoder (the image engine's wasm module has neither, the
/// converter module no AV1 decoder: the extension brings the browser's pixels or
/// asks the AVIF module): HEIC and AVIF are cleaned losslessly but not converted here.
fn undecodable(format: Format) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!(
            "converting {} is not supported yet (it cannot be decoded here), but removing its metadata is",
            format.name()
        ),
    )
    .in_format(format.name())
    .because_with(reason::CANNOT_CONVERT, &[&format.name()])
}
