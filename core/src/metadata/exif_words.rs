//! EXIF fields in words for people: plain labels, not the standard's ("East or West
//! Longitude"), and values as people write them (53° 22′ 58.25″ N, 72.4 m above sea
//! level, 2016-09-28 18:18:05), not kamadak-exif's ("53 deg 22 min 58.25 sec").
//! Our own table rather than kamadak-exif's descriptions: those are the standard's
//! wording, and leaving them unused also keeps their table out of the wasm module.

use exif::{Context, Field, In, Tag, Value};

// Windows "XP" tags and two others kamadak-exif does not name.
pub(crate) const XP_TITLE: u16 = 0x9C9B;
pub(crate) const XP_COMMENT: u16 = 0x9C9C;
pub(crate) const XP_AUTHOR: u16 = 0x9C9D;
pub(crate) const XP_KEYWORDS: u16 = 0x9C9E;
pub(crate) const XP_SUBJECT: u16 = 0x9C9F;
pub(crate) const PROCESSING_SOFTWARE: u16 = 0x000B;
pub(crate) const DNG_CAMERA_SERIAL: u16 = 0xC62F;
/// The computer or phone the picture was made on (an iPhone writes its model).
pub(crate) const HOST_COMPUTER: u16 = 0x013C;

/// Reference fields (a hemisphere, a unit, true or magnetic north) and the field whose
/// value each completes: that value is shown with the reference, not beside it.
const REFERENCES: [(Tag, Tag); 10] = [
    (Tag::GPSLatitudeRef, Tag::GPSLatitude),
    (Tag::GPSLongitudeRef, Tag::GPSLongitude),
    (Tag::GPSAltitudeRef, Tag::GPSAltitude),
    (Tag::GPSSpeedRef, Tag::GPSSpeed),
    (Tag::GPSTrackRef, Tag::GPSTrack),
    (Tag::GPSImgDirectionRef, Tag::GPSImgDirection),
    (Tag::GPSDestLatitudeRef, Tag::GPSDestLatitude),
    (Tag::GPSDestLongitudeRef, Tag::GPSDestLongitude),
    (Tag::GPSDestBearingRef, Tag::GPSDestBearing),
    (Tag::GPSDestDistanceRef, Tag::GPSDestDistance),
];

/// The field a reference field completes.
fn completes(reference: Tag) -> Option<Tag> {
    REFERENCES.iter().find(|(r, _)| *r == reference).map(|(_, main)| *main)
}

/// The reference field that completes a field.
fn completes_ref(main: Tag) -> Option<Tag> {
    REFERENCES.iter().find(|(_, m)| *m == main).map(|(r, _)| *r)
}

/// Whether the field is shown as part of another one (and so not on its own line).
pub(crate) fn folded_into_another(tag: Tag, exif: &exif::Exif) -> bool {
    completes(tag).is_some_and(|main| exif.get_field(main, In::PRIMARY).is_some())
}

