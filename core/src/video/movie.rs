//! The `moov` box, read whole (it holds the movie's structure and its
//! metadata, never the media): which tracks stay, which boxes go, which dates
//! are zeroed, where the chunk-offset tables are; and the `moov` to write.

use std::ops::Range;

use super::exact;
use super::metadata::{self, Found};
use super::tables::{self, OffsetTable};
use crate::container::isobmff::boxes::{name, BoxHeader, FourCc, Walker};
use crate::error::{Error, ErrorKind, Result};
use crate::metadata::Item;
use crate::report::{BlockKind, Category};

/// Handlers of the tracks a video needs: video, sound, timecode (a video's
/// samples zeroed: see `Track::blank`), auxiliary video (an animated AVIF's alpha),
/// hints, and pictures (an image sequence's frames, `pict`).
const KEPT_HANDLERS: [&FourCc; 6] = [b"vide", b"soun", b"tmcd", b"auxv", b"hint", b"pict"];

/// Handlers of tracks of text: subtitles, QuickTime text, closed captions. Their
/// samples are whatever the writer put there, and devices put records there:
/// DJI drones write each frame's GPS position, height and time as a subtitle
/// track, some dashcams theirs as text. They go, but for a chapter list (a text
/// track named by another track's `chap` reference), which players show as the
/// movie's chapters.
const TEXT_HANDLERS: [&FourCc; 4] = [b"subt", b"sbtl", b"text", b"clcp"];

/// Sample entries of timed metadata: GoPro telemetry, Apple's boxed metadata,
/// camera motion, ISO text/XML/URI metadata, Sony's real-time metadata.
const METADATA_ENTRIES: [&FourCc; 7] = [b"gpmd", b"mebx", b"camm", b"mett", b"metx", b"urim", b"rtmd"];

/// The boxes each container keeps: what players use. Anything else is removed,
/// since an unknown box can hold anything (the mp4_structure fuzz target found
/// a track whose type was flipped kept whole, user data and all).
const MOOV_KEEP: [&FourCc; 3] = [b"mvhd", b"trak", b"iods"];
/// (Each kept box is checked to hold exactly what its fields say: see `exact`.
/// QuickTime's old `imap`, `matt`, `clip`, `txas` and `stdp` go, having no exact form.)
const TRAK_KEEP: [&FourCc; 6] = [b"tkhd", b"mdia", b"edts", b"tref", b"tapt", b"load"];
const MDIA_KEEP: [&FourCc; 4] = [b"mdhd", b"hdlr", b"minf", b"elng"];
const MINF_KEEP: [&FourCc; 9] = [b"vmhd", b"smhd", b"hmhd", b"nmhd", b"gmhd", b"sthd", b"dinf", b"stbl", b"hdlr"];
const STBL_KEEP: [&FourCc; 19] = [
    b"stsd", b"stts", b"ctts", b"cslg", b"stss", b"stps", b"stsh", b"sdtp", b"stsc", b"stsz", b"stz2", b"stco",
    b"co64", b"sgpd", b"sbgp", b"subs", b"saiz", b"saio", b"padb",
];

/// XMP's `uuid` extended type (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC).
pub(crate) const XMP_UUID: [u8; 16] =
    [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC];

/// A box taken out of `moov`, with what it revealed.
pub(crate) struct Removal {
    /// In the `moov` buffer.
    pub range: Range<usize>,
    pub kind: BlockKind,
    pub label: String,
    pub items: Vec<Item>,
}

pub(crate) struct Track {
    pub id: u32,
    pub handler: FourCc,
    pub entry: Option<FourCc>,
    pub kept: bool,
    pub seconds: Option<f64>,
    pub width: u32,
    pub height: u32,
    /// File ranges of the chunks of a kept track.
    pub chunks: Vec<Range<u64>>,
    pub offsets: Option<OffsetTable>,
    /// Its samples are written as zeros: a timecode track's one sample is the
    /// frame the recording started at, which cameras count from midnight (the
    /// time of day, where the dates are zeroed); zero is 00:00:00:00. Set by the
    /// video cleaner (`video::analyse`), which reads the samples; an image
    /// sequence's writer copies every kept track's samples.
    pub blank: bool,
    /// Its `tref` boxes (one, in a well-made file), whose references to removed tracks go.
    trefs: Vec<BoxHeader>,
}

impl Track {
    pub fn describe(&self) -> String {
        let kind = match &self.handler {
            b"vide" => "Video",
            b"soun" => "Audio",
            b"subt" | b"sbtl" => "Subtitles",
            b"clcp" => "Closed captions",
            b"text" if self.kept => "Chapters",
            b"text" => "Text",
            b"tmcd" => "Timecode",
            b"meta" => "Timed metadata",
            b"pict" => "Picture sequence",
            b"auxv" => "Auxiliary pictures (alpha or depth)",
            _ => "Track",
        };
        let codec = self.entry.map(|e| format!(", {}", String::from_utf8_lossy(&e).trim())).unwrap_or_default();
        let size = if self.width > 0 && self.height > 0 {
            format!(", {}×{}", self.width, self.height)
        } else {
            String::new()
        };
        let time = self.seconds.map(|s| format!(", {s:.1} s")).unwrap_or_default();
        format!("{kind} track {}{codec}{size}{time}", self.id)
    }
}

