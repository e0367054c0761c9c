//! PNG and APNG: a chunk walk with every CRC checked. The writer copies kept
//! chunks verbatim, so their CRCs stay valid; a new eXIf gets a fresh CRC.

use super::{be32, push_block, Block, Decision, Parsed, Payload, Plan};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::report::BlockKind;

const NAME: &str = "PNG";
pub(crate) const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

pub(crate) fn parse(data: &[u8]) -> Result<Parsed> {
    if !data.starts_with(SIGNATURE) {
        return Err(Error::corrupt(NAME, 0, "bad signature"));
    }
    let mut blocks = Vec::new();
    push_block(
        &mut blocks,
        Format::Png,
        Block { kind: BlockKind::Structure, label: "signature".into(), range: 0..8, payload: Payload::None },
    )?;
    let mut pos = 8;
    let (mut width, mut height) = (0, 0);
    // An APNG's frame count: its acTL's, if the acTL comes before the image data (as
    // the format requires; browsers ignore a later one), capped by the fcTL chunks
    // really present (browsers play the frames a file holds).
    let (mut declared_frames, mut frame_controls) = (None, 0u32);
    let mut seen_idat = false;
    let mut seen_iend = false;
    // The colour type (IHDR comes first): tRNS, bKGD and sBIT have the size it gives them.
    let mut colour = None;
    while pos < data.len() {
        if pos + 12 > data.len() {
            return Err(Error::truncated(NAME, pos, "chunk header cut off"));
        }
        let length = be32(data, pos) as usize;
        if length > 0x7FFF_FFFF {
            return Err(Error::corrupt(NAME, pos, format!("chunk length {length} exceeds 2^31-1")));
        }
        let ty: [u8; 4] = data[pos + 4..pos + 8].try_into().expect("4 bytes");
        if !ty.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::corrupt(NAME, pos + 4, "chunk type is not four letters"));
        }
        let name = String::from_utf8_lossy(&ty).into_owned();
        let body = pos + 8;
        let end =
            body.checked_add(length).and_then(|e| e.checked_add(4)).filter(|&e| e <= data.len()).ok_or_else(|| {
                Error::truncated(NAME, pos, format!("chunk {name} claims {length} bytes; the file ends first"))
            })?;
        let crc_stored = be32(data, end - 4);
        let crc = crc32fast::hash(&data[pos + 4..end - 4]);
        if crc != crc_stored {
            return Err(Error::corrupt(NAME, pos, format!("chunk {name} has a bad CRC")));
        }
        let body_range = body..end - 4;
        let first = blocks.len() == 1;
        if first && &ty != b"IHDR" {
            return Err(Error::corrupt(NAME, pos, "the first chunk is not IHDR"));
        }
        let (kind, label, payload) = match &ty {
            // A kept chunk longer or shorter than its fields carries bytes no decoder reads.
            _ if !fits(&ty, length, colour) => (
                BlockKind::Unknown,
                format!("{name} of {length} bytes, not its fields' size"),
                Payload::Bytes(body_range),
            ),
            b"IHDR" => {
                if !first {
                    return Err(Error::corrupt(NAME, pos, "a second IHDR"));
                }
                if length != 13 {
                    return Err(Error::corrupt(NAME, pos, "IHDR is not 13 bytes"));
                }
                width = be32(data, body);
                height = be32(data, body + 4);
                if width == 0 || height == 0 || width > 0x7FFF_FFFF || height > 0x7FFF_FFFF {
                    return Err(Error::corrupt(NAME, body, format!("invalid dimensions {width}×{height}")));
                }
                validate_ihdr(&data[body + 8..body + 13], body + 8)?;
                colour = Some(data[body + 9]);
                (BlockKind::ImageData, name, Payload::None)
            }
            b"IDAT" => {
                seen_idat = true;
                (BlockKind::ImageData, name, Payload::None)
            }
            b"PLTE" => (BlockKind::ImageData, name, Payload::None),
            b"IEND" => {
                if length != 0 {
                    return Err(Error::corrupt(NAME, pos, format!("IEND holds {length} bytes; it holds none")));
                }
                seen_iend = true;
                (BlockKind::Structure, name, Payload::None)
            }
            b"iCCP" => (BlockKind::Icc, "iCCP ICC profile".into(), Payload::PngIcc(body_range)),
            b"sRGB" | b"gAMA" | b"cHRM" | b"cICP" | b"mDCv" | b"cLLI" | b"sBIT" => {
                (BlockKind::ColourInfo, name, Payload::None)
            }
            b"tRNS" => (BlockKind::Transparency, name, Payload::None),
            b"bKGD" => (BlockKind::Background, name, Payload::None),
            b"pHYs" => (BlockKind::PixelDensity, name, Payload::None),
            b"acTL" => {
                if length >= 4 && !seen_idat {
                    declared_frames = Some(be32(data, body));
                }
                (BlockKind::Animation, name, Payload::None)
            }
            b"fcTL" => {
                frame_controls = frame_controls.saturating_add(1);
                (BlockKind::Animation, name, Payload::None)
            }
            b"fdAT" => (BlockKind::Animation, name, Payload::None),
            b"tEXt" | b"zTXt" | b"iTXt" => {
                let keyword = super::printable(&data[body_range.clone()]);
                let kind = if keyword == "XML:com.adobe.xmp" { BlockKind::Xmp } else { BlockKind::Text };
                (kind, format!("{name} '{keyword}'"), Payload::PngText { chunk: ty, data: body_range })
            }
            b"eXIf" => (BlockKind::Exif, "eXIf".into(), Payload::Bytes(body_range)),
            b"tIME" => (BlockKind::ModificationTime, "tIME".into(), Payload::Bytes(body_range)),
            b"caBX" => (BlockKind::ContentCredentials, "caBX (C2PA)".into(), Payload::Bytes(body_range)),
            _ if ty[0].is_ascii_uppercase() => {
                return Err(Error::corrupt(NAME, pos, format!("unknown critical chunk {name}")));
            }
            _ => (BlockKind::Unknown, format!("{name} (private chunk)"), Payload::Bytes(body_range)),
        };
        push_block(&mut blocks, Format::Png, Block { kind, label, range: pos..end, payload })?;
        pos = end;
        if seen_iend {
            break;
        }
    }
    if !seen_iend {
        return Err(Error::truncated(NAME, data.len(), "no IEND chunk"));
    }
    if !seen_idat {
        return Err(Error::corrupt(NAME, 8, "no IDAT (image data) chunk"));
    }
    if pos < data.len() {
        let label = super::trailer_label(&data[pos..]);
        push_block(
            &mut blocks,
            Format::Png,
            Block { kind: BlockKind::Trailer, label, range: pos..data.len(), payload: Payload::Bytes(pos..data.len()) },
        )?;
    }
    // Without an acTL before the image data, browsers show the still image: frame chunks
    // there are read by none, and go like any chunk nothing reads.
    if declared_frames.is_none() {
        for block in blocks.iter_mut().filter(|b| b.kind == BlockKind::Animation) {
            block.kind = BlockKind::Unknown;
            block.label = format!("{} (not an animation: no acTL before the image data)", block.label);
            block.payload = Payload::Bytes(block.range.start + 8..block.range.end - 4);
        }
    }
    let frames = declared_frames.map_or(1, |declared| declared.min(frame_controls).max(1));
    // A profile kept under another name is written again under the cleaner's (renamed_icc).
    let renames = blocks.iter().any(|b| match &b.payload {
        Payload::PngIcc(body) => data[body.clone()].strip_prefix(ICC_NAME).and_then(<[u8]>::first) != Some(&0),
        _ => false,
    });
    Ok(Parsed { format: Format::Png, width, height, frames, blocks, repair: renames, components: 0, gain_map: None })
}

