//! Traceless core: recognise, inspect and losslessly clean image metadata.
//!
//! The engine knows nothing of browsers or files: bytes in, bytes and a report
//! out. Containers are edited, never re-encoded, so pixels are untouched.

mod clean;
mod codec;
mod container;
mod error;
mod format;
mod inspect;
pub mod limits;
mod metadata;
mod policy;
mod report;
mod sort;
mod transcode;
#[cfg(feature = "video")]
pub mod video;
// The C codecs' libc needs, where there is no libc (browsers, Node).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm_libc;

#[cfg(feature = "video")]
pub use clean::clean_image_sequence;
pub use clean::{clean, Cleaned};
pub use error::{reason, Error, ErrorKind, Reason, Result};
pub use format::{detect, Detected, Format};
pub use inspect::inspect;
#[cfg(feature = "video")]
pub use inspect::inspect_image_sequence;
pub use policy::Policy;
pub use report::{
    summarise, Action, BlockInfo, BlockKind, Category, CleanReport, Finding, GpsPosition, IccInfo, InspectReport,
};
pub use transcode::{
    convert, convert_decoded, convert_in_parts, decode_upright, encode_decoded_strip, encode_part, encode_rgba,
    join_parts, splice_scans, write_scans, Chroma, ColourMode, ConvertOptions, ConvertReport, Converted, DecodedImage,
    InParts, OutputFormat, Parts, PartsJob, MAX_DECODE_ITEMS, MAX_DECODE_PIXELS, MIN_PARTS_PIXELS,
};
#[cfg(feature = "heif-decode")]
pub use transcode::{
    decode_upright_band, join_upright_bands, list_picture, screen_picture, screen_picture_of_bands, screen_rows,
    UprightBand,
};
