//! What a conversion should produce.

use serde::{Deserialize, Serialize};

use crate::format::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// The input's own format; for those without an encoder here, the nearest:
    /// a GIF becomes a PNG (lossless), a HEIC or AVIF a JPEG (what every site takes).
    Keep,
    Jpeg,
    Png,
    Webp,
    /// AV1 in HEIF (libaom); only in builds with the `avif-encode` feature.
    Avif,
}

impl OutputFormat {
    pub fn resolve(self, input: Format) -> Format {
        match self {
            OutputFormat::Keep => match input {
                Format::Gif => Format::Png,
                Format::Heif | Format::Avif => Format::Jpeg,
                other => other,
            },
            OutputFormat::Jpeg => Format::Jpeg,
            OutputFormat::Png => Format::Png,
            OutputFormat::Webp => Format::Webp,
            OutputFormat::Avif => Format::Avif,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColourMode {
    /// Embed the source's ICC profile in the output (colours as the author saw them).
    KeepProfile,
    /// Convert the pixels to sRGB and embed no profile.
    ConvertToSrgb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Chroma {
    /// 4:2:0 for photos (smaller files).
    Subsampled,
    /// 4:4:4: sharper colour edges, larger files.
    Full,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConvertOptions {
    pub format: OutputFormat,
    /// 0-100 for JPEG and lossy WebP; the upper bound in target-size mode.
    pub quality: u8,
    /// Fit within these bounds (never upscale).
    pub max_width: Option<u32>,
    pub max_height: Option<u32>,
    /// "At most N bytes": the highest quality (then the mildest downscale) that fits.
    pub target_bytes: Option<u64>,
    pub colour: ColourMode,
    pub chroma: Chroma,
    /// Background for transparent pixels when the output has no alpha (JPEG).
    pub background: [u8; 3],
    /// WebP: lossless instead of lossy.
    pub webp_lossless: bool,
    /// oxipng preset, 0 (fastest) to 6 (smallest); none: see `png_level_for`.
    pub png_level: Option<u8>,
    /// AVIF: libaom's speed, 0 (slowest, smallest) to 9; 6 is Squoosh's default.
    pub avif_speed: u8,
    /// AVIF: 8 or 10 bits a sample. A 16-bit PNG written at 10 keeps its precision.
    pub avif_depth: u8,
}

/// From this many pixels, PNG is written at oxipng's preset 1 unless a level is asked
/// for. Measured in wasm (Node, 2026-12-05): a 4608×1976 phone photo 8.1-8.6 s at 1
/// against 14.5-17.5 s at 2, 0.26% more bytes; a 3840×2160 mosaic of screenshots
/// 2.1-2.8 s against 5.0-6.7 s, 0.58% more. Below it the wait shrinks with the pixels
/// (a 1.1 MP screenshot: 0.73 s at 2), and preset 2 saved up to 10% on a small gradient.
pub const FAST_PNG_PIXELS: u64 = 4_000_000;

impl ConvertOptions {
    /// The oxipng preset for a picture of `pixels`: the one asked for, else 2, or 1
    /// from `FAST_PNG_PIXELS` (half the wait for well under 1% more bytes).
    pub fn png_level_for(&self, pixels: u64) -> u8 {
        self.png_level.unwrap_or(if pixels >= FAST_PNG_PIXELS { 1 } else { 2 })
    }
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            format: OutputFormat::Keep,
            quality: 80,
            max_width: None,
            max_height: None,
            target_bytes: None,
            colour: ColourMode::KeepProfile,
            chroma: Chroma::Subsampled,
            background: [255, 255, 255],
            webp_lossless: false,
            png_level: None,
            avif_speed: 6,
            avif_depth: 8,
        }
    }
}
