//! The box syntax of the ISO base media file format (ISO/IEC 14496-12 §4.2),
//! shared by HEIF, AVIF and MP4/MOV: box headers (32-bit size, 64-bit
//! `largesize`, size 0 running to the end of the parent, `uuid` types), walking
//! a parent's children with every size checked against the parent, bounded
//! field reading, and writing boxes back.
//!
//! Nothing here knows what a box means; every error names the box's type and
//! the byte offset where reading stopped.

use std::fmt::{self, Arguments};
use std::ops::Range;

use crate::container::be32;
use crate::error::{Error, ErrorKind};
use crate::limits::{MAX_BOXES, MAX_BOX_DEPTH};

pub(crate) type FourCc = [u8; 4];

/// A four-character code as a number, to compare and `match` on: matching
/// `[u8; 4]` against byte-string patterns compiles to a byte-by-byte
/// decision tree (kilobytes of wasm over the module), a number to one
/// comparison per arm. Little-endian, as wasm loads it, so that it costs
/// no byte swapping.
pub(crate) const fn code(fourcc: &FourCc) -> u32 {
    u32::from_le_bytes(*fourcc)
}

/// `code` of each, for a constant list.
pub(crate) const fn codes_of<const N: usize>(fourccs: [&FourCc; N]) -> [u32; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = code(fourccs[i]);
        i += 1;
    }
    out
}

macro_rules! codes {
    ($($name:ident = $fourcc:literal,)*) => {
        $(pub(crate) const $name: u32 = code($fourcc);)*
    };
}

/// The four-character codes the module tells apart.
pub(crate) mod codes {
    use super::code;
    codes! {
        ALTT = b"altt", AUXC = b"auxC", AUXL = b"auxl", BXML = b"bxml", COLR = b"colr", CRTT = b"crtt",
        DIMG = b"dimg", DINF = b"dinf", EXIF = b"Exif", FREE = b"free", FTYP = b"ftyp", GIMI = b"gimi",
        GRPL = b"grpl", HDLR = b"hdlr", IDAT = b"idat", IINF = b"iinf", ILOC = b"iloc", IMIR = b"imir",
        IPRP = b"iprp", IREF = b"iref", IROT = b"irot", ISPE = b"ispe", ITAI = b"itai", MDAT = b"mdat",
        MDFT = b"mdft", MECO = b"meco", META = b"meta", MIME = b"mime", NCLX = b"nclx", PITM = b"pitm",
        PROF = b"prof", RICC = b"rICC", SABT = b"sabt", SKIP = b"skip", TBAS = b"tbas", THMB = b"thmb",
        TMAP = b"tmap", UDES = b"udes", UDTA = b"udta", URI = b"uri ", UUID = b"uuid", XML = b"xml ",
        CLAP = b"clap", PASP = b"pasp", A1OP = b"a1op", LSEL = b"lsel", CLLI = b"clli", MDCV = b"mdcv",
        A1LX = b"a1lx", PIXI = b"pixi",
    }
}

/// HEIF/AVIF errors are boxed while they travel: a `?` moves a pointer
/// rather than a whole `Error` (which, with the many places that can fail,
/// adds up to kilobytes of wasm).
pub(crate) type Result<T> = std::result::Result<T, Box<Error>>;

/// An error at byte `offset`. Cold and out of line: each place that can fail
/// costs a call, not the building of an `Error`.
#[cold]
#[inline(never)]
pub(crate) fn fail(kind: ErrorKind, format: &'static str, offset: usize, message: Arguments) -> Box<Error> {
    Box::new(Error::new(kind, fmt::format(message)).in_format(format).at(offset))
}

pub(crate) fn corrupt(format: &'static str, offset: usize, message: Arguments) -> Box<Error> {
    fail(ErrorKind::Corrupt, format, offset, message)
}

pub(crate) fn limit(format: &'static str, offset: usize, message: Arguments) -> Box<Error> {
    fail(ErrorKind::LimitExceeded, format, offset, message)
}

