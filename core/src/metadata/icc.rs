//! ICC profiles: the whole profile as the file stores it (for conversion to
//! keep or apply), and its description (for the report).

use crate::container::{Parsed, Payload};
use crate::limits::MAX_PARSED_METADATA;
use crate::report::BlockKind;
use crate::Format;

/// The file's colour profile: JPEG's APP2 chunks joined in sequence order, PNG's
/// iCCP inflated, the first profile chunk otherwise. None if absent, empty or
/// unreadable.
#[inline(never)]
pub(crate) fn profile(parsed: &Parsed, data: &[u8]) -> Option<Vec<u8>> {
    let mut blocks = parsed.blocks.iter().filter(|b| b.kind == BlockKind::Icc).peekable();
    let profile = match &blocks.peek()?.payload {
        Payload::JpegIcc { .. } => {
            let mut chunks: Vec<(u8, &[u8])> = blocks
                .filter_map(|b| match &b.payload {
                    Payload::JpegIcc { seq, data: r } => Some((*seq, &data[r.clone()])),
                    _ => None,
                })
                .collect();
            chunks.sort_by_key(|(seq, _)| *seq);
            chunks.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect()
        }
        Payload::PngIcc(r) => {
            // Name, NUL, compression method, then the zlib stream.
            let body = &data[r.clone()];
            let nul = body.iter().position(|&b| b == 0)?;
            inflate_all(body.get(nul + 2..)?)?
        }
        _ => blocks.next()?.payload_bytes(data).into_owned(),
    };
    (!profile.is_empty()).then_some(profile)
}

/// Whether the file's colour profile can be kept: it reads as an ICC profile
/// (its size field matches, 'acsp' where the header has it) and, in a JPEG,
/// its chunks are numbered 1 to their count, each once. Anything else is not a
/// profile a browser would use, and is removed: a chunk whose length was
/// damaged can swallow the segments after it, comments included (found by the
/// jpeg_structure fuzz target's 10^7 run).
pub(crate) fn usable(parsed: &Parsed, data: &[u8]) -> bool {
    // PNG, WebP and GIF hold one profile: a second is not read (here or by a browser),
    // so whatever it holds would pass unchecked.
    let profiles = parsed.blocks.iter().filter(|b| b.kind == BlockKind::Icc).count();
    if matches!(parsed.format, Format::Png | Format::Webp | Format::Gif) && profiles > 1 {
        return false;
    }
    // Seen sequence numbers: a table rather than a sort, which costs kilobytes of wasm.
    let mut seen = [false; 256];
    let (mut chunks, mut count) = (0usize, None);
    for b in parsed.blocks.iter().filter(|b| b.kind == BlockKind::Icc) {
        if let Payload::JpegIcc { seq, data: r } = &b.payload {
            // The count follows the sequence number.
            let total = data.get(r.start.wrapping_sub(1)).copied().unwrap_or(0);
            let seq = usize::from(*seq);
            if *count.get_or_insert(total) != total || seq == 0 || seq > usize::from(total) || seen[seq] {
                return false;
            }
            seen[seq] = true;
            chunks += 1;
        }
    }
    if count.is_some_and(|total| chunks != usize::from(total)) {
        return false;
    }
    profile(parsed, data).is_some_and(|p| reads_as_profile(&p))
}

/// Whether `p` reads as an ICC profile: its header's size is its length, and its signature is there.
pub(crate) fn reads_as_profile(p: &[u8]) -> bool {
    p.len() >= 132 && be32(p, 0) == Some(p.len()) && &p[36..40] == b"acsp"
}

/// A zlib stream inflated, or None if it is damaged, inflates past the metadata
/// limit, or is followed by anything: bytes after the stream's end are read by no
/// decoder, and would pass with the profile unseen. (fdeflate's own loop,
/// `decompress_to_vec_bounded`, does not say how much of its input it read.)
fn inflate_all(input: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = fdeflate::Decompressor::new();
    let mut output = vec![0; 1024.min(MAX_PARSED_METADATA)];
    let (mut read, mut written) = (0, 0);
    while !decoder.is_done() {
        let (consumed, produced) = decoder.read(&input[read..], &mut output, written, true).ok()?;
        read += consumed;
        written += produced;
        if decoder.is_done() {
            break;
        }
        if written == output.len() {
            if written == MAX_PARSED_METADATA {
                return None;
            }
            output.resize((written + 32 * 1024).min(MAX_PARSED_METADATA), 0);
        } else if consumed == 0 && produced == 0 {
            return None; // no progress: the stream ends early
        }
    }
    output.truncate(written);
    (read == input.len()).then_some(output)
}

fn be32(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// The profile's description ('desc' tag, v2 text or v4 multi-localised).
pub(crate) fn description(profile: &[u8]) -> Option<String> {
    let count = be32(profile, 128)?.min(256);
    for i in 0..count {
        let entry = 132 + 12 * i;
        if profile.get(entry..entry + 4)? != b"desc" {
            continue;
        }
        let offset = be32(profile, entry + 4)?;
        let size = be32(profile, entry + 8)?;
        let tag = profile.get(offset..offset.checked_add(size)?)?;
        return match tag.get(0..4)? {
            b"desc" => {
                let len = be32(tag, 8)?;
                let text = tag.get(12..12usize.checked_add(len)?)?;
                Some(super::clip(&super::text(text)))
            }
            b"mluc" => {
                let records = be32(tag, 8)?;
                if records == 0 {
                    return None;
                }
                let len = be32(tag, 20)?;
                let at = be32(tag, 24)?;
                let raw = tag.get(at..at.checked_add(len)?)?;
                let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                Some(super::clip(&String::from_utf16_lossy(&units)))
            }
            _ => None,
        };
    }
    None
}
