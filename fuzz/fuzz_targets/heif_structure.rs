#![no_main]
//! Structure-aware HEIF/AVIF fuzzing. Blind byte mutation rarely gets past the
//! `iloc`/`iinf`/`ipma` cross-references, so this target builds whole files
//! from a structured description (items, references, properties, every `iloc`
//! layout, `mdat` before or after `meta`, 64-bit and size-0 boxes) and then
//! lets the description bend them: extents moved, sizes lied about, a byte
//! flipped.
//!
//! Every metadata item's payload carries a marker. Whatever the file, if
//! cleaning succeeds: the marker is nowhere in the output (removed bytes must
//! not survive, not even unreferenced), the output inspects as display-only,
//! cleaning is idempotent, and every extent of the primary image is in the
//! output byte for byte.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use traceless_core::{
    clean, decode_upright, decode_upright_band, inspect, join_upright_bands, list_picture, screen_picture,
    screen_picture_of_bands, screen_rows, Category, Policy, UprightBand,
};

const SECRET: &[u8; 16] = b"SECRET-META-8f3a";

#[derive(Arbitrary, Debug)]
struct Spec {
    avif: bool,
    items: Vec<ItemSpec>,
    primary: u8,
    refs: Vec<RefSpec>,
    props: Vec<PropSpec>,
    iloc_version: u8,
    offset_size: u8,
    length_size: u8,
    base_size: u8,
    index_size: u8,
    infe_v3: bool,
    iref_large: bool,
    ipma_large_ids: bool,
    ipma_wide_index: bool,
    mdat_first: bool,
    mdat: MdatSize,
    extra_top: Vec<Extra>,
    extra_meta: Vec<Extra>,
    /// Moves one extent's offset: overlaps, out-of-file and off-by-one data.
    nudge: Option<(u8, i16)>,
    /// Flips one byte of the finished file.
    flip: Option<(u16, u8)>,
}

#[derive(Arbitrary, Debug)]
enum MdatSize {
    Normal,
    Large,
    ToEnd,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Hvc1,
    Av01,
    Grid,
    Iden,
    Iovl,
    Tmap,
    Exif,
    Xmp,
    OtherMime,
    Uri,
    Jpeg,
    Unknown([u8; 4]),
}

#[derive(Arbitrary, Debug)]
struct ItemSpec {
    kind: Kind,
    hidden: bool,
    idat: bool,
    /// Extent lengths; image data is a pattern unique to the item and extent.
    extents: Vec<u8>,
    /// 1-based property indexes (0 and out-of-range ones included) and the essential bit.
    props: Vec<(u8, bool)>,
}

