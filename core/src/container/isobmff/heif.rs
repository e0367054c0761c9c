//! HEIF (ISO/IEC 23008-12) and AVIF as a model: the top-level boxes, and in
//! `meta` the items (`iinf`/`infe`), where their bytes are (`iloc`, `idat`),
//! how they relate (`iref`, `grpl`) and their properties (`iprp`). Parsing
//! validates every box the cleaner reads or rewrites; a box it only copies or
//! drops is checked no further than its size.

use std::collections::HashMap;
use std::ops::Range;

use super::boxes::{name, BoxHeader, Fields, FourCc, Walker};
use super::iloc::{self, Location};
use super::props::{self, Association, Property};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::{MAX_ITEMS, MAX_REFERENCES};

/// A validated HEIF or AVIF file.
#[derive(Debug, Clone)]
pub(crate) struct Heif {
    pub format: &'static str,
    pub top: Vec<BoxHeader>,
    /// Index of `meta` in `top`.
    pub meta_index: usize,
    pub meta: Meta,
}

#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub header: BoxHeader,
    pub children: Vec<BoxHeader>,
    pub primary: u32,
    /// The handler's name (`hdlr`): usually the writing software.
    pub handler_name: Range<usize>,
    /// In `iinf` order.
    pub items: Vec<Item>,
    /// In `iloc` order: entries for items `iinf` does not list included.
    pub locations: Vec<Location>,
    /// In `iref` order.
    pub references: Vec<Reference>,
    pub properties: Vec<Property>,
    /// In `ipma` order (several `ipma` boxes are concatenated).
    pub associations: Vec<Association>,
    /// The body of `idat`.
    pub idat: Option<Range<usize>>,
    /// Entity groups (`grpl` children).
    pub groups: Vec<Group>,
    /// Whether `dinf` only says "the data is in this file" (no URL string).
    pub dinf_self_contained: bool,
    /// Lookups by item id, so that no question about an item costs a scan.
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    items: HashMap<u32, usize>,
    locations: HashMap<u32, usize>,
    associations: HashMap<u32, Vec<usize>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub id: u32,
    pub item_type: FourCc,
    /// The `infe` version (2 or 3 for typed items).
    pub version: u8,
    pub hidden: bool,
    /// The `infe` box.
    pub infe: Range<usize>,
    /// The item's name, which writers fill with anything from "Color" to a
    /// file name.
    pub name: Range<usize>,
    /// A `mime` item's content type; a `uri ` item's URI type.
    pub content_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub kind: FourCc,
    pub from: u32,
    pub to: Vec<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub header: BoxHeader,
    pub entities: Vec<u32>,
}

impl Item {
    pub fn is_image(&self) -> bool {
        !matches!(&self.item_type, b"Exif" | b"mime" | b"uri " | b"xml ")
    }
}

impl Meta {
    pub fn item(&self, id: u32) -> Option<&Item> {
        self.items.get(*self.index.items.get(&id)?)
    }
    pub fn location(&self, id: u32) -> Option<&Location> {
        self.locations.get(*self.index.locations.get(&id)?)
    }
    /// An item's property associations: 1-based `ipco` indexes (0: none)
    /// with their essential bit.
    pub fn properties_of(&self, id: u32) -> impl Iterator<Item = &(u16, bool)> {
        let associations = self.index.associations.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        associations.iter().filter_map(|&i| self.associations.get(i)).flat_map(|a| &a.entries)
    }
}

/// Image sequences keep their pictures in tracks (`moov`), which the cleaner
/// does not rewrite yet.
fn sequence_error(format: &'static str, at: usize) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("this {format} is an image sequence (animation or burst in a 'moov' track); cleaning sequences is not supported yet"),
    )
    .in_format(format)
    .at(at)
}

pub(crate) fn parse(data: &[u8], format: &'static str) -> Result<Heif> {
    let mut walker = Walker::new(data, format);
    let top = walker.top_level()?;
    if top.first().map(|b| b.fourcc) != Some(*b"ftyp") {
        return Err(Error::corrupt(format, 0, "the file does not start with an 'ftyp' box"));
    }
    if let Some(moov) = top.iter().find(|b| b.is(b"moov")) {
        return Err(sequence_error(format, moov.start));
    }
    let mut metas = top.iter().enumerate().filter(|(_, b)| b.is(b"meta"));
    let (meta_index, meta_box) =
        metas.next().ok_or_else(|| Error::corrupt(format, 0, "no 'meta' box: the file holds no image items"))?;
    if let Some((_, second)) = metas.next() {
        return Err(Error::corrupt(format, second.start, "a second top-level 'meta' box"));
    }
    let meta = parse_meta(&mut walker, meta_box.clone())?;
    let mdats: Vec<Range<usize>> = top.iter().filter(|b| b.is(b"mdat")).map(|b| b.body.clone()).collect();
    check_extents(&meta, &mdats, format)?;
    Ok(Heif { format, top, meta_index, meta })
}

