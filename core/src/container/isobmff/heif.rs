//! HEIF (ISO/IEC 23008-12) and AVIF as a model: the top-level boxes, and in
//! `meta` the items (`iinf`/`infe`), where their bytes are (`iloc`, `idat`),
//! how they relate (`iref`, `grpl`) and their properties (`iprp`). Parsing
//! validates every box the cleaner reads or rewrites; a box it only copies or
//! drops is checked no further than its size.

use std::ops::Range;

use super::boxes::codes::{MIME, URI};
use super::boxes::{code, corrupt, ftyp_is_exact, limit, name, unsupported, BoxHeader, Fields, FourCc, Result, Walker};
use super::iloc::{self, Location};
use super::props::{self, Association, Property};
use crate::error::Error;
use crate::limits::{MAX_ITEMS, MAX_REFERENCES};
use crate::sort::sort;

/// A validated HEIF or AVIF file.
#[derive(Debug, Clone)]
pub(crate) struct Heif {
    pub format: &'static str,
    pub top: Vec<BoxHeader>,
    /// Index of `meta` in `top`.
    pub meta_index: usize,
    pub meta: Meta,
    /// Every item extent with its item, sorted by start, then end (equal
    /// ones in `iloc` order).
    pub extents: Vec<Extent>,
}

/// An item extent: start, end, item id.
pub(crate) type Extent = (usize, usize, u32);

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
    /// The reader passed over something inside a box the writer keeps (a child of
    /// `iinf` that is no `infe`, one of `iprp` besides `ipco` and `ipma`, bytes after
    /// an item's name): the file is written again even when nothing else changes, so
    /// that what was never read does not go through (see `Parsed::repair`).
    pub passed_over: bool,
    /// Lookups by item id, so that no question about an item costs a scan.
    index: Index,
}

/// Sorted lists of `id << 32 | index`: an item id with an index into
/// `items`, `locations` or `associations`.
#[derive(Debug, Clone, Default)]
struct Index {
    items: Vec<u64>,
    locations: Vec<u64>,
    associations: Vec<u64>,
}

/// The indexes filed under `key` in a sorted list of `key << 32 | index`, in
/// order.
#[inline(never)]
pub(crate) fn lookup(list: &[u64], key: u32) -> impl Iterator<Item = usize> + '_ {
    let start = list.partition_point(|&e| (e >> 32) < u64::from(key));
    list[start..].iter().take_while(move |&&e| (e >> 32) as u32 == key).map(|&e| e as u32 as usize)
}

/// Files `ids` by position: a sorted list of `id << 32 | position`, and the
/// first position whose id came before.
#[inline(never)]
pub(crate) fn index_by(ids: &mut dyn Iterator<Item = u32>) -> (Vec<u64>, Option<usize>) {
    sort_index(ids.enumerate().map(|(i, id)| u64::from(id) << 32 | i as u64).collect())
}

/// Sorts a list of `key << 32 | index` and finds the first index (in the
/// original order) whose key came before.
#[inline(never)]
pub(crate) fn sort_index(mut list: Vec<u64>) -> (Vec<u64>, Option<usize>) {
    sort(&mut list, |a, b| a <= b);
    let repeat = list.windows(2).filter(|w| w[0] >> 32 == w[1] >> 32).map(|w| w[1] as u32 as usize).min();
    (list, repeat)
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
    /// A picture of a type this version knows (coded or derived). An item of
    /// an unknown type is not one: kept as a tile or source it would carry
    /// whatever it holds through cleaning (found by the heif_structure fuzz
    /// target: an Exif item with a flipped type, named a tile of the primary).
    pub fn is_image(&self) -> bool {
        super::select::IMAGE_TYPES.contains(&code(&self.item_type))
    }
}

impl Meta {
    /// The index of item `id` in `items`.
    #[inline(never)]
    pub fn position(&self, id: u32) -> Option<usize> {
        lookup(&self.index.items, id).next()
    }
    #[inline(never)]
    pub fn item(&self, id: u32) -> Option<&Item> {
        self.items.get(self.position(id)?)
    }
    #[inline(never)]
    pub fn location(&self, id: u32) -> Option<&Location> {
        self.locations.get(lookup(&self.index.locations, id).next()?)
    }
    /// An item's property associations: 1-based `ipco` indexes (0: none)
    /// with their essential bit.
    pub fn properties_of(&self, id: u32) -> impl Iterator<Item = &(u16, bool)> {
        lookup(&self.index.associations, id).filter_map(|i| self.associations.get(i)).flat_map(|a| &a.entries)
    }
}

/// Image sequences keep their pictures in tracks (`moov`): the decoders do not read
/// them, and only the cleaner built with the video reader does (`sequence`).
#[cold]
#[inline(never)]
fn sequence_error(format: &'static str, at: usize) -> Box<Error> {
    let error = *unsupported(
        format,
        at,
        format_args!("this {format} is an image sequence (animation or burst in a 'moov' track)"),
    );
    Box::new(error.because_with(crate::error::reason::IMAGE_SEQUENCE, &[&format]))
}

