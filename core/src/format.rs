//! Recognising an image by its bytes, never by its name or MIME type.

use serde::{Deserialize, Serialize};

/// The formats the engine cleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    /// HEIF with HEVC (or other) coded images: HEIC.
    Heif,
    Avif,
    /// ISO media video: MP4, M4V, 3GP.
    Mp4,
    /// QuickTime video: MOV.
    Mov,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Heif => "HEIC",
            Format::Avif => "AVIF",
            Format::Mp4 => "MP4",
            Format::Mov => "MOV",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Heif => "image/heic",
            Format::Avif => "image/avif",
            Format::Mp4 => "video/mp4",
            Format::Mov => "video/quicktime",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Heif => "heic",
            Format::Avif => "avif",
            Format::Mp4 => "mp4",
            Format::Mov => "mov",
        }
    }

    /// A video, cleaned by `video` (streamed) rather than by the image containers.
    pub fn is_video(self) -> bool {
        matches!(self, Format::Mp4 | Format::Mov)
    }
}

/// What the first bytes say the file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Detected {
    Supported(Format),
    /// A known image (or image-like) type the engine does not clean, by name.
    Unsupported(&'static str),
    Unknown,
}

/// Identify the type from magic numbers.
pub fn detect(data: &[u8]) -> Detected {
    let starts = |magic: &[u8]| data.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Detected::Supported(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Detected::Supported(Format::Png);
    }
    if data.len() >= 12 && &data[0..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        return Detected::Supported(Format::Webp);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Detected::Supported(Format::Gif);
    }
    if data.len() >= 12 && &data[4..8] == b"ftyp" {
        return iso_media(data);
    }
    #[cfg(feature = "video")]
    if let Some(format) = crate::video::detect(data) {
        return Detected::Supported(format);
    }
    if let Some(name) = detect_unsupported(data) {
        return Detected::Unsupported(name);
    }
    Detected::Unknown
}

/// An ISO base media file, by its `ftyp` brands: HEIF and AVIF still images
/// (and their sequences, which cleaning refuses by name), or another kind.
fn iso_media(data: &[u8]) -> Detected {
    let major = &data[8..12];
    // Compatible brands follow the major brand and minor version.
    let size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
    let compat_end = size.min(data.len()).min(256);
    let brands: Vec<&[u8]> =
        std::iter::once(major).chain(data.get(16..compat_end).unwrap_or(&[]).chunks_exact(4)).collect();
    let has = |b: &[u8]| brands.contains(&b);
    if has(b"avif") || has(b"avis") {
        return Detected::Supported(Format::Avif);
    }
    if has(b"heic") || has(b"heix") || has(b"heim") || has(b"heis") || has(b"hevc") || has(b"hevx") {
        return Detected::Supported(Format::Heif);
    }
    if has(b"jxl ") {
        return Detected::Unsupported("JPEG XL");
    }
    if has(b"crx ") {
        return Detected::Unsupported("Canon CR3 raw");
    }
    if has(b"mif1") || has(b"msf1") {
        return Detected::Supported(Format::Heif);
    }
    #[cfg(feature = "video")]
    if let Some(format) = crate::video::detect(data) {
        return Detected::Supported(format);
    }
    Detected::Unsupported("ISO media (MP4/MOV)")
}

fn detect_unsupported(data: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| data.starts_with(magic);
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some("TIFF");
    }
    if starts(b"II+\0") || starts(b"MM\0+") {
        return Some("BigTIFF");
    }
    if starts(b"BM") && data.len() >= 14 {
        return Some("BMP");
    }
    if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some("JPEG XL");
    }
    if starts(b"\0\0\0\x0cjP  \r\n\x87\n") || starts(&[0xFF, 0x4F, 0xFF, 0x51]) {
        return Some("JPEG 2000");
    }
    if starts(&[0, 0, 1, 0]) && data.len() >= 6 {
        return Some("ICO");
    }
    if starts(b"8BPS") {
        return Some("Photoshop PSD");
    }
    if starts(b"%PDF") {
        return Some("PDF");
    }
    if starts(b"qoif") {
        return Some("QOI");
    }
    if starts(b"\x76\x2f\x31\x01") {
        return Some("OpenEXR");
    }
    if starts(b"#?RADIANCE") || starts(b"#?RGBE") {
        return Some("Radiance HDR");
    }
    if looks_like_svg(data) {
        return Some("SVG");
    }
    None
}

fn looks_like_svg(data: &[u8]) -> bool {
    let head = &data[..data.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    (trimmed.starts_with("<?xml") || trimmed.starts_with("<svg") || trimmed.starts_with("<!doctype svg"))
        && text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_magic() {
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0rest"), Detected::Supported(Format::Jpeg));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nxx"), Detected::Supported(Format::Png));
        assert_eq!(detect(b"RIFF\0\0\0\0WEBPVP8 "), Detected::Supported(Format::Webp));
        assert_eq!(detect(b"GIF89a......"), Detected::Supported(Format::Gif));
        assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Detected::Supported(Format::Heif));
        assert_eq!(detect(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), Detected::Supported(Format::Avif));
        assert_eq!(detect(b"\0\0\0\x18ftypmif1\0\0\0\0mif1miaf"), Detected::Supported(Format::Heif));
        #[cfg(feature = "video")]
        assert_eq!(detect(b"\0\0\0\x14ftypisom\0\0\0\0avc1"), Detected::Supported(Format::Mp4));
        #[cfg(feature = "video")]
        assert_eq!(detect(b"\0\0\0\x14ftypqt  \0\0\0\0qt  "), Detected::Supported(Format::Mov));
        #[cfg(feature = "video")]
        assert_eq!(detect(b"\0\0\0\x08wide\0\0\x10\0mdat"), Detected::Supported(Format::Mov));
        #[cfg(not(feature = "video"))]
        assert_eq!(detect(b"\0\0\0\x14ftypisom\0\0\0\0avc1"), Detected::Unsupported("ISO media (MP4/MOV)"));
        assert_eq!(detect(b"\0\0\0\x14ftypabcd\0\0\0\0abcd"), Detected::Unsupported("ISO media (MP4/MOV)"));
        assert_eq!(detect(b"II*\0\x08\0\0\0"), Detected::Unsupported("TIFF"));
        assert_eq!(detect(b"BM\0\0\0\0\0\0\0\0\0\0\0\0"), Detected::Unsupported("BMP"));
        assert_eq!(detect(b"<?xml version=\"1.0\"?><svg></svg>"), Detected::Unsupported("SVG"));
        assert_eq!(detect(b"hello world"), Detected::Unknown);
        assert_eq!(detect(b""), Detected::Unknown);
        // Found by fuzzing: an ftyp box shorter than its compatible-brands field.
        assert_eq!(detect(b"\0\0\0\x18ftypheic"), Detected::Supported(Format::Heif));
        assert_eq!(detect(b"\0\0\0\x01ftypabcd\0\0\0\0heic"), Detected::Unsupported("ISO media (MP4/MOV)"));
        // A RIFF that is not WebP (e.g. WAV) is not WebP.
        assert_eq!(detect(b"RIFF\0\0\0\0WAVEfmt "), Detected::Unknown);
    }
}
