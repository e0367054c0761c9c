//! Typed errors: every refusal says what is wrong and, where it applies, at which byte.

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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Error {
    pub kind: ErrorKind,
    /// Short name of the format being read ("JPEG", "PNG", ...), when known.
    pub format: Option<String>,
    /// Byte offset in the input where the problem was found, when meaningful.
    pub offset: Option<u64>,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, format: None, offset: None, message: message.into() }
    }
    pub fn corrupt(format: &str, offset: usize, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Corrupt, message).in_format(format).at(offset)
    }
    pub fn truncated(format: &str, offset: usize, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Truncated, message).in_format(format).at(offset)
    }
    pub fn limit(format: &str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::LimitExceeded, message).in_format(format)
    }
    pub fn in_format(mut self, format: &str) -> Self {
        self.format = Some(format.to_string());
        self
    }
    pub fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset as u64);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Empty => return write!(f, "empty file (0 bytes)"),
            ErrorKind::Unsupported if matches!(self.format.as_deref(), Some("MP4" | "MOV")) => "unsupported video",
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