pub(crate) fn parse(data: &[u8], format: &'static str) -> Result<Heif> {
    parse_top(data, format, false)
}

/// A still image or an image sequence: the model of its `meta`, with the sequence's
/// `moov` among the top-level boxes (the caller reads it: see `sequence`).
#[cfg(feature = "video")]
pub(crate) fn parse_sequence(data: &[u8], format: &'static str) -> Result<Heif> {
    parse_top(data, format, true)
}

/// Whether `data`'s top level has a `moov` box (read no further than box headers).
#[cfg(feature = "video")]
pub(crate) fn has_moov(data: &[u8], format: &'static str) -> bool {
    Walker::new(data, format).top_level().is_ok_and(|top| top.iter().any(|b| b.is(b"moov")))
}

fn parse_top(data: &[u8], format: &'static str, sequence: bool) -> Result<Heif> {
    let mut walker = Walker::new(data, format);
    let top = walker.top_level()?;
    if top.first().map(|b| b.fourcc) != Some(*b"ftyp") {
        return Err(corrupt(format, 0, format_args!("the file does not start with an 'ftyp' box")));
    }
    if let Some(ftyp) = top.iter().find(|b| b.is(b"ftyp") && !ftyp_is_exact(&data[b.body.clone()])) {
        let len = ftyp.body.len();
        return Err(corrupt(
            format,
            ftyp.start,
            format_args!("an 'ftyp' box of {len} bytes that holds more than brands"),
        ));
    }
    let mut moovs = top.iter().filter(|b| b.is(b"moov"));
    if let Some(moov) = moovs.next() {
        if !sequence {
            return Err(sequence_error(format, moov.start));
        }
        if let Some(second) = moovs.next() {
            return Err(corrupt(format, second.start, format_args!("a second 'moov' box")));
        }
    }
    let mut metas = top.iter().enumerate().filter(|(_, b)| b.is(b"meta"));
    let (meta_index, meta_box) =
        metas.next().ok_or_else(|| corrupt(format, 0, format_args!("no 'meta' box: the file holds no image items")))?;
    if let Some((_, second)) = metas.next() {
        return Err(corrupt(format, second.start, format_args!("a second top-level 'meta' box")));
    }
    let meta = parse_meta(&mut walker, meta_box.clone())?;
    let mdats: Vec<Range<usize>> = top.iter().filter(|b| b.is(b"mdat")).map(|b| b.body.clone()).collect();
    let extents = check_extents(&meta, &mdats, data, format)?;
    Ok(Heif { format, top, meta_index, meta, extents })
}

fn parse_meta(walker: &mut Walker, header: BoxHeader) -> Result<Meta> {
    let (data, format) = (walker.data, walker.format);
    let (version, _) = Fields::new(data, format, &header).full_box()?;
    if version != 0 {
        return Err(corrupt(format, header.start, format_args!("'meta' box version {version} is not 0")));
    }
    // Built up in place (the parsers below push into its lists): on an
    // error, what was read so far is dropped in one call rather than by code
    // at every `?`.
    let mut meta = Meta {
        children: walker.children(&header, 4)?,
        header,
        primary: 0,
        handler_name: 0..0,
        items: Vec::new(),
        locations: Vec::new(),
        references: Vec::new(),
        properties: Vec::new(),
        associations: Vec::new(),
        idat: None,
        groups: Vec::new(),
        dinf_self_contained: true,
        passed_over: false,
        index: Index::default(),
    };
    let header = &meta.header;
    let children = &meta.children;
    let once = |fourcc: &FourCc| -> Result<Option<&BoxHeader>> {
        let mut found = children.iter().filter(|c| c.is(fourcc));
        let first = found.next();
        match found.next() {
            Some(dup) => Err(corrupt(format, dup.start, format_args!("a second {} box in 'meta'", name(fourcc)))),
            None => Ok(first),
        }
    };
    let hdlr = once(b"hdlr")?.ok_or_else(|| corrupt(format, header.start, format_args!("'meta' has no 'hdlr' box")))?;
    let handler = {
        let mut f = Fields::new(data, format, hdlr);
        f.full_box()?;
        f.u32()?;
        let handler = f.fourcc()?;
        // Twelve reserved bytes, then the name (some writers stop short).
        if f.remaining() > 12 {
            f.bytes(12)?;
            let start = f.pos();
            meta.handler_name = start..start + f.string()?.len();
        }
        handler
    };
    if &handler != b"pict" {
        return Err(corrupt(
            format,
            hdlr.start,
            format_args!("the 'meta' handler is {}, not 'pict': this is not an image", name(&handler)),
        ));
    }
    let pitm = once(b"pitm")?.ok_or_else(|| corrupt(format, header.start, format_args!("no primary item ('pitm')")))?;
    meta.primary = {
        let mut f = Fields::new(data, format, pitm);
        let (v, _) = f.full_box()?;
        let id = if v == 0 { u32::from(f.u16()?) } else { f.u32()? };
        // Copied as it is: nothing may follow the id (a review's text did).
        if f.remaining() != 0 {
            return Err(corrupt(format, pitm.start, format_args!("'pitm' longer than its fields")));
        }
        id
    };
    let iinf = once(b"iinf")?.ok_or_else(|| corrupt(format, header.start, format_args!("no item list ('iinf')")))?;
    meta.passed_over |= parse_iinf(walker, iinf, &mut meta.items)?;
    meta.idat = once(b"idat")?.map(|b| b.body.clone());
    if let Some(b) = once(b"iloc")? {
        iloc::parse(data, format, b, meta.idat.clone(), &mut meta.locations)?;
    }
    if let Some(b) = once(b"iref")? {
        parse_iref(walker, b, &mut meta.references)?;
    }
    if let Some(b) = once(b"iprp")? {
        meta.passed_over |= props::parse(walker, b, &mut meta.properties, &mut meta.associations)?;
    }
    if let Some(b) = once(b"grpl")? {
        parse_grpl(walker, b, &mut meta.groups)?;
    }
    if let Some(b) = once(b"dinf")? {
        meta.dinf_self_contained = self_contained(walker, b)?;
    }
    index(&mut meta, format)?;
    Ok(meta)
}