pub(crate) struct Movie {
    pub removals: Vec<Removal>,
    /// Fields to zero, in the `moov` buffer: dates and writers' names.
    pub zeroed: Vec<Range<usize>>,
    /// The dates found, and the header each is in (its range in the buffer).
    pub dates: Vec<(Range<usize>, Item)>,
    /// Writers' names, zeroed: encoders and vendors in visual sample entries, handler
    /// names; with the box each is in and what to call that place.
    pub writer_names: Vec<(Range<usize>, &'static str, Item)>,
    /// Every box descended into: its size shrinks by what is removed inside it.
    pub containers: Vec<BoxHeader>,
    pub tracks: Vec<Track>,
    pub found: Found,
}

/// Seconds since 1904 (QuickTime's epoch) as a UTC date.
fn date(seconds: u64) -> String {
    let unix = seconds as i64 - 2_082_844_800;
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs / 60 % 60, secs % 60)
}

struct Reader<'a> {
    walker: Walker<'a>,
    data: &'a [u8],
    format: &'static str,
    base: usize,
    movie: Movie,
}

impl<'a> Reader<'a> {
    fn children(&mut self, parent: &BoxHeader, skip: usize) -> Result<Vec<BoxHeader>> {
        self.movie.containers.push(parent.clone());
        self.walker.children(parent, skip).map_err(|e| *e)
    }

    /// An `saio` points at bytes of the media data beside the samples (an encrypted
    /// track's per-sample values): cleaning would zero them, being in no chunk, and
    /// moving the media would leave its offsets pointing elsewhere. Such a track is
    /// refused rather than written broken; an empty one (no offsets) is harmless.
    fn no_auxiliary_offsets(&self, saio: &BoxHeader) -> Result<()> {
        let body = &self.data[saio.body.clone()];
        // Version and flags, the optional type and parameter, then the entry count.
        let at = if body.get(3).is_some_and(|flags| flags & 1 != 0) { 12 } else { 4 };
        let count = body.get(at..at + 4).map_or(0, |c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
        if count == 0 {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Unsupported,
            "per-sample data stored beside the samples ('saio', as encrypted tracks use): Traceless does not clean these",
        )
        .because(crate::error::reason::UNUSUAL_VIDEO)
        .in_format(self.format)
        .at(self.base + saio.start))
    }

    fn corrupt(&self, at: usize, message: String) -> Error {
        Error::corrupt(self.format, self.base + at, message)
    }

    /// Version, then creation and modification times (32 or 64 bits): zeroed, and reported.
    fn dates(&mut self, b: &BoxHeader, what: &str) -> Result<()> {
        let body = &self.data[b.body.clone()];
        let width = if body.first() == Some(&1) { 8 } else { 4 };
        // These headers are kept, so only at their exact sizes: a longer one (a damaged
        // size) would carry the boxes after it through (found by the mp4_structure fuzz
        // target: an 'mvhd' swallowing the tracks and their metadata).
        let exact = match (&b.fourcc, width) {
            (b"mvhd", 4) => 100,
            (b"mvhd", _) => 112,
            (b"tkhd", 4) => 84,
            (b"tkhd", _) => 96,
            (_, 4) => 24,
            _ => 36,
        };
        if body.len() != exact {
            let message = format!("{} box holds {} bytes; its version has {exact}", b.name(), body.len());
            return Err(self.corrupt(b.start, message));
        }
        for (i, label) in ["Created", "Modified"].into_iter().enumerate() {
            let at = b.body.start + 4 + i * width;
            let value = self.data[at..at + width].iter().fold(0u64, |v, &x| (v << 8) | u64::from(x));
            if value != 0 {
                self.movie.zeroed.push(at..at + width);
                let item = Item::new(
                    Category::Time,
                    format!("QuickTime {}", b.name()),
                    format!("{label} ({what})"),
                    date(value),
                );
                self.movie.dates.push((b.range(), item));
            }
        }
        Ok(())
    }

