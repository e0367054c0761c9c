#![no_main]
//! Structure-aware MP4/MOV fuzzing: whole movies built from the fuzzer's
//! choices (brands or no `ftyp`, tracks of every kind with their sample
//! tables, `stco` or `co64`, `stsz` or `stz2`, metadata boxes at every level
//! (between kept boxes, for a bent size to swallow, and in sample entries),
//! XMP `uuid`, timed-metadata tracks with samples in `mdat`, `moov` before or
//! after `mdat`, padding boxes), then bent: a chunk offset moved, a byte
//! flipped.
//!
//! Metadata boxes carry one marker, timed-metadata samples another. If
//! cleaning succeeds: the box marker is nowhere in the output; where the file
//! is honest, neither is the sample marker, and every kept track's data is
//! in the output byte for byte; the output inspects as display-only and
//! cleans to itself.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use traceless_core::{clean, inspect, Category, Policy};

const BOX_SECRET: &[u8; 16] = b"SECRET-BOX-9d1e!";
const SAMPLE_SECRET: &[u8; 16] = b"SECRET-SAMPLE-7c";

#[derive(Arbitrary, Debug)]
struct Spec {
    brand: Brand,
    tracks: Vec<TrackSpec>,
    moov_first: bool,
    movie_meta: Vec<MetaBox>,
    top_uuid_xmp: bool,
    padding: Vec<(bool, u8)>,
    mvhd_v1: bool,
    nudge: Option<(u8, i16)>,
    flip: Option<(u16, u8)>,
}

#[derive(Arbitrary, Debug)]
enum Brand {
    Isom,
    Mp42,
    Qt,
    ThreeGp,
    NoFtyp,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Video,
    Audio,
    Text,
    Timecode,
    Gpmd,
    Mebx,
    Camm,
    UnknownHandler([u8; 4]),
}

#[derive(Arbitrary, Debug)]
struct TrackSpec {
    kind: Kind,
    /// Sample sizes (each sample is a pattern unique to the track).
    samples: Vec<u8>,
    samples_per_chunk: u8,
    co64: bool,
    compact_sizes: bool,
    v1_headers: bool,
    meta: Vec<(Place, MetaBox)>,
}

/// Where in a track a metadata box goes: between kept boxes, so that a kept
/// box whose size is bent can swallow it, or among a sample entry's children.
#[derive(Arbitrary, Debug, PartialEq)]
enum Place {
    Trak,
    Mdia,
    Minf,
    Stbl,
    Entry,
}

#[derive(Arbitrary, Debug)]
enum MetaBox {
    Udta,
    AppleKeys,
    Uuid,
    Loci,
}

fn bx(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(fourcc);
    out.extend_from_slice(body);
    out
}

fn full(fourcc: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    bx(fourcc, &[&[version, 0, 0, 0][..], body].concat())
}

impl MetaBox {
    fn build(&self) -> Vec<u8> {
        match self {
            MetaBox::Udta => bx(b"udta", &bx(b"\xA9xyz", &[&[0, 16, 0x15, 0xC7][..], BOX_SECRET].concat())),
            MetaBox::AppleKeys => {
                let hdlr = full(b"hdlr", 0, &[&[0; 4][..], b"mdta", &[0; 13]].concat());
                let key = [&24u32.to_be_bytes()[..], b"mdta", b"com.apple.quicktime.make"].concat();
                let keys = full(b"keys", 0, &[&1u32.to_be_bytes()[..], &key].concat());
                let data = bx(b"data", &[&[0, 0, 0, 1, 0, 0, 0, 0][..], BOX_SECRET].concat());
                let ilst = bx(b"ilst", &bx(&1u32.to_be_bytes(), &data));
                bx(b"meta", &[hdlr, keys, ilst].concat())
            }
            MetaBox::Uuid => bx(b"uuid", &[&[0x42; 16][..], BOX_SECRET].concat()),
            MetaBox::Loci => bx(b"udta", &full(b"loci", 0, &[&[0x15, 0xC7][..], BOX_SECRET, &[0, 0], &[0; 12]].concat())),
        }
    }
}

