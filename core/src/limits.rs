//! The engine's documented limits. They bound memory and time on hostile input;
//! real photos sit far below every one of them.

/// Largest input accepted, in bytes (512 MiB). Cleaning holds the input and
/// one output of at most the same size.
pub const MAX_INPUT_BYTES: usize = 512 * 1024 * 1024;

/// Most container blocks (JPEG segments, PNG chunks, WebP chunks, GIF blocks)
/// in one file. A 4-byte-per-segment bomb would otherwise cost gigabytes of
/// bookkeeping. Real files have tens; long animations a few thousand.
pub const MAX_BLOCKS: usize = 200_000;

/// Largest metadata payload that inspection parses (EXIF, XMP, IRB, ICC);
/// larger payloads are still removed, only not itemised.
pub const MAX_PARSED_METADATA: usize = 16 * 1024 * 1024;

/// Most bytes a compressed PNG text chunk may inflate to when inspected.
pub const MAX_INFLATED_TEXT: usize = 8 * 1024 * 1024;

/// Most findings listed per report; the rest are counted.
pub const MAX_FINDINGS: usize = 2_000;

/// Longest value kept in a finding, in characters.
pub const MAX_VALUE_CHARS: usize = 200;

/// Deepest XML nesting followed in an XMP packet.
pub const MAX_XML_DEPTH: usize = 128;