/// The field's name for people.
pub(crate) fn label(tag: Tag, name: &str) -> String {
    let plain = match tag {
        Tag::Make => "Camera maker",
        Tag::Model => "Camera model",
        Tag::LensMake => "Lens maker",
        Tag::LensModel => "Lens",
        Tag::LensSpecification => "Lens range",
        Tag::BodySerialNumber => "Camera serial number",
        Tag::LensSerialNumber => "Lens serial number",
        Tag::CameraOwnerName => "Camera owner",
        Tag::Artist => "Author",
        Tag::Copyright => "Copyright",
        Tag::DateTimeOriginal => "Date taken",
        Tag::DateTimeDigitized => "Date digitised",
        Tag::DateTime => "Date modified",
        Tag::OffsetTimeOriginal => "Time zone when taken",
        Tag::OffsetTimeDigitized => "Time zone when digitised",
        Tag::OffsetTime => "Time zone when modified",
        Tag::SubSecTimeOriginal => "Date taken, fraction of a second",
        Tag::SubSecTimeDigitized => "Date digitised, fraction of a second",
        Tag::SubSecTime => "Date modified, fraction of a second",
        Tag::Software => "Software",
        Tag::MakerNote => "Maker notes (vendor data, often serial numbers)",
        Tag::ImageUniqueID => "Unique image ID",
        Tag::ImageDescription => "Description",
        Tag::UserComment => "Comment",
        Tag::Orientation => "Orientation",
        Tag::GPSLatitude => "Latitude",
        Tag::GPSLongitude => "Longitude",
        Tag::GPSAltitude => "Altitude",
        Tag::GPSTimeStamp => "GPS time (UTC)",
        Tag::GPSDateStamp => "GPS date (UTC)",
        Tag::GPSSatellites => "Satellites used",
        Tag::GPSStatus => "GPS receiver status",
        Tag::GPSMeasureMode => "GPS measurement",
        Tag::GPSDOP => "GPS precision (dilution)",
        Tag::GPSSpeed => "Speed",
        Tag::GPSTrack => "Direction of travel",
        Tag::GPSImgDirection => "Direction the camera faced",
        Tag::GPSMapDatum => "Map datum",
        Tag::GPSDestLatitude => "Destination latitude",
        Tag::GPSDestLongitude => "Destination longitude",
        Tag::GPSDestBearing => "Bearing to the destination",
        Tag::GPSDestDistance => "Distance to the destination",
        Tag::GPSProcessingMethod => "Positioning method",
        Tag::GPSAreaInformation => "Area name",
        Tag::GPSDifferential => "Differential GPS correction",
        Tag::GPSHPositioningError => "Position accuracy",
        Tag::GPSLatitudeRef => "Latitude hemisphere",
        Tag::GPSLongitudeRef => "Longitude hemisphere",
        Tag::GPSAltitudeRef => "Altitude reference",
        _ => match (tag.context(), tag.number()) {
            (Context::Tiff, XP_TITLE) => "Title (Windows)",
            (Context::Tiff, XP_COMMENT) => "Comment (Windows)",
            (Context::Tiff, XP_AUTHOR) => "Author (Windows)",
            (Context::Tiff, XP_KEYWORDS) => "Keywords (Windows)",
            (Context::Tiff, XP_SUBJECT) => "Subject (Windows)",
            (Context::Tiff, DNG_CAMERA_SERIAL) => "Camera serial number",
            (Context::Tiff, HOST_COMPUTER) => "Computer or phone",
            (Context::Tiff, PROCESSING_SOFTWARE) => "Processing software",
            _ => return words(name),
        },
    };
    plain.to_string()
}

/// "FocalLengthIn35mmFilm" -> "Focal length in 35mm film".
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = i > 0
            && ((c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())))
                || (c.is_ascii_digit() && chars[i - 1].is_ascii_alphabetic()));
        if starts_word {
            out.push(' ');
        }
        // Acronyms (GPS, ISO) stay as they are; other words lose their capital.
        let acronym = c.is_ascii_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_ascii_uppercase());
        out.push(if i > 0 && !acronym { c.to_ascii_lowercase() } else { c });
    }
    out
}