/// Whether a chunk that is kept has the length its fields give it, where they give one
/// (PNG, third edition): sBIT, bKGD and tRNS with the image's `colour` type (grey, RGB,
/// palette, grey and alpha, RGBA); a tRNS of an image with alpha is not read (a review's
/// 256-byte tRNS of text in an RGB image was kept).
fn fits(ty: &[u8; 4], length: usize, colour: Option<u8>) -> bool {
    // By colour type 0 to 6 (1 and 5 are none; 0: not allowed).
    let per_colour =
        |sizes: [u16; 7]| colour.and_then(|c| sizes.get(usize::from(c))).is_some_and(|&s| usize::from(s) == length);
    match ty {
        b"sBIT" => per_colour([1, 0, 3, 3, 2, 0, 4]),
        b"bKGD" => per_colour([2, 0, 6, 1, 2, 0, 6]),
        // Up to one alpha a palette entry; the png crate (browsers') and Pillow read a longer
        // one too, up to 256, which is kept.
        b"tRNS" => per_colour([2, 0, 6, 256, 0, 0, 0]) || colour == Some(3) && (1..256).contains(&length),
        b"sRGB" => length == 1,
        b"gAMA" | b"cICP" => length == 4,
        b"cLLI" | b"acTL" => length == 8,
        b"pHYs" => length == 9,
        b"mDCv" => length == 24,
        b"fcTL" => length == 26,
        b"cHRM" => length == 32,
        _ => true,
    }
}

