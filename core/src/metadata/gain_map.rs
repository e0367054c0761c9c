//! What an HDR gain map needs to be used, and nothing more: the `hdrgm` XMP
//! fields (Adobe's gain map namespace, as Android's Ultra HDR writes them), the
//! container directory that names the gain map, and ISO 21496-1's binary form.
//!
//! Cleaning rebuilds the XMP from numbers it has checked, and keeps an ISO
//! 21496-1 segment only when its length is exactly what its own flags say: no
//! free text from the original file can ride along.

use super::xmp;

/// The identifier of an ISO 21496-1 APP2 payload.
pub(crate) const ISO_ID: &[u8] = b"urn:iso:std:iso:ts:21496:-1\0";

/// The gain map XMP fields a reader uses; all numbers or booleans.
const FIELDS: [&str; 9] = [
    "Version",
    "BaseRenditionIsHDR",
    "GainMapMin",
    "GainMapMax",
    "Gamma",
    "OffsetSDR",
    "OffsetHDR",
    "HDRCapacityMin",
    "HDRCapacityMax",
];

/// The checked `hdrgm` fields of an XMP packet: each a boolean or one to three
/// numbers (a list as `read` joins it: "1; 1.1; 1.2").
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HdrFields(Vec<(&'static str, String)>);

impl HdrFields {
    /// Reads the packet; fields whose values are not plain numbers or booleans are dropped.
    pub fn read(packet: &[u8]) -> HdrFields {
        let mut fields = Vec::new();
        for (name, value) in xmp::property_list(packet) {
            let Some(name) = name.strip_prefix("hdrgm:").and_then(|n| FIELDS.iter().find(|f| **f == n)) else {
                continue;
            };
            let number = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E' | b';' | b' ');
            let plain = matches!(value.as_str(), "True" | "False")
                || (value.len() <= 80
                    && value.bytes().all(number)
                    && value.bytes().filter(|b| *b == b';').count() <= 2);
            if plain && !value.is_empty() && !fields.iter().any(|(n, _)| n == name) {
                fields.push((*name, value));
            }
        }
        HdrFields(fields)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| *n == name)
    }

    /// Whether these fields describe a gain map (not just name the version).
    pub fn describe_gain_map(&self) -> bool {
        self.has("GainMapMax") && self.has("HDRCapacityMax")
    }
}

/// The gain map image's XMP: the `hdrgm` fields alone.
pub(crate) fn gain_map_xmp(fields: &HdrFields) -> Vec<u8> {
    let mut attributes = String::from(" xmlns:hdrgm=\"http://ns.adobe.com/hdr-gain-map/1.0/\"");
    let mut elements = String::new();
    for (name, value) in &fields.0 {
        if value.contains(';') {
            elements.push_str("<hdrgm:");
            elements.push_str(name);
            elements.push_str("><rdf:Seq>");
            for item in value.split(';') {
                elements.push_str("<rdf:li>");
                elements.push_str(item.trim());
                elements.push_str("</rdf:li>");
            }
            elements.push_str("</rdf:Seq></hdrgm:");
            elements.push_str(name);
            elements.push('>');
        } else {
            attributes.push_str(" hdrgm:");
            attributes.push_str(name);
            attributes.push_str("=\"");
            attributes.push_str(value);
            attributes.push('"');
        }
    }
    packet(&attributes, &elements)
}

/// The primary image's XMP: the gain map format's version (when the original had
/// one) and the container directory that gives the gain map's length.
pub(crate) fn primary_xmp(version: bool, gain_map_len: usize) -> Vec<u8> {
    let mut attributes = String::new();
    if version {
        attributes.push_str(" xmlns:hdrgm=\"http://ns.adobe.com/hdr-gain-map/1.0/\" hdrgm:Version=\"1.0\"");
    }
    attributes.push_str(
        " xmlns:Container=\"http://ns.google.com/photos/1.0/container/\" \
         xmlns:Item=\"http://ns.google.com/photos/1.0/container/item/\"",
    );
    let mut directory = String::from(
        "<Container:Directory><rdf:Seq>\
         <rdf:li rdf:parseType=\"Resource\"><Container:Item Item:Semantic=\"Primary\" Item:Mime=\"image/jpeg\"/></rdf:li>\
         <rdf:li rdf:parseType=\"Resource\"><Container:Item Item:Semantic=\"GainMap\" Item:Mime=\"image/jpeg\" Item:Length=\"",
    );
    directory.push_str(&gain_map_len.to_string());
    directory.push_str("\"/></rdf:li></rdf:Seq></Container:Directory>");
    packet(&attributes, &directory)
}

fn packet(attributes: &str, elements: &str) -> Vec<u8> {
    let mut xml = String::from(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\"",
    );
    xml.push_str(attributes);
    xml.push('>');
    xml.push_str(elements);
    xml.push_str("</rdf:Description></rdf:RDF></x:xmpmeta>");
    xml.into_bytes()
}

/// Whether an XMP packet holds only what `gain_map_xmp` and `primary_xmp` write:
/// the check cleaning applies to its own output.
pub(crate) fn is_minimal_xmp(packet: &[u8]) -> bool {
    xmp::property_list(packet).iter().all(|(name, _)| {
        name.strip_prefix("hdrgm:").is_some_and(|f| FIELDS.contains(&f))
            || matches!(
                name.as_str(),
                "Container:Directory" | "Container:Item" | "Item:Semantic" | "Item:Mime" | "Item:Length"
            )
    })
}

/// What an ISO 21496-1 APP2 payload (identifier included) is: the version-only
/// form a primary image carries, or the full metadata of a gain map. None when
/// its length is not what its flags say (so it could hold more than numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Iso {
    Version,
    Metadata,
}

