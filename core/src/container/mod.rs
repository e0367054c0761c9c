//! Container parsers and writers, one module per format. Each parser validates the
//! whole file and splits it into blocks; each writer rebuilds the file from the
//! blocks it is told to keep, copying image data byte for byte.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::format::Format;
use crate::limits;
use crate::report::BlockKind;

pub(crate) mod gif;
pub(crate) mod isobmff;
pub(crate) mod jpeg;
pub(crate) mod png;
pub(crate) mod ultrahdr;
pub(crate) mod webp;

/// Where a block's metadata payload lives and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payload {
    None,
    /// Plain bytes.
    Bytes(Range<usize>),
    /// GIF data sub-blocks (length-prefixed runs, ended by a zero length).
    SubBlocks(Range<usize>),
    /// A PNG tEXt / zTXt / iTXt chunk body.
    PngText {
        chunk: [u8; 4],
        data: Range<usize>,
    },
    /// A PNG iCCP body: name, NUL, method, zlib stream.
    PngIcc(Range<usize>),
    /// One APP2 ICC_PROFILE chunk of a JPEG: its sequence number and bytes.
    JpegIcc {
        seq: u8,
        data: Range<usize>,
    },
    /// Byte ranges to join in order (a HEIF item stored in several extents).
    Extents(Vec<Range<usize>>),
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: BlockKind,
    pub label: String,
    /// The whole block in the input, headers included.
    pub range: Range<usize>,
    pub payload: Payload,
}

/// A fully validated file.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    pub blocks: Vec<Block>,
    /// The writer will fix a harmless defect (a missing GIF trailer or WebP pad
    /// byte) or rename a PNG profile, so the file must be rewritten even when
    /// nothing is removed.
    pub repair: bool,
    /// Colour components of a JPEG frame (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK); 0 elsewhere.
    pub components: u8,
    /// An Ultra HDR JPEG's gain map (its `BlockKind::GainMap` block); None elsewhere.
    pub gain_map: Option<Box<ultrahdr::GainMap>>,
}

/// What the writer does with each block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Keep,
    Remove,
    /// Replace this EXIF block by one holding the given TIFF-structured EXIF.
    ReplaceExif,
    /// Replace this ICC block (the first; the rest are removed) by the plan's profile; in
    /// HEIF and AVIF, where each picture's profile is a property of its own, write this
    /// property's profile again without the device it names (`metadata::icc_device`).
    ReplaceIcc,
}

/// The writer's instructions: a decision per block, and the minimal EXIF to
/// write (in place of the block marked `ReplaceExif`, or inserted where the
/// format wants it when no block is so marked).
pub(crate) struct Plan<'a> {
    pub decisions: &'a [Decision],
    pub exif: Option<&'a [u8]>,
    /// The colour profile to write in place of the block marked `ReplaceIcc`
    /// (not HEIF or AVIF: see `clean::profile_to_write`).
    pub icc: Option<&'a [u8]>,
}

pub(crate) fn parse(format: Format, data: &[u8]) -> Result<Parsed> {
    if data.len() > limits::MAX_INPUT_BYTES {
        return Err(Error::limit(
            format.name(),
            format!("the file is {} bytes; the limit is {} bytes", data.len(), limits::MAX_INPUT_BYTES),
        ));
    }
    match format {
        Format::Jpeg => jpeg::parse(data),
        Format::Png => png::parse(data),
        Format::Webp => webp::parse(data),
        Format::Gif => gif::parse(data),
        Format::Heif | Format::Avif => isobmff::parse(format, data),
        // Videos have their own streamed path (crate::video).
        Format::Mp4 | Format::Mov => {
            Err(Error::new(crate::error::ErrorKind::Unsupported, "videos are not cleaned in this build of Traceless")
                .in_format(format.name()))
        }
    }
}

/// Rebuilds the file. Only the HEIF/AVIF writer can fail: it reads its model
/// from `data` again.
pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Result<Vec<u8>> {
    Ok(match parsed.format {
        Format::Jpeg => jpeg::write(parsed, data, plan),
        Format::Png => png::write(parsed, data, plan),
        Format::Webp => webp::write(parsed, data, plan),
        Format::Gif => gif::write(parsed, data, plan),
        Format::Heif | Format::Avif => return isobmff::write(parsed, data, plan),
        Format::Mp4 | Format::Mov => unreachable!("videos never parse as image containers"),
    })
}

impl Block {
    /// The payload as contiguous bytes (GIF sub-blocks are joined).
    pub fn payload_bytes<'d>(&self, data: &'d [u8]) -> Cow<'d, [u8]> {
        match &self.payload {
            Payload::None => Cow::Borrowed(&[]),
            Payload::Bytes(r) | Payload::PngIcc(r) => Cow::Borrowed(&data[r.clone()]),
            Payload::PngText { data: r, .. } | Payload::JpegIcc { data: r, .. } => Cow::Borrowed(&data[r.clone()]),
            Payload::SubBlocks(r) => Cow::Owned(join_sub_blocks(&data[r.clone()])),
            Payload::Extents(ranges) => match ranges.as_slice() {
                [one] => Cow::Borrowed(&data[one.clone()]),
                _ => Cow::Owned(ranges.iter().flat_map(|r| &data[r.clone()]).copied().collect()),
            },
        }
    }
}

/// Joins GIF sub-blocks; `bytes` was validated by the GIF parser.
pub(crate) fn join_sub_blocks(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    while pos < bytes.len() {
        let n = bytes[pos] as usize;
        if n == 0 {
            break;
        }
        let end = (pos + 1 + n).min(bytes.len());
        out.extend_from_slice(&bytes[pos + 1..end]);
        pos = end;
    }
    out
}

/// Adds a block, refusing files with more blocks than the limit.
pub(crate) fn push_block(blocks: &mut Vec<Block>, format: Format, block: Block) -> Result<()> {
    if blocks.len() >= limits::MAX_BLOCKS {
        return Err(Error::limit(
            format.name(),
            format!("more than {} blocks (segments, chunks or extensions)", limits::MAX_BLOCKS),
        )
        .at(block.range.start));
    }
    blocks.push(block);
    Ok(())
}

pub(crate) fn be16(data: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([data[at], data[at + 1]])
}
pub(crate) fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}
pub(crate) fn le16(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([data[at], data[at + 1]])
}
pub(crate) fn le24(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], 0])
}
pub(crate) fn le32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// A printable rendering of an identifier found in a file, for labels.
pub(crate) fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|b| **b != 0)
        .take(32)
        .map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' })
        .collect()
}

/// Names what data after the end of an image most likely is.
pub(crate) fn trailer_label(trailer: &[u8]) -> String {
    let head = &trailer[..trailer.len().min(64)];
    let contains = |needle: &[u8]| memchr::memmem::find(&trailer[..trailer.len().min(1 << 20)], needle).is_some();
    let what = if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "embedded JPEG image"
    } else if head.len() >= 8 && &head[4..8] == b"ftyp" {
        "embedded video (motion photo)"
    } else if contains(b"SEFH") || contains(b"SEFT") {
        "Samsung trailer"
    } else if head.iter().all(|&b| b == 0) {
        "padding"
    } else {
        "unknown data"
    };
    format!("data after end of image: {what} ({} bytes)", trailer.len())
}