fn parse_meta(walker: &mut Walker, header: BoxHeader) -> Result<Meta> {
    let (data, format) = (walker.data, walker.format);
    let (version, _) = Fields::new(data, format, &header).full_box()?;
    if version != 0 {
        return Err(Error::corrupt(format, header.start, format!("'meta' box version {version} is not 0")));
    }
    let children = walker.children(&header, 4)?;
    let once = |fourcc: &FourCc| -> Result<Option<&BoxHeader>> {
        let mut found = children.iter().filter(|c| c.is(fourcc));
        let first = found.next();
        match found.next() {
            Some(dup) => Err(Error::corrupt(format, dup.start, format!("a second {} box in 'meta'", name(fourcc)))),
            None => Ok(first),
        }
    };
    let hdlr = once(b"hdlr")?.ok_or_else(|| Error::corrupt(format, header.start, "'meta' has no 'hdlr' box"))?;
    let (handler, handler_name) = {
        let mut f = Fields::new(data, format, hdlr);
        f.full_box()?;
        f.u32()?;
        let handler = f.fourcc()?;
        // Twelve reserved bytes, then the name (some writers stop short).
        let name = if f.remaining() > 12 {
            f.bytes(12)?;
            let start = f.pos();
            start..start + f.string()?.len()
        } else {
            0..0
        };
        (handler, name)
    };
    if &handler != b"pict" {
        return Err(Error::corrupt(
            format,
            hdlr.start,
            format!("the 'meta' handler is {}, not 'pict': this is not an image", name(&handler)),
        ));
    }
    let pitm = once(b"pitm")?.ok_or_else(|| Error::corrupt(format, header.start, "no primary item ('pitm')"))?;
    let primary = {
        let mut f = Fields::new(data, format, pitm);
        let (v, _) = f.full_box()?;
        if v == 0 {
            u32::from(f.u16()?)
        } else {
            f.u32()?
        }
    };
    let iinf = once(b"iinf")?.ok_or_else(|| Error::corrupt(format, header.start, "no item list ('iinf')"))?;
    let items = parse_iinf(walker, iinf)?;
    let idat = once(b"idat")?.map(|b| b.body.clone());
    let locations = match once(b"iloc")? {
        Some(b) => iloc::parse(data, format, b, idat.clone())?,
        None => Vec::new(),
    };
    let iref = once(b"iref")?;
    let references = match iref {
        Some(b) => parse_iref(walker, b)?,
        None => Vec::new(),
    };
    let (properties, associations) = match once(b"iprp")? {
        Some(b) => props::parse(walker, b)?,
        None => (Vec::new(), Vec::new()),
    };
    let groups = match once(b"grpl")? {
        Some(b) => parse_grpl(walker, b)?,
        None => Vec::new(),
    };
    let dinf_self_contained = match once(b"dinf")? {
        Some(b) => self_contained(walker, b)?,
        None => true,
    };
    let meta = Meta {
        header,
        children: children.clone(),
        primary,
        handler_name,
        items,
        locations,
        references,
        properties,
        associations,
        idat,
        groups,
        dinf_self_contained,
        index: Index::default(),
    };
    index(meta, format)
}

fn parse_iinf(walker: &mut Walker, iinf: &BoxHeader) -> Result<Vec<Item>> {
    let (data, format) = (walker.data, walker.format);
    let mut f = Fields::new(data, format, iinf);
    let (version, _) = f.full_box()?;
    let declared = if version == 0 { u64::from(f.u16()?) } else { u64::from(f.u32()?) };
    if declared > MAX_ITEMS as u64 {
        return Err(
            Error::limit(format, format!("'iinf' declares {declared} items; the limit is {MAX_ITEMS}")).at(iinf.start)
        );
    }
    let skip = f.pos() - iinf.body.start;
    let mut items = Vec::new();
    for child in walker.children(iinf, skip)? {
        if !child.is(b"infe") {
            continue;
        }
        if items.len() >= MAX_ITEMS {
            return Err(Error::limit(format, format!("more than {MAX_ITEMS} items")).at(child.start));
        }
        items.push(parse_infe(data, format, &child)?);
    }
    Ok(items)
}

fn parse_infe(data: &[u8], format: &'static str, infe: &BoxHeader) -> Result<Item> {
    let mut f = Fields::new(data, format, infe);
    let (version, flags) = f.full_box()?;
    let (id, protection, item_type) = match version {
        // Versions 0 and 1 predate item types: such items are MIME-typed data.
        0 | 1 => (u32::from(f.u16()?), f.u16()?, *b"mime"),
        2 => (u32::from(f.u16()?), f.u16()?, f.fourcc()?),
        3 => (f.u32()?, f.u16()?, f.fourcc()?),
        v => return Err(f.error(format!("version {v} is not 0 to 3"))),
    };
    if protection != 0 {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("item {id} is encrypted ('ipro'); cleaning protected items is not supported"),
        )
        .in_format(format)
        .at(infe.start));
    }
    let name_start = f.pos();
    let name = name_start..name_start + f.string()?.len();
    let content_type = match &item_type {
        b"mime" | b"uri " if f.remaining() > 0 => String::from_utf8_lossy(f.string()?).into_owned(),
        _ => String::new(),
    };
    Ok(Item { id, item_type, version, hidden: flags & 1 == 1, infe: infe.range(), name, content_type })
}

