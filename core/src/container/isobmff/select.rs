//! Which items the primary picture needs, and what every other item is.
//!
//! Kept: the primary item; the items it is derived from (`dimg`: grid tiles,
//! overlay and identity sources, and HEVC tile tracks via `sabt`/`tbas`);
//! auxiliary images that change how it looks (alpha, Apple's HDR gain map);
//! ISO 21496-1 tone-map (`tmap`) items derived from a kept image, with their
//! gain map. Everything else is removed: metadata items, thumbnails, depth
//! maps, mattes, other pictures.

use super::boxes::codes::*;
use super::boxes::{code, codes_of, corrupt, Result};
use super::heif::{index_by, lookup, sort_index, Meta};
use super::props::Info;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Primary,
    /// A tile or source the primary (or another kept item) is derived from.
    Source,
    Alpha,
    GainMap,
    /// An ISO 21496-1 tone-mapped rendition of the primary.
    ToneMap,
    Thumbnail,
    Depth,
    Matte,
    /// Another auxiliary image (or the alpha or gain map of a removed image).
    Auxiliary,
    /// A picture other than the primary.
    OtherImage,
    Exif,
    Xmp,
    /// Another `mime` item (its content type is in the item).
    Mime,
    /// A `uri ` item (C2PA and similar).
    Uri,
    /// An item that is neither an image nor metadata cleaning knows.
    Other,
}

impl Role {
    pub fn kept(self) -> bool {
        matches!(self, Role::Primary | Role::Source | Role::Alpha | Role::GainMap | Role::ToneMap)
    }
    pub fn describe(self) -> &'static str {
        match self {
            Role::Primary => "primary image",
            Role::Source => "part of the primary image",
            Role::Alpha => "transparency (alpha)",
            Role::GainMap => "HDR gain map",
            Role::ToneMap => "HDR tone map",
            Role::Thumbnail => "thumbnail",
            Role::Depth => "depth map",
            Role::Matte => "portrait matte",
            Role::Auxiliary => "auxiliary image",
            Role::OtherImage => "another image",
            Role::Exif => "EXIF",
            Role::Xmp => "XMP",
            Role::Mime => "embedded data",
            Role::Uri => "URI-typed data",
            Role::Other => "unknown item",
        }
    }
}

/// What an auxiliary image is, from its `auxC` type.
fn auxiliary_role(urn: &str) -> Role {
    match urn {
        "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha" | "urn:mpeg:hevc:2015:auxid:1" => Role::Alpha,
        "urn:com:apple:photo:2020:aux:hdrgainmap" => Role::GainMap,
        "urn:mpeg:hevc:2015:auxid:2" => Role::Depth,
        _ if urn.contains("depth") || urn.contains("disparity") => Role::Depth,
        _ if urn.contains("matte") => Role::Matte,
        _ => Role::Auxiliary,
    }
}

/// The `auxC` type of an item, if it has one.
#[inline(never)]
pub(crate) fn auxiliary_type(meta: &Meta, item: u32) -> Option<&str> {
    meta.properties_of(item).find_map(|(index, _)| {
        match &meta.properties.get(usize::from(*index).checked_sub(1)?)?.info {
            Info::Auxiliary(urn) => Some(urn.as_str()),
            _ => None,
        }
    })
}