/// Bit depth, colour type, compression, filter and interlace must be a legal combination.
fn validate_ihdr(fields: &[u8], at: usize) -> Result<()> {
    let (depth, colour) = (fields[0], fields[1]);
    let legal_depths: &[u8] = match colour {
        0 => &[1, 2, 4, 8, 16],
        3 => &[1, 2, 4, 8],
        2 | 4 | 6 => &[8, 16],
        _ => return Err(Error::corrupt(NAME, at, format!("invalid colour type {colour}"))),
    };
    if !legal_depths.contains(&depth) {
        return Err(Error::corrupt(NAME, at, format!("bit depth {depth} is invalid for colour type {colour}")));
    }
    if fields[2] != 0 || fields[3] != 0 || fields[4] > 1 {
        return Err(Error::corrupt(NAME, at + 2, "unknown compression, filter or interlace method"));
    }
    Ok(())
}

pub(crate) fn chunk(ty: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(body);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(ty);
    hasher.update(body);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
    out
}

/// `data` as a zlib stream, by libdeflate: oxipng links it already, where fdeflate's
/// compressor added 5 KB to the image engine's module (measured, session 39).
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut compressor = libdeflater::Compressor::default();
    let mut out = vec![0; compressor.zlib_compress_bound(data.len())];
    // The bound is libdeflate's own for this length: there is always room.
    let n = compressor.zlib_compress(data, &mut out).unwrap_or(0);
    out.truncate(n);
    out
}

/// The name every kept or written iCCP chunk carries. The writer's own is free text (1-79
/// bytes), which exiftool shows: "Photoshop ICC profile", the profile's description, or a
/// display's name ("DELL U2720Q") even when the profile itself names no device.
const ICC_NAME: &[u8] = b"ICC Profile";

/// A kept iCCP chunk under `ICC_NAME`: its compression method and compressed profile as they
/// were (a kept profile's bytes do not change). `body` is a profile the cleaner has read
/// (`icc::profile`), so it has its name's NUL; the chunk as it was otherwise.
fn renamed_icc(body: &[u8]) -> Vec<u8> {
    match body.iter().position(|&b| b == 0) {
        Some(nul) => chunk(b"iCCP", &[ICC_NAME, &body[nul..]].concat()),
        None => chunk(b"iCCP", body),
    }
}

pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let replaces = plan.decisions.contains(&Decision::ReplaceExif);
    // Readers honour eXIf only before the image data: put it right after IHDR.
    let insert_at = 2;
    for (i, (block, decision)) in parsed.blocks.iter().zip(plan.decisions).enumerate() {
        if !replaces && i == insert_at {
            if let Some(tiff) = plan.exif {
                out.extend_from_slice(&chunk(b"eXIf", tiff));
            }
        }
        match (decision, &block.payload) {
            (Decision::Keep, Payload::PngIcc(body)) => out.extend_from_slice(&renamed_icc(&data[body.clone()])),
            (Decision::Keep, _) => out.extend_from_slice(&data[block.range.clone()]),
            (Decision::Remove, _) => {}
            (Decision::ReplaceExif, _) => {
                if let Some(tiff) = plan.exif {
                    out.extend_from_slice(&chunk(b"eXIf", tiff));
                }
            }
            (Decision::ReplaceIcc, _) => {
                if let Some(profile) = plan.icc {
                    let zlib = zlib(profile);
                    out.extend_from_slice(&chunk(b"iCCP", &[ICC_NAME, b"\0\0".as_slice(), &zlib].concat()));
                }
            }
        }
    }
    out
}