    /// A box that goes whole: user data, a metadata box, a `uuid` box, or one
    /// that players do not need.
    fn remove(&mut self, b: &BoxHeader, path: &str, into: &mut Vec<Removal>) {
        let mut found = Found::default();
        let kind = match &b.fourcc {
            b"udta" => {
                metadata::user_data(&mut self.walker, b, &mut found);
                BlockKind::Vendor
            }
            b"meta" => {
                metadata::meta(&mut self.walker, b, &mut found);
                BlockKind::Vendor
            }
            b"uuid" if b.uuid == Some(XMP_UUID) => {
                found.items = crate::metadata::xmp::read(&self.data[b.body.clone()]);
                BlockKind::Xmp
            }
            // A timecode's source (only looked for in its sample entry): a 16-bit length,
            // a language, the text.
            b"name" => {
                let body = &self.data[b.body.clone()];
                let length = body.get(..2).map_or(0, |n| usize::from(u16::from_be_bytes([n[0], n[1]])));
                let text = body.get(4..).map(|t| &t[..length.min(t.len()).min(256)]).unwrap_or_default();
                let value = String::from_utf8_lossy(text).chars().filter(|c| !c.is_control()).collect::<String>();
                found.items.push(Item::new(
                    Category::Device,
                    "QuickTime name",
                    "Timecode source (reel or camera name)",
                    value,
                ));
                BlockKind::Vendor
            }
            b"colr" => {
                found.items.push(Item::new(
                    Category::Identifiers,
                    "QuickTime colr device profile",
                    "A display's colour profile naming its make, model or serial number",
                    metadata::human(b.range().len()),
                ));
                BlockKind::Icc
            }
            _ => {
                let label = "A vendor's or unknown box";
                found.items.push(Item::new(
                    Category::Other,
                    format!("QuickTime {}", b.name()),
                    label,
                    metadata::human(b.range().len()),
                ));
                BlockKind::Vendor
            }
        };
        self.movie.found.location = self.movie.found.location.or(found.location);
        into.push(Removal {
            range: b.range(),
            kind,
            label: format!("{path}/{}", String::from_utf8_lossy(&b.fourcc)),
            items: found.items,
        });
    }

    /// A video sample entry names the encoder that wrote it and its vendor
    /// ("GoPro AVC encoder", "DJI.AVC", 'appl'): the device's make, in effect.
    /// Decoders ignore both, so they are zeroed.
    fn encoder_names(&mut self, stsd: &BoxHeader) -> Result<()> {
        for entry in self.walker.children(stsd, 8).map_err(|e| *e)? {
            // VisualSampleEntry: vendor at 12..16 of the body, the 32-byte compressor name at 42..74.
            let (vendor, name) =
                (entry.body.start + 12..entry.body.start + 16, entry.body.start + 42..entry.body.start + 74);
            if entry.body.len() < 78 {
                continue;
            }
            let named = self.data[name.clone()].iter().any(|&b| b != 0);
            let vendor_bytes = &self.data[vendor.clone()];
            let has_vendor = vendor_bytes.iter().any(|&b| b != 0 && b != b' ');
            if !named && !has_vendor {
                continue;
            }
            let pascal = &self.data[name.clone()];
            let length = usize::from(pascal[0]).min(31);
            let mut value = String::from_utf8_lossy(&pascal[1..1 + length]).trim().to_string();
            if has_vendor {
                value = format!("{value} (vendor {})", name_of(vendor_bytes));
            }
            let item = Item::new(Category::Software, "QuickTime stsd", "Encoder", value.trim().to_string());
            self.movie.zeroed.push(vendor);
            self.movie.zeroed.push(name);
            self.movie.writer_names.push((entry.range(), "encoder name in 'stsd'", item));
        }
        Ok(())
    }

    /// Boxes in a kept track's sample entries beside what decoders read: user data,
    /// `meta` and `uuid` boxes (a vendor's own), padding, a timecode's source name
    /// (`name`: a tape's reel, or whatever a camera calls itself), QuickTime's text atoms
    /// (`©xyz` and the rest), `gps ` and `XMP_`, and a store's purchase records (`pinf`,
    /// and `sinf` where the entry is not encrypted: its `schi` names the buyer; a read-only
    /// review planted each, session 43). They go, and the entry and `stsd` shrink. Boxes
    /// of other types stay: decoders' configurations are many and new ones keep coming
    /// (Dolby Vision's, spatial video's, a new audio codec's), and one taken away leaves a
    /// track that no longer plays.
    ///
    /// An entry's rest must read as boxes, but for a few zero bytes at its end (older
    /// QuickTime writers pad sound entries); one that does not is kept as it is if none
    /// of the types above is in it, and refused if one is.
    fn sample_entry_extras(
        &mut self,
        stsd: &BoxHeader,
        handler: &FourCc,
        path: &str,
        into: &mut Vec<Removal>,
    ) -> Result<()> {
        const EXTRAS: [&FourCc; 8] = [b"udta", b"meta", b"uuid", b"free", b"skip", b"pinf", b"gps ", b"XMP_"];
        // An encrypted entry's `sinf` says how to decrypt it: kept, or the track would not play.
        const ENCRYPTED: [&FourCc; 8] = [b"encv", b"enca", b"encs", b"enct", b"encm", b"encf", b"drms", b"drmi"];
        let named = |fourcc: &FourCc| EXTRAS.contains(&fourcc) || (handler == b"tmcd" && fourcc == b"name");
        let data = self.data;
        let version = data.get(stsd.body.start).copied().unwrap_or(0);
        for entry in self.walker.children(stsd, 8).map_err(|e| *e)? {
            let encrypted = ENCRYPTED.contains(&&entry.fourcc);
            let goes = |fourcc: &FourCc| named(fourcc) || fourcc[0] == 0xA9 || (fourcc == b"sinf" && !encrypted);
            let body = &data[entry.body.clone()];
            let Some(fields) = entry_fields(handler, version, body).filter(|&n| n <= body.len()) else { continue };
            // Bytes that are not boxes are searched for the named types (and an unencrypted
            // entry's `sinf`) only: any 0xA9 byte in a codec's data would read as an atom.
            let searched = |fourcc: &FourCc| named(fourcc) || (fourcc == b"sinf" && !encrypted);
            let Some(children) = self.entry_children(&entry, fields, searched)? else { continue };
            let extras: Vec<BoxHeader> =
                children.into_iter().filter(|c| goes(&c.fourcc) || naming_profile(data, c)).collect();
            for extra in &extras {
                self.remove(extra, &format!("{path}/{}", String::from_utf8_lossy(&entry.fourcc)), into);
            }
            if !extras.is_empty() {
                self.movie.containers.push(entry);
            }
        }
        // It shrinks by what its entries lost, if anything (`Movie::write`).
        self.movie.containers.push(stsd.clone());
        Ok(())
    }

