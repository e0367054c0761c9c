//! Inspection: what a validated file reveals, block by block.

use crate::container::{self, Parsed, Payload};
use crate::error::{Error, ErrorKind, Result};
use crate::format::{detect, Detected, Format};
use crate::limits::MAX_FINDINGS;
use crate::metadata::{self, human_bytes, Item};
use crate::report::{summarise, BlockInfo, BlockKind, Category, Finding, GpsPosition, IccInfo, InspectReport};

/// Recognises a supported format or refuses with the detected type.
pub(crate) fn supported_format(data: &[u8]) -> Result<Format> {
    if data.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the file has no bytes"));
    }
    match detect(data) {
        Detected::Supported(format) => Ok(format),
        Detected::Unsupported(name) => Err(Error::new(
            ErrorKind::Unsupported,
            format!("this is a {name} file; Traceless cleans JPEG, PNG, WebP, GIF, HEIC and AVIF"),
        )
        .in_format(name)
        .because_with(crate::error::reason::OTHER_TYPE, &[&name])),
        Detected::Unknown => Err(Error::new(
            ErrorKind::Unrecognised,
            "the file does not start like a JPEG, PNG, WebP, GIF, HEIC or AVIF image",
        )),
    }
}

/// Everything inspection learns, including what cleaning needs to keep.
pub(crate) struct Analysis {
    pub findings: Vec<Finding>,
    pub omitted: usize,
    pub location: Option<GpsPosition>,
    pub orientation: Option<u16>,
    pub icc: Option<IccInfo>,
    /// The profile itself, for conversion to keep or apply.
    pub icc_profile: Option<Vec<u8>>,
    pub artist: Option<String>,
    pub copyright: Option<String>,
}

pub(crate) fn analyse(parsed: &Parsed, data: &[u8]) -> Analysis {
    let mut a = Analysis {
        findings: Vec::new(),
        omitted: 0,
        location: None,
        orientation: None,
        icc: None,
        icc_profile: None,
        artist: None,
        copyright: None,
    };
    let mut exif_seen = false;
    let mut animation_reported = false;
    let mut text_budget: metadata::png_text::Budget = crate::limits::MAX_INFLATED_TEXT_TOTAL;
    for (index, block) in parsed.blocks.iter().enumerate() {
        // An Ultra HDR file's own index and gain map XMP (as cleaning writes them) are
        // part of the gain map, which is reported once.
        let hdr_index = parsed.gain_map.is_some()
            && matches!(block.kind, BlockKind::Mpf | BlockKind::Xmp)
            && container::ultrahdr::minimal(block, data);
        let items: Vec<Item> = if hdr_index {
            Vec::new()
        } else if let Some((category, key, label)) = sized(block.kind) {
            let name = || block.label.clone();
            let (key, label) = (key.map_or_else(name, String::from), label.map_or_else(name, String::from));
            vec![Item::new(category, key, label, human_bytes(block.range.len()))]
        } else {
            match block.kind {
                BlockKind::Exif => {
                    let facts = metadata::exif::read(&block.payload_bytes(data));
                    // Readers honour the first EXIF block; so does cleaning.
                    if !exif_seen {
                        exif_seen = true;
                        a.orientation = facts.orientation;
                        a.location = a.location.or(facts.gps);
                        a.artist = a.artist.take().or(facts.artist);
                        a.copyright = a.copyright.take().or(facts.copyright);
                    }
                    facts.items
                }
                BlockKind::Xmp => match &block.payload {
                    Payload::PngText { chunk, data: r } => {
                        metadata::png_text::read(chunk, &data[r.clone()], &mut text_budget)
                    }
                    _ => metadata::xmp::read(&block.payload_bytes(data)),
                },
                BlockKind::PhotoshopIrb => metadata::irb::read(&block.payload_bytes(data)),
                BlockKind::Comment => {
                    vec![Item::new(Category::Text, "Comment", "Comment", metadata::text(&block.payload_bytes(data)))]
                }
                BlockKind::Text => match &block.payload {
                    Payload::PngText { chunk, data: r } => {
                        metadata::png_text::read(chunk, &data[r.clone()], &mut text_budget)
                    }
                    _ => vec![Item::new(
                        Category::Text,
                        block.label.clone(),
                        "Text",
                        printable_text(&block.payload_bytes(data)),
                    )],
                },
                BlockKind::ModificationTime => {
                    vec![Item::new(Category::Time, "PNG tIME", "Last modified", png_time(&block.payload_bytes(data)))]
                }
                BlockKind::GainMap => gain_map_items(parsed, data, block),
                BlockKind::Animation if parsed.frames > 1 && !animation_reported => {
                    animation_reported = true;
                    vec![Item::new(Category::Display, "Animation", "Animation", format!("{} frames", parsed.frames))]
                }
                _ => Vec::new(),
            }
        };
        for item in items {
            push_finding(&mut a, index, item);
        }
    }
    if matches!(parsed.format, Format::Heif | Format::Avif) {
        // Rotation and mirroring are properties there; EXIF orientation is ignored.
        let (display, orientation) = container::isobmff::display(parsed, data);
        a.orientation = orientation;
        // So an EXIF orientation there is not kept either: it goes with the EXIF.
        for f in a.findings.iter_mut().filter(|f| f.category == Category::Display && f.key == "EXIF Orientation") {
            f.category = Category::Other;
        }
        for (block, item) in display {
            push_finding(&mut a, block, item);
        }
    }
    a.icc_profile = metadata::icc::profile(parsed, data);
    a.icc = a
        .icc_profile
        .as_deref()
        .map(|profile| IccInfo { description: metadata::icc::description(profile), bytes: profile.len() as u64 });
    if let Some(icc) = &a.icc {
        let block = parsed.blocks.iter().position(|b| b.kind == BlockKind::Icc).unwrap_or(0);
        let value = match &icc.description {
            Some(d) => format!("{d} ({})", human_bytes(icc.bytes as usize)),
            None => human_bytes(icc.bytes as usize),
        };
        // What the profile says of its device is shown, and cleaning and converting write
        // the profile without it (metadata/icc_device.rs); one that does not read as a
        // profile, or whose device cannot be told, is removed, so not shown as kept.
        // A conversion writes the profile it finds here: only one that is kept.
        let (items, profile) = metadata::icc_device::split(a.icc_profile.take().unwrap_or_default());
        a.icc_profile = profile.filter(|_| metadata::icc::usable(parsed, data));
        let kept = a.icc_profile.is_some();
        let category = if kept { Category::Display } else { Category::Other };
        push_finding(&mut a, block, Item::new(category, "ICC profile", "Colour profile", value));
        for item in items {
            push_finding(&mut a, block, item);
        }
    }
    if a.location.is_none() {
        xmp_location(&mut a);
    }
    // Opted-in author and copyright may also come from XMP or IPTC.
    let value_of = |keys: &[&str]| a.findings.iter().find(|f| keys.contains(&f.key.as_str())).map(|f| f.value.clone());
    if a.artist.is_none() {
        a.artist = value_of(&[
            "XMP dc:creator",
            "IPTC By-line (author)",
            "PNG tEXt Author",
            "PNG iTXt Author",
            "PNG zTXt Author",
        ]);
    }
    if a.copyright.is_none() {
        a.copyright = value_of(&[
            "XMP dc:rights",
            "IPTC Copyright notice",
            "PNG tEXt Copyright",
            "PNG iTXt Copyright",
            "PNG zTXt Copyright",
        ]);
    }
    a
}

