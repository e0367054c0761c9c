//! Image sequences (an animated AVIF, a HEIF `msf1` burst or animation): a still
//! image's `meta` and a movie's `moov` in one file. Each half is cleaned as its
//! own kind is: the items as for a still image (`layout`, `write`), the tracks as
//! for a video (`video::movie`: user data, timed metadata, encoder and handler names out,
//! dates zeroed). The new file is `ftyp`, `meta`, `moov` and one `mdat` holding
//! only the kept items' bytes and the kept tracks' chunks, so nothing removed can
//! survive in an unused stretch of `mdat`.
//!
//! Only where the video cleaner is built (feature `video`: the command line, the
//! extension's video module): the image engine's wasm module refuses sequences
//! (`heif::sequence_error`), within its size goal, and the extension then hands
//! them to the video module (extension/src/engine/local.ts).

use std::ops::Range;

use super::heif::{self, Heif};
use super::layout::{self, Part};
use super::{select, write};
use crate::container::{Block, Decision, Parsed};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::metadata::Item;
use crate::report::{BlockInfo, BlockKind, Category, Finding};
use crate::video::movie::{self, Movie};

/// A sequence read and checked: the still image's blocks (as `Parsed`, for the
/// image cleaner's decisions and findings) and the movie.
pub(crate) struct Sequence {
    heif: Heif,
    /// The model part behind each of `parsed.blocks`.
    parts: Vec<Part>,
    pub parsed: Parsed,
    /// Where `moov` is in the file.
    moov: Range<usize>,
    movie: Movie,
    /// The kept tracks' chunks: file ranges, sorted, overlapping ones merged.
    chunks: Vec<Range<u64>>,
}

/// Whether `data` is an image sequence: a HEIF or AVIF with a `moov` box.
pub(crate) fn is_sequence(format: Format, data: &[u8]) -> bool {
    matches!(format, Format::Heif | Format::Avif) && heif::has_moov(data, format.name())
}

/// `data`'s format if it is an image sequence; otherwise an error saying it is not
/// (for callers that take nothing else: the extension's video module).
pub(crate) fn format_of(data: &[u8]) -> Result<Format> {
    let format = crate::inspect::supported_format(data)?;
    if !is_sequence(format, data) {
        return Err(Error::new(crate::error::ErrorKind::Unsupported, "not an image sequence").in_format(format.name()));
    }
    Ok(format)
}

pub(crate) fn read(format: Format, data: &[u8]) -> Result<Sequence> {
    let name = format.name();
    let heif = heif::parse_sequence(data, name).map_err(|e| *e)?;
    let roles = select::roles(&heif.meta, name).map_err(|e| *e)?;
    let Some(moov) = heif.top.iter().find(|b| b.is(b"moov")).map(|b| b.range()) else {
        return Err(Error::corrupt(name, 0, "an image sequence without a 'moov' box"));
    };
    if moov.len() as u64 > crate::video::MAX_MOOV_BYTES {
        let message = format!("a 'moov' box of {} bytes (the limit is {})", moov.len(), crate::video::MAX_MOOV_BYTES);
        return Err(Error::limit(name, message).at(moov.start));
    }
    let movie = movie::read(&data[moov.clone()], moov.start, name)?;
    let chunks = kept_chunks(&heif, &movie, name)?;

    let mut parts = Vec::new();
    let mut blocks = Vec::new();
    for (part, block) in layout::parts(&heif, &roles, data) {
        let block = match part {
            // The tracks' chunks are in `mdat` too: "bytes no item uses" would
            // count them. The writer copies only items and chunks anyway.
            Part::Unused => continue,
            Part::Top(i) if heif.top[i].is(b"moov") => {
                Block { kind: BlockKind::Structure, label: "moov (the sequence's tracks)".into(), ..block }
            }
            _ => block,
        };
        parts.push(part);
        crate::container::push_block(&mut blocks, format, block)?;
    }
    let (width, height) = layout::primary_size(&heif);
    let parsed = Parsed { format, width, height, frames: 1, blocks, repair: false, components: 0, gain_map: None };
    Ok(Sequence { heif, parts, parsed, moov, movie, chunks })
}