    /// A sample entry's child boxes after its own `fields`. The last box may end in
    /// zeros itself (a terminator, an empty count), so zero padding is trimmed shortest
    /// first. None for bytes that do not read as boxes and name no type that `goes`;
    /// an error if they name one.
    fn entry_children(
        &mut self,
        entry: &BoxHeader,
        fields: usize,
        goes: impl Fn(&FourCc) -> bool,
    ) -> Result<Option<Vec<BoxHeader>>> {
        let error = match self.walker.children(entry, fields) {
            Ok(children) => return Ok(Some(children)),
            Err(e) if e.kind == ErrorKind::LimitExceeded => return Err(*e),
            Err(e) => e,
        };
        let data = self.data;
        let rest = &data[entry.body.start + fields..entry.body.end];
        let tail = rest.iter().rev().take(7).take_while(|&&b| b == 0).count();
        let mut trimmed = entry.clone();
        for n in 1..=tail {
            trimmed.body.end = entry.body.end - n;
            if let Ok(children) = self.walker.children(&trimmed, fields) {
                return Ok(Some(children));
            }
        }
        if rest.windows(4).any(|w| goes(&[w[0], w[1], w[2], w[3]])) {
            return Err(*error);
        }
        Ok(None)
    }

    /// A kept track's handler name: the writer's words ("Core Media Video", "GoPro AVC",
    /// "VideoHandler", "GPAC pict Handler"), and in QuickTime the component's maker
    /// (`appl`), which players do not need. Zeroed in place (an empty C string, or an
    /// empty Pascal string in QuickTime), and reported.
    fn handler_name(&mut self, hdlr: &BoxHeader) {
        // Version and flags, pre_defined (QuickTime: component type), the handler type,
        // three reserved words (QuickTime: maker, flags, mask), then the name.
        if hdlr.body.len() < 24 {
            return;
        }
        let (maker, name) = (hdlr.body.start + 12..hdlr.body.start + 16, hdlr.body.start + 24..hdlr.body.end);
        let written = |range: &Range<usize>| self.data.get(range.clone()).filter(|b| b.iter().any(|&c| c != 0));
        let (named, made) = (written(&name), written(&maker));
        if named.is_none() && made.is_none() {
            return;
        }
        // QuickTime's name is a Pascal string (a length byte first), ISO's a C string.
        let quicktime = matches!(self.data.get(hdlr.body.start + 4..hdlr.body.start + 8), Some(b"mhlr" | b"dhlr"));
        let text = |b: &[u8]| {
            let b = match b.split_first() {
                Some((&length, rest)) if quicktime && usize::from(length) <= rest.len() => &rest[..usize::from(length)],
                _ => b,
            };
            let b = &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(256)];
            String::from_utf8_lossy(b).chars().filter(|c| !c.is_control()).collect::<String>()
        };
        let mut value = named.map(text).unwrap_or_default();
        if let Some(maker) = made {
            value = format!("{} (maker {})", value.trim(), name_of(maker));
        }
        let item = Item::new(Category::Software, "QuickTime hdlr", "Handler name", value.trim().to_string());
        self.movie.zeroed.extend([maker, name]);
        self.movie.writer_names.push((hdlr.range(), "handler name in 'hdlr'", item));
    }

    fn movie(&mut self, moov: &BoxHeader) -> Result<()> {
        let mut removals = Vec::new();
        let chapters = self.chapter_lists(moov);
        for child in self.children(moov, 0)? {
            match &child.fourcc {
                b"mvhd" => self.dates(&child, "movie")?,
                b"trak" => self.track(&child, &chapters, &mut removals)?,
                b"mvex" => {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "a fragmented movie ('mvex', 'moof'): Traceless does not clean these yet",
                    )
                    .because(crate::error::reason::FRAGMENTED_VIDEO)
                    .in_format(self.format)
                    .at(self.base + child.start))
                }
                b"cmov" => {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "a compressed movie header ('cmov'): Traceless does not clean these",
                    )
                    .because(crate::error::reason::UNUSUAL_VIDEO)
                    .in_format(self.format)
                    .at(self.base + child.start))
                }
                fourcc if MOOV_KEEP.contains(&fourcc) => exact::check(&mut self.walker, &child, None)?,
                _ => self.remove(&child, "moov", &mut removals),
            }
        }
        self.references_to_removed(&mut removals)?;
        self.movie.removals.extend(removals);
        Ok(())
    }

    /// The IDs of the tracks some track names as its chapter list (`tref/chap`).
    /// Read ahead of the tracks, which may come in any order; a box that does not
    /// parse here fails the main reading, so it is passed over.
    fn chapter_lists(&self, moov: &BoxHeader) -> Vec<u32> {
        // A walker of its own: its count of boxes bounds this pass as the main one's bounds that.
        let mut walker = Walker::at(self.data, self.format, self.base);
        let mut ids = Vec::new();
        let traks = walker.children(moov, 0).unwrap_or_default();
        for trak in traks.iter().filter(|b| b.is(b"trak")) {
            let children = walker.children(trak, 0).unwrap_or_default();
            for tref in children.iter().filter(|b| b.is(b"tref")) {
                for chap in walker.children(tref, 0).unwrap_or_default().iter().filter(|b| b.is(b"chap")) {
                    ids.extend(track_ids(self.data.get(chap.body.clone()).unwrap_or_default()));
                }
            }
        }
        ids
    }

    /// A kept track's references to tracks that were removed (a video's to its
    /// subtitles) go too, each ID alone or its reference box when none is left:
    /// a reference to no track is not allowed (ISO/IEC 14496-12, 8.3.3).
    fn references_to_removed(&mut self, removals: &mut Vec<Removal>) -> Result<()> {
        let removed: Vec<u32> = self.movie.tracks.iter().filter(|t| !t.kept).map(|t| t.id).collect();
        if removed.is_empty() {
            return Ok(());
        }
        let trefs: Vec<BoxHeader> =
            self.movie.tracks.iter().filter(|t| t.kept).flat_map(|t| t.trefs.iter().cloned()).collect();
        let removal = |range, label: &str| Removal {
            range,
            kind: BlockKind::Structure,
            label: label.to_string(),
            items: Vec::new(),
        };
        for tref in trefs {
            let kinds = self.children(&tref, 0)?;
            let mut planned = Vec::new();
            let mut whole = 0;
            for kind in &kinds {
                let gone: Vec<usize> = track_ids(&self.data[kind.body.clone()])
                    .enumerate()
                    .filter(|(_, id)| removed.contains(id))
                    .map(|(i, _)| i)
                    .collect();
                if gone.is_empty() {
                    continue;
                }
                let label = format!("{} reference to a removed track", String::from_utf8_lossy(&kind.fourcc));
                if gone.len() * 4 == kind.body.len() {
                    whole += 1;
                    planned.push((None, vec![removal(kind.range(), &label)]));
                } else {
                    let ids =
                        gone.iter().map(|i| removal(kind.body.start + i * 4..kind.body.start + i * 4 + 4, &label));
                    planned.push((Some(kind.clone()), ids.collect()));
                }
            }
            // Nothing left to refer to: the 'tref' goes whole (one removal, none nested in it).
            if whole > 0 && whole == kinds.len() {
                removals.push(removal(tref.range(), "'tref' of references to removed tracks only"));
                continue;
            }
            for (shrinks, ranges) in planned {
                self.movie.containers.extend(shrinks);
                removals.extend(ranges);
            }
        }
        Ok(())
    }

    fn track(&mut self, trak: &BoxHeader, chapters: &[u32], removals: &mut Vec<Removal>) -> Result<()> {
        let mut inner = Vec::new();
        let mut id = 0;
        let (mut width, mut height, mut seconds) = (0, 0, None);
        let mut handler: FourCc = *b"    ";
        let mut entry = None;
        let (mut stsc, mut sizes, mut offsets) = (None, None, None);
        // Kept boxes, checked for exact sizes once the track is known to be kept.
        let mut kept_boxes = Vec::new();
        let mut has_media = false;
        let mut sample_descriptions = None;
        let mut trefs = Vec::new();
        let n = self.movie.tracks.len() + 1;
        let path = format!("moov/trak[{n}]");
        for child in self.children(trak, 0)? {
            match &child.fourcc {
                b"tkhd" => {
                    self.dates(&child, "track")?;
                    let body = &self.data[child.body.clone()];
                    let v1 = body.first() == Some(&1);
                    let id_at = if v1 { 20 } else { 12 };
                    let size_at = if v1 { 88 } else { 76 };
                    id = metadata_u32(body, id_at).unwrap_or(0);
                    width = metadata_u32(body, size_at).map_or(0, |w| w >> 16);
                    height = metadata_u32(body, size_at + 4).map_or(0, |h| h >> 16);
                }
                b"mdia" => {
                    has_media = true;
                    for m in self.children(&child, 0)? {
                        match &m.fourcc {
                            b"mdhd" => {
                                self.dates(&m, "track media")?;
                                let body = &self.data[m.body.clone()];
                                let v1 = body.first() == Some(&1);
                                let scale = metadata_u32(body, if v1 { 20 } else { 12 }).unwrap_or(0);
                                let duration = if v1 {
                                    body.get(24..32).map(|d| d.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
                                } else {
                                    metadata_u32(body, 16).map(u64::from)
                                };
                                seconds = duration.filter(|_| scale > 0).map(|d| d as f64 / f64::from(scale));
                            }
                            b"hdlr" => {
                                let body = &self.data[m.body.clone()];
                                if let Some(h) = body.get(8..12) {
                                    handler.copy_from_slice(h);
                                }
                                kept_boxes.push(m);
                            }
                            b"minf" => {
                                for i in self.children(&m, 0)? {
                                    if i.is(b"stbl") {
                                        for t in self.children(&i, 0)? {
                                            match &t.fourcc {
                                                b"stsd" => {
                                                    entry = self
                                                        .data
                                                        .get(t.body.start + 12..t.body.start + 16)
                                                        .map(|e| [e[0], e[1], e[2], e[3]]);
                                                    sample_descriptions = Some(t.clone());
                                                }
                                                b"stsc" => stsc = Some(t.clone()),
                                                b"stsz" | b"stz2" => sizes = Some(t.clone()),
                                                b"stco" | b"co64" => offsets = Some(t.clone()),
                                                _ => {}
                                            }
                                            if STBL_KEEP.contains(&&t.fourcc) {
                                                kept_boxes.push(t);
                                            } else {
                                                self.remove(&t, &format!("{path}/mdia/minf/stbl"), &mut inner);
                                            }
                                        }
                                    } else if MINF_KEEP.contains(&&i.fourcc) {
                                        kept_boxes.push(i);
                                    } else {
                                        self.remove(&i, &format!("{path}/mdia/minf"), &mut inner);
                                    }
                                }
                            }
                            fourcc if MDIA_KEEP.contains(&fourcc) => kept_boxes.push(m),
                            _ => self.remove(&m, &format!("{path}/mdia"), &mut inner),
                        }
                    }
                }
                fourcc if TRAK_KEEP.contains(&fourcc) => {
                    if child.is(b"tref") {
                        trefs.push(child.clone());
                    }
                    kept_boxes.push(child)
                }
                _ => self.remove(&child, &path, &mut inner),
            }
        }
        if !has_media {
            // A damaged size elsewhere in the track can hide it; without it the
            // track would be dropped as of an unknown kind, a video losing its picture.
            return Err(self.corrupt(trak.start, format!("track {id} has no media box ('mdia')")));
        }
        let metadata_entry = entry.is_some_and(|e| METADATA_ENTRIES.contains(&&e));
        let text = TEXT_HANDLERS.contains(&&handler);
        let chapter_list = text && chapters.contains(&id);
        let kept = !metadata_entry && &handler != b"meta" && (KEPT_HANDLERS.contains(&&handler) || chapter_list);
        let mut track = Track {
            id,
            handler,
            entry,
            kept,
            seconds,
            width,
            height,
            chunks: Vec::new(),
            offsets: None,
            blank: false,
            trefs,
        };
        if !kept {
            let (category, label) = if text {
                (Category::Text, "Subtitles or text (a drone's or a dashcam's can be its GPS log)")
            } else if metadata_entry || &handler == b"meta" {
                let what = match entry.as_ref() {
                    Some(b"gpmd") => "GoPro telemetry (GPS, camera motion)",
                    Some(b"camm") => "Camera motion and GPS",
                    Some(b"mebx") => "Apple timed metadata",
                    _ => "Timed metadata",
                };
                let category = if matches!(entry.as_ref(), Some(b"gpmd" | b"camm")) {
                    Category::Location
                } else {
                    Category::HiddenData
                };
                (category, what)
            } else {
                (Category::HiddenData, "A track of a kind Traceless does not keep")
            };
            let value = format!("{} ({})", track.describe(), metadata::human(trak.range().len()));
            let key = format!(
                "QuickTime trak {} {}",
                name(&handler),
                entry.map(|e| name(&e).to_string()).unwrap_or_default()
            );
            removals.push(Removal {
                range: trak.range(),
                kind: BlockKind::Vendor,
                label: format!("{path} ({})", String::from_utf8_lossy(&entry.unwrap_or(handler))),
                items: vec![Item::new(category, key, label, value)],
            });
            // Its dates go with it: nothing to zero or report separately.
            let span = trak.range();
            self.movie.zeroed.retain(|z| !(span.start <= z.start && z.end <= span.end));
            self.movie.dates.retain(|(r, _)| !(span.start <= r.start && r.end <= span.end));
        } else {
            let samples = sizes.as_ref().and_then(|s| tables::sample_count(self.data, s));
            for b in &kept_boxes {
                exact::check(&mut self.walker, b, samples)?;
                if b.is(b"saio") {
                    self.no_auxiliary_offsets(b)?;
                }
                if b.is(b"hdlr") {
                    self.handler_name(b);
                }
            }
            if let Some(stsd) = &sample_descriptions {
                // Visual sample entries: video, and an image sequence's pictures and alpha.
                if matches!(&handler, b"vide" | b"pict" | b"auxv") {
                    self.encoder_names(stsd)?;
                }
                self.sample_entry_extras(stsd, &handler, &format!("{path}/mdia/minf/stbl/stsd"), &mut inner)?;
            }
            removals.extend(inner);
            if let Some(table) = offsets {
                let table = tables::offset_table(self.data, self.format, self.base, &table)?;
                let (Some(stsc), Some(sizes)) = (stsc, sizes) else {
                    return Err(
                        self.corrupt(trak.start, format!("track {id} has chunk offsets but no 'stsc' or 'stsz'"))
                    );
                };
                let so_far = self.movie.tracks.iter().map(|t| t.chunks.len()).sum();
                track.chunks = tables::chunk_ranges(self.data, self.format, self.base, &stsc, &sizes, &table, so_far)?;
                track.offsets = Some(table);
            }
        }
        self.movie.tracks.push(track);
        Ok(())
    }
}

