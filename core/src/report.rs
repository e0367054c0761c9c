//! The shared vocabulary of inspection and cleaning reports. Serialisable, so the
//! CLI prints it as JSON and the extension shows it.

use serde::{Deserialize, Serialize};

use crate::format::Format;

/// Why a piece of metadata matters to the person who owns the photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Location,
    CameraSerial,
    People,
    Time,
    Device,
    Thumbnail,
    HiddenData,
    Text,
    Software,
    MakerNotes,
    ContentCredentials,
    Identifiers,
    Other,
    /// Kept because it changes how the image looks (ICC, orientation, colour, animation).
    Display,
}

impl Category {
    /// A phrase for sentences such as "location, camera serial number and 3 other items".
    pub fn phrase(self) -> &'static str {
        match self {
            Category::Location => "location",
            Category::CameraSerial => "camera serial number",
            Category::People => "names and ownership",
            Category::Time => "dates and times",
            Category::Device => "camera and lens",
            Category::Thumbnail => "hidden preview image",
            Category::HiddenData => "hidden data",
            Category::Text => "text and comments",
            Category::Software => "software and edit history",
            Category::MakerNotes => "maker notes",
            Category::ContentCredentials => "content credentials",
            Category::Identifiers => "unique identifiers",
            Category::Other => "other metadata",
            Category::Display => "display information",
        }
    }
}

/// A container-level block: one JPEG segment, PNG chunk, WebP chunk or GIF block
/// (or a run of them, such as image data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    ImageData,
    Structure,
    Jfif,
    Adobe,
    Icc,
    ColourInfo,
    Transparency,
    Background,
    PixelDensity,
    Animation,
    Exif,
    Xmp,
    ExtendedXmp,
    PhotoshopIrb,
    Comment,
    Text,
    ModificationTime,
    Mpf,
    EmbeddedThumbnail,
    /// A picture stored beside the main one: a depth map, a portrait matte,
    /// another photo (HEIF/AVIF items).
    HiddenImage,
    ContentCredentials,
    /// An HDR gain map picture stored after a JPEG (Ultra HDR): kept by default.
    GainMap,
    /// ISO 21496-1 gain map metadata (numbers only): kept with its gain map.
    GainMapInfo,
    Vendor,
    Trailer,
    Unknown,
}

impl BlockKind {
    /// Whether the block only affects display (and so is kept by default).
    pub fn is_display(self) -> bool {
        matches!(
            self,
            BlockKind::ImageData
                | BlockKind::Structure
                | BlockKind::Jfif
                | BlockKind::Adobe
                | BlockKind::Icc
                | BlockKind::ColourInfo
                | BlockKind::Transparency
                | BlockKind::Background
                | BlockKind::PixelDensity
                | BlockKind::Animation
        )
    }
}

/// What cleaning did with a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Kept,
    Removed,
    /// Replaced by a minimal version holding only what the policy keeps.
    Rewritten,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockInfo {
    pub kind: BlockKind,
    /// Container-specific name, e.g. "APP1 Exif" or "tEXt 'Author'".
    pub label: String,
    pub offset: u64,
    pub length: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// One thing the image reveals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    /// Where it was found and its name there, e.g. "EXIF GPSLatitude", "XMP dc:creator".
    pub key: String,
    /// A plain-language label, e.g. "GPS latitude".
    pub label: String,
    pub value: String,
    /// Index into the report's `blocks`.
    pub block: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsPosition {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub altitude: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IccInfo {
    pub description: Option<String>,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectReport {
    pub format: Format,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Number of frames (1 for still images).
    pub frames: u32,
    pub bytes: u64,
    pub blocks: Vec<BlockInfo>,
    pub findings: Vec<Finding>,
    /// Findings left out past the report limit.
    pub findings_omitted: usize,
    pub location: Option<GpsPosition>,
    pub orientation: Option<u16>,
    pub icc: Option<IccInfo>,
    /// E.g. "location, camera serial number and 3 other items".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanReport {
    pub format: Format,
    pub input_bytes: u64,
    pub output_bytes: u64,
    /// The input's blocks, each with what was done with it.
    pub blocks: Vec<BlockInfo>,
    pub removed: Vec<Finding>,
    pub kept: Vec<Finding>,
    /// True when the output is byte for byte the input (nothing to remove).
    pub unchanged: bool,
    /// E.g. "Removed location, camera serial number and 3 other items".
    pub summary: String,
}

/// "location, camera serial number and 3 other items" for the privacy-relevant
/// categories among `findings`, most sensitive first.
pub fn summarise(findings: &[Finding]) -> String {
    let mut categories: Vec<Category> =
        findings.iter().map(|f| f.category).filter(|c| *c != Category::Display).collect();
    categories.sort();
    categories.dedup();
    if categories.is_empty() {
        return "nothing that identifies you".to_string();
    }
    const NAMED: usize = 2;
    let named: Vec<&str> = categories.iter().take(NAMED).map(|c| c.phrase()).collect();
    let rest = categories.len().saturating_sub(NAMED);
    match (named.as_slice(), rest) {
        ([one], 0) => one.to_string(),
        ([a, b], 0) => format!("{a} and {b}"),
        ([a, b], 1) => format!("{a}, {b} and 1 other kind of data"),
        ([a, b], n) => format!("{a}, {b} and {n} other kinds of data"),
        _ => unreachable!("named holds 1 or 2 phrases when categories is non-empty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(category: Category) -> Finding {
        Finding { category, key: String::new(), label: String::new(), value: String::new(), block: 0 }
    }

    #[test]
    fn summary_names_the_most_sensitive_first() {
        assert_eq!(summarise(&[]), "nothing that identifies you");
        assert_eq!(summarise(&[finding(Category::Display)]), "nothing that identifies you");
        assert_eq!(summarise(&[finding(Category::Time)]), "dates and times");
        let all = [Category::Time, Category::Location, Category::Device, Category::CameraSerial, Category::Text];
        let findings: Vec<_> = all.iter().map(|c| finding(*c)).collect();
        assert_eq!(summarise(&findings), "location, camera serial number and 3 other kinds of data");
    }
}
