//! Converting: decode, turn upright, manage colour, resize, encode, and (in
//! target-size mode) search for the best quality that fits.

mod animate;
#[cfg(feature = "heif-decode")]
mod cicp;
mod colour;
mod decode;
mod deep;
mod options;
mod orient;
mod parts;
mod resize;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use decode::{MAX_DECODE_ITEMS, MAX_DECODE_PIXELS};
pub use options::{Chroma, ColourMode, ConvertOptions, OutputFormat};
pub use parts::{encode_part, join_parts, splice_scans, write_scans, InParts, Parts, PartsJob, MIN_PARTS_PIXELS};

use crate::codec;
use crate::container;
use crate::container::Parsed;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::inspect::{analyse, supported_format, Analysis};
use crate::report::{Category, Finding};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvertReport {
    pub input_format: Format,
    pub format: Format,
    pub input_width: u32,
    pub input_height: u32,
    pub width: u32,
    pub height: u32,
    pub input_bytes: u64,
    pub output_bytes: u64,
    /// The quality used (JPEG and lossy WebP).
    pub quality: Option<u8>,
    /// The orientation applied to the pixels, if any.
    pub rotated: Option<u16>,
    /// Whether the output embeds the source's colour profile.
    pub icc_kept: bool,
    /// Whether transparent pixels were flattened onto the background colour.
    pub flattened: bool,
    /// Everything the input revealed: none of it is in the output.
    pub removed: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub struct Converted {
    pub data: Vec<u8>,
    pub report: ConvertReport,
}

/// Pixels ready to encode: upright, RGBA8, in their source colour space (or sRGB).
struct Prepared {
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    icc: Option<Vec<u8>>,
}

pub fn convert(data: &[u8], options: &ConvertOptions) -> Result<Converted> {
    whole(convert_with(data, options, None, 1))
}

/// `convert`, or `convert_decoded` when `decoded` is given, with a JPEG's encoding left
/// in up to `parts` strips for the caller to run side by side (`encode_part`, then
/// `join_parts`). Small images and other formats come back converted whole.
pub fn convert_in_parts(
    data: &[u8],
    decoded: Option<DecodedImage>,
    options: &ConvertOptions,
    parts: u32,
) -> Result<InParts> {
    match decoded {
        None => convert_with(data, options, None, parts),
        Some(DecodedImage { rgba, width, height }) => {
            let pixels = decoded_pixels(data, rgba, width, height)?;
            convert_with(data, options, Some(pixels), parts)
        }
    }
}

/// One strip of the JPEG `convert_decoded` would make, prepared and encoded on its own:
/// `rgba` holds the rows of strip `index` of `heights` (which must be `convert_in_parts`'
/// plan for the picture) of `decode_upright`'s pixels of `data`, `width` × the heights'
/// sum. For a caller that hands each worker its own rows of pixels it already has, so
/// that no worker prepares the whole picture first; the strips, `write_scans` and
/// `splice_scans` then make the file as after `convert_in_parts`. Not for resized or
/// target-size conversions, whose rows depend on their neighbours'.
pub fn encode_decoded_strip(
    data: &[u8],
    rgba: Vec<u8>,
    width: u32,
    heights: &[u32],
    index: usize,
    options: &ConvertOptions,
) -> Result<(Vec<u8>, PartsJob)> {
    check_options(options)?;
    let height: u32 = heights.iter().sum();
    let refuse = |why: &str| Err(Error::new(ErrorKind::InvalidRequest, format!("a strip cannot be made here: {why}")));
    let input_format = supported_format(data)?;
    let format = options.format.resolve(input_format);
    if format != Format::Jpeg
        || options.target_bytes.is_some()
        || resize::fit(width, height, options.max_width, options.max_height) != (width, height)
    {
        return refuse("only JPEG conversions at the picture's own size are made in strips");
    }
    if parts::plan((width, height), options.chroma, heights.len() as u32).as_deref() != Some(heights)
        || index >= heights.len()
    {
        return refuse("these are not the strips the engine would cut");
    }
    let rows = heights[index];
    if rgba.len() as u64 != u64::from(width) * u64::from(rows) * 4 {
        return Err(Error::new(ErrorKind::InvalidRequest, "the pixel buffer does not match width x rows x 4"));
    }
    let parsed = container::parse(input_format, data)?;
    decode::check(&parsed, true)?;
    if animate::is_animation(&parsed, data) {
        return refuse("an animation is converted from its file");
    }
    let mut analysis = analyse_colour(&parsed, data);
    let mut rgba = rgba;
    let mut icc = analysis.icc_profile.take().filter(|_| !decode::is_cmyk(&parsed));
    if let (ColourMode::ConvertToSrgb, Some(profile)) = (options.colour, &icc) {
        colour::to_srgb(&mut rgba, profile)?;
        icc = None;
    }
    let (rgb, flattened) = flatten(Cow::Owned(rgba), options.background);
    let strip =
        codec::jpeg_parts::encode_strip(&rgb, width, rows, options.quality, parts::subsampling(options.chroma))?;
    let output = Output {
        data: Vec::new(),
        format,
        size: (width, height),
        quality: Some(options.quality),
        icc_kept: icc.is_some(),
        flattened,
    };
    let report = converted(data, &parsed, analysis, output).report;
    let job =
        PartsJob { width, heights: heights.to_vec(), quality: options.quality, chroma: options.chroma, icc, report };
    Ok((strip, job))
}

fn whole(converted: Result<InParts>) -> Result<Converted> {
    match converted? {
        InParts::Whole(converted) => Ok(converted),
        InParts::Parts(_) => Err(Error::new(ErrorKind::InvalidRequest, "a conversion in one part came in several")),
    }
}

/// Converts an image whose pixels were decoded elsewhere (the extension has the
/// browser decode AVIF): `rgba` is RGBA8, unpremultiplied, upright (the file's
/// own rotation, mirroring and crop applied), in the file's colour space. The
/// file itself is still read for what it reveals and for its colour profile.
pub fn convert_decoded(
    data: &[u8],
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    options: &ConvertOptions,
) -> Result<Converted> {
    let pixels = decoded_pixels(data, rgba, width, height)?;
    whole(convert_with(data, options, Some(pixels), 1))
}

#[cfg_attr(not(feature = "heif-decode"), allow(unused_variables))]
fn decoded_pixels(data: &[u8], rgba: Vec<u8>, width: u32, height: u32) -> Result<codec::Pixels> {
    if width == 0 || height == 0 || rgba.len() as u64 != u64::from(width) * u64::from(height) * 4 {
        return Err(Error::new(ErrorKind::InvalidRequest, "the pixel buffer does not match width x height x 4"));
    }
    let pixels = codec::Pixels { rgba, width, height };
    // The browser turns and mirrors HEIF images but may leave their crop undone (Chromium).
    #[cfg(feature = "heif-decode")]
    let pixels = match supported_format(data)? {
        format @ (Format::Avif | Format::Heif) => {
            decode::check_lists(format, data)?;
            codec::heif_geometry::finish_browser_decode(data, pixels)?
        }
        _ => pixels,
    };
    Ok(pixels)
}

/// The pixels `convert` starts from: decoded and upright, RGBA8, in the file's own
/// colour space (a CMYK JPEG's in sRGB). For a caller that shows an image before
/// converting it (the extension's converter decodes a HEIC to show it): handing them
/// back to `convert_decoded` saves decoding the file a second time.
pub fn decode_upright(data: &[u8]) -> Result<DecodedImage> {
    decode_parsed(data, &picture_to_decode(data)?)
}

fn decode_parsed(data: &[u8], parsed: &Parsed) -> Result<DecodedImage> {
    let codec::Pixels { rgba, width, height } = upright_pixels(data, parsed, &analyse(parsed, data))?;
    Ok(DecodedImage { rgba, width, height })
}

/// `data` parsed, within the limits, and a single picture.
fn picture_to_decode(data: &[u8]) -> Result<Parsed> {
    let parsed = container::parse(supported_format(data)?, data)?;
    decode::check(&parsed, false)?;
    #[cfg(feature = "heif-decode")]
    decode::check_lists(parsed.format, data)?;
    if animate::is_animation(&parsed, data) {
        return Err(Error::new(ErrorKind::InvalidRequest, "an animation has no single picture to decode"));
    }
    Ok(parsed)
}

/// One band's share of `decode_upright`, for callers with several threads of their own
/// (wasm workers): a grid HEIC's tiles, most of a phone photo's decode, are split into
/// bands that are whole rows of the upright image, each turned upright by its caller;
/// `join_upright_bands` stacks them.
#[cfg(feature = "heif-decode")]
pub enum UprightBand {
    /// The image is not decoded in bands (not a grid HEIC, or one with alpha or a
    /// crop): the first band is all of it.
    Whole(DecodedImage),
    /// The image is not decoded in bands, and this is not the first band.
    Nothing,
    /// This band's rows, for `join_upright_bands`.
    Rows(Vec<u8>),
}

/// Band `index` of `count` of `decode_upright(data)`.
#[cfg(feature = "heif-decode")]
pub fn decode_upright_band(data: &[u8], index: u32, count: u32) -> Result<UprightBand> {
    let parsed = picture_to_decode(data)?;
    let band = if parsed.format == Format::Heif { codec::heif_bands::decode_band(data, index, count)? } else { None };
    Ok(match band {
        Some(rows) => UprightBand::Rows(rows),
        None if index == 0 => UprightBand::Whole(decode_parsed(data, &parsed)?),
        None => UprightBand::Nothing,
    })
}

/// `decode_upright(data)` from every band's `Rows`, in order.
#[cfg(feature = "heif-decode")]
pub fn join_upright_bands(data: &[u8], bands: Vec<Vec<u8>>) -> Result<DecodedImage> {
    picture_to_decode(data)?;
    let codec::Pixels { rgba, width, height } = codec::heif_bands::join(data, bands)?;
    Ok(DecodedImage { rgba, width, height })
}

/// A picture to show `decode_upright`'s pixels of `data` with: a BMP, in sRGB (from
/// the file's colour profile; a CMYK JPEG's pixels are sRGB once decoded), made for
/// speed. The extension shows a HEIC (which no browser shows) with it, and converts
/// the file from the pixels. Only with the HEVC decoder: other images show as they are.
#[cfg(feature = "heif-decode")]
pub fn screen_picture(data: &[u8], pixels: &DecodedImage) -> Result<Vec<u8>> {
    let DecodedImage { rgba, width, height } = pixels;
    if *width == 0 || *height == 0 || rgba.len() as u64 != u64::from(*width) * u64::from(*height) * 4 {
        return Err(Error::new(ErrorKind::InvalidRequest, "the pixel buffer does not match width x height x 4"));
    }
    let mut picture = codec::bmp::encode(rgba, *width, *height)?;
    if let Some(profile) = screen_profile(data)? {
        colour::to_srgb(&mut picture[codec::bmp::HEADER..], &profile)?;
    }
    Ok(picture)
}

/// The profile `screen_picture` converts `data`'s pixels to sRGB from, if any.
#[cfg(feature = "heif-decode")]
fn screen_profile(data: &[u8]) -> Result<Option<Vec<u8>>> {
    let parsed = container::parse(supported_format(data)?, data)?;
    Ok(analyse_colour(&parsed, data).icc_profile.filter(|_| !decode::is_cmyk(&parsed)))
}

/// `rows` (whole rows of `decode_upright`'s pixels of `data`: a band's) as
/// `screen_picture` shows them, in sRGB; None when they are shown as they are (no
/// colour profile). The workers that decode a HEIC in bands each convert their own,
/// where one worker used to convert the joined picture while the other sat idle.
#[cfg(feature = "heif-decode")]
pub fn screen_rows(data: &[u8], rows: &[u8]) -> Result<Option<Vec<u8>>> {
    if rows.len() % 4 != 0 {
        return Err(Error::new(ErrorKind::InvalidRequest, "the pixel buffer is not whole RGBA pixels"));
    }
    let Some(profile) = screen_profile(data)? else { return Ok(None) };
    let mut screen = rows.to_vec();
    colour::to_srgb(&mut screen, &profile)?;
    Ok(Some(screen))
}

/// `screen_picture` of the image `join_upright_bands` makes of `data`'s bands, from
/// each band's `screen_rows` (the band's own rows where those were None), in band order.
#[cfg(feature = "heif-decode")]
pub fn screen_picture_of_bands(data: &[u8], screens: Vec<Vec<u8>>) -> Result<Vec<u8>> {
    picture_to_decode(data)?;
    let (width, height, placed) = codec::heif_bands::placed(data, screens)?;
    let parts: Vec<&[u8]> = placed.iter().map(Vec::as_slice).collect();
    codec::bmp::encode_parts(&parts, width, height)
}

/// A small picture of a HEIC for a list of files: an sRGB BMP within `size` × `size`,
/// from the file's own thumbnail when it has one of the photo's shape (a few
/// milliseconds; `codec/heif_thumbnail.rs`), else, with `decode_photo`, from the photo
/// decoded (a second or more; without it, None). A damaged thumbnail is passed over:
/// the photo reports its own damage.
#[cfg(feature = "heif-decode")]
pub fn list_picture(data: &[u8], size: u32, decode_photo: bool) -> Result<Option<Vec<u8>>> {
    if size == 0 {
        return Err(Error::new(ErrorKind::InvalidRequest, "a picture of no size"));
    }
    let parsed = picture_to_decode(data)?;
    let own =
        if parsed.format == Format::Heif { codec::heif_thumbnail::decode(data, size).ok().flatten() } else { None };
    let analysis = analyse_colour(&parsed, data);
    let codec::Pixels { rgba, width, height } = match own {
        Some(pixels) => pixels,
        None if decode_photo => upright_pixels(data, &parsed, &analysis)?,
        None => return Ok(None),
    };
    let (w, h) = resize::fit(width, height, Some(size), Some(size));
    let small = resize::resize_rgba(&rgba, (width, height), (w, h))?;
    let mut picture = codec::bmp::encode(&small, w, h)?;
    if let Some(profile) = analysis.icc_profile.filter(|_| !decode::is_cmyk(&parsed)) {
        colour::to_srgb(&mut picture[codec::bmp::HEADER..], &profile)?;
    }
    Ok(Some(picture))
}

/// Pixels from `decode_upright`.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The file's analysis, with a HEIF's or AVIF's colour profile taken from its primary
/// picture (the inspection's is the first in the file, which may be a gain map's), or
/// made from its code points when it gives its colours that way (cicp.rs): every
/// conversion then keeps or converts those colours as it does an embedded profile's.
fn analyse_colour(parsed: &Parsed, data: &[u8]) -> Analysis {
    #[allow(unused_mut)]
    let mut analysis = analyse(parsed, data);
    #[cfg(feature = "heif-decode")]
    if matches!(parsed.format, Format::Heif | Format::Avif) {
        use container::isobmff::Colour;
        match container::isobmff::primary_colour(parsed, data) {
            Some(Colour::Profile(range)) => {
                // Without its device, as every profile a conversion writes (inspect.rs).
                let profile = data.get(range).map(<[u8]>::to_vec);
                analysis.icc_profile = profile.and_then(|p| crate::metadata::icc_device::split(p).1);
            }
            Some(Colour::CodePoints(primaries, transfer)) => analysis.icc_profile = cicp::profile(primaries, transfer),
            // Nothing said: whatever profile the file has, as before.
            None => {}
        }
    }
    analysis
}

fn upright_pixels(data: &[u8], parsed: &Parsed, analysis: &Analysis) -> Result<codec::Pixels> {
    let pixels = if decode::is_cmyk(parsed) {
        decode::decode_cmyk(data, parsed, analysis.icc_profile.as_deref())?
    } else {
        decode::decode(data, parsed.format)?
    };
    let turn = if decode::decodes_upright(parsed.format) { None } else { analysis.orientation };
    Ok(orient::upright(pixels, turn))
}

// Inlined: in the engine's wasm module only `convert` calls it, and its size counts there.
#[inline(always)]
fn convert_with(data: &[u8], options: &ConvertOptions, decoded: Option<codec::Pixels>, parts: u32) -> Result<InParts> {
    check_options(options)?;
    let input_format = supported_format(data)?;
    let parsed = container::parse(input_format, data)?;
    decode::check(&parsed, decoded.is_some())?;
    // Pixels given were checked with their file in `decoded_pixels`.
    #[cfg(feature = "heif-decode")]
    if decoded.is_none() {
        decode::check_lists(input_format, data)?;
    }
    let mut analysis = analyse_colour(&parsed, data);
    if animate::is_animation(&parsed, data) {
        if decoded.is_some() {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "an animation is converted from its file, not from one decoded picture",
            ));
        }
        let output = animate::convert(data, &parsed, &mut analysis, options)?;
        return Ok(InParts::Whole(converted(data, &parsed, analysis, output)));
    }
    if decoded.is_none() {
        if let Some(output) = deep::convert(data, &parsed, &mut analysis, options)? {
            return Ok(InParts::Whole(converted(data, &parsed, analysis, output)));
        }
    }
    let cmyk = decode::is_cmyk(&parsed);
    let codec::Pixels { mut rgba, width, height } = match decoded {
        Some(pixels) => pixels,
        None => upright_pixels(data, &parsed, &analysis)?,
    };
    // A CMYK JPEG's pixels are sRGB now: its CMYK profile would misdescribe them.
    let mut icc = analysis.icc_profile.take().filter(|_| !cmyk);
    if let (ColourMode::ConvertToSrgb, Some(profile)) = (options.colour, &icc) {
        colour::to_srgb(&mut rgba, profile)?;
        icc = None;
    }
    let source = Prepared { rgba, width, height, icc };
    let format = options.format.resolve(input_format);
    let bounds = resize::fit(width, height, options.max_width, options.max_height);

    let (data_out, size, quality, flattened) = match options.target_bytes {
        None => {
            // One encode: the pixels can be handed over (JPEG flattens them in place).
            let pixels = if bounds == (width, height) {
                Cow::Owned(source.rgba)
            } else {
                Cow::Owned(scaled(&source, bounds)?.into_owned())
            };
            // Without the feature, `cfg!` lets the compiler drop this (the image module's size).
            let split = cfg!(feature = "parts") && format == Format::Jpeg;
            if let Some(heights) = split.then(|| parts::plan(bounds, options.chroma, parts)).flatten() {
                let (rgb, flattened) = flatten(pixels, options.background);
                let icc_kept = source.icc.is_some();
                let output = Output {
                    data: Vec::new(),
                    format,
                    size: bounds,
                    quality: Some(options.quality),
                    icc_kept,
                    flattened,
                };
                let report = converted(data, &parsed, analysis, output).report;
                let job = PartsJob {
                    width: bounds.0,
                    heights,
                    quality: options.quality,
                    chroma: options.chroma,
                    icc: source.icc,
                    report,
                };
                return Ok(InParts::Parts(Parts { job, rgb }));
            }
            let (out, flattened) = encode(pixels, bounds, format, options.quality, source.icc.as_deref(), options)?;
            (out, bounds, lossy(format, options).then_some(options.quality), flattened)
        }
        Some(target) => {
            // Each size is scaled once, however many qualities are tried at it.
            let (mut scaled_size, mut pixels) = (None, Cow::Borrowed(&[][..]));
            fit_target(bounds, format, options, target, |size, quality| {
                if scaled_size != Some(size) {
                    pixels = scaled(&source, size)?;
                    scaled_size = Some(size);
                }
                encode(Cow::Borrowed(&pixels), size, format, quality, source.icc.as_deref(), options)
            })?
        }
    };
    let output = Output { data: data_out, format, size, quality, icc_kept: source.icc.is_some(), flattened };
    Ok(InParts::Whole(converted(data, &parsed, analysis, output)))
}