/// Reads `iinf` into `items`; true if it held anything but `infe` boxes read whole.
fn parse_iinf(walker: &mut Walker, iinf: &BoxHeader, items: &mut Vec<Item>) -> Result<bool> {
    let (data, format) = (walker.data, walker.format);
    let mut f = Fields::new(data, format, iinf);
    let (version, _) = f.full_box()?;
    let declared = if version == 0 { u64::from(f.u16()?) } else { u64::from(f.u32()?) };
    if declared > MAX_ITEMS as u64 {
        return Err(limit(
            format,
            iinf.start,
            format_args!("'iinf' declares {declared} items; the limit is {MAX_ITEMS}"),
        ));
    }
    let skip = f.pos() - iinf.body.start;
    let mut passed_over = false;
    for child in walker.children(iinf, skip)? {
        if !child.is(b"infe") {
            passed_over = true;
            continue;
        }
        if items.len() >= MAX_ITEMS {
            return Err(limit(format, child.start, format_args!("more than {MAX_ITEMS} items")));
        }
        let (item, whole) = parse_infe(data, format, &child)?;
        passed_over |= !whole;
        items.push(item);
    }
    Ok(passed_over)
}

/// The item an `infe` describes, and whether its fields were all of the box.
fn parse_infe(data: &[u8], format: &'static str, infe: &BoxHeader) -> Result<(Item, bool)> {
    let mut f = Fields::new(data, format, infe);
    let (version, flags) = f.full_box()?;
    let (id, protection, item_type) = match version {
        // Versions 0 and 1 predate item types: such items are MIME-typed data.
        0 | 1 => (u32::from(f.u16()?), f.u16()?, *b"mime"),
        2 => (u32::from(f.u16()?), f.u16()?, f.fourcc()?),
        3 => (f.u32()?, f.u16()?, f.fourcc()?),
        v => return Err(f.error(format_args!("version {v} is not 0 to 3"))),
    };
    if protection != 0 {
        return Err(unsupported(
            format,
            infe.start,
            format_args!("item {id} is encrypted ('ipro'); cleaning protected items is not supported"),
        ));
    }
    let name_start = f.pos();
    let name = name_start..name_start + f.string()?.len();
    let content_type = match code(&item_type) {
        MIME | URI if f.remaining() > 0 => String::from_utf8_lossy(f.string()?).into_owned(),
        _ => String::new(),
    };
    // A MIME item may name its content encoding last.
    if code(&item_type) == MIME && f.remaining() > 0 {
        f.string()?;
    }
    let whole = f.remaining() == 0;
    Ok((Item { id, item_type, version, hidden: flags & 1 == 1, infe: infe.range(), name, content_type }, whole))
}

