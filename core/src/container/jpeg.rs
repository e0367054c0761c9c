//! JPEG: a marker-segment walk over the whole file, through every entropy-coded
//! scan to EOI. Segments are classified by marker and identifier; the writer
//! copies kept segments and all scan data verbatim.

use super::{be16, printable, push_block, ultrahdr, Block, Decision, Parsed, Payload, Plan};
use crate::error::{Error, Result};
use crate::format::Format;
use crate::metadata::gain_map;
use crate::report::BlockKind;

const NAME: &str = "JPEG";
const EXIF_ID: &[u8] = b"Exif\0";
const XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXT_XMP_ID: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
const ICC_ID: &[u8] = b"ICC_PROFILE\0";
const IRB_ID: &[u8] = b"Photoshop 3.0\0";

pub(crate) fn parse(data: &[u8]) -> Result<Parsed> {
    parse_image(data, false)
}

/// Parses a picture stored inside another JPEG (a gain map): its own trailer is
/// not searched for more pictures.
pub(crate) fn parse_nested(data: &[u8]) -> Result<Parsed> {
    parse_image(data, true)
}

fn parse_image(data: &[u8], nested: bool) -> Result<Parsed> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(Error::corrupt(NAME, 0, "missing start-of-image marker"));
    }
    let mut blocks = Vec::new();
    let block = |kind, label: &str, range, payload| Block { kind, label: label.to_string(), range, payload };
    push_block(&mut blocks, Format::Jpeg, block(BlockKind::Structure, "SOI", 0..2, Payload::None))?;

    let mut pos = 2;
    let (mut width, mut height) = (0u32, 0u32);
    let mut seen_frame = false;
    let mut components = 0;
    let mut seen_scan = false;
    loop {
        let start = pos;
        // Fill bytes (0xFF runs) may precede any marker; they travel with it.
        while pos + 1 < data.len() && data[pos] == 0xFF && data[pos + 1] == 0xFF {
            pos += 1;
        }
        if pos + 1 >= data.len() {
            return Err(Error::truncated(NAME, pos, "the file ends before the end-of-image marker"));
        }
        if data[pos] != 0xFF {
            // Bytes that no marker starts, between segments: libjpeg reads on to the next marker
            // ("extraneous bytes before marker"), exiftool too ("Skipped unknown 4 bytes after
            // JPEG APP1 segment", seen in real cameras' files). They go, whatever they hold.
            // None before the end: the file then ends before its end-of-image marker.
            let next = (pos..data.len() - 1)
                .find(|&i| data[i] == 0xFF && !matches!(data[i + 1], 0x00 | 0xFF))
                .unwrap_or(data.len());
            let junk = Payload::Bytes(start..next);
            push_block(
                &mut blocks,
                Format::Jpeg,
                block(BlockKind::Unknown, "bytes between segments", start..next, junk),
            )?;
            pos = next;
            continue;
        }
        let marker = data[pos + 1];
        match marker {
            0xD9 => {
                if !seen_scan {
                    return Err(Error::corrupt(NAME, pos, "end-of-image before any image data"));
                }
                push_block(
                    &mut blocks,
                    Format::Jpeg,
                    block(BlockKind::Structure, "EOI", start..pos + 2, Payload::None),
                )?;
                pos += 2;
                break;
            }
            0xD8 => return Err(Error::corrupt(NAME, pos, "a second start-of-image marker")),
            0x00 => return Err(Error::corrupt(NAME, pos, "a stuffed zero byte outside scan data")),
            0x01 | 0xD0..=0xD7 => {
                // Standalone markers carry no length.
                push_block(
                    &mut blocks,
                    Format::Jpeg,
                    block(BlockKind::ImageData, "RST/TEM", start..pos + 2, Payload::None),
                )?;
                pos += 2;
                continue;
            }
            _ => {}
        }
        if pos + 4 > data.len() {
            return Err(Error::truncated(NAME, pos, format!("segment 0x{marker:02X} has no length")));
        }
        let length = be16(data, pos + 2) as usize;
        if length < 2 {
            return Err(Error::corrupt(NAME, pos + 2, format!("segment 0x{marker:02X} has length {length}, below 2")));
        }
        let body = pos + 4;
        let mut end = pos + 2 + length;
        if end > data.len() {
            return Err(Error::truncated(
                NAME,
                pos,
                format!("segment 0x{marker:02X} claims {length} bytes; only {} remain", data.len() - pos - 2),
            ));
        }
        // Reserved codes (0x02-0xBF, JPG 0xC8, JPGn 0xF0-0xFD) and the
        // hierarchical-mode segments (DHP 0xDE, EXP 0xDF) belong to no picture a
        // browser shows; kept, they could carry anything through cleaning
        // (found by the jpeg_structure fuzz target).
        if !matches!(marker, 0xC0..=0xC7 | 0xC9..=0xCF | 0xDA..=0xDD | 0xE0..=0xEF | 0xFE) {
            return Err(Error::corrupt(NAME, pos, format!("unknown marker 0x{marker:02X}")));
        }
        let payload = &data[body..end];
        if let Err(problem) = table_fits(marker, payload) {
            return Err(Error::corrupt(NAME, pos, format!("{} segment {problem}", marker_name(marker))));
        }
        let (kind, label, meta) = classify(marker, payload, body);
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if payload.len() < 6 || payload.len() != 6 + 3 * payload[5] as usize || payload[5] == 0 {
                    return Err(Error::corrupt(NAME, body, "frame header length does not match its component count"));
                }
                if !seen_frame {
                    components = payload[5];
                    height = be16(payload, 1) as u32;
                    width = be16(payload, 3) as u32;
                }
                seen_frame = true;
            }
            0xDA => {
                if !seen_frame {
                    return Err(Error::corrupt(NAME, pos, "scan before any frame header"));
                }
                if payload.is_empty() || payload[0] == 0 || payload.len() != 4 + 2 * payload[0] as usize {
                    return Err(Error::corrupt(NAME, body, "scan header length does not match its component count"));
                }
                seen_scan = true;
                end = scan_end(data, end)?;
            }
            _ => {}
        }
        push_block(&mut blocks, Format::Jpeg, Block { kind, label, range: start..end, payload: meta })?;
        pos = end;
    }
    let mut gain_map = None;
    if pos < data.len() {
        let found = if nested { None } else { ultrahdr::locate(data, &blocks, pos) };
        // Around a gain map, what else follows the primary (a Motion Photo's video) is
        // still a trailer.
        let (before, after) = match &found {
            Some(g) => (pos..g.range.start, g.range.end..data.len()),
            None => (pos..data.len(), data.len()..data.len()),
        };
        let trailer = |blocks: &mut Vec<Block>, range: std::ops::Range<usize>| {
            if range.is_empty() {
                return Ok(());
            }
            let label = super::trailer_label(&data[range.clone()]);
            push_block(blocks, Format::Jpeg, block(BlockKind::Trailer, &label, range.clone(), Payload::Bytes(range)))
        };
        trailer(&mut blocks, before)?;
        if let Some(g) = &found {
            let label = format!("HDR gain map ({}×{} JPEG)", g.parsed.width, g.parsed.height);
            push_block(&mut blocks, Format::Jpeg, block(BlockKind::GainMap, &label, g.range.clone(), Payload::None))?;
        }
        trailer(&mut blocks, after)?;
        gain_map = found.map(Box::new);
    }
    Ok(Parsed { format: Format::Jpeg, width, height, frames: 1, blocks, repair: false, components, gain_map })
}