/// What an encode made, for the report.
struct Output {
    data: Vec<u8>,
    format: Format,
    size: (u32, u32),
    quality: Option<u8>,
    icc_kept: bool,
    flattened: bool,
}

/// The conversion and its report: everything the input revealed is gone from it.
fn converted(input: &[u8], parsed: &Parsed, analysis: Analysis, output: Output) -> Converted {
    let removed: Vec<Finding> = analysis.findings.into_iter().filter(|f| f.category != Category::Display).collect();
    Converted {
        report: ConvertReport {
            input_format: parsed.format,
            format: output.format,
            input_width: parsed.width,
            input_height: parsed.height,
            width: output.size.0,
            height: output.size.1,
            input_bytes: input.len() as u64,
            output_bytes: output.data.len() as u64,
            quality: output.quality,
            rotated: analysis.orientation.filter(|o| *o != 1),
            icc_kept: output.icc_kept,
            flattened: output.flattened,
            removed,
        },
        data: output.data,
    }
}

/// Encodes raw RGBA pixels (8-bit, row-major, unpremultiplied) with the options'
/// format, quality and codec settings; no resizing, no colour profile. For
/// callers that already hold decoded pixels (a canvas, a benchmark).
pub fn encode_rgba(rgba: &[u8], width: u32, height: u32, options: &ConvertOptions) -> Result<Vec<u8>> {
    let format = match options.format {
        OutputFormat::Keep => {
            return Err(Error::new(ErrorKind::InvalidRequest, "raw pixels have no format to keep: choose one"))
        }
        other => other.resolve(Format::Png),
    };
    check_options(options)?;
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 || pixels > MAX_DECODE_PIXELS {
        return Err(Error::new(ErrorKind::LimitExceeded, format!("{width}x{height} is outside the supported size")));
    }
    if rgba.len() as u64 != pixels * 4 {
        return Err(Error::new(ErrorKind::InvalidRequest, "the pixel buffer does not match width x height x 4"));
    }
    Ok(encode(Cow::Borrowed(rgba), (width, height), format, options.quality, None, options)?.0)
}