fn parse_iref(walker: &mut Walker, iref: &BoxHeader) -> Result<Vec<Reference>> {
    let (data, format) = (walker.data, walker.format);
    let (version, _) = Fields::new(data, format, iref).full_box()?;
    // Version 1 ("large ids") stores 32-bit item ids.
    let id_size = match version {
        0 => 2,
        1 => 4,
        v => return Err(Error::corrupt(format, iref.start, format!("'iref' version {v} is not 0 or 1"))),
    };
    let mut references = Vec::new();
    let mut total = 0usize;
    for child in walker.children(iref, 4)? {
        let mut f = Fields::new(data, format, &child);
        let from = f.uint(id_size)? as u32;
        let count = f.u16()?;
        let mut to = Vec::new();
        for _ in 0..count {
            total += 1;
            if total > MAX_REFERENCES {
                return Err(Error::limit(format, format!("more than {MAX_REFERENCES} item references")).at(f.pos()));
            }
            to.push(f.uint(id_size)? as u32);
        }
        references.push(Reference { kind: child.fourcc, from, to });
    }
    Ok(references)
}

fn parse_grpl(walker: &mut Walker, grpl: &BoxHeader) -> Result<Vec<Group>> {
    let (data, format) = (walker.data, walker.format);
    let mut groups = Vec::new();
    let mut total = 0usize;
    for child in walker.children(grpl, 0)? {
        let mut f = Fields::new(data, format, &child);
        f.full_box()?;
        let _group_id = f.u32()?;
        let count = f.u32()?;
        let mut entities = Vec::new();
        for _ in 0..count {
            total += 1;
            if total > MAX_REFERENCES {
                return Err(Error::limit(format, format!("more than {MAX_REFERENCES} group entries")).at(f.pos()));
            }
            entities.push(f.u32()?);
        }
        groups.push(Group { header: child, entities });
    }
    Ok(groups)
}

/// `dinf` > `dref` whose every entry is a `url ` or `urn ` with the
/// "self-contained" flag and no text.
fn self_contained(walker: &mut Walker, dinf: &BoxHeader) -> Result<bool> {
    let data = walker.data;
    for dref in walker.children(dinf, 0)? {
        if !dref.is(b"dref") {
            return Ok(false);
        }
        for entry in walker.children(&dref, 8)? {
            let flags = Fields::new(data, walker.format, &entry).full_box()?.1;
            if !(entry.is(b"url ") || entry.is(b"urn ")) || flags & 1 == 0 || entry.body.len() > 4 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Indexes the items, checking that ids are unique, that each item has at
/// most one location, and that the primary item exists and is an image.
fn index(mut meta: Meta, format: &'static str) -> Result<Meta> {
    let mut index = Index::default();
    for (i, item) in meta.items.iter().enumerate() {
        if index.items.insert(item.id, i).is_some() {
            return Err(Error::corrupt(format, item.infe.start, format!("item id {} is used twice", item.id)));
        }
    }
    for (i, loc) in meta.locations.iter().enumerate() {
        if index.locations.insert(loc.item, i).is_some() {
            return Err(Error::corrupt(format, meta.header.start, format!("item {} has two 'iloc' entries", loc.item)));
        }
    }
    for (i, a) in meta.associations.iter().enumerate() {
        index.associations.entry(a.item).or_default().push(i);
    }
    meta.index = index;
    match meta.item(meta.primary) {
        None => Err(Error::corrupt(
            format,
            meta.header.start,
            format!("the primary item {} is not in the item list", meta.primary),
        )),
        Some(item) if !item.is_image() => Err(Error::corrupt(
            format,
            item.infe.start,
            format!("the primary item {} is {}, not an image", item.id, name(&item.item_type)),
        )),
        Some(_) => Ok(meta),
    }
}

/// Item data lies in an `mdat` (construction method 0) or in `idat`
/// (method 1, checked by the `iloc` reader), and no two extents overlap: one
/// item's bytes are never another's.
fn check_extents(meta: &Meta, mdats: &[Range<usize>], format: &'static str) -> Result<()> {
    let mut all: Vec<(Range<usize>, u32)> = Vec::new();
    for loc in &meta.locations {
        for extent in &loc.extents {
            if loc.method == 0 && !mdats.iter().any(|m| m.start <= extent.start && extent.end <= m.end) {
                return Err(Error::corrupt(
                    format,
                    extent.start,
                    format!(
                        "item {}'s data (bytes {}..{}) is not inside an 'mdat' box",
                        loc.item, extent.start, extent.end
                    ),
                ));
            }
            all.push((extent.clone(), loc.item));
        }
    }
    all.sort_by_key(|(r, _)| (r.start, r.end));
    for pair in all.windows(2) {
        let ((a, ia), (b, ib)) = (&pair[0], &pair[1]);
        if b.start < a.end {
            return Err(Error::corrupt(
                format,
                b.start,
                format!("the data of items {ia} and {ib} overlap (bytes {}..{})", b.start, a.end.min(b.end)),
            ));
        }
    }
    Ok(())
}