/// A location only in XMP (no EXIF GPS) becomes the report's position too, with its
/// map link, and leads the location findings.
fn xmp_location(a: &mut Analysis) {
    let find = |key: &str| a.findings.iter().find(|f| f.key == key);
    let (Some(latitude), Some(longitude)) = (find("XMP exif:GPSLatitude"), find("XMP exif:GPSLongitude")) else {
        return;
    };
    let altitude = find("XMP exif:GPSAltitude").map(|f| f.value.as_str());
    let altitude_ref = find("XMP exif:GPSAltitudeRef").map(|f| f.value.as_str());
    let Some(position) = metadata::xmp::position(&latitude.value, &longitude.value, altitude, altitude_ref) else {
        return;
    };
    let block = latitude.block;
    a.location = Some(position);
    let value = format!("{:.6}, {:.6}", position.latitude, position.longitude);
    let finding = Finding {
        category: Category::Location,
        key: "XMP GPS position".into(),
        label: "GPS position".into(),
        value,
        block,
    };
    // Within the limit: it goes before the other location findings, and the last goes instead.
    if a.findings.len() >= MAX_FINDINGS {
        a.findings.pop();
        a.omitted += 1;
    }
    let at = a.findings.iter().position(|f| f.category == Category::Location).unwrap_or(a.findings.len());
    a.findings.insert(at, finding);
}

/// Blocks reported by their size alone: category, key and label (None: the block's own label).
fn sized(kind: BlockKind) -> Option<(Category, Option<&'static str>, Option<&'static str>)> {
    Some(match kind {
        BlockKind::ExtendedXmp => {
            (Category::HiddenData, Some("XMP extended"), Some("Extended XMP (can hold depth maps and images)"))
        }
        BlockKind::Mpf => {
            (Category::HiddenData, Some("MPF"), Some("Multi-picture index (more images are stored after this one)"))
        }
        BlockKind::HiddenImage => (Category::HiddenData, None, Some("Hidden image stored beside the picture")),
        BlockKind::EmbeddedThumbnail => (Category::Thumbnail, None, Some("Embedded thumbnail image")),
        BlockKind::ContentCredentials => (
            Category::ContentCredentials,
            None,
            Some("Content credentials (C2PA: can name people, devices and edit history)"),
        ),
        BlockKind::Trailer => (Category::HiddenData, Some("Trailer"), None),
        BlockKind::Vendor | BlockKind::Unknown => (Category::Other, None, None),
        _ => return None,
    })
}