#[derive(Arbitrary, Debug)]
struct RefSpec {
    kind: RefKind,
    from: u8,
    to: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum RefKind {
    Thmb,
    Cdsc,
    Auxl,
    Dimg,
    Prem,
    Base,
    Other([u8; 4]),
}

#[derive(Arbitrary, Debug)]
enum PropSpec {
    Ispe(u16, u16),
    Hvcc,
    Av1c,
    Nclx,
    Icc(u8),
    Irot(u8),
    Imir(u8),
    Alpha,
    Depth,
    Matte,
    GainMap,
    Pixi,
    Clap,
    Other([u8; 4], Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Extra {
    Free(u8),
    Skip(u8),
    Uuid(u8),
    Other([u8; 4], u8),
}

fn bx(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(fourcc);
    out.extend_from_slice(body);
    out
}

fn full(fourcc: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
    b.extend_from_slice(body);
    bx(fourcc, &b)
}

fn uint(size: usize, v: u64) -> Vec<u8> {
    v.to_be_bytes()[8 - size..].to_vec()
}

fn field_size(choice: u8) -> usize {
    [0, 4, 8][usize::from(choice % 3)]
}

impl Kind {
    fn code(&self) -> [u8; 4] {
        match self {
            Kind::Hvc1 => *b"hvc1",
            Kind::Av01 => *b"av01",
            Kind::Grid => *b"grid",
            Kind::Iden => *b"iden",
            Kind::Iovl => *b"iovl",
            Kind::Tmap => *b"tmap",
            Kind::Exif => *b"Exif",
            Kind::Xmp | Kind::OtherMime => *b"mime",
            Kind::Uri => *b"uri ",
            Kind::Jpeg => *b"jpeg",
            Kind::Unknown(c) => *c,
        }
    }
    fn metadata(&self) -> bool {
        matches!(self, Kind::Exif | Kind::Xmp | Kind::OtherMime | Kind::Uri)
    }
    fn content_type(&self) -> &'static str {
        match self {
            Kind::Xmp => "application/rdf+xml",
            Kind::OtherMime => "application/x-secret",
            _ => "",
        }
    }
}

impl PropSpec {
    fn build(&self) -> Vec<u8> {
        let aux = |urn: &str| full(b"auxC", 0, 0, &[urn.as_bytes(), b"\0"].concat());
        match self {
            PropSpec::Ispe(w, h) => {
                full(b"ispe", 0, 0, &[u32::from(*w).to_be_bytes(), u32::from(*h).to_be_bytes()].concat())
            }
            PropSpec::Hvcc => bx(
                b"hvcC",
                &[1, 1, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5A, 0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 0],
            ),
            PropSpec::Av1c => bx(b"av1C", &[0x81, 0x00, 0x0C, 0x00]),
            PropSpec::Nclx => bx(b"colr", &[b"nclx".as_slice(), &[0, 1, 0, 13, 0, 6, 0x80]].concat()),
            PropSpec::Icc(n) => bx(b"colr", &[b"prof".as_slice(), &vec![0x49; usize::from(*n)]].concat()),
            PropSpec::Irot(r) => bx(b"irot", &[*r]),
            PropSpec::Imir(m) => bx(b"imir", &[*m]),
            PropSpec::Alpha => aux("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"),
            PropSpec::Depth => aux("urn:com:apple:photo:2018:aux:portraiteffectsmatte"),
            PropSpec::Matte => aux("urn:com:apple:photo:2019:aux:semanticskinmatte"),
            PropSpec::GainMap => aux("urn:com:apple:photo:2020:aux:hdrgainmap"),
            PropSpec::Pixi => full(b"pixi", 0, 0, &[3, 8, 8, 8]),
            PropSpec::Clap => bx(
                b"clap",
                &[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
            ),
            // High bytes only: the fuzzer learns the (ASCII) marker from the
            // comparisons below and would otherwise plant it in a kept property.
            PropSpec::Other(c, body) => bx(c, &body.iter().take(64).map(|b| b | 0x80).collect::<Vec<u8>>()),
        }
    }
}

impl Extra {
    fn build(&self) -> Vec<u8> {
        match self {
            Extra::Free(n) => bx(b"free", &vec![0; usize::from(*n)]),
            Extra::Skip(n) => bx(b"skip", &vec![1; usize::from(*n)]),
            Extra::Uuid(n) => bx(b"uuid", &vec![2; 16 + usize::from(*n)]),
            Extra::Other(c, n) => bx(c, &vec![3; usize::from(*n)]),
        }
    }
}

/// An item's payload: metadata carries the marker (the Exif one inside a
/// valid TIFF, so inspection reads it); image data is a pattern that names
/// the item and extent, so kept data can be found in the output.
fn payload(kind: &Kind, item: usize, extent: usize, len: usize) -> Vec<u8> {
    let body: Vec<u8> = match kind {
        Kind::Exif => {
            let mut t = vec![0, 0, 0, 6];
            t.extend_from_slice(b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01");
            t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 16, 0, 0, 0, 26, 0, 0, 0, 0]);
            t.extend_from_slice(SECRET);
            t
        }
        Kind::Xmp => [b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>".as_slice(), SECRET, b"</x:xmpmeta>"].concat(),
        k if k.metadata() => SECRET.to_vec(),
        _ => (0..len.max(1))
            .map(|i| (item as u8).wrapping_mul(31) ^ (extent as u8).wrapping_mul(7) ^ (i as u8))
            .collect(),
    };
    if kind.metadata() {
        // Every extent holds the whole payload at least once, marker included.
        let min = body.len();
        body.into_iter().cycle().take(len.max(min)).collect()
    } else {
        body
    }
}

struct Built {
    file: Vec<u8>,
    /// The primary image's extents, when its layout is honest (offsets and
    /// lengths written, nothing moved or flipped) and it is an image.
    primary_extents: Vec<Vec<u8>>,
}

fn build(spec: &Spec) -> Option<Built> {
    let items: Vec<&ItemSpec> = spec.items.iter().take(12).collect();
    if items.is_empty() {
        return None;
    }
    let id = |i: usize| (i + 1) as u32;
    let primary = usize::from(spec.primary) % items.len();
    let version = spec.iloc_version % 3;
    let (os, ls, bs) = (field_size(spec.offset_size), field_size(spec.length_size), field_size(spec.base_size));
    let is = if version > 0 { field_size(spec.index_size) } else { 0 };
    let data: Vec<Vec<Vec<u8>>> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let lens: Vec<u8> =
                if it.extents.is_empty() { vec![24] } else { it.extents.iter().take(4).copied().collect() };
            lens.iter().enumerate().map(|(e, &n)| payload(&it.kind, i, e, usize::from(n))).collect()
        })
        .collect();
    let in_idat = |i: usize| version > 0 && items[i].idat;