/// The value as people write it, where kamadak-exif's is a standard's or a raw
/// number; None leaves it to kamadak-exif.
pub(crate) fn value(field: &Field, exif: &exif::Exif) -> Option<String> {
    let reference = |tag: Tag| -> Option<String> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        match &field.value {
            Value::Ascii(parts) => parts.first().map(|p| String::from_utf8_lossy(p).trim().to_string()),
            Value::Byte(b) => b.first().map(|b| b.to_string()),
            _ => None,
        }
    };
    let number = |at: usize| -> Option<f64> {
        match &field.value {
            Value::Rational(v) => v.get(at).filter(|r| r.denom != 0).map(|r| r.to_f64()),
            Value::SRational(v) => v.get(at).filter(|r| r.denom != 0).map(|r| r.to_f64()),
            _ => None,
        }
    };
    let text = || match &field.value {
        Value::Ascii(parts) => parts.first().map(|p| String::from_utf8_lossy(p).trim().to_string()),
        _ => None,
    };
    match field.tag {
        Tag::GPSLatitude | Tag::GPSLongitude | Tag::GPSDestLatitude | Tag::GPSDestLongitude => {
            let (d, m, s) = (number(0)?, number(1)?, number(2).unwrap_or(0.0));
            let hemisphere = completes_ref(field.tag).and_then(reference).unwrap_or_default();
            Some(format!("{}° {}′ {}″ {hemisphere}", decimal(d, 4), decimal(m, 4), decimal(s, 2)).trim().to_string())
        }
        // Focal lengths, then the widest apertures at each end: "4.2–26 mm f/1.8–3.4".
        Tag::LensSpecification => {
            let range = |a: f64, b: Option<f64>, unit: &str| match b.filter(|b| *b > 0.0 && *b != a) {
                Some(b) => format!("{}{unit}–{}", decimal(a, 1), decimal(b, 1)),
                None => format!("{}{unit}", decimal(a, 1)),
            };
            let focal = range(number(0)?, number(1), "");
            let aperture = number(2).filter(|f| *f > 0.0).map(|f| format!(" f/{}", range(f, number(3), "")));
            Some(format!("{focal} mm{}", aperture.unwrap_or_default()))
        }
        Tag::GPSAltitude => {
            let below = reference(Tag::GPSAltitudeRef).as_deref() == Some("1");
            Some(format!("{} m {} sea level", decimal(number(0)?, 1), if below { "below" } else { "above" }))
        }
        Tag::GPSImgDirection | Tag::GPSTrack | Tag::GPSDestBearing => {
            let north = match completes_ref(field.tag).and_then(reference).as_deref() {
                Some("M") => " (from magnetic north)",
                Some("T") => " (from true north)",
                _ => "",
            };
            Some(format!("{}°{north}", decimal(number(0)?, 1)))
        }
        Tag::GPSSpeed | Tag::GPSDestDistance => {
            let speed = field.tag == Tag::GPSSpeed;
            let unit = match (completes_ref(field.tag).and_then(reference).as_deref(), speed) {
                (Some("M"), true) => "mph",
                (Some("N"), true) => "knots",
                (_, true) => "km/h",
                (Some("M"), false) => "miles",
                (Some("N"), false) => "nautical miles",
                (_, false) => "km",
            };
            Some(format!("{} {unit}", decimal(number(0)?, 1)))
        }
        Tag::GPSHPositioningError => Some(format!("within {} m", decimal(number(0)?, 1))),
        Tag::GPSTimeStamp => {
            let (h, m, s) = (number(0)?, number(1)?, number(2)?);
            Some(format!("{:02}:{:02}:{:02} UTC", h as u32, m as u32, s as u32))
        }
        Tag::GPSDateStamp | Tag::DateTime | Tag::DateTimeOriginal | Tag::DateTimeDigitized => {
            // "2016:09:28 18:18:05" -> "2016-09-28 18:18:05".
            let value = text()?;
            let (date, time) = value.split_once(' ').unwrap_or((&value, ""));
            Some(format!("{} {time}", date.replace(':', "-")).trim().to_string())
        }
        _ => None,
    }
}

/// At most `places` decimals, without trailing zeros: 72.36649 -> "72.4", 165.0 -> "165".
pub(crate) fn decimal(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_words() {
        assert_eq!(words("FocalLengthIn35mmFilm"), "Focal length in 35mm film");
        assert_eq!(words("ISOSpeed"), "ISO speed");
        assert_eq!(words("ExposureTime"), "Exposure time");
        assert_eq!(label(Tag::GPSLongitudeRef, "GPSLongitudeRef"), "Longitude hemisphere");
    }

    #[test]
    fn decimals_lose_their_trailing_zeros() {
        assert_eq!(decimal(72.36649214659685, 1), "72.4");
        assert_eq!(decimal(165.0, 1), "165");
        assert_eq!(decimal(6.45599999, 2), "6.46");
        assert_eq!(decimal(0.0, 2), "0");
    }
}
