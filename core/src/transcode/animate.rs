//! Animations (GIF, APNG, animated WebP) to animated WebP, the one animated
//! format with an encoder here (libwebp's). Frames stream: each is read,
//! composed, turned, colour-managed, resized and encoded before the next is
//! read, so memory holds a few canvases whatever the animation's length.
//!
//! JPEG and PNG hold a single picture: asked for one, an animation is refused
//! with a message that says so, never cut down to its first frame silently.

use super::{ConvertOptions, Output};
use crate::container::Parsed;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::inspect::Analysis;

/// Most pixels read from one animation, all frames together (a thousand
/// megapixels: 2,000 frames of 720×720): the time a conversion may take.
#[cfg(feature = "animation")]
pub const MAX_ANIMATION_PIXELS: u64 = 1_000_000_000;

/// Whether browsers play the file as an animation, even one of a single frame: a
/// GIF of several frames, a WebP flagged animated (VP8X), a PNG with an acTL
/// before its image data. The extension's sniff (`isAnimated`) follows the same rules.
pub(super) fn is_animation(parsed: &Parsed, data: &[u8]) -> bool {
    match parsed.format {
        Format::Gif => parsed.frames > 1,
        Format::Webp => data.get(12..16) == Some(b"VP8X") && data.get(20).is_some_and(|flags| flags & 0x02 != 0),
        Format::Png => {
            let first = |label: &str| parsed.blocks.iter().position(|b| b.label == label);
            matches!((first("acTL"), first("IDAT")), (Some(control), Some(data)) if control < data)
        }
        _ => false,
    }
}

/// Converts an animation (`is_animation`) to an animated WebP.
#[cfg(feature = "animation")]
pub(super) fn convert(
    data: &[u8],
    parsed: &Parsed,
    analysis: &mut Analysis,
    options: &ConvertOptions,
) -> Result<Output> {
    use std::borrow::Cow;

    use super::{colour, fit_target, lossy, orient, resize};
    use crate::codec::{animation, webp, webp_anim};

    let format = output_format(parsed, options)?;
    let pixels = u64::from(parsed.width) * u64::from(parsed.height);
    // From the header, before anything is decoded (decode::check has refused a canvas
    // over MAX_DECODE_PIXELS already).
    if pixels.saturating_mul(u64::from(parsed.frames)) > MAX_ANIMATION_PIXELS {
        return Err(too_long(parsed, false));
    }
    // The work done, all passes together (a target size may encode the animation
    // several times): the frames as stored, and the canvas each is composed on.
    let budget = std::cell::Cell::new(MAX_ANIMATION_PIXELS);
    // Animated GIF/PNG/WebP carry no orientation browsers apply, but a WebP's EXIF may:
    // followed as for still images.
    let turn = analysis.orientation.filter(|o| *o != 1);
    let swapped = matches!(turn, Some(5..=8));
    let (width, height) = if swapped { (parsed.height, parsed.width) } else { (parsed.width, parsed.height) };
    let mut icc = analysis.icc_profile.take();
    let to_srgb = match (options.colour, &icc) {
        (super::ColourMode::ConvertToSrgb, Some(profile)) => Some(colour::ToSrgb::new(profile)?),
        _ => None,
    };
    if to_srgb.is_some() {
        icc = None;
    }
    let bounds = resize::fit(width, height, options.max_width, options.max_height);

    let encode = |size: (u32, u32), quality: u8| -> Result<(Vec<u8>, bool)> {
        let mut frames = animation::frames(parsed.format, data, parsed.frames)?;
        if frames.size() != (parsed.width, parsed.height) {
            return Err(crate::codec::undecodable(
                parsed.format.name(),
                "its frames and its header disagree on its size",
            ));
        }
        let mut encoder = webp_anim::Encoder::new(size.0, size.1, quality, options.webp_lossless)?;
        let mut read = 0u32;
        while let Some(frame) = frames.next_frame()? {
            read += 1;
            let work = pixels + frame.decoded;
            budget.set(budget.get().checked_sub(work).ok_or_else(|| too_long(parsed, options.target_bytes.is_some()))?);
            let mut rgba = Cow::Borrowed(frame.rgba);
            if let Some(transform) = &to_srgb {
                transform.apply(rgba.to_mut());
            }
            if turn.is_some() {
                rgba = Cow::Owned(orient::turn(rgba.into_owned(), parsed.width, parsed.height, turn).0);
            }
            encoder.add(&resize::resize_rgba(&rgba, (width, height), size)?, frame.duration_ms)?;
        }
        if read == 0 {
            return Err(crate::codec::undecodable(parsed.format.name(), "it holds no frame"));
        }
        let out = encoder.finish(frames.loop_count())?;
        Ok((
            match &icc {
                Some(profile) => webp::with_icc(&out, profile, size.0, size.1, true),
                None => out,
            },
            false,
        ))
    };
    let (data, size, quality) = match options.target_bytes {
        None => (encode(bounds, options.quality)?.0, bounds, lossy(format, options).then_some(options.quality)),
        Some(target) => {
            let (data, size, quality, _) = fit_target(bounds, format, options, target, encode)?;
            (data, size, quality)
        }
    };
    Ok(Output { data, format, size, quality, icc_kept: icc.is_some(), flattened: false })
}

/// A build without the animation encoder (the extension's image module: the
/// extension sends animations to its converter module).
#[cfg(not(feature = "animation"))]
pub(super) fn convert(_: &[u8], parsed: &Parsed, _: &mut Analysis, options: &ConvertOptions) -> Result<Output> {
    output_format(parsed, options)?;
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "this {} is animated; this build cannot convert animations, but removing its metadata works",
            parsed.format.name()
        ),
    )
    .in_format(parsed.format.name())
    .because_with(crate::error::reason::CANNOT_CONVERT, &[&parsed.format.name()]))
}

/// WebP, the only animated output; "keep the format" means it too.
fn output_format(parsed: &Parsed, options: &ConvertOptions) -> Result<Format> {
    match options.format {
        super::OutputFormat::Keep | super::OutputFormat::Webp => Ok(Format::Webp),
        single => {
            let name = parsed.format.name();
            Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "this {name} is animated ({} frame{}) and {} holds a single picture: convert it to WebP to keep the animation",
                    parsed.frames,
                    if parsed.frames == 1 { "" } else { "s" },
                    single.resolve(parsed.format).name()
                ),
            )
            .in_format(name)
            .because_with(
                crate::error::reason::ANIMATED_TO_SINGLE,
                &[&name, &parsed.frames, &single.resolve(parsed.format).name()],
            ))
        }
    }
}

#[cfg(feature = "animation")]
fn too_long(parsed: &Parsed, target_size: bool) -> Error {
    let hint = if target_size { " (a target size encodes it several times: try without one)" } else { "" };
    Error::limit(
        parsed.format.name(),
        format!(
            "{} frames of {}×{} are more than {} megapixels to decode and encode in all, the most for one animation{hint}",
            parsed.frames,
            parsed.width,
            parsed.height,
            MAX_ANIMATION_PIXELS / 1_000_000
        ),
    )
    .because_with(crate::error::reason::ANIMATION_TOO_LONG, &[&parsed.frames, &(MAX_ANIMATION_PIXELS / 1_000_000)])
}