    let brand: [u8; 4] = if spec.avif { *b"avif" } else { *b"heic" };
    let ftyp = bx(b"ftyp", &[brand.as_slice(), &[0; 4], b"mif1", &brand, b"miaf"].concat());
    let extra_top: Vec<u8> = spec.extra_top.iter().take(3).flat_map(Extra::build).collect();
    let mdat_payload: Vec<u8> = (0..items.len()).filter(|&i| !in_idat(i)).flat_map(|i| data[i].concat()).collect();
    let idat_payload: Vec<u8> = (0..items.len()).filter(|&i| in_idat(i)).flat_map(|i| data[i].concat()).collect();
    let mdat_header: Vec<u8> = match spec.mdat {
        MdatSize::Normal => [&((mdat_payload.len() + 8) as u32).to_be_bytes()[..], b"mdat"].concat(),
        MdatSize::Large => {
            [&1u32.to_be_bytes()[..], b"mdat", &((mdat_payload.len() + 16) as u64).to_be_bytes()].concat()
        }
        // A size-0 box must be last; after meta it is not, so it is written as a normal one.
        MdatSize::ToEnd if !spec.mdat_first => [&0u32.to_be_bytes()[..], b"mdat"].concat(),
        MdatSize::ToEnd => [&((mdat_payload.len() + 8) as u32).to_be_bytes()[..], b"mdat"].concat(),
    };