/// The length of a sample entry's own fields (before its child boxes), for the
/// entries whose children are read: visual (ISO/IEC 14496-12 12.1.3), sound (12.2.3:
/// 28 bytes, also in ISO's version 1, which only a version 1 `stsd` holds; in a
/// version 0 `stsd`, QuickTime's versions 1 and 2 have 44 and 64), timecode (QuickTime).
fn entry_fields(handler: &FourCc, stsd_version: u8, body: &[u8]) -> Option<usize> {
    match handler {
        b"vide" | b"pict" | b"auxv" => Some(78),
        b"soun" => match (stsd_version, body.get(8..10)?) {
            (_, [0, 0]) | (1, [0, 1]) => Some(28),
            (0, [0, 1]) => Some(44),
            (0, [0, 2]) => Some(64),
            _ => None,
        },
        b"tmcd" => Some(26),
        _ => None,
    }
}

/// The track IDs a reference box (a child of `tref`) lists.
fn track_ids(body: &[u8]) -> impl Iterator<Item = u32> + '_ {
    body.chunks_exact(4).map(|id| u32::from_be_bytes([id[0], id[1], id[2], id[3]]))
}

fn name_of(fourcc: &[u8]) -> String {
    let mut four = [b' '; 4];
    four.copy_from_slice(&fourcc[..4]);
    name(&four).to_string()
}