fn check_options(options: &ConvertOptions) -> Result<()> {
    if options.quality > 100
        || options.png_level.is_some_and(|level| level > 6)
        || options.avif_speed > 9
        || ![8, 10].contains(&options.avif_depth)
    {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "quality must be 0-100, the PNG level 0-6, the AVIF speed 0-9 and the AVIF depth 8 or 10",
        ));
    }
    Ok(())
}

fn lossy(format: Format, options: &ConvertOptions) -> bool {
    format == Format::Jpeg || format == Format::Avif || (format == Format::Webp && !options.webp_lossless)
}

fn scaled(source: &Prepared, size: (u32, u32)) -> Result<Cow<'_, [u8]>> {
    resize::resize_rgba(&source.rgba, (source.width, source.height), size)
}

/// Encodes pixels of `size`; returns the file and whether alpha was flattened.
/// Owned pixels are reused (flattened in place for JPEG) rather than copied.
fn encode(
    rgba: Cow<'_, [u8]>,
    size: (u32, u32),
    format: Format,
    quality: u8,
    icc: Option<&[u8]>,
    options: &ConvertOptions,
) -> Result<(Vec<u8>, bool)> {
    let (w, h) = size;
    match format {
        Format::Jpeg => {
            let (rgb, flattened) = flatten(rgba, options.background);
            let chroma = match options.chroma {
                Chroma::Subsampled => codec::jpeg::Subsampling::S420,
                Chroma::Full => codec::jpeg::Subsampling::S444,
            };
            Ok((codec::jpeg::encode(&rgb, w, h, quality, chroma, icc)?, flattened))
        }
        Format::Png => {
            let level = options.png_level_for(u64::from(w) * u64::from(h));
            Ok((codec::png::encode(&rgba, w, h, level, icc)?, false))
        }
        Format::Webp => Ok((codec::webp::encode(&rgba, w, h, quality, options.webp_lossless, icc)?, false)),
        #[cfg(feature = "avif-encode")]
        Format::Avif => {
            let rgba = codec::avif_encode::Rgba::Eight(&rgba);
            Ok((codec::avif_encode::encode(rgba, w, h, quality, avif_settings(options), icc)?, false))
        }
        #[cfg(not(feature = "avif-encode"))]
        Format::Avif => Err(Error::new(
            ErrorKind::Unsupported,
            "this build of the engine has no AVIF encoder (the extension loads the one that has)",
        )),
        Format::Gif | Format::Heif | Format::Mp4 | Format::Mov => Err(Error::new(
            ErrorKind::InvalidRequest,
            format!("{} output is not offered: choose JPEG, PNG or WebP", format.name()),
        )),
    }
}

