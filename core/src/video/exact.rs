//! Boxes kept whole must hold exactly what their own fields describe. A kept
//! box whose size was damaged upward would otherwise carry the boxes after it
//! (user data, a GPS box) through cleaning inside itself, unseen. So each
//! kept box's length is worked out from its fields and compared with its
//! size; the few small containers kept whole (`edts`, `tref`, `tapt`,
//! `gmhd`, `dinf`) are checked child by child.

use crate::container::isobmff::boxes::{BoxHeader, Fields, Walker};
use crate::error::{Error, ErrorKind, Result};

/// Checks a kept box in `data` (the `moov` buffer; `base` is where it starts
/// in the file). `samples` is the track's sample count where known (`sdtp`
/// holds one byte per sample).
pub(crate) fn check(walker: &mut Walker, b: &BoxHeader, samples: Option<usize>) -> Result<()> {
    let (data, format, base) = (walker.data, walker.format, walker.base);
    let body = &data[b.body.clone()];
    let fields = || Fields::at(data, format, b, base);
    let expected = match &b.fourcc {
        b"stts" | b"ctts" | b"stsh" => 8 + count(fields(), 8)?,
        b"stss" | b"stps" | b"stco" => 8 + count(fields(), 4)?,
        b"stsc" => 8 + count(fields(), 12)?,
        b"co64" => 8 + count(fields(), 8)?,
        b"elst" => {
            let width = if body.first() == Some(&1) { 20 } else { 12 };
            8 + count(fields(), width)?
        }
        b"stsz" => {
            let mut f = fields();
            f.full_box().map_err(|e| *e)?;
            let constant = f.u32().map_err(|e| *e)?;
            let n = f.u32().map_err(|e| *e)? as usize;
            if constant != 0 {
                12
            } else {
                12 + fitting(&f, n, 4)?
            }
        }
        b"stz2" => {
            let mut f = fields();
            f.full_box().map_err(|e| *e)?;
            let bits = (f.u32().map_err(|e| *e)? & 0xFF) as usize;
            let n = f.u32().map_err(|e| *e)? as usize;
            12 + n.checked_mul(bits).map_or(usize::MAX, |b| b.div_ceil(8))
        }
        b"cslg" => 4 + if body.first() == Some(&1) { 40 } else { 20 },
        b"sdtp" => 4 + samples.unwrap_or(body.len().saturating_sub(4)),
        b"sbgp" => {
            let mut f = fields();
            let (version, _) = f.full_box().map_err(|e| *e)?;
            let lead = if version == 1 { 12 } else { 8 };
            f.bytes(lead - 4).map_err(|e| *e)?;
            lead + 4 + count_here(&mut f, 8)?
        }
        b"sgpd" => sample_group_description(fields())?,
        b"saiz" => {
            let mut f = fields();
            let (_, flags) = f.full_box().map_err(|e| *e)?;
            let typed = if flags & 1 != 0 { 8 } else { 0 };
            f.bytes(typed).map_err(|e| *e)?;
            let default = f.u8().map_err(|e| *e)?;
            let n = f.u32().map_err(|e| *e)? as usize;
            9 + typed + if default == 0 { fitting(&f, n, 1)? } else { 0 }
        }
        b"saio" => {
            let mut f = fields();
            let (version, flags) = f.full_box().map_err(|e| *e)?;
            let typed = if flags & 1 != 0 { 8 } else { 0 };
            f.bytes(typed).map_err(|e| *e)?;
            let width = if version == 0 { 4 } else { 8 };
            8 + typed + count_here(&mut f, width)?
        }
        b"padb" => {
            let mut f = fields();
            f.full_box().map_err(|e| *e)?;
            let n = f.u32().map_err(|e| *e)? as usize;
            8 + n.div_ceil(2)
        }
        b"subs" => sub_samples(fields())?,
        b"stsd" | b"dref" => entries(walker, b)?,
        b"hdlr" => {
            text(body.get(24..).unwrap_or_default(), b, format, base)?;
            body.len().max(24)
        }
        b"elng" => {
            text(body.get(4..).unwrap_or_default(), b, format, base)?;
            body.len().max(4)
        }
        b"vmhd" => 12,
        b"smhd" => 8,
        b"hmhd" => 20,
        b"nmhd" | b"sthd" => 4,
        b"gmin" => 16,
        b"text" => 36,
        b"load" => 16,
        b"clef" | b"prof" | b"enof" => 12,
        b"tcmi" => {
            // Fixed fields, then the font's name as a Pascal string.
            let name = body.get(24..).unwrap_or_default();
            24 + name.first().map_or(0, |&n| 1 + usize::from(n))
        }
        b"iods" => {
            // An object descriptor: tag, a length of 1 to 4 bytes (7 bits each), the payload.
            let mut length = 0usize;
            let mut used = 4 + 1;
            for &byte in body.iter().skip(5).take(4) {
                used += 1;
                length = (length << 7) | usize::from(byte & 0x7F);
                if byte & 0x80 == 0 {
                    break;
                }
            }
            used + length
        }
        b"edts" | b"tapt" | b"gmhd" | b"dinf" | b"tmcd" => return children(walker, b),
        b"tref" => return references(walker, b),
        _ => body.len(),
    };
    if expected != body.len() {
        let message = format!("{} box holds {} bytes; its fields describe {expected}", b.name(), body.len());
        return Err(Error::corrupt(format, base + b.start, message));
    }
    Ok(())
}

/// The bytes of a full box's entries, counted after version and flags, if
/// that many `width`-byte entries fit.
fn count(mut f: Fields, width: usize) -> Result<usize> {
    f.full_box().map_err(|e| *e)?;
    count_here(&mut f, width)
}