fn metadata_u32(body: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the `moov` box in `data` (the whole box, header included), which
/// starts at byte `base` of the file.
pub(crate) fn read(data: &[u8], base: usize, format: &'static str) -> Result<Movie> {
    let mut walker = Walker::at(data, format, base);
    let top = walker.top_level().map_err(|e| *e)?;
    let moov = match top.as_slice() {
        [moov] if moov.is(b"moov") => moov.clone(),
        _ => return Err(Error::corrupt(format, base, "the 'moov' box does not parse as one box")),
    };
    let movie = Movie {
        removals: Vec::new(),
        zeroed: Vec::new(),
        dates: Vec::new(),
        writer_names: Vec::new(),
        containers: Vec::new(),
        tracks: Vec::new(),
        found: Found::default(),
    };
    let mut reader = Reader { walker, data, format, base, movie };
    reader.movie(&moov)?;
    let mut movie = reader.movie;
    movie.removals.sort_by_key(|r| r.range.start);
    Ok(movie)
}

impl Movie {
    /// Bytes removed before position `at` of the `moov` buffer.
    fn removed_before(&self, at: usize) -> usize {
        self.removals.iter().filter(|r| r.range.end <= at).map(|r| r.range.len()).sum()
    }

    /// Where position `at` of the old `moov` buffer is in the new one.
    pub fn moved(&self, at: usize) -> usize {
        at - self.removed_before(at)
    }

    pub fn removed_bytes(&self) -> usize {
        self.removals.iter().map(|r| r.range.len()).sum()
    }

    /// The new `moov`: removed boxes left out, dates zeroed, every container's
    /// size reduced by what it lost. Chunk offsets are rewritten by the caller
    /// (`patch_offsets`), once the new file's layout is known.
    pub fn write(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() - self.removed_bytes());
        let mut pos = 0;
        for r in &self.removals {
            out.extend_from_slice(&data[pos..r.range.start]);
            pos = r.range.end;
        }
        out.extend_from_slice(&data[pos..]);
        for z in &self.zeroed {
            let at = self.moved(z.start);
            out[at..at + z.len()].fill(0);
        }
        for c in &self.containers {
            // A container inside a removed box (a removed track's 'mdia') is gone with it.
            if self.removals.iter().any(|r| r.range.start <= c.start && c.end() <= r.range.end) {
                continue;
            }
            let lost: usize = self
                .removals
                .iter()
                .filter(|r| c.start <= r.range.start && r.range.end <= c.end())
                .map(|r| r.range.len())
                .sum();
            if lost == 0 {
                continue;
            }
            let at = self.moved(c.start);
            let size = (c.end() - c.start - lost) as u64;
            if u32::from_be_bytes([data[c.start], data[c.start + 1], data[c.start + 2], data[c.start + 3]]) == 1 {
                out[at + 8..at + 16].copy_from_slice(&size.to_be_bytes());
            } else {
                out[at..at + 4].copy_from_slice(&(size as u32).to_be_bytes());
            }
        }
        out
    }

    /// Rewrites every kept track's chunk offsets in the new `moov` (`out`) with `map`.
    pub fn patch_offsets(&self, data: &[u8], out: &mut [u8], map: impl Fn(u64) -> Result<u64>) -> Result<()> {
        for track in self.tracks.iter().filter(|t| t.kept) {
            let Some(table) = &track.offsets else { continue };
            let width = if table.wide { 8 } else { 4 };
            let at = self.moved(table.entries);
            for (i, old) in tables::offsets(data, table).enumerate() {
                let new = map(old)?;
                let slot = &mut out[at + i * width..at + (i + 1) * width];
                if table.wide {
                    slot.copy_from_slice(&new.to_be_bytes());
                } else {
                    // Offsets only move towards the start, so a 32-bit one stays 32-bit.
                    slot.copy_from_slice(&u32::try_from(new).unwrap_or(u32::MAX).to_be_bytes());
                }
            }
        }
        Ok(())
    }
}

