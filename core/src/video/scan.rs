//! The top level of a movie file, read header by header through a `Source`:
//! the media data between the headers is never read.

use std::ops::Range;

use super::source::Source;
use crate::container::isobmff::boxes::FourCc;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::MAX_BOXES;

/// One top-level box.
#[derive(Debug, Clone)]
pub(crate) struct TopBox {
    pub fourcc: FourCc,
    /// The extended type of a `uuid` box.
    pub uuid: Option<[u8; 16]>,
    pub start: u64,
    /// Size, type, largesize and extended type.
    pub header_len: u64,
    pub end: u64,
}

impl TopBox {
    pub fn is(&self, fourcc: &FourCc) -> bool {
        &self.fourcc == fourcc
    }
    pub fn body(&self) -> Range<u64> {
        self.start + self.header_len..self.end
    }
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
}

/// The top-level boxes, and a Samsung trailer after them if there is one.
pub(crate) struct Layout {
    pub boxes: Vec<TopBox>,
    /// Samsung's SEF trailer (`SEFH` ... `SEFT`), which is not made of boxes.
    pub trailer: Option<Range<u64>>,
    pub len: u64,
}

pub(crate) fn read(source: &mut dyn Source, format: &'static str, at: u64, buf: &mut [u8]) -> Result<()> {
    source.read_at(at, buf).map_err(|e| {
        let kind =
            if e.kind() == std::io::ErrorKind::UnexpectedEof { ErrorKind::Truncated } else { ErrorKind::Corrupt };
        Error::new(kind, format!("could not read {} bytes at byte {at}: {e}", buf.len()))
            .in_format(format)
            .at(at as usize)
    })
}

/// Samsung phones append a trailer that is not made of boxes: it ends with its
/// length (32 bits, little-endian) and `SEFT`, and starts with `SEFH`.
fn samsung_trailer(source: &mut dyn Source, format: &'static str) -> Result<Option<Range<u64>>> {
    let len = source.len();
    if len < 16 {
        return Ok(None);
    }
    let mut tail = [0u8; 8];
    read(source, format, len - 8, &mut tail)?;
    if &tail[4..] != b"SEFT" {
        return Ok(None);
    }
    let size = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    let Some(start) = (len - 8).checked_sub(size) else { return Ok(None) };
    let mut head = [0u8; 4];
    read(source, format, start, &mut head)?;
    Ok((&head == b"SEFH").then_some(start..len))
}

pub(crate) fn scan(source: &mut dyn Source, format: &'static str) -> Result<Layout> {
    let len = source.len();
    let trailer = samsung_trailer(source, format)?;
    let end = trailer.as_ref().map_or(len, |t| t.start);
    let mut boxes = Vec::new();
    let mut pos = 0u64;
    while pos < end {
        if boxes.len() >= MAX_BOXES {
            return Err(Error::new(ErrorKind::LimitExceeded, format!("more than {MAX_BOXES} top-level boxes"))
                .in_format(format)
                .at(pos as usize));
        }
        let available = end - pos;
        let cut = |what: &str| {
            Error::new(ErrorKind::Truncated, format!("{what}; the file ends {available} bytes after it starts"))
                .in_format(format)
                .at(pos as usize)
        };
        if available < 8 {
            return Err(cut("a box header needs 8 bytes"));
        }
        let mut head = [0u8; 16];
        read(source, format, pos, &mut head[..8])?;
        let fourcc: FourCc = [head[4], head[5], head[6], head[7]];
        let name = crate::container::isobmff::boxes::name(&fourcc);
        let mut header_len = 8u64;
        let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => available,
            1 => {
                if available < 16 {
                    return Err(cut(&format!("{name} box's 64-bit size is cut off")));
                }
                read(source, format, pos + 8, &mut head[8..16])?;
                header_len = 16;
                u64::from_be_bytes(head[8..16].try_into().unwrap_or([0xFF; 8]))
            }
            n => u64::from(n),
        };
        let uuid = if &fourcc == b"uuid" {
            if available < header_len + 16 {
                return Err(cut("'uuid' box's extended type is cut off"));
            }
            let mut uuid = [0u8; 16];
            read(source, format, pos + header_len, &mut uuid)?;
            header_len += 16;
            Some(uuid)
        } else {
            None
        };
        if size < header_len {
            return Err(Error::corrupt(
                format,
                pos as usize,
                format!("{name} box claims {size} bytes, less than its {header_len}-byte header"),
            ));
        }
        if size > available {
            return Err(Error::new(
                ErrorKind::Truncated,
                format!("{name} box claims {size} bytes; only {available} remain in the file"),
            )
            .in_format(format)
            .at(pos as usize));
        }
        boxes.push(TopBox { fourcc, uuid, start: pos, header_len, end: pos + size });
        pos += size;
    }
    Ok(Layout { boxes, trailer, len })
}