const KEPT: [&[u8; 4]; 9] = [b"vide", b"soun", b"subt", b"sbtl", b"text", b"tmcd", b"clcp", b"auxv", b"hint"];

impl Kind {
    fn handler(&self) -> [u8; 4] {
        match self {
            Kind::Video => *b"vide",
            Kind::Audio => *b"soun",
            Kind::Text => *b"text",
            Kind::Timecode => *b"tmcd",
            Kind::Gpmd | Kind::Mebx | Kind::Camm => *b"meta",
            // A handler the cleaner keeps would make this a kept track.
            Kind::UnknownHandler(h) if KEPT.contains(&h) || h == b"meta" => *b"zzzz",
            Kind::UnknownHandler(h) => *h,
        }
    }
    fn entry(&self) -> [u8; 4] {
        match self {
            Kind::Video => *b"avc1",
            Kind::Audio => *b"mp4a",
            Kind::Text => *b"text",
            Kind::Timecode => *b"tmcd",
            Kind::Gpmd => *b"gpmd",
            Kind::Mebx => *b"mebx",
            Kind::Camm => *b"camm",
            Kind::UnknownHandler(_) => *b"abcd",
        }
    }
    /// The length of its sample entry's own fields, before any child box.
    fn entry_fields(&self) -> usize {
        match self {
            Kind::Video => 78,
            Kind::Audio => 28,
            Kind::Timecode => 26,
            _ => 8,
        }
    }
    /// Whether the track's samples come through byte for byte: a text track goes with
    /// its samples (no chapter list refers to it here), a timecode's are zeroed.
    fn kept(&self) -> bool {
        matches!(self, Kind::Video | Kind::Audio)
    }
}

struct Built {
    file: Vec<u8>,
    honest: bool,
    /// Each kept track's chunks, to be found in the output unchanged.
    kept_chunks: Vec<Vec<u8>>,
}