/// Checks that a table segment holds exactly its tables. These segments are
/// kept as image data, so a longer one would carry whatever follows its tables
/// through cleaning (found by the jpeg_structure fuzz target: an IPTC segment
/// whose marker became DAC). libjpeg refuses such segments too, so no picture
/// a browser shows is lost. Frame and scan headers are checked where parsed.
#[inline(never)]
fn table_fits(marker: u8, payload: &[u8]) -> std::result::Result<(), &'static str> {
    let mut rest = payload;
    // Each table names its class (0 or 1) or precision (0 or 1) and its slot (0 to 3), as
    // libjpeg requires: a metadata segment whose marker became a table's rarely passes that.
    let class_and_slot = |byte: u8| byte >> 4 <= 1 && byte & 0x0F <= 3;
    // Two messages for every table problem: fewer strings in the wasm module.
    const NO_TABLE: &str = "names a table that does not exist";
    const NOT_EXACT: &str = "does not hold exactly its tables";
    match marker {
        // DQT: precision/slot, then 64 entries of 1 or 2 bytes (none zero), repeated.
        0xDB => {
            while let Some((&pq_tq, tail)) = rest.split_first() {
                if !class_and_slot(pq_tq) {
                    return Err(NO_TABLE);
                }
                let size = if pq_tq >> 4 == 0 { 64 } else { 128 };
                let table = tail.get(..size).ok_or(NOT_EXACT)?;
                let zero = if size == 64 { table.contains(&0) } else { table.chunks_exact(2).any(|v| v == [0, 0]) };
                if zero {
                    return Err("has a quantisation value of 0");
                }
                rest = &tail[size..];
            }
        }
        // DHT: class/slot, 16 counts (at most 256 codes), then that many symbols, repeated.
        0xC4 => {
            while let Some(&tc_th) = rest.first() {
                if !class_and_slot(tc_th) {
                    return Err(NO_TABLE);
                }
                let counts = rest.get(1..17).ok_or(NOT_EXACT)?;
                let symbols: usize = counts.iter().map(|&c| usize::from(c)).sum();
                if symbols > 256 {
                    return Err(NOT_EXACT);
                }
                rest = rest.get(17 + symbols..).ok_or(NOT_EXACT)?;
            }
        }
        // DAC: at most one entry (class/slot, conditioning value) per table: 8 of them.
        0xCC => {
            if rest.len() % 2 != 0 || rest.len() > 16 {
                return Err(NOT_EXACT);
            }
            if rest.chunks_exact(2).any(|e| !class_and_slot(e[0]) || (e[0] >> 4 == 1 && !(1..=63).contains(&e[1]))) {
                return Err(NO_TABLE);
            }
        }
        // DRI and DNL: one 16-bit value.
        0xDD | 0xDC if rest.len() != 2 => return Err("is not 2 bytes long"),
        _ => {}
    }
    Ok(())
}

