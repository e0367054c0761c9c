//! GIF: a block walk (extensions and image descriptors, each with its data
//! sub-blocks) to the trailer. The writer copies kept blocks verbatim.

use super::{le16, push_block, Block, Decision, Parsed, Payload, Plan};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::report::BlockKind;

const NAME: &str = "GIF";
const TRAILER: u8 = 0x3B;

pub(crate) fn parse(data: &[u8]) -> Result<Parsed> {
    if data.len() < 13 || !(data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        return Err(Error::corrupt(NAME, 0, "bad header"));
    }
    let width = le16(data, 6) as u32;
    let height = le16(data, 8) as u32;
    let packed = data[10];
    let mut pos = 13;
    if packed & 0x80 != 0 {
        pos += colour_table_len(packed);
    }
    if pos > data.len() {
        return Err(Error::truncated(NAME, 13, "global colour table cut off"));
    }
    let mut blocks = Vec::new();
    let header = Block { kind: BlockKind::Structure, label: "header".into(), range: 0..pos, payload: Payload::None };
    push_block(&mut blocks, Format::Gif, header)?;
    let mut frames = 0u32;
    let mut seen_trailer = false;
    while pos < data.len() {
        let start = pos;
        let (kind, label, payload, end) = match data[pos] {
            TRAILER => {
                seen_trailer = true;
                (BlockKind::Structure, "trailer".to_string(), Payload::None, pos + 1)
            }
            0x2C => {
                if pos + 10 > data.len() {
                    return Err(Error::truncated(NAME, pos, "image descriptor cut off"));
                }
                let packed = data[pos + 9];
                let mut p = pos + 10;
                if packed & 0x80 != 0 {
                    p += colour_table_len(packed);
                }
                if p >= data.len() {
                    return Err(Error::truncated(NAME, pos, "image data cut off"));
                }
                let min_code_size = data[p];
                if !(1..=12).contains(&min_code_size) {
                    return Err(Error::corrupt(
                        NAME,
                        p,
                        format!("LZW minimum code size {min_code_size} is out of range"),
                    ));
                }
                let end = sub_blocks_end(data, p + 1)?;
                frames += 1;
                (BlockKind::ImageData, format!("frame {frames}"), Payload::None, end)
            }
            0x21 => {
                if pos + 2 > data.len() {
                    return Err(Error::truncated(NAME, pos, "extension cut off"));
                }
                let label = data[pos + 1];
                let end = sub_blocks_end(data, pos + 2)?;
                let subs = pos + 2..end;
                match label {
                    // Kept, so only as the format has it: one sub-block of 4 bytes. Decoders
                    // read that one and pass over the rest, which would go through unread.
                    0xF9 if end - pos != 8 || data[pos + 2] != 4 => {
                        return Err(Error::corrupt(NAME, pos, "a graphic control extension longer than its 4 bytes"));
                    }
                    0xF9 => (BlockKind::Animation, "graphic control".to_string(), Payload::None, end),
                    0xFE => (BlockKind::Comment, "comment".to_string(), Payload::SubBlocks(subs), end),
                    0x01 => (BlockKind::Text, "plain text".to_string(), Payload::SubBlocks(subs), end),
                    0xFF => application(data, pos, end)?,
                    other => (BlockKind::Unknown, format!("extension 0x{other:02X}"), Payload::SubBlocks(subs), end),
                }
            }
            other => return Err(Error::corrupt(NAME, pos, format!("unexpected byte 0x{other:02X} between blocks"))),
        };
        push_block(&mut blocks, Format::Gif, Block { kind, label, range: start..end, payload })?;
        pos = end;
        if seen_trailer {
            break;
        }
    }
    if frames == 0 {
        return Err(Error::corrupt(NAME, pos, "no image in the file"));
    }
    // A file that ends cleanly after a block but lacks the trailer byte is
    // accepted (browsers show it); the writer adds the trailer.
    if pos < data.len() {
        let label = super::trailer_label(&data[pos..]);
        let trailer =
            Block { kind: BlockKind::Trailer, label, range: pos..data.len(), payload: Payload::Bytes(pos..data.len()) };
        push_block(&mut blocks, Format::Gif, trailer)?;
    }
    Ok(Parsed {
        format: Format::Gif,
        width,
        height,
        frames,
        blocks,
        repair: !seen_trailer,
        components: 0,
        gain_map: None,
    })
}

fn colour_table_len(packed: u8) -> usize {
    3 * (1 << ((packed & 0x07) + 1))
}

/// The end of a run of data sub-blocks starting at `pos` (after its zero terminator).
fn sub_blocks_end(data: &[u8], mut pos: usize) -> Result<usize> {
    loop {
        let Some(&n) = data.get(pos) else {
            return Err(Error::truncated(NAME, pos, "data sub-blocks cut off"));
        };
        pos += 1 + n as usize;
        if n == 0 {
            return Ok(pos);
        }
        if pos > data.len() {
            return Err(Error::truncated(NAME, pos - n as usize - 1, "data sub-block cut off"));
        }
    }
}

fn application(data: &[u8], pos: usize, end: usize) -> Result<(BlockKind, String, Payload, usize)> {
    // The first sub-block is the 8-byte identifier and 3-byte authentication code.
    let id_len = data[pos + 2] as usize;
    let id = &data[pos + 3..pos + 3 + id_len];
    let rest = pos + 3 + id_len..end;
    let name = super::printable(id);
    let kind = match id {
        // Kept, so only as the format has it: one sub-block, the loop count (1, then 2
        // bytes) or the buffer size (2, then 4 bytes), which is all browsers read.
        b"NETSCAPE2.0" | b"ANIMEXTS1.0" => {
            let looping = matches!(&data[rest.clone()], [3, 1, _, _, 0] | [5, 2, _, _, _, _, 0]);
            if !looping {
                return Err(Error::corrupt(NAME, pos, format!("a {name} extension holding more than its loop count")));
            }
            BlockKind::Animation
        }
        b"ICCRGBG1012" => BlockKind::Icc,
        // XMP's "sub-blocks" are the packet itself followed by a 258-byte "magic trailer".
        b"XMP DataXMP" => return Ok((BlockKind::Xmp, "application XMP".into(), Payload::Bytes(rest), end)),
        _ => BlockKind::Vendor,
    };
    Ok((kind, format!("application {name}"), Payload::SubBlocks(rest), end))
}

pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    for (block, decision) in parsed.blocks.iter().zip(plan.decisions) {
        match decision {
            Decision::Keep => out.extend_from_slice(&data[block.range.clone()]),
            Decision::ReplaceIcc => {
                if let Some(profile) = plan.icc {
                    put_profile(&mut out, profile);
                }
            }
            _ => {}
        }
    }
    // The trailer block is structure and always kept; `repair` means it was missing.
    if parsed.repair {
        out.push(TRAILER);
    }
    out
}

/// A colour profile as an `ICCRGBG1012` application extension: the profile in
/// sub-blocks of at most 255 bytes, then the empty one that ends them.
fn put_profile(out: &mut Vec<u8>, profile: &[u8]) {
    out.extend_from_slice(&[0x21, 0xFF, 11]);
    out.extend_from_slice(b"ICCRGBG1012");
    for part in profile.chunks(255) {
        out.push(part.len() as u8);
        out.extend_from_slice(part);
    }
    out.push(0);
}