pub(crate) fn unsupported(format: &'static str, offset: usize, message: Arguments) -> Box<Error> {
    fail(ErrorKind::Unsupported, format, offset, message)
}

/// Largest body of a kept `ftyp`: 64 compatible brands (real files list a handful).
pub(crate) const MAX_FTYP_BODY: usize = 8 + 4 * 64;

/// Whether `body` is an `ftyp` box's body and nothing more: a major brand, a minor
/// version and compatible brands, each brand four letters, digits or spaces, or four
/// zero bytes (QuickTime pads its list with these). A kept `ftyp` is copied whole, so
/// one whose size was damaged to take in the box after it would carry that box
/// through (the mp4_structure fuzz target: an XMP `uuid` inside a grown `ftyp`).
/// A box taken in starts with its size, whose first byte is zero in a box this
/// small: never a brand but four zeros, a box reaching the end of the file, which
/// leaves no `moov` or `meta` to clean.
pub(crate) fn ftyp_is_exact(body: &[u8]) -> bool {
    let brand = |b: &[u8]| b == [0; 4] || b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b' ');
    body.len() >= 8
        && body.len() % 4 == 0
        && body.len() <= MAX_FTYP_BODY
        && brand(&body[..4])
        && body[8..].chunks_exact(4).all(brand)
}

/// One box as found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BoxHeader {
    pub fourcc: FourCc,
    /// The extended type of a `uuid` box.
    pub uuid: Option<[u8; 16]>,
    /// Where the box starts (its size field).
    pub start: usize,
    /// After size, type, largesize and extended type, to the end of the box.
    pub body: Range<usize>,
    /// 0 for a top-level box.
    pub depth: usize,
}

impl BoxHeader {
    pub fn end(&self) -> usize {
        self.body.end
    }
    pub fn range(&self) -> Range<usize> {
        self.start..self.body.end
    }
    pub fn is(&self, fourcc: &FourCc) -> bool {
        &self.fourcc == fourcc
    }
    /// The type for messages: `'iloc'`.
    pub fn name(&self) -> Name {
        name(&self.fourcc)
    }
}

/// A four-character code for messages, quoted, with unprintable bytes as dots.
pub(crate) fn name(fourcc: &FourCc) -> Name {
    Name(*fourcc)
}

/// A four-character code as `name` shows it.
#[derive(Clone, Copy)]
pub(crate) struct Name(FourCc);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut text = [b'\''; 6];
        for (t, &b) in text[1..5].iter_mut().zip(&self.0) {
            *t = if b.is_ascii_graphic() || b == b' ' { b } else { b'.' };
        }
        f.write_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

/// Walks boxes, counting every box seen so that a file made of millions of
/// tiny boxes is refused before its bookkeeping grows large.
pub(crate) struct Walker<'a> {
    pub data: &'a [u8],
    pub format: &'static str,
    boxes: usize,
    /// Where `data` starts in the file, for the offsets errors report: a
    /// video's `moov` is read and walked on its own.
    pub base: usize,
}

impl<'a> Walker<'a> {
    pub fn new(data: &'a [u8], format: &'static str) -> Self {
        Walker { data, format, boxes: 0, base: 0 }
    }

    /// A walker over `data`, which starts at byte `base` of the file.
    #[cfg(feature = "video")]
    pub fn at(data: &'a [u8], format: &'static str, base: usize) -> Self {
        Walker { data, format, boxes: 0, base }
    }

    /// The top-level boxes. A box claiming more bytes than the file has means
    /// the file was cut short.
    pub fn top_level(&mut self) -> Result<Vec<BoxHeader>> {
        self.walk(0..self.data.len(), 0, None)
    }

    /// The children of `parent`, starting `skip` bytes into its body (after a
    /// full box's version and flags, or an entry count).
    pub fn children(&mut self, parent: &BoxHeader, skip: usize) -> Result<Vec<BoxHeader>> {
        let depth = parent.depth + 1;
        if depth > MAX_BOX_DEPTH {
            return Err(limit(
                self.format,
                self.base + parent.start,
                format_args!("boxes nested more than {MAX_BOX_DEPTH} deep (inside {})", parent.name()),
            ));
        }
        let start = parent.body.start.checked_add(skip).filter(|s| *s <= parent.body.end).ok_or_else(|| {
            corrupt(
                self.format,
                self.base + parent.start,
                format_args!("{} box at byte {} is too short for its fields", parent.name(), self.base + parent.start),
            )
        })?;
        self.walk(start..parent.body.end, depth, Some(parent))
    }

