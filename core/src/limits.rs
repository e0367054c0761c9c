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

/// Most bytes all of a file's compressed text chunks may inflate to, together: a review's
/// 8 MB PNG of 1,000 chunks, each 8 MB of zeros, took 35 s to clean (the rest is removed
/// unread, and said to be).
pub const MAX_INFLATED_TEXT_TOTAL: usize = 64 * 1024 * 1024;

/// Most findings listed per report; the rest are counted.
pub const MAX_FINDINGS: usize = 2_000;

/// Longest value kept in a finding, in characters.
pub const MAX_VALUE_CHARS: usize = 200;

/// Deepest XML nesting followed in an XMP packet.
pub const MAX_XML_DEPTH: usize = 128;

/// Deepest box nesting followed in ISO media (HEIF, AVIF). A still image nests
/// four deep (meta, iprp, ipco, property); video about ten (moov, trak, mdia,
/// minf, stbl, stsd, ...). Deeper is a nesting bomb, not a picture.
pub const MAX_BOX_DEPTH: usize = 32;

/// Most boxes walked in one ISO media file, at every depth. Bounds the
/// bookkeeping of files made of millions of 8-byte boxes; an iPhone photo
/// has under a hundred.
pub const MAX_BOXES: usize = 200_000;

/// Most items in one HEIF/AVIF file. A 16384×16384 picture in 256-pixel grid
/// tiles is 4,096 items; phones write about fifty.
pub const MAX_ITEMS: usize = 50_000;

/// Most data extents over all items. Real items have one extent each; the
/// limit bounds the iloc table a hostile file can make us hold.
pub const MAX_EXTENTS: usize = 200_000;

/// Most item properties (ipco children). An ipma association addresses at
/// most 32,767 (a 15-bit index); real files have a few dozen.
pub const MAX_PROPERTIES: usize = 32_767;

/// Colour profiles (`colr` properties in use) a HEIF or AVIF file may hold for cleaning to
/// take it: each picture may have its own (the primary's, a gain map's, an alpha plane's;
/// a grid's tiles, if its writer gave each a copy), and each is read and may be written
/// again (`clean::profiles_kept`), work that grows with its tags.
pub const MAX_COLOUR_PROFILES: usize = 1024;

/// Most item references (iref targets) and most property associations
/// (ipma entries), each counted over the whole file. A tiled picture needs
/// one reference and a handful of associations per tile.
pub const MAX_REFERENCES: usize = 500_000;
