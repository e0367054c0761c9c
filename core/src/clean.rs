//! Cleaning: decide per block what the policy keeps, rebuild the container,
//! and check the result before returning it.

use crate::container::{self, webp, Decision, Parsed, Plan};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::inspect::{analyse, block_infos, supported_format, Analysis};
use crate::limits::MAX_COLOUR_PROFILES;
use crate::metadata::icc_device::{self, Device};
use crate::metadata::{exif, icc};
use crate::policy::Policy;
use crate::report::{Action, BlockInfo, BlockKind, Category, CleanReport, Finding};

/// A cleaned image and what was done to it.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub data: Vec<u8>,
    pub report: CleanReport,
}

/// Removes metadata losslessly: the image data is copied byte for byte.
pub fn clean(data: &[u8], policy: &Policy) -> Result<Cleaned> {
    let format = supported_format(data)?;
    #[cfg(feature = "video")]
    if format.is_video() {
        let (data, report) = crate::video::clean_bytes(data, policy)?;
        return Ok(Cleaned { data, report });
    }
    #[cfg(feature = "video")]
    if container::isobmff::sequence::is_sequence(format, data) {
        return clean_sequence(format, data, policy);
    }
    let parsed = container::parse(format, data)?;
    let analysis = analyse(&parsed, data);
    let exif = minimal_exif(&parsed, &analysis, policy);
    let (keep_icc, new_icc) = profile_to_write(&parsed, data, profiles_kept(&parsed, data, policy.keep_icc)?);
    let keep_gain_map = policy.keep_gain_map && parsed.gain_map.is_some();
    let decisions = decide(&parsed, data, keep_icc, keep_gain_map, exif.is_some(), new_icc.is_some());

    let untouched = !parsed.repair && exif.is_none() && decisions.iter().all(|d| *d == Decision::Keep);
    let output = if untouched {
        data.to_vec()
    } else {
        container::write(
            &parsed,
            data,
            &Plan { decisions: &decisions, exif: exif.as_deref(), icc: new_icc.as_deref() },
        )?
    };
    verify(format, &output, policy)?;

    let blocks = blocks_done(&parsed, &decisions);
    let (kept, removed) = split_findings(&parsed, &analysis, &decisions, exif.as_deref());
    let mut cleaned = cleaned(format, data, output, blocks, kept, removed);
    if keep_gain_map {
        cleaned.report.summary.push_str("; HDR gain map kept");
    }
    Ok(cleaned)
}

/// The cleaned file with its report.
fn cleaned(
    format: Format,
    data: &[u8],
    output: Vec<u8>,
    blocks: Vec<BlockInfo>,
    kept: Vec<Finding>,
    removed: Vec<Finding>,
) -> Cleaned {
    let summary = if removed.is_empty() {
        "Nothing to remove".to_string()
    } else if removed.iter().all(|f| f.category == Category::Display) {
        // Only what was asked for (--drop-icc, --drop-orientation): no "nothing that identifies you".
        "Removed display information only (nothing that identifies you)".to_string()
    } else {
        format!("Removed {}", crate::report::summarise(&removed))
    };
    Cleaned {
        report: CleanReport {
            format,
            input_bytes: data.len() as u64,
            output_bytes: output.len() as u64,
            blocks,
            removed,
            kept,
            unchanged: output == data,
            summary,
        },
        data: output,
    }
}

/// Cleans an image sequence (an animated AVIF), and nothing else: for the
/// extension's video module, which reads sequences for the image engine (that one
/// leaves the video reader out, and refuses them with `reason::IMAGE_SEQUENCE`).
#[cfg(feature = "video")]
pub fn clean_image_sequence(data: &[u8], policy: &Policy) -> Result<Cleaned> {
    clean_sequence(container::isobmff::sequence::format_of(data)?, data, policy)
}

/// An image sequence (an animated AVIF): its still image's items decided as any
/// still's, its movie cleaned as a video's (see `container::isobmff::sequence`).
#[cfg(feature = "video")]
fn clean_sequence(format: Format, data: &[u8], policy: &Policy) -> Result<Cleaned> {
    use crate::container::isobmff::sequence;
    let sequence = sequence::read(format, data)?;
    let parsed = &sequence.parsed;
    let analysis = analyse(parsed, data);
    let (keep_icc, _) = profile_to_write(parsed, data, profiles_kept(parsed, data, policy.keep_icc)?);
    let decisions = decide(parsed, data, keep_icc, false, false, false);
    // Always rewritten: at the least the movie's dates are zeroed and its chunks move.
    let output = sequence.write(data, &decisions)?;
    let check = sequence::read(format, &output)
        .map_err(|e| internal(format, format!("the cleaned file does not parse ({e})")))?;
    check_blocks(format, &check.parsed, &output, policy)?;
    if let Some(left) = check.movie_leftover() {
        return Err(internal(format, format!("{left} left in the movie")));
    }
    if !sequence.same_media(data, &check, &output) {
        return Err(internal(format, "the tracks' media moved wrongly".into()));
    }

    let mut blocks = blocks_done(parsed, &decisions);
    let (mut kept, mut removed) = split_findings(parsed, &analysis, &decisions, None);
    let first = blocks.len();
    let (movie_blocks, movie_kept, movie_findings) = sequence.movie_report(first);
    for (mut block, keep) in movie_blocks.into_iter().zip(&movie_kept) {
        block.action = Some(if *keep { Action::Kept } else { Action::Removed });
        blocks.push(block);
    }
    for finding in movie_findings {
        if movie_kept[finding.block - first] {
            kept.push(finding)
        } else {
            removed.push(finding)
        }
    }
    Ok(cleaned(format, data, output, blocks, kept, removed))
}