/// A sample entry's `colr` box holding a colour profile that names its device (a display's:
/// its maker, model and serial number), or that does not read as a profile. An image
/// sequence's still image has its copy written again without the device (clean.rs); the
/// track's goes, and its frames take the codec's own colour description (libavif writes the
/// same profile in both places).
fn naming_profile(data: &[u8], b: &BoxHeader) -> bool {
    use crate::metadata::icc_device::{device, Device};
    if &b.fourcc != b"colr" {
        return false;
    }
    let body = &data[b.body.clone()];
    match body.get(..4) {
        Some(b"prof" | b"rICC") => {
            let profile = &body[4..];
            !crate::metadata::icc::reads_as_profile(profile) || !matches!(device(profile), Device::None)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `colr` box of `kind` around `payload`, and its header as the walker reads it.
    fn colr(kind: &[u8; 4], payload: &[u8]) -> (Vec<u8>, BoxHeader) {
        let data = [&((12 + payload.len()) as u32).to_be_bytes()[..], b"colr", kind, payload].concat();
        let header = BoxHeader { fourcc: *b"colr", uuid: None, start: 0, body: 8..data.len(), depth: 0 };
        (data, header)
    }

    /// A profile of one tag (`signature`, 8 bytes of data).
    fn profile(signature: &[u8; 4]) -> Vec<u8> {
        let mut p = vec![0u8; 128];
        p[36..40].copy_from_slice(b"acsp");
        p.extend_from_slice(&1u32.to_be_bytes());
        p.extend_from_slice(signature);
        p.extend_from_slice(&144u32.to_be_bytes());
        p.extend_from_slice(&8u32.to_be_bytes());
        p.extend_from_slice(b"DELLSN01");
        let len = p.len() as u32;
        p[..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    /// The sample entry's copy of a display's profile goes (libavif writes the profile into
    /// the track too); a standard profile and coded colour parameters stay. End to end not
    /// tested: no writer here puts a profile in a sample entry.
    #[test]
    fn a_sample_entrys_profile_naming_its_display_goes() {
        let (data, header) = colr(b"prof", &profile(b"mmod"));
        assert!(naming_profile(&data, &header));
        let (data, header) = colr(b"rICC", &profile(b"mmod"));
        assert!(naming_profile(&data, &header));
        let (data, header) = colr(b"prof", &profile(b"cprt"));
        assert!(!naming_profile(&data, &header), "a profile naming no device stays");
        let (data, header) = colr(b"prof", b"not a profile at all");
        assert!(naming_profile(&data, &header), "bytes that are no profile go");
        let (data, header) = colr(b"nclx", &[0, 1, 0, 13, 0, 6, 0x80]);
        assert!(!naming_profile(&data, &header), "colour parameters stay");
    }
}