#[cfg(feature = "avif-encode")]
fn avif_settings(options: &ConvertOptions) -> codec::avif_encode::Settings {
    codec::avif_encode::Settings {
        speed: options.avif_speed,
        subsample: options.chroma == Chroma::Subsampled,
        depth: options.avif_depth,
    }
}

/// Composites RGBA onto an opaque background (for JPEG), in 8-bit sRGB as
/// browsers do. Returns RGB and whether any pixel was not opaque. Owned pixels
/// become RGB in their own buffer: each pixel's RGB lands at or before where its
/// RGBA was read, so nothing unread is overwritten.
fn flatten(rgba: Cow<'_, [u8]>, background: [u8; 3]) -> (Vec<u8>, bool) {
    let pixels = rgba.len() / 4;
    let mut translucent = false;
    let mut blend = |px: &[u8], out: &mut [u8]| {
        let a = u32::from(px[3]);
        translucent |= a != 255;
        for c in 0..3 {
            out[c] = ((u32::from(px[c]) * a + u32::from(background[c]) * (255 - a) + 127) / 255) as u8;
        }
    };
    let rgb = match rgba {
        Cow::Borrowed(rgba) => {
            let mut rgb = vec![0; pixels * 3];
            for (px, out) in rgba.chunks_exact(4).zip(rgb.chunks_exact_mut(3)) {
                blend(px, out);
            }
            rgb
        }
        Cow::Owned(mut buffer) => {
            for i in 0..pixels {
                let px = [buffer[i * 4], buffer[i * 4 + 1], buffer[i * 4 + 2], buffer[i * 4 + 3]];
                blend(&px, &mut buffer[i * 3..i * 3 + 3]);
            }
            buffer.truncate(pixels * 3);
            buffer
        }
    };
    (rgb, translucent)
}