    fn walk(&mut self, range: Range<usize>, depth: usize, parent: Option<&BoxHeader>) -> Result<Vec<BoxHeader>> {
        let mut out = Vec::new();
        let mut pos = range.start;
        while pos < range.end {
            self.boxes += 1;
            if self.boxes > MAX_BOXES {
                return Err(limit(self.format, self.base + pos, format_args!("more than {MAX_BOXES} boxes")));
            }
            let header = self.header_at(pos, range.end, depth, parent)?;
            pos = header.end();
            out.push(header);
        }
        Ok(out)
    }

    /// Reads the header of the box at `pos`, which must end by `limit`.
    fn header_at(&self, pos: usize, limit: usize, depth: usize, parent: Option<&BoxHeader>) -> Result<BoxHeader> {
        // Past the parent's end is corruption; past the file's end, truncation.
        let overrun = if parent.is_some() { ErrorKind::Corrupt } else { ErrorKind::Truncated };
        let at = self.base + pos;
        let available = limit - pos;
        if available < 8 {
            let within = within(parent, self.base);
            return Err(fail(
                overrun,
                self.format,
                at,
                format_args!("a box header needs 8 bytes; {available} remain in {within}"),
            ));
        }
        let size32 = be32(self.data, pos);
        let fourcc: FourCc = [self.data[pos + 4], self.data[pos + 5], self.data[pos + 6], self.data[pos + 7]];
        let mut header_len = 8usize;
        let size = match size32 {
            // Size 0: the box runs to the end of its container.
            0 => available as u64,
            1 => {
                if available < 16 {
                    return Err(fail(
                        overrun,
                        self.format,
                        at,
                        format_args!("{} box's 64-bit size is cut off", name(&fourcc)),
                    ));
                }
                header_len = 16;
                u64::from_be_bytes(self.data[pos + 8..pos + 16].try_into().unwrap_or([0xFF; 8]))
            }
            n => u64::from(n),
        };
        let uuid = if &fourcc == b"uuid" {
            let at = pos + header_len;
            header_len += 16;
            let bytes = self.data.get(at..at + 16).filter(|_| available >= header_len);
            let bytes = bytes
                .ok_or_else(|| fail(overrun, self.format, at, format_args!("'uuid' box's extended type is cut off")))?;
            let mut uuid = [0u8; 16];
            uuid.copy_from_slice(bytes);
            Some(uuid)
        } else {
            None
        };
        if size < header_len as u64 {
            return Err(corrupt(
                self.format,
                at,
                format_args!("{} box claims {size} bytes, less than its {header_len}-byte header", name(&fourcc)),
            ));
        }
        if size > available as u64 {
            let within = within(parent, self.base);
            return Err(fail(
                overrun,
                self.format,
                at,
                format_args!("{} box claims {size} bytes; only {available} remain in {within}", name(&fourcc)),
            ));
        }
        // size <= available, so it fits in usize and pos + size <= limit.
        let end = pos + size as usize;
        Ok(BoxHeader { fourcc, uuid, start: pos, body: pos + header_len..end, depth })
    }
}

/// Where a box is, for messages: "its parent 'iprp' (byte 120)" or "the file".
#[cold]
fn within(parent: Option<&BoxHeader>, base: usize) -> String {
    match parent {
        Some(p) => format!("its parent {} (byte {})", p.name(), base + p.start),
        None => "the file".to_string(),
    }
}

/// Reads a box's fields in order, never past the box's end.
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    fourcc: FourCc,
    start: usize,
    format: &'static str,
    /// Where `data` starts in the file (see `Walker::at`).
    base: usize,
}

