//! XMP packets: RDF/XML walked with quick-xml into (property, value) pairs,
//! then itemised by what each property reveals.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{human_bytes, Item};
use crate::limits::{MAX_PARSED_METADATA, MAX_XML_DEPTH};
use crate::report::{Category, GpsPosition};

pub(crate) fn read(packet: &[u8]) -> Vec<Item> {
    let size = human_bytes(packet.len());
    if packet.len() > MAX_PARSED_METADATA {
        return vec![Item::new(Category::Other, "XMP", "XMP packet", format!("{size} (too large to itemise)"))];
    }
    let Some(xml) = trim_to_packet(packet) else {
        return vec![Item::new(Category::Other, "XMP", "XMP packet (unreadable)", size)];
    };
    let properties = match properties(xml) {
        Ok(p) => p,
        Err(e) => return vec![Item::new(Category::Other, "XMP", "XMP packet (unreadable)", format!("{size}: {e}"))],
    };
    let mut items = Vec::new();
    let mut other = Vec::new();
    for (name, value) in properties {
        match classify(&name) {
            Some(category) => {
                let value = if value.trim().is_empty() { "(present)".to_string() } else { value };
                items.push(Item::new(category, format!("XMP {name}"), name.clone(), value))
            }
            None => other.push(name),
        }
    }
    if !other.is_empty() {
        let sample: Vec<_> = other.iter().take(6).cloned().collect();
        let value =
            format!("{} properties: {}{}", other.len(), sample.join(", "), if other.len() > 6 { ", …" } else { "" });
        items.push(Item::new(Category::Other, "XMP other", "Other XMP properties", value));
    }
    if items.is_empty() {
        items.push(Item::new(Category::Other, "XMP", "XMP packet (no properties)", size));
    }
    items
}

/// The packet's properties and their values (repeated ones joined with "; "), or
/// none when it is too large or not XML.
pub(crate) fn property_list(packet: &[u8]) -> Vec<(String, String)> {
    if packet.len() > MAX_PARSED_METADATA {
        return Vec::new();
    }
    trim_to_packet(packet).and_then(|xml| properties(xml).ok()).unwrap_or_default()
}

/// The position in XMP's GPS properties, for files whose location is only there
/// (values as `read` lists them: "58,58.8738N", altitude "1234/10", its reference "1"
/// for below sea level).
pub(crate) fn position(
    latitude: &str,
    longitude: &str,
    altitude: Option<&str>,
    altitude_ref: Option<&str>,
) -> Option<GpsPosition> {
    let latitude = coordinate(latitude, ['N', 'S']).filter(|d| d.abs() <= 90.0)?;
    let longitude = coordinate(longitude, ['E', 'W']).filter(|d| d.abs() <= 180.0)?;
    let altitude = altitude.and_then(rational).map(|m| if altitude_ref.map(str::trim) == Some("1") { -m } else { m });
    Some(GpsPosition { latitude, longitude, altitude })
}

/// XMP's GPSCoordinate, "DDD,MM,SSk" or "DDD,MM.mmk" (k: the hemisphere), in degrees;
/// a plain signed decimal is taken too, as some writers store one.
fn coordinate(value: &str, [positive, negative]: [char; 2]) -> Option<f64> {
    // `read` joins repeated properties with "; ": the first is the one readers use.
    let value = value.split(';').next()?.trim();
    let last = value.chars().last()?.to_ascii_uppercase();
    let (numbers, sign) = match last {
        c if c == positive => (&value[..value.len() - 1], 1.0),
        c if c == negative => (&value[..value.len() - 1], -1.0),
        _ => return number(value),
    };
    let parts: Vec<f64> = numbers.split(',').map(number).collect::<Option<_>>()?;
    if parts.iter().any(|p| *p < 0.0) {
        return None;
    }
    let degrees = match parts.as_slice() {
        [d, m] => d + m / 60.0,
        [d, m, s] => d + m / 60.0 + s / 3600.0,
        _ => return None,
    };
    Some(sign * degrees)
}

/// "1234/10" or "123.4".
fn rational(value: &str) -> Option<f64> {
    let value = value.split(';').next()?.trim();
    match value.split_once('/') {
        Some((n, d)) => Some(number(n)? / number(d).filter(|d| *d != 0.0)?),
        None => number(value),
    }
}

/// "-12.345" (no exponent): written out because core's float parser (`str::parse::<f64>`)
/// added 17.5 KB to the wasm module (measured), more than the rest of this reader.
fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() || whole.len() + fraction.len() > 18 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let int = |s: &str| s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let value = int(whole) as f64 + int(fraction) as f64 / 10f64.powi(fraction.len() as i32);
    Some(if negative { -value } else { value })
}

