//! Item properties: `iprp` holds the properties (`ipco`) and which items use
//! them (`ipma`, in either layout: 7-bit indexes, or 15-bit when flags & 1).
//! Each property is sorted into what it does: needed to decode or show an
//! image, descriptive metadata, or unknown.

use std::ops::Range;

use super::boxes::{finish_box, start_box, start_full_box, BoxHeader, Fields, FourCc, Walker};
use crate::error::{Error, Result};
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
const DISPLAY: &[&FourCc] = &[
    b"hvcC", b"av1C", b"vvcC", b"avcC", b"jpgC", b"j2kH", b"lhvC", b"oinf", b"tols", b"pixi", b"pasp", b"clap",
    b"rloc", b"a1op", b"a1lx", b"lsel", b"clli", b"mdcv", b"cclv", b"amve", b"reve", b"ndwt", b"cmin", b"cmex",
    b"uncC", b"cmpd", b"cpal", b"cpat", b"splz", b"sbpm", b"snuc", b"cloc", b"iscl", b"ccst", b"rrtp", b"colr",
    b"auxC", b"irot", b"imir", b"ispe",
];

/// Properties that describe the picture or its making rather than show it.
fn metadata(fourcc: &FourCc) -> Option<&'static str> {
    Some(match fourcc {
        b"udes" => "User description (name, description, tags)",
        b"altt" => "Accessibility text",
        b"crtt" => "Creation time",
        b"mdft" => "Modification time",
        b"itai" => "Capture timestamp (TAI)",
        b"gimi" => "Content identifier",
        _ => return None,
    })
}

pub(crate) fn parse(walker: &mut Walker, iprp: &BoxHeader) -> Result<(Vec<Property>, Vec<Association>)> {
    let (data, format) = (walker.data, walker.format);
    let children = walker.children(iprp, 0)?;
    let mut ipcos = children.iter().filter(|c| c.is(b"ipco"));
    let ipco = ipcos.next().ok_or_else(|| Error::corrupt(format, iprp.start, "'iprp' has no 'ipco' box"))?;
    if let Some(second) = ipcos.next() {
        return Err(Error::corrupt(format, second.start, "a second 'ipco' box"));
    }
    let boxes = walker.children(ipco, 0)?;
    if boxes.len() > MAX_PROPERTIES {
        return Err(Error::limit(format, format!("more than {MAX_PROPERTIES} item properties")).at(ipco.start));
    }
    let properties = boxes.into_iter().map(|b| classify(data, format, b)).collect::<Result<Vec<_>>>()?;
    let mut associations = Vec::new();
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
                    return Err(
                        Error::limit(format, format!("more than {MAX_REFERENCES} property associations")).at(f.pos())
                    );
                }
                let (essential, index) = if flags & 1 == 1 {
                    let v = f.u16()?;
                    (v & 0x8000 != 0, v & 0x7FFF)
                } else {
                    let v = f.u8()?;
                    (v & 0x80 != 0, u16::from(v & 0x7F))
                };
                if usize::from(index) > properties.len() {
                    return Err(f.error(format!("item {item} uses property {index}; 'ipco' has {}", properties.len())));
                }
                entries.push((index, essential));
            }
            associations.push(Association { item, entries });
        }
    }
    Ok((properties, associations))
}

fn classify(data: &[u8], format: &'static str, header: BoxHeader) -> Result<Property> {
    let mut f = Fields::new(data, format, &header);
    let info = match &header.fourcc {
        b"colr" => match &f.fourcc()? {
            b"prof" | b"rICC" => Info::Profile(f.pos()..header.end()),
            b"nclx" => {
                let (p, t, m) = (f.u16()?, f.u16()?, f.u16()?);
                Info::Nclx(p, t, m, f.u8()? & 0x80 != 0)
            }
            _ => Info::Display,
        },
        b"auxC" => {
            f.full_box()?;
            Info::Auxiliary(String::from_utf8_lossy(f.string()?).into_owned())
        }
        b"irot" => Info::Rotation(f.u8()? & 3),
        b"imir" => Info::Mirror(f.u8()? & 1),
        b"ispe" => {
            f.full_box()?;
            Info::Size(f.u32()?, f.u32()?)
        }
        fourcc if DISPLAY.contains(&fourcc) => Info::Display,
        fourcc => match metadata(fourcc) {
            Some(label) => Info::Metadata(label),
            None => Info::Unknown,
        },
    };
    Ok(Property { header, info })
}

/// Writes `iprp` with the given properties (copied) and associations, whose
/// indexes already point into `kept`.
pub(crate) fn write(out: &mut Vec<u8>, data: &[u8], kept: &[&Property], associations: &[Association]) {
    let iprp = start_box(out, b"iprp");
    let ipco = start_box(out, b"ipco");
    for property in kept {
        out.extend_from_slice(&data[property.header.range()]);
    }
    finish_box(out, ipco);
    let big_ids = associations.iter().any(|a| a.item > u32::from(u16::MAX));
    let wide = associations.iter().flat_map(|a| &a.entries).any(|(index, _)| *index > 0x7F);
    let ipma = start_full_box(out, b"ipma", u8::from(big_ids), u32::from(wide));
    out.extend_from_slice(&(associations.len() as u32).to_be_bytes());
    for association in associations {
        if big_ids {
            out.extend_from_slice(&association.item.to_be_bytes());
        } else {
            out.extend_from_slice(&(association.item as u16).to_be_bytes());
        }
        // The parser read at most 255 entries per item.
        out.push(association.entries.len() as u8);
        for &(index, essential) in &association.entries {
            if wide {
                out.extend_from_slice(&((u16::from(essential) << 15) | index).to_be_bytes());
            } else {
                out.push((u8::from(essential) << 7) | index as u8);
            }
        }
    }
    finish_box(out, ipma);
    finish_box(out, iprp);
}