impl<'a> Fields<'a> {
    pub fn new(data: &'a [u8], format: &'static str, header: &BoxHeader) -> Self {
        Fields {
            data,
            pos: header.body.start,
            end: header.body.end,
            fourcc: header.fourcc,
            start: header.start,
            format,
            base: 0,
        }
    }

    /// Fields of a box in `data`, which starts at byte `base` of the file.
    #[cfg(feature = "video")]
    pub fn at(data: &'a [u8], format: &'static str, header: &BoxHeader, base: usize) -> Self {
        Fields { base, ..Fields::new(data, format, header) }
    }

    /// A corruption error naming this box and the current offset.
    #[cold]
    #[inline(never)]
    pub fn error(&self, message: Arguments) -> Box<Error> {
        let (pos, start) = (self.base + self.pos, self.base + self.start);
        corrupt(self.format, pos, format_args!("{} box at byte {start}: {message}", name(&self.fourcc)))
    }

    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn remaining(&self) -> usize {
        self.end - self.pos
    }

    #[inline(never)]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.error(format_args!("needs {n} more bytes; {} remain", self.remaining())));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
    #[inline(never)]
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    #[inline(never)]
    pub fn u16(&mut self) -> Result<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    #[inline(never)]
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    #[inline(never)]
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    /// An unsigned integer of 0, 2, 4 or 8 bytes (a 0-byte field reads as 0).
    #[inline(never)]
    pub fn uint(&mut self, size: usize) -> Result<u64> {
        match size {
            0 => Ok(0),
            2 => self.u16().map(u64::from),
            4 => self.u32().map(u64::from),
            8 => self.u64(),
            _ => Err(self.error(format_args!("field size {size} is not 0, 2, 4 or 8"))),
        }
    }
    #[inline(never)]
    pub fn fourcc(&mut self) -> Result<FourCc> {
        let b = self.bytes(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    }
    /// A full box's version and 24-bit flags.
    #[inline(never)]
    pub fn full_box(&mut self) -> Result<(u8, u32)> {
        let v = self.u32()?;
        Ok(((v >> 24) as u8, v & 0x00FF_FFFF))
    }
    /// A NUL-terminated string. Some writers omit the final NUL, so a string
    /// may also end with the box.
    #[inline(never)]
    pub fn string(&mut self) -> Result<&'a [u8]> {
        let rest = &self.data[self.pos..self.end];
        match rest.iter().position(|&b| b == 0) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => {
                self.pos = self.end;
                Ok(rest)
            }
        }
    }
}

/// Appends bytes. Out of line, as the writing helpers below: the writer
/// appends in many places.
#[inline(never)]
pub(crate) fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
}

/// Starts a box in `out`; `finish_box` fills in its size.
#[inline(never)]
pub(crate) fn start_box(out: &mut Vec<u8>, fourcc: &FourCc) -> usize {
    let at = out.len();
    put(out, &[0, 0, 0, 0]);
    put(out, fourcc);
    at
}

/// Starts a full box (version and flags follow the type).
#[inline(never)]
pub(crate) fn start_full_box(out: &mut Vec<u8>, fourcc: &FourCc, version: u8, flags: u32) -> usize {
    let at = start_box(out, fourcc);
    put32(out, (u32::from(version) << 24) | (flags & 0x00FF_FFFF));
    at
}

/// Writes the size of the box started at `at`. A box too large for 32 bits
/// gets a 64-bit `largesize`.
#[inline(never)]
pub(crate) fn finish_box(out: &mut Vec<u8>, at: usize) {
    let size = out.len() - at;
    match u32::try_from(size) {
        Ok(size) => out[at..at + 4].copy_from_slice(&size.to_be_bytes()),
        Err(_) => {
            let size = size as u64 + 8;
            out[at..at + 4].copy_from_slice(&1u32.to_be_bytes());
            let tail = at + 8;
            out.splice(tail..tail, size.to_be_bytes());
        }
    }
}

/// Appends a big-endian 16-bit integer. Out of line: the writer has many.
#[inline(never)]
pub(crate) fn put16(out: &mut Vec<u8>, value: u16) {
    put(out, &value.to_be_bytes());
}

