//! WebP: a RIFF chunk walk (with animation frames validated inside ANMF). The
//! writer rebuilds the RIFF header and the VP8X feature flags to match what it kept.

use super::{le16, le24, le32, push_block, Block, Decision, Parsed, Payload, Plan};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::report::BlockKind;

const NAME: &str = "WebP";

// VP8X feature flags.
const FLAG_ICC: u8 = 0x20;
const FLAG_ANIMATION: u8 = 0x02;
const FLAG_EXIF: u8 = 0x08;
const FLAG_XMP: u8 = 0x04;

pub(crate) fn parse(data: &[u8]) -> Result<Parsed> {
    if data.len() < 12 || &data[0..4] != b"RIFF" || &data[8..12] != b"WEBP" {
        return Err(Error::corrupt(NAME, 0, "not a RIFF WEBP header"));
    }
    let riff_size = le32(data, 4) as usize;
    let riff_end = riff_size.checked_add(8).ok_or_else(|| Error::corrupt(NAME, 4, "RIFF size overflows"))?;
    if riff_end > data.len() {
        return Err(Error::truncated(
            NAME,
            data.len(),
            format!("RIFF claims {riff_end} bytes; the file has {}", data.len()),
        ));
    }
    if riff_end < 20 {
        return Err(Error::corrupt(NAME, 4, "RIFF size too small for any image"));
    }
    let mut blocks = Vec::new();
    push_block(
        &mut blocks,
        Format::Webp,
        Block { kind: BlockKind::Structure, label: "RIFF header".into(), range: 0..12, payload: Payload::None },
    )?;
    let mut pos = 12;
    let mut dims = None;
    let mut frames = 0u32;
    let mut has_vp8x = false;
    let mut animated = false;
    let mut has_image = false;
    let mut missing_pad = false;
    while pos < riff_end {
        let (fourcc, body, end) = chunk_at(data, pos, riff_end)?;
        let name = String::from_utf8_lossy(&fourcc).into_owned();
        let first = blocks.len() == 1;
        if first && !matches!(&fourcc, b"VP8X" | b"VP8 " | b"VP8L") {
            return Err(Error::corrupt(NAME, pos, format!("the first chunk is {name}, not VP8, VP8L or VP8X")));
        }
        let (kind, label, payload) = match &fourcc {
            b"VP8X" => {
                if !first {
                    return Err(Error::corrupt(NAME, pos, "VP8X is not the first chunk"));
                }
                if body.len() < 10 {
                    return Err(Error::corrupt(NAME, pos, "VP8X shorter than 10 bytes"));
                }
                has_vp8x = true;
                animated = data[body.start] & FLAG_ANIMATION != 0;
                dims = Some((le24(data, body.start + 4) + 1, le24(data, body.start + 7) + 1));
                (BlockKind::Structure, name, Payload::None)
            }
            b"VP8 " | b"VP8L" => {
                let (w, h) = bitstream_size(&fourcc, &data[body.clone()], body.start)?;
                if dims.is_none() {
                    dims = Some((w, h));
                }
                if !first && !has_vp8x {
                    return Err(Error::corrupt(NAME, pos, "image data after other chunks in a simple WebP"));
                }
                has_image = true;
                frames = frames.max(1);
                (BlockKind::ImageData, name, Payload::None)
            }
            // Read only where the format puts them: an alpha plane before its VP8 image in an
            // extended file, the animation's header in an animated one. Elsewhere decoders
            // pass over them, and what they hold goes (a review kept text in both).
            b"ALPH" if has_vp8x && !has_image && !animated => (BlockKind::ImageData, name, Payload::None),
            b"ANIM" if animated => (BlockKind::Animation, name, Payload::None),
            b"ALPH" | b"ANIM" => {
                (BlockKind::Unknown, format!("{name} where no decoder reads it"), Payload::Bytes(body.clone()))
            }
            b"ANMF" => {
                validate_frame(data, body.clone())?;
                has_image = true;
                frames += 1;
                (BlockKind::Animation, name, Payload::None)
            }
            b"ICCP" => (BlockKind::Icc, "ICCP ICC profile".into(), Payload::Bytes(body.clone())),
            b"EXIF" => (BlockKind::Exif, name, Payload::Bytes(body.clone())),
            b"XMP " => (BlockKind::Xmp, "XMP".into(), Payload::Bytes(body.clone())),
            b"C2PA" => (BlockKind::ContentCredentials, "C2PA".into(), Payload::Bytes(body.clone())),
            b"LIST" | b"INFO" => (BlockKind::Text, format!("{name} (RIFF text)"), Payload::Bytes(body.clone())),
            _ => (
                BlockKind::Unknown,
                format!("{} (unknown chunk)", super::printable(&fourcc)),
                Payload::Bytes(body.clone()),
            ),
        };
        missing_pad |= (end - pos) % 2 == 1;
        push_block(&mut blocks, Format::Webp, Block { kind, label, range: pos..end, payload })?;
        pos = end;
    }
    if !has_image {
        return Err(Error::corrupt(NAME, 12, "no image data (VP8, VP8L or ANMF)"));
    }
    if riff_end < data.len() {
        let label = super::trailer_label(&data[riff_end..]);
        push_block(
            &mut blocks,
            Format::Webp,
            Block {
                kind: BlockKind::Trailer,
                label,
                range: riff_end..data.len(),
                payload: Payload::Bytes(riff_end..data.len()),
            },
        )?;
    }
    let (width, height) = dims.unwrap_or((0, 0));
    Ok(Parsed {
        format: Format::Webp,
        width,
        height,
        frames: frames.max(1),
        blocks,
        repair: missing_pad,
        components: 0,
        gain_map: None,
    })
}