    let meta = |mdat_data_start: usize| -> Vec<u8> {
        let idf = |v: u32, wide: bool| if wide { v.to_be_bytes().to_vec() } else { (v as u16).to_be_bytes().to_vec() };
        let mut body = full(b"hdlr", 0, 0, &[&[0u8; 4][..], b"pict", &[0; 12], b"\0"].concat());
        body.extend(full(b"pitm", 0, 0, &idf(id(primary), false)));
        let mut iinf = (items.len() as u16).to_be_bytes().to_vec();
        for (i, it) in items.iter().enumerate() {
            let mut e = idf(id(i), spec.infe_v3);
            e.extend_from_slice(&[0, 0]);
            e.extend_from_slice(&it.kind.code());
            e.push(0);
            if !it.kind.content_type().is_empty() {
                e.extend_from_slice(it.kind.content_type().as_bytes());
                e.push(0);
            }
            if matches!(it.kind, Kind::Uri) {
                e.extend_from_slice(b"urn:c2pa\0");
            }
            iinf.extend(full(b"infe", if spec.infe_v3 { 3 } else { 2 }, u32::from(it.hidden), &e));
        }
        body.extend(full(b"iinf", 0, 0, &iinf));

        let mut iloc = vec![((os << 4) | ls) as u8, ((bs << 4) | is) as u8];
        let count_size = if version < 2 { 2 } else { 4 };
        iloc.extend(uint(count_size, items.len() as u64));
        let (mut mdat_pos, mut idat_pos) = (mdat_data_start as u64, 0u64);
        let mut extent_no = 0usize;
        for i in 0..items.len() {
            iloc.extend(uint(count_size, u64::from(id(i))));
            if version > 0 {
                iloc.extend(uint(2, u64::from(in_idat(i))));
            }
            iloc.extend_from_slice(&[0, 0]);
            let pos = if in_idat(i) { &mut idat_pos } else { &mut mdat_pos };
            let base = if bs > 0 { *pos } else { 0 };
            iloc.extend(uint(bs, base));
            iloc.extend(uint(2, data[i].len() as u64));
            for extent in &data[i] {
                if version > 0 {
                    iloc.extend(uint(is, 0));
                }
                let mut offset = *pos - base;
                if let Some((which, delta)) = spec.nudge {
                    if usize::from(which) == extent_no {
                        offset = offset.wrapping_add_signed(i64::from(delta));
                    }
                }
                iloc.extend(uint(os, offset));
                // A 0-byte length field means "to the end of the file"; only right for the last extent.
                iloc.extend(uint(ls, extent.len() as u64));
                *pos += extent.len() as u64;
                extent_no += 1;
            }
        }
        body.extend(full(b"iloc", version, 0, &iloc));

        let refs: Vec<&RefSpec> = spec.refs.iter().take(8).collect();
        if !refs.is_empty() {
            let mut iref = Vec::new();
            for r in refs {
                let code = match &r.kind {
                    RefKind::Thmb => *b"thmb",
                    RefKind::Cdsc => *b"cdsc",
                    RefKind::Auxl => *b"auxl",
                    RefKind::Dimg => *b"dimg",
                    RefKind::Prem => *b"prem",
                    RefKind::Base => *b"base",
                    RefKind::Other(c) => *c,
                };
                let to: Vec<u8> = r.to.iter().take(6).copied().collect();
                let mut b = idf(u32::from(r.from % 14), spec.iref_large);
                b.extend_from_slice(&(to.len() as u16).to_be_bytes());
                for t in to {
                    b.extend(idf(u32::from(t % 14), spec.iref_large));
                }
                iref.extend(bx(&code, &b));
            }
            body.extend(full(b"iref", u8::from(spec.iref_large), 0, &iref));
        }

        let ipco: Vec<u8> = spec.props.iter().take(16).flat_map(PropSpec::build).collect();
        let with_props: Vec<usize> = (0..items.len()).filter(|&i| !items[i].props.is_empty()).collect();
        let mut ipma = (with_props.len() as u32).to_be_bytes().to_vec();
        for &i in &with_props {
            ipma.extend(idf(id(i), spec.ipma_large_ids));
            let assoc: Vec<&(u8, bool)> = items[i].props.iter().take(8).collect();
            ipma.push(assoc.len() as u8);
            for &&(index, essential) in &assoc {
                if spec.ipma_wide_index {
                    ipma.extend_from_slice(&((u16::from(essential) << 15) | u16::from(index)).to_be_bytes());
                } else {
                    ipma.push((u8::from(essential) << 7) | (index & 0x7F));
                }
            }
        }
        let flags = u32::from(spec.ipma_wide_index);
        body.extend(bx(
            b"iprp",
            &[bx(b"ipco", &ipco), full(b"ipma", u8::from(spec.ipma_large_ids), flags, &ipma)].concat(),
        ));
        if !idat_payload.is_empty() {
            body.extend(bx(b"idat", &idat_payload));
        }
        body.extend(spec.extra_meta.iter().take(3).flat_map(Extra::build));
        full(b"meta", 0, 0, &body)
    };