/// Finds where entropy-coded data starting at `from` ends: at the first marker
/// that is neither a stuffed zero nor a restart marker.
fn scan_end(data: &[u8], from: usize) -> Result<usize> {
    let mut i = from;
    loop {
        let Some(found) = memchr::memchr(0xFF, &data[i..]) else {
            return Err(Error::truncated(
                NAME,
                data.len(),
                "scan data runs to the end of the file without end-of-image",
            ));
        };
        i += found;
        if i + 1 >= data.len() {
            return Err(Error::truncated(NAME, i, "scan data runs to the end of the file without end-of-image"));
        }
        match data[i + 1] {
            0x00 | 0xD0..=0xD7 => i += 2,
            0xFF => i += 1,
            _ => return Ok(i),
        }
    }
}

fn classify(marker: u8, payload: &[u8], body: usize) -> (BlockKind, String, Payload) {
    let bytes = |skip: usize| Payload::Bytes(body + skip.min(payload.len())..body + payload.len());
    let starts = |id: &[u8]| payload.starts_with(id);
    match marker {
        // A JFIF segment may end in an uncompressed RGB thumbnail (its last two
        // header bytes are its size). Such a segment is removed whole, density
        // included: the picture does not need it (found by the jpeg_structure
        // fuzz target; no camera in the corpus writes one).
        0xE0 if starts(b"JFIF\0") && payload.len() > 14 && (payload[12] > 0 || payload[13] > 0) => {
            (BlockKind::EmbeddedThumbnail, "APP0 JFIF with thumbnail".into(), bytes(14))
        }
        // JFIF and Adobe segments are kept, so only at their exact sizes: a longer one
        // (a damaged length) swallows the segments after it, XMP included (found by
        // the jpeg_structure fuzz target's 10^7 run, with Adobe).
        0xE0 if starts(b"JFIF\0") && payload.len() == 14 => (BlockKind::Jfif, "APP0 JFIF".into(), Payload::None),
        0xE0 if starts(b"JFXX\0") => (BlockKind::EmbeddedThumbnail, "APP0 JFXX thumbnail".into(), bytes(5)),
        // "Exif\0\0" is standard; some writers put 0xFF as the pad byte.
        0xE1 if starts(EXIF_ID) && payload.len() >= 6 => (BlockKind::Exif, "APP1 Exif".into(), bytes(6)),
        0xE1 if starts(XMP_ID) => (BlockKind::Xmp, "APP1 XMP".into(), bytes(XMP_ID.len())),
        // Extended XMP: GUID (32), full length (4), offset (4), then a slice of the packet.
        0xE1 if starts(EXT_XMP_ID) => {
            (BlockKind::ExtendedXmp, "APP1 extended XMP".into(), bytes(EXT_XMP_ID.len() + 40))
        }
        0xE2 if starts(ICC_ID) && payload.len() >= ICC_ID.len() + 2 => {
            let seq = payload[ICC_ID.len()];
            let data = body + ICC_ID.len() + 2..body + payload.len();
            (BlockKind::Icc, format!("APP2 ICC profile chunk {seq}"), Payload::JpegIcc { seq, data })
        }
        0xE2 if gain_map::iso(payload).is_some() => {
            (BlockKind::GainMapInfo, "APP2 ISO 21496-1 gain map metadata".into(), bytes(0))
        }
        0xE2 if starts(b"MPF\0") => (BlockKind::Mpf, "APP2 MPF (multi-picture index)".into(), bytes(4)),
        0xED if starts(IRB_ID) => (BlockKind::PhotoshopIrb, "APP13 Photoshop/IPTC".into(), bytes(IRB_ID.len())),
        0xEB if starts(b"JP") => (BlockKind::ContentCredentials, "APP11 JUMBF (C2PA)".into(), bytes(0)),
        0xEE if starts(b"Adobe") && payload.len() == 12 => (BlockKind::Adobe, "APP14 Adobe".into(), Payload::None),
        0xE0..=0xEF => {
            let id = printable(payload);
            let label =
                if id.is_empty() { format!("APP{}", marker - 0xE0) } else { format!("APP{} {id}", marker - 0xE0) };
            (BlockKind::Vendor, label, bytes(0))
        }
        0xFE => (BlockKind::Comment, "COM comment".into(), bytes(0)),
        _ => (BlockKind::ImageData, marker_name(marker), Payload::None),
    }
}

