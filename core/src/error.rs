//! Typed errors: every refusal says what is wrong and, where it applies, at which byte.

use std::borrow::Cow;
use std::fmt;

/// What kind of problem stopped the engine. Stable and serialisable, so callers
/// (CLI, extension) can choose their wording or behaviour per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A recognised image type the engine does not handle (TIFF, JPEG XL, an image
    /// sequence, ...).
    Unsupported,
    /// The file has no bytes at all.
    Empty,
    /// The bytes are not any image type the engine knows.
    Unrecognised,
    /// The file ends before the format says it should.
    Truncated,
    /// The structure is invalid (bad lengths, bad checksums, missing parts).
    Corrupt,
    /// The file is within the format but beyond the engine's documented limits.
    LimitExceeded,
    /// The caller asked for something the engine cannot do (bad options).
    InvalidRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Error {
    pub kind: ErrorKind,
    /// Short name of the format being read ("JPEG", "PNG", ...), when known.
    pub format: Option<&'static str>,
    /// Byte offset in the input where the problem was found, when meaningful.
    pub offset: Option<u64>,
    /// Mostly a literal: borrowed, so the many fixed messages cost no allocation (or code).
    pub message: Cow<'static, str>,
    /// Why, for callers that say it in the user's language (the extension): a
    /// stable code from [`reason`] and its arguments. Only refusals a person can act
    /// on carry one; the rest (a damaged file's byte offsets) stay diagnostic text.
    #[serde(skip)]
    pub reason: Option<Box<Reason>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub code: &'static str,
    pub args: Vec<String>,
}

/// The reason codes, with their arguments in order. The extension's messages
/// (extension/src/shared/failure.ts) have one sentence per code.
pub mod reason {
    /// `[type]`: a file type the engine recognises but does not handle (TIFF, JPEG XL).
    pub const OTHER_TYPE: &str = "other_type";
    /// `[format]`: this image (format or variant) cannot be converted here, but cleaned.
    pub const CANNOT_CONVERT: &str = "cannot_convert";
    /// `[width, height, limit in megapixels]`: too many pixels to convert.
    pub const TOO_MANY_PIXELS: &str = "too_many_pixels";
    /// `[]`: the decoder or encoder ran out of memory.
    pub const OUT_OF_MEMORY: &str = "out_of_memory";
    /// `[format, frames, target format]`: an animation asked for a one-picture format.
    pub const ANIMATED_TO_SINGLE: &str = "animated_to_single";
    /// `[frames, limit in megapixels]`: an animation too long to convert.
    pub const ANIMATION_TOO_LONG: &str = "animation_too_long";
    /// `[]`: a video asked to be converted (videos are only cleaned).
    pub const VIDEO_NOT_REENCODED: &str = "video_not_reencoded";
    /// `[]`: a fragmented movie (moof, mvex), not cleaned yet.
    pub const FRAGMENTED_VIDEO: &str = "fragmented_video";
    /// `[]`: a movie whose media is elsewhere, or whose header is compressed.
    pub const UNUSUAL_VIDEO: &str = "unusual_video";
    /// `[format]`: an animated AVIF or a HEIF image sequence (pictures in a `moov`
    /// track), not read yet.
    pub const IMAGE_SEQUENCE: &str = "image_sequence";
}

impl ErrorKind {
    /// The kind as serde names it ("limit_exceeded"), without serde (smaller in wasm).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Empty => "empty",
            ErrorKind::Unrecognised => "unrecognised",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::InvalidRequest => "invalid_request",
        }
    }
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error { kind, format: None, offset: None, message: message.into(), reason: None }
    }
    pub fn corrupt(format: &'static str, offset: usize, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Corrupt, message).in_format(format).at(offset)
    }
    pub fn truncated(format: &'static str, offset: usize, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Truncated, message).in_format(format).at(offset)
    }
    pub fn limit(format: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::LimitExceeded, message).in_format(format)
    }
    pub fn in_format(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }
    pub fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset as u64);
        self
    }
    /// Gives the error a [`reason`] code that takes no arguments.
    #[cold]
    #[inline(never)]
    pub fn because(self, code: &'static str) -> Self {
        self.because_with(code, &[])
    }
    /// Gives the error a [`reason`] code and its arguments. (Not generic: one copy
    /// of it in the wasm module, whatever the call sites pass.)
    #[cold]
    #[inline(never)]
    pub fn because_with(mut self, code: &'static str, args: &[&dyn fmt::Display]) -> Self {
        self.reason = Some(Box::new(Reason { code, args: args.iter().map(|a| a.to_string()).collect() }));
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Empty => return write!(f, "empty file (0 bytes)"),
            ErrorKind::Unsupported if matches!(self.format, Some("MP4" | "MOV")) => "unsupported video",
            ErrorKind::Unsupported => "unsupported image type",
            ErrorKind::Unrecognised => "not a recognised image",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::LimitExceeded => "over the engine's limits",
            ErrorKind::InvalidRequest => "invalid request",
        };
        match (&self.format, self.kind) {
            (Some(fmt_name), ErrorKind::Truncated | ErrorKind::Corrupt | ErrorKind::LimitExceeded) => {
                write!(f, "{what} {fmt_name}")?
            }
            _ => write!(f, "{what}")?,
        }
        if let Some(offset) = self.offset {
            write!(f, " at byte {offset}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_serdes() {
        for kind in [
            ErrorKind::Unsupported,
            ErrorKind::Empty,
            ErrorKind::Unrecognised,
            ErrorKind::Truncated,
            ErrorKind::Corrupt,
            ErrorKind::LimitExceeded,
            ErrorKind::InvalidRequest,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str(), "{kind:?}");
        }
    }
}