fn count_here(f: &mut Fields, width: usize) -> Result<usize> {
    let n = f.u32().map_err(|e| *e)? as usize;
    fitting(f, n, width)
}

/// `n` entries of `width` bytes, in bytes, if they fit in what remains.
fn fitting(f: &Fields, n: usize, width: usize) -> Result<usize> {
    match n.checked_mul(width) {
        Some(bytes) if bytes <= f.remaining() => Ok(bytes),
        _ => Err(*f.error(format_args!("{n} entries of {width} bytes do not fit in {} bytes", f.remaining()))),
    }
}

/// `sgpd`: version 0 entries have a size known only from their grouping type.
fn sample_group_description(mut f: Fields) -> Result<usize> {
    let (version, _) = f.full_box().map_err(|e| *e)?;
    let grouping = f.fourcc().map_err(|e| *e)?;
    let default_length = if version >= 1 { f.u32().map_err(|e| *e)? as usize } else { 0 };
    if version >= 2 {
        f.u32().map_err(|e| *e)?;
    }
    let n = f.u32().map_err(|e| *e)? as usize;
    let mut used = 4 + 4 + 4 + if version >= 1 { 4 } else { 0 } + if version >= 2 { 4 } else { 0 };
    if version == 0 || default_length != 0 {
        let width = match (version, &grouping) {
            (0, b"roll" | b"prol") => 2,
            (0, b"rap " | b"sync" | b"tele") => 1,
            (0, _) => return Err(*f.error(format_args!("version 0 entries of an unknown grouping type"))),
            _ => default_length,
        };
        return Ok(used + fitting(&f, n, width)?);
    }
    for _ in 0..n {
        let length = f.u32().map_err(|e| *e)? as usize;
        f.bytes(length).map_err(|e| *e)?;
        used += 4 + length;
    }
    Ok(used)
}

/// `subs`: per entry, a sample delta and a count of sub-samples, each 6 bytes
/// plus a size of 2 (version 0) or 4 bytes.
fn sub_samples(mut f: Fields) -> Result<usize> {
    let (version, _) = f.full_box().map_err(|e| *e)?;
    let n = f.u32().map_err(|e| *e)?;
    let width = if version == 1 { 10 } else { 8 };
    let mut used = 8;
    for _ in 0..n {
        f.u32().map_err(|e| *e)?;
        let subs = usize::from(f.u16().map_err(|e| *e)?);
        f.bytes(fitting(&f, subs, width)?).map_err(|e| *e)?;
        used += 6 + subs * width;
    }
    Ok(used)
}

/// `stsd` and `dref`: a count, then exactly that many entries filling the box.
/// A data reference must point into this file: an external one names another
/// file (a path the user may not want to share) and cannot be cleaned here.
fn entries(walker: &mut Walker, b: &BoxHeader) -> Result<usize> {
    let (data, format, base) = (walker.data, walker.format, walker.base);
    let mut f = Fields::at(data, format, b, base);
    f.full_box().map_err(|e| *e)?;
    let n = f.u32().map_err(|e| *e)? as usize;
    let list = walker.children(b, 8).map_err(|e| *e)?;
    if list.len() != n {
        return Err(*f.error(format_args!("says {n} entries; it holds {}", list.len())));
    }
    if b.is(b"dref") {
        for entry in &list {
            let flags = data.get(entry.body.start..entry.body.start + 4).map(|v| v[3] & 1);
            if flags != Some(1) || entry.body.len() != 4 {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "a reference movie: its media is in other files, named inside it",
                )
                .because(crate::error::reason::UNUSUAL_VIDEO)
                .in_format(format)
                .at(base + entry.start));
            }
        }
    }
    Ok(b.body.len())
}

/// A name kept in a header (`hdlr`, `elng`): text, then nothing but NULs. A
/// box swallowed after it would show as a NUL (its size's high bytes) followed by more.
fn text(name: &[u8], b: &BoxHeader, format: &'static str, base: usize) -> Result<()> {
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    if name[end..].iter().any(|&c| c != 0) {
        let message = format!("{} box has bytes after its name's end", b.name());
        return Err(Error::corrupt(format, base + b.start, message));
    }
    Ok(())
}

/// A container kept whole: each child must be one the container has, at its exact size.
fn children(walker: &mut Walker, b: &BoxHeader) -> Result<()> {
    let allowed: &[&[u8; 4]] = match &b.fourcc {
        b"edts" => &[b"elst"],
        b"tapt" => &[b"clef", b"prof", b"enof"],
        b"gmhd" => &[b"gmin", b"text", b"tmcd"],
        b"tmcd" => &[b"tcmi"],
        _ => &[b"dref"],
    };
    for child in walker.children(b, 0).map_err(|e| *e)? {
        if !allowed.contains(&&child.fourcc) {
            let message = format!("{} box holds a {} box", b.name(), child.name());
            return Err(Error::corrupt(walker.format, walker.base + child.start, message));
        }
        check(walker, &child, None)?;
    }
    Ok(())
}

/// `tref`: boxes of track IDs. Track IDs are small numbers, so a box swallowed
/// here (text, a size and a type) does not pass for one.
fn references(walker: &mut Walker, b: &BoxHeader) -> Result<()> {
    for child in walker.children(b, 0).map_err(|e| *e)? {
        let ids = &walker.data[child.body.clone()];
        let plausible = child.fourcc.iter().all(|c| c.is_ascii_alphanumeric() || *c == b' ')
            && ids.len() % 4 == 0
            && ids.chunks_exact(4).all(|id| id[0] == 0 && id[1] == 0);
        if !plausible {
            let message = format!("{} box holds {} box that is not a list of track IDs", b.name(), child.name());
            return Err(Error::corrupt(walker.format, walker.base + child.start, message));
        }
    }
    Ok(())
}