/// The report's blocks, each with what cleaning did to it.
fn blocks_done(parsed: &Parsed, decisions: &[Decision]) -> Vec<BlockInfo> {
    block_infos(parsed)
        .into_iter()
        .zip(decisions)
        .map(|(mut info, d)| {
            info.action = Some(match d {
                Decision::Keep => Action::Kept,
                Decision::Remove => Action::Removed,
                Decision::ReplaceExif | Decision::ReplaceIcc => Action::Rewritten,
            });
            info
        })
        .collect()
}

/// Whether cleaning may write a minimal EXIF into this format. GIF has no
/// place for it; HEIF and AVIF show rotation with `irot`/`imir`, which are
/// kept, and readers ignore EXIF orientation there.
fn carries_exif(format: Format) -> bool {
    matches!(format, Format::Jpeg | Format::Png | Format::Webp)
}

fn minimal_exif(parsed: &Parsed, a: &Analysis, policy: &Policy) -> Option<Vec<u8>> {
    let has_exif_block = parsed.blocks.iter().any(|b| b.kind == BlockKind::Exif);
    let can_carry = match parsed.format {
        // Only an extended (VP8X) WebP can carry EXIF.
        Format::Webp => webp::has_vp8x(parsed),
        format => carries_exif(format),
    };
    if !can_carry {
        return None;
    }
    let orientation = if policy.keep_orientation && has_exif_block { a.orientation } else { None };
    exif::minimal(
        orientation,
        a.artist.as_deref().filter(|_| policy.keep_author),
        a.copyright.as_deref().filter(|_| policy.keep_copyright),
    )
}

/// Whether the kept colour profile stays (`usable`, and its tag table reads if it names its
/// device), and the profile to write in its place if it names its device. HEIF and AVIF
/// give each picture a profile of its own, a property: `decide` judges each, and their
/// writer writes each again without its device, so no one profile is given for them.
fn profile_to_write(parsed: &Parsed, data: &[u8], usable: bool) -> (bool, Option<Vec<u8>>) {
    let Some(profile) = icc::profile(parsed, data).filter(|_| usable) else { return (usable, None) };
    match icc_device::device(&profile) {
        Device::None => (true, None),
        Device::Named { .. } if is_heif(parsed.format) => (true, None),
        Device::Named { profile, .. } => (true, Some(profile)),
        Device::Unreadable => (false, None),
    }
}

fn is_heif(format: Format) -> bool {
    matches!(format, Format::Heif | Format::Avif)
}

/// A HEIF or AVIF picture's own profile: kept, written again without the device it
/// names, or removed if it does not read as a profile or its tag table does not read.
fn heif_profile(block: &container::Block, data: &[u8]) -> Decision {
    let profile = block.payload_bytes(data);
    if !icc::reads_as_profile(&profile) {
        return Decision::Remove;
    }
    match icc_device::device(&profile) {
        Device::None => Decision::Keep,
        Device::Named { .. } => Decision::ReplaceIcc,
        Device::Unreadable => Decision::Remove,
    }
}

/// Whether the profiles to keep may be kept: `usable` by the file's profile, but in HEIF and
/// AVIF each picture's is judged by itself (`heif_profile`), so a damaged one (a gain
/// map's, an alpha plane's) does not take the others with it. A HEIF with more profiles
/// than any picture needs is refused: each is read and may be written again, work that
/// grows with its tags, and a file's thousands of properties could each be one.
fn profiles_kept(parsed: &Parsed, data: &[u8], keep_icc: bool) -> Result<bool> {
    if !is_heif(parsed.format) {
        return Ok(keep_icc && icc::usable(parsed, data));
    }
    let count = parsed.blocks.iter().filter(|b| b.kind == BlockKind::Icc).count();
    if count > MAX_COLOUR_PROFILES {
        let what = format!("{count} colour profiles; the limit is {MAX_COLOUR_PROFILES}");
        return Err(Error::limit(parsed.format.name(), what));
    }
    Ok(keep_icc)
}