/// The XML part of a packet: from `<x:xmpmeta` or `<rdf:RDF` to its end tag,
/// which also drops GIF's "magic trailer" and padding.
fn trim_to_packet(packet: &[u8]) -> Option<&[u8]> {
    let find = |needle: &[u8]| packet.windows(needle.len()).position(|w| w == needle);
    let rfind = |needle: &[u8]| packet.windows(needle.len()).rposition(|w| w == needle).map(|p| p + needle.len());
    let start = find(b"<x:xmpmeta").or_else(|| find(b"<x:xapmeta")).or_else(|| find(b"<rdf:RDF"))?;
    let end = rfind(b"</x:xmpmeta>").or_else(|| rfind(b"</x:xapmeta>")).or_else(|| rfind(b"</rdf:RDF>"))?;
    (start < end).then(|| &packet[start..end])
}

fn is_structural(name: &str) -> bool {
    matches!(
        name,
        "x:xmpmeta" | "x:xapmeta" | "rdf:RDF" | "rdf:Description" | "rdf:Seq" | "rdf:Bag" | "rdf:Alt" | "rdf:li"
    )
}

fn is_markup_attribute(name: &str) -> bool {
    name.starts_with("xmlns") || matches!(name, "rdf:about" | "rdf:parseType" | "xml:lang" | "x:xmptk" | "rdf:resource")
}

/// Property names with their values joined, in order of first appearance.
#[derive(Default)]
struct Properties {
    list: Vec<(String, String)>,
    /// Text arrives in pieces (entity references are separate events): it is
    /// gathered here and handed to its property when the next tag starts or ends.
    pending: String,
}

impl Properties {
    const MAX_PROPERTIES: usize = 4096;
    const MAX_VALUE_BYTES: usize = 1024;

    fn add(&mut self, name: &str, value: &str) {
        if let Some((_, v)) = self.list.iter_mut().find(|(n, _)| n == name) {
            if !value.is_empty() && v.len() < Self::MAX_VALUE_BYTES {
                if !v.is_empty() {
                    v.push_str("; ");
                }
                v.push_str(value);
            }
        } else if self.list.len() < Self::MAX_PROPERTIES {
            self.list.push((name.to_string(), value.to_string()));
        }
    }

    /// Attributes are properties too (RDF's abbreviated form).
    fn attributes(&mut self, e: &BytesStart) {
        for attr in e.attributes().flatten() {
            let name = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            if !is_markup_attribute(&name) {
                let value = attr.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
                self.add(&name, &value);
            }
        }
    }

    fn element(&mut self, e: &BytesStart, stack: &[String]) -> String {
        self.flush(stack);
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        self.attributes(e);
        if !is_structural(&name) {
            self.add(&name, "");
        }
        name
    }

    fn flush(&mut self, stack: &[String]) {
        let text = std::mem::take(&mut self.pending);
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(owner) = stack.iter().rev().find(|n| !is_structural(n)) {
            let owner = owner.clone();
            self.add(&owner, text);
        }
    }
}

fn entity(r: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match r.decode().as_deref() {
        Ok("amp") => "&",
        Ok("lt") => "<",
        Ok("gt") => ">",
        Ok("quot") => "\"",
        Ok("apos") => "'",
        _ => "",
    }
    .to_string()
}