fn build(spec: &Spec) -> Option<Built> {
    let tracks: Vec<&TrackSpec> = spec.tracks.iter().take(6).collect();
    if tracks.is_empty() {
        return None;
    }
    // Chunks of each track: runs of samples; samples are track patterns, or the marker for metadata tracks.
    let mut chunks: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut sizes: Vec<Vec<u32>> = Vec::new();
    for (t, spec_t) in tracks.iter().enumerate() {
        let per = usize::from(spec_t.samples_per_chunk % 4) + 1;
        let samples: Vec<Vec<u8>> = spec_t
            .samples
            .iter()
            .take(24)
            .enumerate()
            .map(|(i, &n)| {
                if spec_t.kind.kept() {
                    (0..usize::from(n) + 4).map(|j| (t as u8).wrapping_mul(37) ^ (i as u8).wrapping_mul(11) ^ (j as u8) | 0x80).collect()
                } else {
                    SAMPLE_SECRET.iter().copied().cycle().take(usize::from(n).max(16)).collect()
                }
            })
            .collect();
        sizes.push(samples.iter().map(|s| s.len() as u32).collect());
        chunks.push(samples.chunks(per).map(|c| c.concat()).collect());
    }
    // mdat payload: chunks interleaved track by track, round by round.
    let mut mdat_payload = Vec::new();
    let mut offsets_rel: Vec<Vec<u64>> = vec![Vec::new(); tracks.len()];
    let rounds = chunks.iter().map(Vec::len).max().unwrap_or(0);
    for r in 0..rounds {
        for (t, c) in chunks.iter().enumerate() {
            if let Some(chunk) = c.get(r) {
                offsets_rel[t].push(mdat_payload.len() as u64);
                mdat_payload.extend_from_slice(chunk);
            }
        }
    }

    let ftyp = match spec.brand {
        Brand::Isom => bx(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41"),
        Brand::Mp42 => bx(b"ftyp", b"mp42\0\0\0\0mp42isom"),
        Brand::Qt => bx(b"ftyp", b"qt  \0\0\x02\0qt  "),
        Brand::ThreeGp => bx(b"ftyp", b"3gp4\0\0\x02\03gp4isom"),
        Brand::NoFtyp => Vec::new(),
    };
    let padding: Vec<u8> =
        spec.padding.iter().take(3).flat_map(|(skip, n)| bx(if *skip { b"skip" } else { b"free" }, &vec![0; usize::from(*n)])).collect();
    let top_uuid = if spec.top_uuid_xmp {
        let xmp_uuid = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC];
        bx(b"uuid", &[&xmp_uuid[..], b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>", BOX_SECRET, b"</x:xmpmeta>"].concat())
    } else {
        Vec::new()
    };

    let moov = |mdat_data: u64| -> Vec<u8> {
        let dates = |v1: bool| if v1 { [&3_400_000_000u64.to_be_bytes()[..], &3_400_000_000u64.to_be_bytes()].concat() } else { [3_400_000_000u32.to_be_bytes(), 3_400_000_000u32.to_be_bytes()].concat() };
        let mvhd = full(b"mvhd", u8::from(spec.mvhd_v1), &[dates(spec.mvhd_v1), vec![0, 0, 3, 0xE8], vec![0; if spec.mvhd_v1 { 8 } else { 4 }], vec![0; 80]].concat());
        let mut body = mvhd;
        let mut chunk_no = 0usize;
        for (t, ts) in tracks.iter().enumerate() {
            let v1 = ts.v1_headers;
            let tkhd = full(b"tkhd", u8::from(v1), &[dates(v1), ((t + 1) as u32).to_be_bytes().to_vec(), vec![0; if v1 { 12 } else { 8 }], vec![0; 52], 160u32.to_be_bytes().to_vec(), 120u32.to_be_bytes().to_vec()].concat());
            let mdhd = full(b"mdhd", u8::from(v1), &[dates(v1), 1000u32.to_be_bytes().to_vec(), vec![0; if v1 { 8 } else { 4 }], vec![0x55, 0xC4, 0, 0]].concat());
            let hdlr = full(b"hdlr", 0, &[&[0; 4][..], &ts.kind.handler(), &[0; 12], b"Handler\0"].concat());
            let meta = |place: Place| -> Vec<u8> {
                // A sample entry keeps child boxes of types it does not know (decoders'
                // configurations: see movie.rs), so a flipped byte in a metadata box's type
                // there would keep it: none there in a file with a flipped byte.
                if place == Place::Entry && spec.flip.is_some() {
                    return Vec::new();
                }
                ts.meta.iter().take(3).filter(|(p, _)| *p == place).flat_map(|(_, m)| m.build()).collect()
            };
            let entry = bx(&ts.kind.entry(), &[vec![0; ts.kind.entry_fields()], meta(Place::Entry)].concat());
            let stsd = full(b"stsd", 0, &[&1u32.to_be_bytes()[..], &entry].concat());
            let n = sizes[t].len() as u32;
            let stts = full(b"stts", 0, &[1u32.to_be_bytes(), n.to_be_bytes(), 100u32.to_be_bytes()].concat());
            let per = u32::from(ts.samples_per_chunk % 4) + 1;
            let stsc = full(b"stsc", 0, &[1u32.to_be_bytes(), 1u32.to_be_bytes(), per.to_be_bytes(), 1u32.to_be_bytes()].concat());
            let stsz = if ts.compact_sizes && sizes[t].iter().all(|&s| s < 65536) {
                full(b"stz2", 0, &[&[0, 0, 0, 16][..], &n.to_be_bytes(), &sizes[t].iter().flat_map(|&s| (s as u16).to_be_bytes()).collect::<Vec<u8>>()].concat())
            } else {
                full(b"stsz", 0, &[&0u32.to_be_bytes()[..], &n.to_be_bytes(), &sizes[t].iter().flat_map(|s| s.to_be_bytes()).collect::<Vec<u8>>()].concat())
            };
            let mut entries = Vec::new();
            for &rel in &offsets_rel[t] {
                let mut offset = mdat_data + rel;
                if let Some((which, delta)) = spec.nudge {
                    if usize::from(which) == chunk_no {
                        offset = offset.wrapping_add_signed(i64::from(delta));
                    }
                }
                chunk_no += 1;
                if ts.co64 {
                    entries.extend_from_slice(&offset.to_be_bytes());
                } else {
                    entries.extend_from_slice(&(offset as u32).to_be_bytes());
                }
            }
            let count = (offsets_rel[t].len() as u32).to_be_bytes();
            let stco = full(if ts.co64 { b"co64" } else { b"stco" }, 0, &[&count[..], &entries].concat());
            let stbl = bx(b"stbl", &[stsd, stts, meta(Place::Stbl), stsc, stsz, stco].concat());
            // A data reference to this file ('url ' with the self-contained flag).
            let mut url = full(b"url ", 0, &[]);
            url[11] = 1;
            let dinf = bx(b"dinf", &full(b"dref", 0, &[&1u32.to_be_bytes()[..], &url].concat()));
            let minf = bx(b"minf", &[dinf, meta(Place::Minf), stbl].concat());
            let mdia = bx(b"mdia", &[mdhd, hdlr, meta(Place::Mdia), minf].concat());
            body.extend(bx(b"trak", &[tkhd, mdia, meta(Place::Trak)].concat()));
        }
        body.extend(spec.movie_meta.iter().take(3).flat_map(MetaBox::build));
        bx(b"moov", &body)
    };
    let moov_len = moov(0).len() as u64;
    let mdat_header = (mdat_payload.len() as u32 + 8).to_be_bytes().iter().copied().chain(*b"mdat").collect::<Vec<u8>>();
    let lead = (ftyp.len() + padding.len() + top_uuid.len()) as u64;
    let mdat_data = if spec.moov_first { lead + moov_len + 8 } else { lead + 8 };
    let moov = moov(mdat_data);
    let mut file = [ftyp, padding, top_uuid].concat();
    if spec.moov_first {
        file.extend(moov);
        file.extend(mdat_header);
        file.extend(&mdat_payload);
    } else {
        file.extend(mdat_header);
        file.extend(&mdat_payload);
        file.extend(moov);
    }
    if let Some((at, xor)) = spec.flip {
        let len = file.len();
        file[usize::from(at) % len] ^= xor;
    }
    let honest = spec.flip.is_none() && spec.nudge.is_none();
    let kept_chunks = tracks.iter().zip(&chunks).filter(|(t, _)| t.kind.kept()).flat_map(|(_, c)| c.clone()).collect();
    Some(Built { file, honest, kept_chunks })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|spec: Spec| {
    let Some(built) = build(&spec) else { return };
    let Ok(cleaned) = clean(&built.file, &Policy::default()) else { return };
    assert!(!contains(&cleaned.data, BOX_SECRET), "a metadata box survived cleaning");
    let report = inspect(&cleaned.data).expect("cleaned output parses");
    assert!(report.findings.iter().all(|f| f.category == Category::Display), "{:?}", report.findings);
    let again = clean(&cleaned.data, &Policy::default()).expect("cleaned output cleans again");
    assert_eq!(again.data, cleaned.data, "cleaning is idempotent");
    if built.honest {
        assert!(!contains(&cleaned.data, SAMPLE_SECRET), "a timed-metadata sample survived cleaning");
        for chunk in built.kept_chunks.iter().filter(|c| c.len() >= 4) {
            assert!(contains(&cleaned.data, chunk), "a kept track's data changed");
        }
    }
});