fn parse_iref(walker: &mut Walker, iref: &BoxHeader, references: &mut Vec<Reference>) -> Result<()> {
    let (data, format) = (walker.data, walker.format);
    let (version, _) = Fields::new(data, format, iref).full_box()?;
    // Version 1 ("large ids") stores 32-bit item ids.
    let id_size = match version {
        0 => 2,
        1 => 4,
        v => return Err(corrupt(format, iref.start, format_args!("'iref' version {v} is not 0 or 1"))),
    };
    let mut total = 0usize;
    for child in walker.children(iref, 4)? {
        let mut f = Fields::new(data, format, &child);
        let from = f.uint(id_size)? as u32;
        let count = f.u16()?;
        let mut to = Vec::new();
        for _ in 0..count {
            total += 1;
            if total > MAX_REFERENCES {
                return Err(limit(format, f.pos(), format_args!("more than {MAX_REFERENCES} item references")));
            }
            to.push(f.uint(id_size)? as u32);
        }
        references.push(Reference { kind: child.fourcc, from, to });
    }
    Ok(())
}

fn parse_grpl(walker: &mut Walker, grpl: &BoxHeader, groups: &mut Vec<Group>) -> Result<()> {
    let (data, format) = (walker.data, walker.format);
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
                return Err(limit(format, f.pos(), format_args!("more than {MAX_REFERENCES} group entries")));
            }
            entities.push(f.u32()?);
        }
        groups.push(Group { header: child, entities });
    }
    Ok(())
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
fn index(meta: &mut Meta, format: &'static str) -> Result<()> {
    let (items, repeat) = index_by(&mut meta.items.iter().map(|i| i.id));
    if let Some(item) = repeat.map(|i| &meta.items[i]) {
        return Err(corrupt(format, item.infe.start, format_args!("item id {} is used twice", item.id)));
    }
    let (locations, repeat) = index_by(&mut meta.locations.iter().map(|l| l.item));
    if let Some(loc) = repeat.map(|i| &meta.locations[i]) {
        return Err(corrupt(format, meta.header.start, format_args!("item {} has two 'iloc' entries", loc.item)));
    }
    let (associations, _) = index_by(&mut meta.associations.iter().map(|a| a.item));
    meta.index = Index { items, locations, associations };
    match meta.item(meta.primary) {
        None => Err(corrupt(
            format,
            meta.header.start,
            format_args!("the primary item {} is not in the item list", meta.primary),
        )),
        // An unknown type is refused too: it is kept whole as the picture, so
        // whatever it holds would pass through (found by the heif_structure
        // fuzz target, with a flipped 'mime').
        Some(item) if !item.is_image() => Err(corrupt(
            format,
            item.infe.start,
            format_args!("the primary item {} is {}, not an image", item.id, name(&item.item_type)),
        )),
        Some(_) => Ok(()),
    }
}

/// Whether `extent` lies inside one of `mdats` (top-level boxes' bodies, so in file
/// order and apart): by bisection, since a hostile file can hold as many of both as
/// the limits allow, and a scan of one for each of the other would take minutes.
fn inside_one(mdats: &[Range<usize>], extent: &Range<usize>) -> bool {
    let after = mdats.partition_point(|m| m.start <= extent.start);
    after.checked_sub(1).is_some_and(|i| extent.end <= mdats[i].end)
}

/// Item data lies in an `mdat` (construction method 0) or in `idat`
/// (method 1, checked by the `iloc` reader), and no two extents overlap: one
/// item's bytes are never another's. Returns the extents, sorted.
fn check_extents(meta: &Meta, mdats: &[Range<usize>], data: &[u8], format: &'static str) -> Result<Vec<Extent>> {
    let mut all: Vec<Extent> = Vec::new();
    for loc in &meta.locations {
        // A grid's description (ISO/IEC 23008-12, 6.6.2.3) is copied as it is: its fields and
        // nothing more (a review's text after them was kept). Version, flags (bit 0: 32-bit
        // sizes), rows and columns less one, the output size.
        if meta.item(loc.item).is_some_and(|i| &i.item_type == b"grid") {
            let len: usize = loc.extents.iter().map(Range::len).sum();
            let wide = loc.extents.first().and_then(|e| data.get(e.start + 1)).is_some_and(|flags| flags & 1 == 1);
            if len != if wide { 12 } else { 8 } {
                return Err(corrupt(
                    format,
                    meta.header.start,
                    format_args!("a grid description not the size of its fields"),
                ));
            }
        }
        for extent in &loc.extents {
            if loc.method == 0 && !inside_one(mdats, extent) {
                return Err(corrupt(
                    format,
                    extent.start,
                    format_args!(
                        "item {}'s data (bytes {}..{}) is not inside an 'mdat' box",
                        loc.item, extent.start, extent.end
                    ),
                ));
            }
            all.push((extent.start, extent.end, loc.item));
        }
    }
    sort(&mut all, |a, b| (a.0, a.1) <= (b.0, b.1));
    for pair in all.windows(2) {
        let ((_, a_end, ia), (b_start, b_end, ib)) = (pair[0], pair[1]);
        if b_start < a_end {
            return Err(corrupt(
                format,
                b_start,
                format_args!("the data of items {ia} and {ib} overlap (bytes {b_start}..{})", a_end.min(b_end)),
            ));
        }
    }
    Ok(all)
}