fn properties(xml: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut props = Properties::default();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => {
                if stack.len() >= MAX_XML_DEPTH {
                    return Err("nested too deeply".into());
                }
                let name = props.element(&e, &stack);
                stack.push(name);
            }
            Event::Empty(e) => {
                props.element(&e, &stack);
            }
            Event::Text(t) if props.pending.len() < Properties::MAX_VALUE_BYTES * 4 => {
                props.pending.push_str(&t.decode().unwrap_or_default());
            }
            Event::GeneralRef(r) => props.pending.push_str(&entity(&r)),
            Event::End(_) => {
                props.flush(&stack);
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(props.list)
}

fn classify(name: &str) -> Option<Category> {
    let (prefix, local) = name.split_once(':').unwrap_or(("", name));
    let lower = local.to_ascii_lowercase();
    let category = if lower.contains("serialnumber") {
        Category::CameraSerial
    } else if lower.starts_with("gps") || lower.contains("latitude") || lower.contains("longitude") {
        Category::Location
    } else {
        match (prefix, local) {
            ("photoshop", "City" | "State" | "Country") => Category::Location,
            ("Iptc4xmpCore", "Location" | "CountryCode") => Category::Location,
            (
                "Iptc4xmpExt",
                "LocationCreated" | "LocationShown" | "Sublocation" | "City" | "CountryName" | "ProvinceState"
                | "WorldRegion",
            ) => Category::Location,
            ("tiff", "Make" | "Model")
            | ("aux", "Lens" | "LensInfo" | "LensID")
            | ("exifEX", "LensModel" | "LensMake") => Category::Device,
            ("dc", "creator" | "rights" | "contributor" | "publisher") | ("xmpRights", _) | ("plus", _) => {
                Category::People
            }
            ("photoshop", "AuthorsPosition" | "Credit" | "CaptionWriter" | "Source") => Category::People,
            ("Iptc4xmpCore", "CreatorContactInfo") | ("Iptc4xmpExt", "PersonInImage" | "PersonInImageWDetails") => {
                Category::People
            }
            (_, l) if l.starts_with("Ci") && prefix == "Iptc4xmpCore" => Category::People,
            ("mwg-rs", "Name") | ("MP", "PersonDisplayName") | ("MPReg", "PersonDisplayName") => Category::People,
            ("exifEX", "CameraOwnerName") | ("aux", "OwnerName") | ("tiff", "Artist") => Category::People,
            ("xmp", "CreatorTool")
            | ("stEvt", "softwareAgent")
            | ("xmpMM", "History" | "DerivedFrom")
            | ("photoshop", "History") => Category::Software,
            ("crs", _) => Category::Software,
            ("xmpMM", "DocumentID" | "InstanceID" | "OriginalDocumentID") | ("stRef", _) | ("stEvt", "instanceID") => {
                Category::Identifiers
            }
            ("exif", "ImageUniqueID") | ("photoshop", "TransmissionReference") => Category::Identifiers,
            ("xmp", "Thumbnails") | ("xmpGImg", "image") => Category::Thumbnail,
            ("GCamera", l) if l.starts_with("MicroVideo") || l.starts_with("MotionPhoto") => Category::HiddenData,
            ("GDepth", "Data") | ("GImage", "Data") | ("Container", _) | ("Item", _) => Category::HiddenData,
            ("dc", "description" | "title" | "subject") | ("photoshop", "Headline" | "Instructions") => Category::Text,
            ("lr", "hierarchicalSubject") | ("exif", "UserComment") => Category::Text,
            _ if lower.contains("date") || lower == "when" => Category::Time,
            _ => return None,
        }
    };
    Some(category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_lists() {
        let packet = br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
 xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" aux:SerialNumber="123456" exif:GPSLatitude="51,30.5N">
<dc:creator><rdf:Seq><rdf:li>Jane &amp; Doe</rdf:li></rdf:Seq></dc:creator>
<dc:format>image/jpeg</dc:format>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        let items = read(packet);
        let find = |k: &str| items.iter().find(|i| i.key == k).unwrap_or_else(|| panic!("{k} in {items:?}"));
        assert_eq!(find("XMP aux:SerialNumber").category, Category::CameraSerial);
        assert_eq!(find("XMP exif:GPSLatitude").category, Category::Location);
        assert_eq!(find("XMP dc:creator").value, "Jane & Doe");
        assert_eq!(find("XMP other").value, "1 properties: dc:format");
    }

    #[test]
    fn gps_coordinates_are_read_in_every_form() {
        let p = position("58,58.8738N", "11,53,6.456W", Some("1234/10"), Some("1")).unwrap();
        assert!((p.latitude - 58.981230).abs() < 1e-6, "{p:?}");
        assert!((p.longitude + 11.885127).abs() < 1e-6, "{p:?}");
        assert_eq!(p.altitude, Some(-123.4));
        let p = position("-33.5", "151.25", None, None).unwrap();
        assert_eq!((p.latitude, p.longitude, p.altitude), (-33.5, 151.25, None));
        assert!(position("91,0N", "0,0E", None, None).is_none());
        assert!(position("58,58.8738E", "0,0E", None, None).is_none(), "a longitude's hemisphere on a latitude");
        assert!(position("(present)", "0,0E", None, None).is_none());
        assert!(position("1,-2N", "0,0E", None, None).is_none());
        assert!(position("1e3", "0,0E", None, None).is_none());
        assert_eq!(number("-0.5"), Some(-0.5));
        assert_eq!(number("."), None);
    }

    #[test]
    fn bad_xml_is_reported() {
        let items = read(b"<x:xmpmeta><rdf:RDF><a></b></rdf:RDF></x:xmpmeta>");
        assert_eq!(items.len(), 1);
        assert!(items[0].label.contains("unreadable"), "{items:?}");
        assert!(read(b"no xml here").iter().all(|i| i.category == Category::Other));
    }
}