/// Every kept track's chunks, each checked to lie in one `mdat`; sorted and merged.
fn kept_chunks(heif: &Heif, movie: &Movie, name: &'static str) -> Result<Vec<Range<u64>>> {
    let mdats: Vec<Range<u64>> =
        heif.top.iter().filter(|b| b.is(b"mdat")).map(|b| b.body.start as u64..b.body.end as u64).collect();
    let mut chunks = Vec::new();
    for track in movie.tracks.iter().filter(|t| t.kept) {
        for chunk in track.chunks.iter().filter(|c| c.start < c.end) {
            // The mdats are in file order: the one that could hold the chunk is the
            // last to start at or before it (by bisection: thousands of each may come).
            let i = mdats.partition_point(|m| m.start <= chunk.start);
            if i.checked_sub(1).is_none_or(|i| chunk.end > mdats[i].end) {
                let message = format!(
                    "a chunk of track {} (bytes {}..{}) lies outside the media data ('mdat')",
                    track.id, chunk.start, chunk.end
                );
                return Err(Error::corrupt(name, chunk.start.min(usize::MAX as u64) as usize, message));
            }
            chunks.push(chunk.clone());
        }
    }
    Ok(merged(chunks))
}

/// Byte ranges sorted, overlapping and touching ones joined.
pub(crate) fn merged(mut ranges: Vec<Range<u64>>) -> Vec<Range<u64>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

impl Sequence {
    /// The cleaned file: the items `decisions` keep (one per `parsed.blocks`), the
    /// cleaned movie, and their bytes.
    pub(crate) fn write(&self, data: &[u8], decisions: &[Decision]) -> Result<Vec<u8>> {
        let moov = &data[self.moov.clone()];
        write::write_sequence(&self.heif, data, &self.parts, decisions, moov, &self.movie, &self.chunks)
    }

    /// The movie's blocks (after the still image's, which are `parsed.blocks`),
    /// whether each stays, and their findings, numbered from `first_block`.
    pub(crate) fn movie_report(&self, first_block: usize) -> (Vec<BlockInfo>, Vec<bool>, Vec<Finding>) {
        let (mut blocks, mut kept, mut findings) = (Vec::new(), Vec::new(), Vec::new());
        let mut push = |kind: BlockKind, label: String, range: Range<u64>, keep: bool, items: Vec<Item>| {
            let block = first_block + blocks.len();
            blocks.push(BlockInfo { kind, label, offset: range.start, length: range.end - range.start, action: None });
            kept.push(keep);
            let room = crate::limits::MAX_FINDINGS.saturating_sub(findings.len());
            findings.extend(items.into_iter().take(room).map(|i| Finding {
                category: i.category,
                key: i.key,
                label: i.label,
                value: i.value,
                block,
            }));
        };
        crate::video::movie_blocks(&self.movie, self.moov.start as u64, &mut push);
        (blocks, kept, findings)
    }

    /// Whether `cleaned` (this sequence cleaned, read back from `output`) holds the
    /// same media: the same kept tracks, each chunk's bytes as they were. The check
    /// on the new chunk offsets.
    pub(crate) fn same_media(&self, data: &[u8], cleaned: &Sequence, output: &[u8]) -> bool {
        let kept =
            |s: &Sequence| s.movie.tracks.iter().filter(|t| t.kept).map(|t| (t.id, t.chunks.len())).collect::<Vec<_>>();
        fn chunks(s: &Sequence) -> impl Iterator<Item = &Range<u64>> {
            s.movie.tracks.iter().filter(|t| t.kept).flat_map(|t| t.chunks.iter())
        }
        kept(self) == kept(cleaned)
            && chunks(self).zip(chunks(cleaned)).all(|(a, b)| {
                let (a, b) = (slice(data, a), slice(output, b));
                a.is_some() && a == b
            })
    }

    /// Where the movie's user data says it was made, if it does.
    pub(crate) fn location(&self) -> Option<crate::report::GpsPosition> {
        self.movie.found.location
    }

    /// Whether the movie still reveals anything once cleaned (its findings other
    /// than the tracks' descriptions): for checking a cleaned file.
    pub(crate) fn movie_leftover(&self) -> Option<String> {
        let (_, _, findings) = self.movie_report(0);
        findings.into_iter().find(|f| f.category != Category::Display).map(|f| format!("{} ({})", f.label, f.key))
    }
}

fn slice<'d>(data: &'d [u8], r: &Range<u64>) -> Option<&'d [u8]> {
    data.get(usize::try_from(r.start).ok()?..usize::try_from(r.end).ok()?)
}