/// Appends a big-endian 32-bit integer.
#[inline(never)]
pub(crate) fn put32(out: &mut Vec<u8>, value: u32) {
    put(out, &value.to_be_bytes());
}

/// Appends an unsigned integer in `size` bytes (0, 2, 4 or 8); the caller
/// chose a size that holds the value.
pub(crate) fn put_uint(out: &mut Vec<u8>, size: usize, value: u64) {
    match size {
        2 => put16(out, value as u16),
        4 => put32(out, value as u32),
        8 => put(out, &value.to_be_bytes()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn boxed(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let at = start_box(&mut out, fourcc);
        out.extend_from_slice(body);
        finish_box(&mut out, at);
        out
    }

    #[test]
    fn reads_plain_large_to_end_and_uuid_boxes() {
        let mut file = boxed(b"ftyp", b"avif\0\0\0\0");
        // largesize
        file.extend_from_slice(&[0, 0, 0, 1]);
        file.extend_from_slice(b"free");
        file.extend_from_slice(&20u64.to_be_bytes());
        file.extend_from_slice(b"abcd");
        // uuid
        file.extend_from_slice(&[0, 0, 0, 25]);
        file.extend_from_slice(b"uuid");
        file.extend_from_slice(&[7; 16]);
        file.push(9);
        // size 0: to the end
        file.extend_from_slice(&[0, 0, 0, 0]);
        file.extend_from_slice(b"mdat");
        file.extend_from_slice(b"rest");
        let top = Walker::new(&file, "AVIF").top_level().unwrap();
        let types: Vec<_> = top.iter().map(|b| b.fourcc).collect();
        assert_eq!(types, [*b"ftyp", *b"free", *b"uuid", *b"mdat"]);
        assert_eq!(top[1].body.len(), 4);
        assert_eq!(top[2].uuid, Some([7; 16]));
        assert_eq!(top[2].body.len(), 1);
        assert_eq!(top[3].body.len(), 4);
        assert_eq!(top[3].end(), file.len());
    }

    #[test]
    fn sizes_are_checked_against_parent_and_file() {
        let mut file = boxed(b"meta", &boxed(b"hdlr", b"x"));
        file[11] = 200; // the child claims more than the parent holds
        let mut walker = Walker::new(&file, "HEIC");
        let top = walker.top_level().unwrap();
        let err = walker.children(&top[0], 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt);
        assert_eq!(err.offset, Some(8));
        assert!(err.message.contains("'hdlr'"), "{err}");

        let err = Walker::new(&[0, 0, 0, 50, b'm', b'd', b'a', b't'], "HEIC").top_level().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Truncated);
        let lying = [&[0, 0, 0, 1][..], b"mdat", &u64::MAX.to_be_bytes()].concat();
        assert_eq!(Walker::new(&lying, "HEIC").top_level().unwrap_err().kind, ErrorKind::Truncated);
        let small = [&[0, 0, 0, 1][..], b"mdat", &8u64.to_be_bytes()].concat();
        assert_eq!(Walker::new(&small, "HEIC").top_level().unwrap_err().kind, ErrorKind::Corrupt);
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let mut file = boxed(b"free", b"");
        for _ in 0..MAX_BOX_DEPTH + 2 {
            file = boxed(b"abcd", &file);
        }
        let mut walker = Walker::new(&file, "HEIC");
        let mut current = walker.top_level().unwrap().remove(0);
        let err = loop {
            match walker.children(&current, 0) {
                Ok(mut children) => current = children.remove(0),
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind, ErrorKind::LimitExceeded);
        assert_eq!(current.depth, MAX_BOX_DEPTH);
    }

    #[test]
    fn large_boxes_get_a_largesize_when_written() {
        let mut out = vec![0xAA];
        let at = start_box(&mut out, b"mdat");
        out.extend_from_slice(b"xy");
        finish_box(&mut out, at);
        assert_eq!(out, [&[0xAA, 0, 0, 0, 10][..], b"mdatxy"].concat());
    }
}
