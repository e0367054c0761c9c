//! Item properties: `iprp` holds the properties (`ipco`) and which items use
//! them (`ipma`, in either layout: 7-bit indexes, or 15-bit when flags & 1).
//! Each property is sorted into what it does: needed to decode or show an
//! image, descriptive metadata, or unknown.

use std::ops::Range;

use super::boxes::codes::*;
use super::boxes::{code, codes_of, corrupt, limit, BoxHeader, Fields, Result, Walker};
use crate::limits::{MAX_PROPERTIES, MAX_REFERENCES};

#[derive(Debug, Clone)]
pub(crate) struct Property {
    pub header: BoxHeader,
    pub info: Info,
}

/// What a property is, as far as cleaning and inspection care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Info {
    /// `colr` with an ICC profile (`prof`, `rICC`): the profile's bytes.
    Profile(Range<usize>),
    /// `colr` with coded colour parameters (`nclx`): primaries, transfer,
    /// matrix, full range.
    Nclx(u16, u16, u16, bool),
    /// `auxC`: the auxiliary image's type (a URN).
    Auxiliary(String),
    /// `irot`: anticlockwise quarter turns.
    Rotation(u8),
    /// `imir`: the mirroring axis.
    Mirror(u8),
    /// `ispe`: width and height.
    Size(u32, u32),
    /// Another property needed to decode or show the image.
    Display,
    /// Describes the picture or its making (plain-language name).
    Metadata(&'static str),
    Unknown,
}

/// An item's properties: 1-based indexes into `ipco` (0: none), each with
/// its "essential" bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Association {
    pub item: u32,
    pub entries: Vec<(u16, bool)>,
}

/// Properties that change how the picture is decoded or shown: codec
/// configurations, colour, geometry, alpha and layer selection, HDR
/// parameters, uncompressed-image layout.
const DISPLAY: &[u32] = &codes_of([
    b"hvcC", b"av1C", b"vvcC", b"avcC", b"jpgC", b"j2kH", b"lhvC", b"oinf", b"tols", b"pixi", b"pasp", b"clap",
    b"rloc", b"a1op", b"a1lx", b"lsel", b"clli", b"mdcv", b"cclv", b"amve", b"reve", b"ndwt", b"cmin", b"cmex",
    b"uncC", b"cmpd", b"cpal", b"cpat", b"splz", b"sbpm", b"snuc", b"cloc", b"iscl", b"ccst", b"rrtp", b"colr",
    b"auxC", b"irot", b"imir", b"ispe",
]);

/// Properties that describe the picture or its making rather than show it.
fn metadata(fourcc: u32) -> Option<&'static str> {
    Some(match fourcc {
        UDES => "User description (name, description, tags)",
        ALTT => "Accessibility text",
        CRTT => "Creation time",
        MDFT => "Modification time",
        ITAI => "Capture timestamp (TAI)",
        GIMI => "Content identifier",
        _ => return None,
    })
}