fn marker_name(marker: u8) -> String {
    match marker {
        0xC4 => "DHT".into(),
        0xDB => "DQT".into(),
        0xDD => "DRI".into(),
        0xDC => "DNL".into(),
        0xDA => "SOS + scan data".into(),
        0xCC => "DAC".into(),
        0xC0..=0xCF => format!("SOF{}", marker - 0xC0),
        m => format!("marker 0x{m:02X}"),
    }
}

/// An APPn segment: marker, length, payload (identifier included).
pub(crate) fn app_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut seg = Vec::with_capacity(payload.len() + 4);
    seg.extend_from_slice(&[0xFF, marker]);
    seg.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(payload);
    seg
}

/// An APP1 Exif segment holding the given TIFF-structured EXIF.
fn exif_segment(tiff: &[u8]) -> Vec<u8> {
    app_segment(0xE1, &[b"Exif\0\0", tiff].concat())
}

/// An APP1 XMP segment holding the given packet (small: cleaning writes it).
pub(crate) fn xmp_segment(packet: &[u8]) -> Vec<u8> {
    app_segment(0xE1, &[XMP_ID, packet].concat())
}

pub(crate) fn write(parsed: &Parsed, data: &[u8], plan: &Plan) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let replaces = plan.decisions.contains(&Decision::ReplaceExif);
    // A kept gain map is cleaned first: the primary's XMP gives its length.
    let kept = |kind| parsed.blocks.iter().zip(plan.decisions).any(|(b, d)| b.kind == kind && *d == Decision::Keep);
    let gain_map = parsed.gain_map.as_deref().filter(|_| kept(BlockKind::GainMap)).map(|g| {
        let keep_icc = kept(BlockKind::Icc);
        let cleaned = ultrahdr::cleaned(g, data, keep_icc);
        let segments = ultrahdr::primary_segments(g, cleaned.len());
        (cleaned, segments)
    });
    let mut index_at = None;
    // Without an EXIF block to replace, the new one goes after SOI and JFIF,
    // where readers look for it; the gain map's XMP and index follow.
    let insert_after =
        parsed.blocks.iter().take_while(|b| matches!(b.kind, BlockKind::Structure | BlockKind::Jfif)).count().min(2);
    for (i, (block, decision)) in parsed.blocks.iter().zip(plan.decisions).enumerate() {
        if i == insert_after {
            if let (false, Some(tiff)) = (replaces, plan.exif) {
                out.extend_from_slice(&exif_segment(tiff));
            }
            if let Some((_, (xmp, index))) = &gain_map {
                out.extend_from_slice(xmp);
                index_at = Some(out.len());
                out.extend_from_slice(index);
            }
        }
        match decision {
            Decision::Keep if block.kind == BlockKind::GainMap => {
                if let (Some((cleaned, _)), Some(at)) = (&gain_map, index_at) {
                    let primary_len = out.len();
                    ultrahdr::patch_index(&mut out, at, primary_len, cleaned.len());
                    out.extend_from_slice(cleaned);
                }
            }
            Decision::Keep => out.extend_from_slice(&data[block.range.clone()]),
            Decision::Remove => {}
            Decision::ReplaceExif => {
                if let Some(tiff) = plan.exif {
                    out.extend_from_slice(&exif_segment(tiff));
                }
            }
            Decision::ReplaceIcc => {
                if let Some(profile) = plan.icc {
                    out.extend_from_slice(&icc_segments(profile));
                }
            }
        }
    }
    out
}

/// APP2 ICC_PROFILE segments holding `profile`: numbered chunks of at most 65,519
/// bytes (a segment's 65,533, less the 14 of its name and numbering). A profile
/// cleaning writes is one it read, and shorter: it fits in the 255 chunks there are.
fn icc_segments(profile: &[u8]) -> Vec<u8> {
    let chunks: Vec<&[u8]> = profile.chunks(65_519).collect();
    let mut out = Vec::with_capacity(profile.len() + 18 * chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let numbering = [(i + 1).min(255) as u8, chunks.len().min(255) as u8];
        out.extend_from_slice(&app_segment(0xE2, &[b"ICC_PROFILE\0".as_slice(), &numbering, chunk].concat()));
    }
    out
}