/// An Ultra HDR gain map, then what its own metadata reveals (cleaning removes it
/// from the gain map too).
fn gain_map_items(parsed: &Parsed, data: &[u8], block: &container::Block) -> Vec<Item> {
    let mut items = vec![Item::new(
        Category::Display,
        "HDR gain map",
        "HDR gain map (HDR screens use it to show the photo's highlights)",
        human_bytes(block.range.len()),
    )];
    if let Some(gain_map) = parsed.gain_map.as_deref() {
        let image = &data[gain_map.range.clone()];
        let inner = analyse(&gain_map.parsed, image);
        // Its own hdrgm-only XMP is what makes it a gain map; the rest is reported.
        let hdr_only = |f: &Finding| {
            let block = &gain_map.parsed.blocks[f.block];
            block.kind == BlockKind::Xmp && container::ultrahdr::minimal(block, image)
        };
        for f in inner.findings.into_iter().filter(|f| f.category != Category::Display && !hdr_only(f)) {
            items.push(Item::new(
                f.category,
                format!("Gain map {}", f.key),
                format!("{} (in the gain map)", f.label),
                f.value,
            ));
        }
    }
    items
}

fn push_finding(a: &mut Analysis, block: usize, item: Item) {
    if a.findings.len() >= MAX_FINDINGS {
        a.omitted += 1;
        return;
    }
    a.findings.push(Finding { category: item.category, key: item.key, label: item.label, value: item.value, block });
}

fn printable_text(bytes: &[u8]) -> String {
    metadata::text(bytes).chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn png_time(b: &[u8]) -> String {
    if b.len() != 7 {
        return "unreadable".into();
    }
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", u16::from_be_bytes([b[0], b[1]]), b[2], b[3], b[4], b[5], b[6])
}

pub(crate) fn block_infos(parsed: &Parsed) -> Vec<BlockInfo> {
    parsed
        .blocks
        .iter()
        .map(|b| BlockInfo {
            kind: b.kind,
            label: b.label.clone(),
            offset: b.range.start as u64,
            length: b.range.len() as u64,
            action: None,
        })
        .collect()
}

/// What the image reveals.
pub fn inspect(data: &[u8]) -> Result<InspectReport> {
    let format = supported_format(data)?;
    #[cfg(feature = "video")]
    if format.is_video() {
        return crate::video::inspect_bytes(data);
    }
    #[cfg(feature = "video")]
    if container::isobmff::sequence::is_sequence(format, data) {
        return inspect_sequence(format, data);
    }
    let parsed = container::parse(format, data)?;
    let a = analyse(&parsed, data);
    Ok(report(&parsed, data, a, block_infos(&parsed)))
}

fn report(parsed: &Parsed, data: &[u8], a: Analysis, blocks: Vec<BlockInfo>) -> InspectReport {
    InspectReport {
        format: parsed.format,
        mime: parsed.format.mime().to_string(),
        width: parsed.width,
        height: parsed.height,
        frames: parsed.frames,
        bytes: data.len() as u64,
        blocks,
        summary: summarise(&a.findings),
        findings: a.findings,
        findings_omitted: a.omitted,
        location: a.location,
        orientation: a.orientation,
        icc: a.icc,
    }
}

/// What an image sequence (an animated AVIF) reveals, and nothing else's: for the
/// extension's video module (see `clean_image_sequence`).
#[cfg(feature = "video")]
pub fn inspect_image_sequence(data: &[u8]) -> Result<InspectReport> {
    inspect_sequence(container::isobmff::sequence::format_of(data)?, data)
}

/// What an image sequence (an animated AVIF) reveals: its still image's items,
/// then its movie's boxes, dates and tracks (see `container::isobmff::sequence`).
#[cfg(feature = "video")]
fn inspect_sequence(format: Format, data: &[u8]) -> Result<InspectReport> {
    let sequence = container::isobmff::sequence::read(format, data)?;
    let parsed = &sequence.parsed;
    let mut a = analyse(parsed, data);
    let mut blocks = block_infos(parsed);
    let (movie_blocks, _, movie_findings) = sequence.movie_report(blocks.len());
    blocks.extend(movie_blocks);
    let room = crate::limits::MAX_FINDINGS.saturating_sub(a.findings.len());
    a.omitted += movie_findings.len().saturating_sub(room);
    a.findings.extend(movie_findings.into_iter().take(room));
    a.location = a.location.or_else(|| sequence.location());
    Ok(report(parsed, data, a, blocks))
}