    let meta_len = meta(0).len();
    let before_mdat = ftyp.len() + extra_top.len() + if spec.mdat_first { 0 } else { meta_len };
    let meta = meta(before_mdat + mdat_header.len());
    let mut file = [ftyp, extra_top].concat();
    if spec.mdat_first {
        file.extend_from_slice(&mdat_header);
        file.extend_from_slice(&mdat_payload);
        file.extend_from_slice(&meta);
    } else {
        file.extend_from_slice(&meta);
        file.extend_from_slice(&mdat_header);
        file.extend_from_slice(&mdat_payload);
    }
    if let Some((at, xor)) = spec.flip {
        let len = file.len();
        file[usize::from(at) % len] ^= xor;
    }
    let honest = spec.flip.is_none() && spec.nudge.is_none() && (os > 0 || bs > 0) && ls > 0;
    let primary_extents = if honest && !items[primary].kind.metadata() { data[primary].clone() } else { Vec::new() };
    Some(Built { file, primary_extents })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|spec: Spec| {
    let Some(built) = build(&spec) else { return };
    for policy in [Policy::default(), Policy::strict()] {
        let Ok(cleaned) = clean(&built.file, &policy) else { continue };
        assert!(!contains(&cleaned.data, SECRET), "a metadata payload survived cleaning");
        let report = inspect(&cleaned.data).expect("cleaned output parses");
        assert!(report.findings.iter().all(|f| f.category == Category::Display), "{:?}", report.findings);
        let again = clean(&cleaned.data, &policy).expect("cleaned output cleans again");
        assert_eq!(again.data, cleaned.data, "cleaning is idempotent");
        for extent in built.primary_extents.iter().filter(|e| e.len() >= 4) {
            assert!(contains(&cleaned.data, extent), "the primary image's data changed");
        }
    }
    // The converter's decode in bands (two workers): whatever the grid's references and
    // sizes claim, an error or the whole decode's very pixels, never a panic.
    if !spec.avif {
        let bands: Vec<_> = (0..2).map(|index| decode_upright_band(&built.file, index, 2)).collect();
        if let [Ok(UprightBand::Rows(top)), Ok(UprightBand::Rows(bottom))] = &bands[..] {
            if let (Ok(joined), Ok(whole)) =
                (join_upright_bands(&built.file, vec![top.clone(), bottom.clone()]), decode_upright(&built.file))
            {
                assert!(joined.rgba == whole.rgba && joined.width == whole.width, "bands joined differ from the whole");
                // Their picture, each band's rows coloured by its worker: the whole's picture.
                let screens: Option<Vec<Vec<u8>>> = [top, bottom]
                    .iter()
                    .map(|rows| screen_rows(&built.file, rows).ok().map(|screen| screen.unwrap_or_else(|| rows.to_vec())))
                    .collect();
                if let (Some(screens), Ok(expected)) = (screens, screen_picture(&built.file, &whole)) {
                    let picture = screen_picture_of_bands(&built.file, screens).expect("the bands' picture");
                    assert!(picture == expected, "the bands' picture differs from the whole's");
                }
            }
        }
        // The list's picture from a stored thumbnail (`thmb`): whatever it claims, a
        // picture within the size asked, nothing, or an error; never a panic.
        if let Ok(Some(bmp)) = list_picture(&built.file, 112, false) {
            let side = |at: usize| i32::from_le_bytes(bmp[at..at + 4].try_into().unwrap()).unsigned_abs();
            assert!((1..=112).contains(&side(18)) && (1..=112).contains(&side(22)), "a list picture too large");
        }
    }
});