/// Every item's role, by index into `Meta::items`.
pub(crate) fn roles(meta: &Meta, format: &'static str) -> Result<Vec<Role>> {
    let refs = &meta.references;
    // References by the item they come from, and (auxiliary images, and
    // the inputs of tone maps) by the item they point to, in `iref` order.
    let (by_from, _) = index_by(&mut refs.iter().map(|r| r.from));
    let mut to = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        let kind = code(&r.kind);
        let tone_map = kind == DIMG && meta.item(r.from).is_some_and(|i| code(&i.item_type) == TMAP);
        if tone_map || kind == AUXL {
            for t in &r.to {
                to.push(u64::from(*t) << 32 | i as u64);
            }
        }
    }
    let (by_to, _) = sort_index(to);
    let from = |id: u32| lookup(&by_from, id).map(|i| &refs[i]);

    let mut roles: Vec<Option<Role>> = vec![None; meta.items.len()];
    let mut queue = vec![meta.primary];
    if let Some(i) = meta.position(meta.primary) {
        roles[i] = Some(Role::Primary);
    }
    while let Some(id) = queue.pop() {
        // A tone map's second input is its gain map.
        let tone_map = meta.item(id).is_some_and(|i| code(&i.item_type) == TMAP);
        for r in from(id).filter(|r| matches!(code(&r.kind), DIMG | SABT | TBAS)) {
            // Its image and its gain map (ISO 21496-1): a third would be kept as a "source"
            // though no reader shows it (a review hid a whole picture there).
            if tone_map && code(&r.kind) == DIMG && r.to.len() != 2 {
                return Err(corrupt(format, meta.header.start, format_args!("a tone map without exactly 2 inputs")));
            }
            for (position, &source) in r.to.iter().enumerate() {
                if !meta.item(source).is_some_and(|i| i.is_image()) {
                    return Err(corrupt(
                        format,
                        meta.header.start,
                        format_args!("item {id} is derived from item {source}, which is not an image in the item list"),
                    ));
                }
                let role = if tone_map && position == 1 { Role::GainMap } else { Role::Source };
                add(meta, &mut roles, &mut queue, source, role);
            }
        }
        for r in lookup(&by_to, id).map(|i| &refs[i]).filter(|r| code(&r.kind) == AUXL) {
            let role = auxiliary_role(auxiliary_type(meta, r.from).unwrap_or(""));
            if role.kept() {
                add(meta, &mut roles, &mut queue, r.from, role);
            }
        }
        for r in lookup(&by_to, id).map(|i| &refs[i]).filter(|r| code(&r.kind) == DIMG) {
            add(meta, &mut roles, &mut queue, r.from, Role::ToneMap);
        }
    }

    let mut out = Vec::with_capacity(meta.items.len());
    for (item, role) in meta.items.iter().zip(roles) {
        let refers = |kind: u32| from(item.id).any(|r| code(&r.kind) == kind);
        let role = match (role, code(&item.item_type)) {
            (Some(role), _) => role,
            (_, EXIF) => Role::Exif,
            (_, XML) => Role::Xmp,
            (_, MIME) if item.content_type.contains("rdf+xml") || item.content_type.contains("xmp") => Role::Xmp,
            (_, MIME) => Role::Mime,
            (_, URI) => Role::Uri,
            _ if refers(THMB) => Role::Thumbnail,
            _ if refers(AUXL) => match auxiliary_role(auxiliary_type(meta, item.id).unwrap_or("")) {
                role @ (Role::Depth | Role::Matte) => role,
                _ => Role::Auxiliary,
            },
            (_, t) if IMAGE_TYPES.contains(&t) => Role::OtherImage,
            _ => Role::Other,
        };
        out.push(role);
    }
    Ok(out)
}

/// Gives `item` `role` and queues it, unless it has a role already. Only
/// pictures are kept: an Exif or XMP item posing as a tile or an auxiliary
/// image must not survive as one.
#[inline(never)]
fn add(meta: &Meta, roles: &mut [Option<Role>], queue: &mut Vec<u32>, item: u32, role: Role) {
    if let Some(i) = meta.position(item).filter(|&i| meta.items[i].is_image() && roles[i].is_none()) {
        roles[i] = Some(role);
        queue.push(item);
    }
}

/// Item types that are pictures (coded or derived).
pub(crate) const IMAGE_TYPES: &[u32] = &codes_of([
    b"hvc1", b"av01", b"grid", b"iovl", b"iden", b"jpeg", b"j2k1", b"unci", b"vvc1", b"avc1", b"lhv1", b"hvt1",
    b"tmap", b"mski",
]);
