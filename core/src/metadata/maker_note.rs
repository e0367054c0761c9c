//! What a camera's maker notes say of its owner and its serial numbers. The maker
//! notes are removed whole whatever they hold; these are named in the report because
//! they tie a photo to one camera, and so to one person, which "vendor data" does not
//! tell. Only the makers whose notes hold them as plain fields are read: Canon, Nikon,
//! Olympus (and OM System) and Panasonic; Sony's are enciphered.
//!
//! Read here rather than by a crate: kamadak-exif reads no maker notes, and each
//! layout is a header and a TIFF directory (offsets from exiftool's documentation of
//! each maker's tags).

use crate::metadata::{text, Item};
use crate::report::Category;

/// Entries looked at per directory: more than any camera writes.
const MAX_ENTRIES: usize = 512;

/// A TIFF directory at `at` in `data`, whose values' offsets count from `base`.
#[derive(Clone, Copy)]
struct Ifd<'d> {
    data: &'d [u8],
    base: usize,
    at: usize,
    big: bool,
}

impl<'d> Ifd<'d> {
    // Out of line, as the other readers (container/isobmff): inlined at every call site,
    // these cost the image module kilobytes it has not got.
    #[inline(never)]
    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) })
    }

    #[inline(never)]
    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    /// The type and bytes of `tag`'s value, and where those bytes are in `data`.
    #[inline(never)]
    fn get(&self, tag: u16) -> Option<(u16, &'d [u8], usize)> {
        let count = usize::from(self.u16(self.at)?).min(MAX_ENTRIES);
        (0..count).find_map(|i| {
            let entry = self.at.checked_add(2 + 12 * i)?;
            if self.u16(entry)? != tag {
                return None;
            }
            let kind = self.u16(entry + 2)?;
            let size = match kind {
                1 | 2 | 6 | 7 => 1,
                3 | 8 => 2,
                4 | 9 | 11 | 13 => 4,
                5 | 10 | 12 => 8,
                _ => return None,
            };
            let len = (self.u32(entry + 4)? as usize).checked_mul(size)?;
            let at = if len <= 4 { entry + 8 } else { self.base.checked_add(self.u32(entry + 8)? as usize)? };
            Some((kind, self.data.get(at..at.checked_add(len)?)?, at))
        })
    }

    /// Text up to its first NUL, if it reads as words (not a blank or binary field).
    #[inline(never)]
    fn text(&self, tag: u16) -> Option<String> {
        let (_, bytes, _) = self.get(tag)?;
        // Up to the NUL that ends it; some (Panasonic's) begin with NULs.
        let bytes = bytes.split(|&b| b == 0).find(|part| !part.is_empty())?;
        let value = text(bytes).trim().to_string();
        let readable =
            value.chars().all(|c| !c.is_control()) && value.chars().any(|c| c.is_ascii_alphanumeric() || !c.is_ascii());
        readable.then_some(value)
    }

    #[inline(never)]
    fn long(&self, tag: u16) -> Option<u32> {
        match self.get(tag)? {
            (4, bytes, at) if bytes.len() == 4 => self.u32(at),
            _ => None,
        }
    }

    /// The directory `tag` points at (an offset from `base`, or, as older Olympus notes
    /// have it, the directory as the value's own bytes).
    #[inline(never)]
    fn sub(&self, tag: u16) -> Option<Ifd<'d>> {
        let (kind, bytes, at) = self.get(tag)?;
        let at = match kind {
            4 | 13 if bytes.len() == 4 => self.base.checked_add(self.u32(at)? as usize)?,
            7 => at,
            _ => return None,
        };
        Some(Ifd { at, ..*self })
    }
}

const CAMERA: (&str, &str) = ("Maker notes Camera serial number", "Camera serial number (maker notes)");
const INTERNAL: (&str, &str) =
    ("Maker notes Camera's internal serial number", "Camera's internal serial number (maker notes)");
const LENS: (&str, &str) = ("Maker notes Lens serial number", "Lens serial number (maker notes)");
const OWNER: (&str, &str) = ("Maker notes Owner name", "Camera owner (maker notes)");

/// The items of the maker notes at `at` (`len` bytes) in `tiff`, an EXIF whose byte
/// order is `big`, of a camera whose maker is `make`.
pub(crate) fn read(tiff: &[u8], at: usize, len: usize, big: bool, make: &str) -> Vec<Item> {
    let Some(note) = tiff.get(at..at.saturating_add(len)) else { return Vec::new() };
    let order = |i: usize| note.get(i..i + 2) == Some(b"MM");
    let mut items = Vec::new();
    let mut serial = |named: (&'static str, &'static str), value: Option<String>| {
        push(&mut items, Category::CameraSerial, named, value);
    };
    let mut owner = None;
    if make.starts_with("Canon") {
        let ifd = Ifd { data: tiff, base: 0, at, big };
        owner = ifd.text(0x0009);
        // Written as ten digits when the "serial number format" says so, as the camera shows it.
        let padded = ifd.long(0x0015) == Some(0x9000_0000);
        serial(CAMERA, ifd.long(0x000C).map(|n| if padded { format!("{n:010}") } else { n.to_string() }));
        serial(INTERNAL, ifd.text(0x0096));
    } else if note.starts_with(b"Nikon\0\x02") {
        // Its own TIFF header 10 bytes in, from which its offsets count.
        let base = at + 10;
        let big = order(10);
        let first = Ifd { data: tiff, base, at: base, big }.u32(base + 4).unwrap_or(0) as usize;
        let ifd = Ifd { data: tiff, base, at: base.saturating_add(first), big };
        // 0x00A0 in the older bodies' notes (the D70's: "NO= 20025585").
        serial(CAMERA, ifd.text(0x001D).or_else(|| ifd.text(0x00A0)));
    } else if make.starts_with("NIKON") && !note.starts_with(b"Nikon") {
        serial(CAMERA, Ifd { data: tiff, base: 0, at, big }.text(0x001D));
    } else if note.starts_with(b"OLYMP") || note.starts_with(b"OM SYSTEM\0") {
        // The first notes ("OLYMP\0") count their offsets from the EXIF's start; the later
        // ones from their own start, with their byte order in the header.
        let ifd = if note.starts_with(b"OLYMP\0") {
            Ifd { data: tiff, base: 0, at: at + 8, big }
        } else if note.starts_with(b"OLYMPUS\0") {
            Ifd { data: tiff, base: at, at: at + 12, big: order(8) }
        } else {
            Ifd { data: tiff, base: at, at: at + 16, big: order(12) }
        };
        let equipment = ifd.sub(0x2010);
        serial(CAMERA, equipment.and_then(|e| e.text(0x0101)).or_else(|| ifd.text(0x0404)));
        serial(INTERNAL, equipment.and_then(|e| e.text(0x0102)));
        serial(LENS, equipment.and_then(|e| e.text(0x0202)));
    } else if note.starts_with(b"Panasonic\0") {
        serial(INTERNAL, Ifd { data: tiff, base: 0, at: at + 12, big }.text(0x0025));
    }
    push(&mut items, Category::People, OWNER, owner);
    items
}

#[inline(never)]
fn push(items: &mut Vec<Item>, category: Category, (key, label): (&'static str, &'static str), value: Option<String>) {
    if let Some(value) = value {
        items.push(Item::new(category, key, label, value));
    }
}