/// Reads `iprp` into `properties` and `associations`; true if it held a box besides
/// `ipco` and `ipma`, which the writer leaves out.
pub(crate) fn parse(
    walker: &mut Walker,
    iprp: &BoxHeader,
    properties: &mut Vec<Property>,
    associations: &mut Vec<Association>,
) -> Result<bool> {
    let (data, format) = (walker.data, walker.format);
    let children = walker.children(iprp, 0)?;
    let mut ipcos = children.iter().filter(|c| c.is(b"ipco"));
    let ipco = ipcos.next().ok_or_else(|| corrupt(format, iprp.start, format_args!("'iprp' has no 'ipco' box")))?;
    if let Some(second) = ipcos.next() {
        return Err(corrupt(format, second.start, format_args!("a second 'ipco' box")));
    }
    let boxes = walker.children(ipco, 0)?;
    if boxes.len() > MAX_PROPERTIES {
        return Err(limit(format, ipco.start, format_args!("more than {MAX_PROPERTIES} item properties")));
    }
    for b in boxes {
        properties.push(classify(data, format, b)?);
    }
    let mut total = 0usize;
    for ipma in children.iter().filter(|c| c.is(b"ipma")) {
        let mut f = Fields::new(data, format, ipma);
        let (version, flags) = f.full_box()?;
        let count = f.u32()?;
        for _ in 0..count {
            let item = if version < 1 { u32::from(f.u16()?) } else { f.u32()? };
            let n = f.u8()?;
            let mut entries = Vec::new();
            for _ in 0..n {
                total += 1;
                if total > MAX_REFERENCES {
                    return Err(limit(
                        format,
                        f.pos(),
                        format_args!("more than {MAX_REFERENCES} property associations"),
                    ));
                }
                let (essential, index) = if flags & 1 == 1 {
                    let v = f.u16()?;
                    (v & 0x8000 != 0, v & 0x7FFF)
                } else {
                    let v = f.u8()?;
                    (v & 0x80 != 0, u16::from(v & 0x7F))
                };
                if usize::from(index) > properties.len() {
                    return Err(
                        f.error(format_args!("item {item} uses property {index}; 'ipco' has {}", properties.len()))
                    );
                }
                entries.push((index, essential));
            }
            associations.push(Association { item, entries });
        }
    }
    Ok(children.iter().any(|c| !c.is(b"ipco") && !c.is(b"ipma")))
}

fn classify(data: &[u8], format: &'static str, header: BoxHeader) -> Result<Property> {
    let mut f = Fields::new(data, format, &header);
    let info = match code(&header.fourcc) {
        COLR => match code(&f.fourcc()?) {
            PROF | RICC => Info::Profile(f.pos()..header.end()),
            NCLX => {
                let (p, t, m) = (f.u16()?, f.u16()?, f.u16()?);
                Info::Nclx(p, t, m, f.u8()? & 0x80 != 0)
            }
            // HEIF knows no other kind: what it holds is read by no decoder.
            _ => Info::Unknown,
        },
        AUXC => {
            f.full_box()?;
            Info::Auxiliary(String::from_utf8_lossy(f.string()?).into_owned())
        }
        IROT => Info::Rotation(f.u8()? & 3),
        IMIR => Info::Mirror(f.u8()? & 1),
        ISPE => {
            f.full_box()?;
            Info::Size(f.u32()?, f.u32()?)
        }
        fourcc if DISPLAY.contains(&fourcc) => Info::Display,
        fourcc => match metadata(fourcc) {
            Some(label) => Info::Metadata(label),
            None => Info::Unknown,
        },
    };
    // These are kept, so only as their fields make them: bytes past those are read by
    // no decoder and would pass unread (a read-only review); turning or sizing a picture
    // by a damaged box is not guessed at either.
    let exact = match &info {
        Info::Nclx(..) => Some(19),
        Info::Rotation(_) | Info::Mirror(_) => Some(9),
        Info::Size(..) => Some(20),
        // AV1's alpha has no subtype (HEVC's may carry its SEI there): nothing follows its name.
        Info::Auxiliary(urn) if urn == AV1_ALPHA => Some(12 + AV1_ALPHA.len() + 1),
        // And those kept to show the picture whose fields have one size (a review kept text
        // after a crop's, an aspect ratio's, a pixel depth's fields).
        Info::Display => {
            // A byte of the body (0 past its end: the size then does not match).
            let byte = |at: usize| usize::from(data.get(header.body.start + at).copied().unwrap_or(0));
            match code(&header.fourcc) {
                CLAP => Some(8 + 32),
                PASP => Some(8 + 8),
                A1OP => Some(8 + 1),
                LSEL => Some(8 + 2),
                CLLI => Some(8 + 4),
                MDCV => Some(8 + 24),
                A1LX => Some(8 + 1 + if byte(0) & 1 == 1 { 12 } else { 6 }),
                // Version 0: a channel count, then a depth for each.
                PIXI if byte(0) == 0 => Some(12 + 1 + byte(4)),
                _ => None,
            }
        }
        _ => None,
    };
    if exact.is_some_and(|size| header.range().len() != size) {
        return Err(corrupt(format, header.start, format_args!("{} property longer than its fields", header.name())));
    }
    Ok(Property { header, info })
}

const AV1_ALPHA: &str = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";