pub(crate) fn iso(payload: &[u8]) -> Option<Iso> {
    let body = payload.strip_prefix(ISO_ID)?;
    // Minimum and writer version (2 bytes each), then, for metadata, a flags byte.
    if body.len() == 4 {
        return Some(Iso::Version);
    }
    let flags = *body.get(4)?;
    let channels = if flags & 0x80 != 0 { 3 } else { 1 };
    // With a common denominator: the denominator and two headroom numerators,
    // then five 4-byte numerators a channel; without: two fractions, then five
    // fractions (numerator and denominator) a channel.
    let expected = if flags & 0x08 != 0 { 5 + 12 + 20 * channels } else { 5 + 16 + 40 * channels };
    (body.len() == expected).then_some(Iso::Metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdrgm_fields_are_kept_and_nothing_else() {
        let original = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 hdrgm:Version="1.0" hdrgm:GainMapMax="2.5" hdrgm:HDRCapacityMax="2.5" hdrgm:BaseRenditionIsHDR="False"
 hdrgm:OffsetSDR="Ada was here">
<hdrgm:Gamma><rdf:Seq><rdf:li>1</rdf:li><rdf:li>1.1</rdf:li><rdf:li>1.2</rdf:li></rdf:Seq></hdrgm:Gamma>
<dc:creator><rdf:Seq><rdf:li>Ada</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let fields = HdrFields::read(original);
        assert!(fields.describe_gain_map());
        assert!(!fields.has("OffsetSDR"), "text is not a number");
        let written = gain_map_xmp(&fields);
        assert!(is_minimal_xmp(&written));
        assert!(!is_minimal_xmp(original));
        assert_eq!(HdrFields::read(&written), fields, "{}", String::from_utf8_lossy(&written));
        let primary = primary_xmp(true, 4196);
        assert!(is_minimal_xmp(&primary));
        assert!(String::from_utf8(primary).unwrap().contains("Item:Length=\"4196\""));
    }

    #[test]
    fn iso_segments_must_be_exactly_their_flags_length() {
        let with = |body: &[u8]| [ISO_ID, body].concat();
        assert_eq!(iso(&with(&[0, 0, 0, 0])), Some(Iso::Version));
        assert_eq!(iso(&with(&[[0, 0, 0, 0, 0].as_slice(), &[0; 56]].concat())), Some(Iso::Metadata));
        assert_eq!(iso(&with(&[[0, 0, 0, 0, 0x88].as_slice(), &[0; 72]].concat())), Some(Iso::Metadata));
        assert_eq!(iso(&with(&[[0, 0, 0, 0, 0].as_slice(), &[0; 57]].concat())), None);
        assert_eq!(iso(&with(&[0, 0, 0])), None);
        assert_eq!(iso(b"urn:iso:std:iso:ts:21496:-2\0\0\0\0\0"), None);
    }
}
