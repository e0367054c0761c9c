//! Which items the primary picture needs, and what every other item is.
//!
//! Kept: the primary item; the items it is derived from (`dimg`: grid tiles,
//! overlay and identity sources, and HEVC tile tracks via `sabt`/`tbas`);
//! auxiliary images that change how it looks (alpha, Apple's HDR gain map);
//! ISO 21496-1 tone-map (`tmap`) items derived from a kept image, with their
//! gain map. Everything else is removed: metadata items, thumbnails, depth
//! maps, mattes, other pictures.

use std::collections::{HashMap, HashSet};

use super::heif::Meta;
use super::props::Info;
use crate::error::{Error, Result};

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
pub(crate) fn auxiliary_type(meta: &Meta, item: u32) -> Option<&str> {
    meta.properties_of(item).find_map(|(index, _)| {
        match &meta.properties.get(usize::from(*index).checked_sub(1)?)?.info {
            Info::Auxiliary(urn) => Some(urn.as_str()),
            _ => None,
        }
    })
}

/// Every item's role, by item id.
pub(crate) fn roles(meta: &Meta, format: &'static str) -> Result<HashMap<u32, Role>> {
    let mut derived_from: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    let mut aux_of: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut tone_maps_of: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut refers: HashSet<([u8; 4], u32)> = HashSet::new();
    for r in &meta.references {
        refers.insert((r.kind, r.from));
        match &r.kind {
            b"dimg" | b"sabt" | b"tbas" => {
                derived_from.entry(r.from).or_default().extend(r.to.iter().enumerate().map(|(i, to)| (*to, i)));
                let is_tmap = meta.item(r.from).is_some_and(|i| &i.item_type == b"tmap");
                if is_tmap && &r.kind == b"dimg" {
                    for to in &r.to {
                        tone_maps_of.entry(*to).or_default().push(r.from);
                    }
                }
            }
            b"auxl" => {
                for to in &r.to {
                    aux_of.entry(*to).or_default().push(r.from);
                }
            }
            _ => {}
        }
    }

    let mut roles: HashMap<u32, Role> = HashMap::new();
    roles.insert(meta.primary, Role::Primary);
    let mut queue = vec![meta.primary];
    while let Some(id) = queue.pop() {
        // Only pictures are kept: an Exif or XMP item posing as a tile or an
        // auxiliary image must not survive as one.
        let mut add = |item: u32, role: Role, queue: &mut Vec<u32>| {
            if meta.item(item).is_some_and(|i| i.is_image()) && !roles.contains_key(&item) {
                roles.insert(item, role);
                queue.push(item);
            }
        };
        for &(source, position) in derived_from.get(&id).into_iter().flatten() {
            if !meta.item(source).is_some_and(|i| i.is_image()) {
                return Err(Error::corrupt(
                    format,
                    meta.header.start,
                    format!("item {id} is derived from item {source}, which is not an image in the item list"),
                ));
            }
            // A tone map's second input is its gain map.
            let tone_map = meta.item(id).is_some_and(|i| &i.item_type == b"tmap");
            let role = if tone_map && position == 1 { Role::GainMap } else { Role::Source };
            add(source, role, &mut queue);
        }
        for &aux in aux_of.get(&id).into_iter().flatten() {
            let role = auxiliary_role(auxiliary_type(meta, aux).unwrap_or(""));
            if role.kept() {
                add(aux, role, &mut queue);
            }
        }
        for &tone_map in tone_maps_of.get(&id).into_iter().flatten() {
            add(tone_map, Role::ToneMap, &mut queue);
        }
    }

    for item in &meta.items {
        if roles.contains_key(&item.id) {
            continue;
        }
        let refers = |kind: &[u8; 4]| refers.contains(&(*kind, item.id));
        let role = match &item.item_type {
            b"Exif" => Role::Exif,
            b"xml " => Role::Xmp,
            b"mime" if item.content_type.contains("rdf+xml") || item.content_type.contains("xmp") => Role::Xmp,
            b"mime" => Role::Mime,
            b"uri " => Role::Uri,
            _ if refers(b"thmb") => Role::Thumbnail,
            _ if refers(b"auxl") => match auxiliary_role(auxiliary_type(meta, item.id).unwrap_or("")) {
                role @ (Role::Depth | Role::Matte) => role,
                _ => Role::Auxiliary,
            },
            t if IMAGE_TYPES.contains(&t) => Role::OtherImage,
            _ => Role::Other,
        };
        roles.insert(item.id, role);
    }
    Ok(roles)
}

/// Item types that are pictures (coded or derived).
const IMAGE_TYPES: &[&[u8; 4]] = &[
    b"hvc1", b"av01", b"grid", b"iovl", b"iden", b"jpeg", b"j2k1", b"unci", b"vvc1", b"avc1", b"lhv1", b"hvt1",
    b"tmap", b"mski",
];