fn decide(
    parsed: &Parsed,
    data: &[u8],
    keep_icc: bool,
    keep_gain_map: bool,
    write_exif: bool,
    write_icc: bool,
) -> Vec<Decision> {
    let mut replaced = false;
    let mut icc_written = false;
    parsed
        .blocks
        .iter()
        .map(|block| match block.kind {
            BlockKind::Icc if !keep_icc => Decision::Remove,
            BlockKind::Icc if is_heif(parsed.format) => heif_profile(block, data),
            // The new profile takes the first profile block's place; a JPEG's other chunks go.
            BlockKind::Icc if write_icc && !icc_written => {
                icc_written = true;
                Decision::ReplaceIcc
            }
            BlockKind::Icc if write_icc => Decision::Remove,
            // The primary's XMP and MPF index go: the writer puts in new ones for the gain map.
            BlockKind::GainMap | BlockKind::GainMapInfo if keep_gain_map => Decision::Keep,
            kind if kind.is_display() => Decision::Keep,
            BlockKind::Exif if write_exif && !replaced => {
                replaced = true;
                Decision::ReplaceExif
            }
            _ => Decision::Remove,
        })
        .collect()
}

/// Splits the input's findings into kept and removed, in inspect's vocabulary.
fn split_findings(
    parsed: &Parsed,
    a: &Analysis,
    decisions: &[Decision],
    exif: Option<&[u8]>,
) -> (Vec<Finding>, Vec<Finding>) {
    let written = exif.map(exif::read).map(|f| f.items).unwrap_or_default();
    let kind = |block: usize| parsed.blocks.get(block).map(|b| b.kind);
    a.findings.iter().cloned().partition(|f| match decisions.get(f.block) {
        // A kept gain map's own metadata is cleaned out of it: only the picture stays.
        Some(Decision::Keep) if kind(f.block) == Some(BlockKind::GainMap) => f.category == Category::Display,
        Some(Decision::Keep) => true,
        Some(Decision::ReplaceExif) => written.iter().any(|w| w.key == f.key && w.value == f.value),
        // The profile stays, without its device.
        Some(Decision::ReplaceIcc) => f.category == Category::Display,
        _ => false,
    })
}

fn internal(format: Format, what: String) -> Error {
    Error::new(ErrorKind::Corrupt, format!("internal check failed: {what}")).in_format(format.name())
}

/// The output must parse as its format and hold nothing the policy removes.
fn verify(format: Format, output: &[u8], policy: &Policy) -> Result<()> {
    let parsed = container::parse(format, output)
        .map_err(|e| internal(format, format!("the cleaned file does not parse ({e})")))?;
    check_blocks(format, &parsed, output, policy)
}

/// No colour profile in the output names its device (or fails to read as one): the file's
/// profile, and in HEIF and AVIF each picture's.
fn check_profiles(format: Format, parsed: &Parsed, output: &[u8]) -> Result<()> {
    let named =
        |profile: &[u8]| !icc::reads_as_profile(profile) || !matches!(icc_device::device(profile), Device::None);
    let left = if is_heif(format) {
        parsed.blocks.iter().filter(|b| b.kind == BlockKind::Icc).any(|b| named(&b.payload_bytes(output)))
    } else {
        icc::profile(parsed, output).is_some_and(|p| named(&p))
    };
    if left {
        return Err(internal(format, "a colour profile naming its device left in the output".into()));
    }
    Ok(())
}

/// Every block of a cleaned file is one the policy keeps.
fn check_blocks(format: Format, parsed: &Parsed, output: &[u8], policy: &Policy) -> Result<()> {
    let internal = |what: String| internal(format, what);
    let allowed = |block: &crate::container::Block, data: &[u8], hdr: bool| match block.kind {
        BlockKind::Icc => policy.keep_icc,
        BlockKind::Exif => carries_exif(format),
        BlockKind::GainMap => hdr,
        // What cleaning writes for a gain map, and nothing more.
        BlockKind::Xmp | BlockKind::Mpf | BlockKind::GainMapInfo => hdr && container::ultrahdr::minimal(block, data),
        kind => kind.is_display(),
    };
    let hdr = policy.keep_gain_map && parsed.gain_map.is_some();
    for block in &parsed.blocks {
        if !allowed(block, output, hdr) {
            return Err(internal(format!("{} left in the output", block.label)));
        }
    }
    if let Some(gain_map) = parsed.gain_map.as_deref().filter(|_| hdr) {
        let image = &output[gain_map.range.clone()];
        for block in &gain_map.parsed.blocks {
            if block.kind == BlockKind::Exif || !allowed(block, image, true) {
                return Err(internal(format!("{} left in the gain map", block.label)));
            }
        }
    }
    check_profiles(format, parsed, output)
}