/// Reads the chunk at `pos`: its FourCC, body range and end (padding included).
/// A missing pad byte after an odd-sized final chunk is tolerated.
fn chunk_at(data: &[u8], pos: usize, limit: usize) -> Result<([u8; 4], std::ops::Range<usize>, usize)> {
    if pos + 8 > limit {
        return Err(Error::truncated(NAME, pos, "chunk header cut off"));
    }
    let fourcc: [u8; 4] = data[pos..pos + 4].try_into().expect("4 bytes");
    let size = le32(data, pos + 4) as usize;
    let body_end = (pos + 8).checked_add(size).filter(|&e| e <= limit).ok_or_else(|| {
        Error::truncated(
            NAME,
            pos,
            format!("chunk {} claims {size} bytes; its container ends first", super::printable(&fourcc)),
        )
    })?;
    let end = (body_end + (size & 1)).min(limit);
    Ok((fourcc, pos + 8..body_end, end))
}

fn bitstream_size(fourcc: &[u8; 4], body: &[u8], at: usize) -> Result<(u32, u32)> {
    if fourcc == b"VP8 " {
        if body.len() < 10 || body[3..6] != [0x9D, 0x01, 0x2A] {
            return Err(Error::corrupt(NAME, at, "VP8 data lacks its start code"));
        }
        Ok(((le16(body, 6) & 0x3FFF) as u32, (le16(body, 8) & 0x3FFF) as u32))
    } else {
        if body.len() < 5 || body[0] != 0x2F {
            return Err(Error::corrupt(NAME, at, "VP8L data lacks its signature"));
        }
        let bits = le32(body, 1);
        Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
    }
}

/// An ANMF body: a 16-byte frame header, then ALPH / VP8 / VP8L (and unknown) chunks.
fn validate_frame(data: &[u8], body: std::ops::Range<usize>) -> Result<()> {
    if body.len() < 16 + 8 {
        return Err(Error::corrupt(NAME, body.start, "ANMF frame too short"));
    }
    let mut pos = body.start + 16;
    let mut has_bitstream = false;
    while pos < body.end {
        let (fourcc, inner, end) = chunk_at(data, pos, body.end)?;
        match &fourcc {
            b"VP8 " | b"VP8L" => {
                bitstream_size(&fourcc, &data[inner], pos)?;
                has_bitstream = true;
            }
            b"ALPH" => {}
            // The format lets a frame hold other chunks, which decoders pass over and no
            // encoder writes. Kept with the frame they would go through unread (an EXIF
            // chunk there, say): such a file is refused rather than passed on.
            _ => {
                let message =
                    format!("an animation frame holding a {} chunk besides its image", super::printable(&fourcc));
                return Err(Error::new(ErrorKind::Unsupported, message).in_format(NAME).at(pos));
            }
        }
        pos = end;
    }
    if !has_bitstream {
        return Err(Error::corrupt(NAME, body.start, "ANMF frame without VP8 or VP8L data"));
    }
    Ok(())
}

fn chunk(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 9);
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
    out
}

pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let replaces = plan.decisions.contains(&Decision::ReplaceExif);
    let mut vp8x_at = None;
    let mut kept_icc = false;
    let mut wrote_exif = false;
    for (block, decision) in parsed.blocks.iter().zip(plan.decisions).skip(1) {
        let bytes = &data[block.range.clone()];
        match decision {
            Decision::Keep => {
                if bytes.starts_with(b"VP8X") {
                    vp8x_at = Some(out.len());
                }
                kept_icc |= block.kind == BlockKind::Icc;
                out.extend_from_slice(bytes);
                // A final odd-sized chunk whose pad byte was missing gets it back.
                let size = le32(bytes, 4) as usize;
                if bytes.len() < 8 + size + (size & 1) {
                    out.push(0);
                }
            }
            Decision::Remove => {}
            Decision::ReplaceExif => {
                if let Some(tiff) = plan.exif {
                    out.extend_from_slice(&chunk(b"EXIF", tiff));
                    wrote_exif = true;
                }
            }
            Decision::ReplaceIcc => {
                if let Some(profile) = plan.icc {
                    out.extend_from_slice(&chunk(b"ICCP", profile));
                    kept_icc = true;
                }
            }
        }
    }
    if !replaces {
        if let Some(tiff) = plan.exif {
            if vp8x_at.is_some() {
                out.extend_from_slice(&chunk(b"EXIF", tiff));
                wrote_exif = true;
            }
            // A simple (VP8/VP8L-only) file cannot carry EXIF without a VP8X
            // chunk; `clean` only asks for insertion when the file has one.
        }
    }
    if let Some(at) = vp8x_at {
        let flags = &mut out[at + 8];
        *flags &= !(FLAG_ICC | FLAG_EXIF | FLAG_XMP);
        if kept_icc {
            *flags |= FLAG_ICC;
        }
        if wrote_exif {
            *flags |= FLAG_EXIF;
        }
    }
    let riff_size = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    out
}

pub(crate) fn has_vp8x(parsed: &Parsed) -> bool {
    parsed.blocks.get(1).is_some_and(|b| b.label == "VP8X")
}