/// Lowest quality tried before downscaling in target-size mode: below it,
/// a smaller image looks better than a blockier one.
const MIN_TARGET_QUALITY: u8 = 30;
/// Downscale rounds before giving up on a target size.
const MAX_SCALE_ROUNDS: usize = 6;

type Encoded = (Vec<u8>, (u32, u32), Option<u8>, bool);

/// The highest quality, then the mildest downscale, whose file fits in `target`
/// bytes. `at(size, quality)` encodes the picture at that size and quality, and
/// says whether alpha was flattened.
fn fit_target(
    bounds: (u32, u32),
    format: Format,
    options: &ConvertOptions,
    target: u64,
    mut at: impl FnMut((u32, u32), u8) -> Result<(Vec<u8>, bool)>,
) -> Result<Encoded> {
    let lossy = lossy(format, options);
    let fits = |out: &[u8]| out.len() as u64 <= target;
    let mut size = bounds;
    for _ in 0..MAX_SCALE_ROUNDS {
        let top = options.quality;
        let (out, flat) = at(size, top)?;
        if fits(&out) {
            return Ok((out, size, lossy.then_some(top), flat));
        }
        let mut smallest = out.len();
        if lossy && top > MIN_TARGET_QUALITY {
            let (floor_out, flat) = at(size, MIN_TARGET_QUALITY)?;
            if fits(&floor_out) {
                // Bisect between a quality that fits (lo) and one that does not (hi).
                let (mut lo, mut hi) = (MIN_TARGET_QUALITY, top);
                let mut best = (floor_out, flat);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    let (out, flat) = at(size, mid)?;
                    if fits(&out) {
                        lo = mid;
                        best = (out, flat);
                    } else {
                        hi = mid;
                    }
                }
                return Ok((best.0, size, Some(lo), best.1));
            }
            smallest = floor_out.len();
        }
        // Bytes scale roughly with pixel count: shrink by the square root of the excess.
        let factor = ((target as f64 / smallest as f64).sqrt() * 0.95).min(0.95);
        let next = ((f64::from(size.0) * factor).floor() as u32, (f64::from(size.1) * factor).floor() as u32);
        if next.0 < 1 || next.1 < 1 {
            break;
        }
        size = next;
    }
    Err(Error::new(
        ErrorKind::LimitExceeded,
        format!(
            "cannot make this image fit in {target} bytes as {} without shrinking it beyond recognition",
            format.name()
        ),
    ))
}
