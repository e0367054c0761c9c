//! An ICC profile added to an AVIF that avif-serialize wrote: avif-serialize
//! says colour only as CICP (nclx), so when the source's profile is kept, a
//! `colr` box of type `prof` is appended to the properties, associated with the
//! primary image, and every file offset in `iloc` moved by what `meta` grew.
//!
//! Written for avif-serialize's layout (ftyp, meta, mdat; one primary item),
//! but reading each box by its own header and version, so a change in that
//! layout is an error here rather than a broken file.

use crate::error::{Error, ErrorKind, Result};

fn malformed(what: &str) -> Error {
    Error::new(ErrorKind::InvalidRequest, format!("AVIF writer: unexpected {what}")).in_format("AVIF")
}

/// A box's type, body start and end within `data`, from `at`.
fn next_box(data: &[u8], at: usize) -> Result<([u8; 4], usize, usize)> {
    let header = data.get(at..at + 8).ok_or_else(|| malformed("box header"))?;
    let size = u32::from_be_bytes(header[..4].try_into().unwrap()) as usize;
    if size < 8 || at + size > data.len() {
        return Err(malformed("box size"));
    }
    Ok((header[4..8].try_into().unwrap(), at + 8, at + size))
}

fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// The children of a box body as (type, whole box bytes).
fn children(body: &[u8]) -> Result<Vec<([u8; 4], &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let (kind, _, end) = next_box(body, at)?;
        out.push((kind, &body[at..end]));
        at = end;
    }
    Ok(out)
}

pub(crate) fn with_icc(avif: &[u8], icc: &[u8]) -> Result<Vec<u8>> {
    let (ftyp, _, ftyp_end) = next_box(avif, 0)?;
    let (meta, meta_body, meta_end) = next_box(avif, ftyp_end)?;
    if &ftyp != b"ftyp" || &meta != b"meta" {
        return Err(malformed("top-level boxes"));
    }
    // meta is a full box: version and flags, then its children.
    let meta_head = avif.get(meta_body..meta_body + 4).ok_or_else(|| malformed("meta"))?;
    let mut kids: Vec<([u8; 4], Vec<u8>)> =
        children(&avif[meta_body + 4..meta_end])?.into_iter().map(|(k, b)| (k, b.to_vec())).collect();
    let primary = primary_item(&kids)?;

    let iprp = kids.iter_mut().find(|(k, _)| k == b"iprp").ok_or_else(|| malformed("missing iprp"))?;
    let mut props: Vec<([u8; 4], Vec<u8>)> =
        children(&iprp.1[8..])?.into_iter().map(|(k, b)| (k, b.to_vec())).collect();
    let ipco = props.iter_mut().find(|(k, _)| k == b"ipco").ok_or_else(|| malformed("missing ipco"))?;
    let count = children(&ipco.1[8..])?.len();
    let mut colr = b"prof".to_vec();
    colr.extend_from_slice(icc);
    let mut ipco_body = ipco.1[8..].to_vec();
    ipco_body.extend_from_slice(&boxed(b"colr", &colr));
    ipco.1 = boxed(b"ipco", &ipco_body);
    let ipma = props.iter_mut().find(|(k, _)| k == b"ipma").ok_or_else(|| malformed("missing ipma"))?;
    ipma.1 = boxed(b"ipma", &associate(&ipma.1[8..], primary, count + 1)?);
    iprp.1 = boxed(b"iprp", &props.iter().flat_map(|(_, b)| b.iter().copied()).collect::<Vec<_>>());

    let old_meta = meta_end - ftyp_end;
    let new_meta = 8 + 4 + kids.iter().map(|(_, b)| b.len()).sum::<usize>();
    let delta = (new_meta - old_meta) as u64;
    let iloc = kids.iter_mut().find(|(k, _)| k == b"iloc").ok_or_else(|| malformed("missing iloc"))?;
    let mut iloc_body = iloc.1[8..].to_vec();
    shift_offsets(&mut iloc_body, delta)?;
    iloc.1 = boxed(b"iloc", &iloc_body);

    let mut meta_out = meta_head.to_vec();
    for (_, b) in &kids {
        meta_out.extend_from_slice(b);
    }
    let mut out = avif[..ftyp_end].to_vec();
    out.extend_from_slice(&boxed(b"meta", &meta_out));
    out.extend_from_slice(&avif[meta_end..]);
    Ok(out)
}

fn primary_item(kids: &[([u8; 4], Vec<u8>)]) -> Result<u32> {
    let pitm = &kids.iter().find(|(k, _)| k == b"pitm").ok_or_else(|| malformed("missing pitm"))?.1;
    match (pitm.get(8), pitm.get(12..)) {
        (Some(0), Some(id)) if id.len() >= 2 => Ok(u32::from(u16::from_be_bytes([id[0], id[1]]))),
        (Some(_), Some(id)) if id.len() >= 4 => Ok(u32::from_be_bytes(id[..4].try_into().unwrap())),
        _ => Err(malformed("pitm")),
    }
}

/// An ipma body with property `index` (1-based) associated with `item`.
fn associate(ipma: &[u8], item: u32, index: usize) -> Result<Vec<u8>> {
    let bad = || malformed("ipma");
    let (version, flags) = (*ipma.first().ok_or_else(bad)?, *ipma.get(3).ok_or_else(bad)?);
    let wide_index = flags & 1 == 1;
    if (!wide_index && index > 0x7f) || index > 0x7fff {
        return Err(bad());
    }
    let entries = u32::from_be_bytes(ipma.get(4..8).ok_or_else(bad)?.try_into().unwrap());
    let mut out = ipma[..8].to_vec();
    let mut at = 8;
    let id_len = if version < 1 { 2 } else { 4 };
    let mut found = false;
    for _ in 0..entries {
        let id_bytes = ipma.get(at..at + id_len).ok_or_else(bad)?;
        let id = id_bytes.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b));
        let n = *ipma.get(at + id_len).ok_or_else(bad)?;
        let assoc_len = usize::from(n) * if wide_index { 2 } else { 1 };
        let assoc = ipma.get(at + id_len + 1..at + id_len + 1 + assoc_len).ok_or_else(bad)?;
        out.extend_from_slice(id_bytes);
        if id == item {
            found = true;
            out.push(n.checked_add(1).ok_or_else(bad)?);
            out.extend_from_slice(assoc);
            // Not essential: a reader that ignores profiles still shows the image.
            if wide_index {
                out.extend_from_slice(&(index as u16).to_be_bytes());
            } else {
                out.push(index as u8);
            }
        } else {
            out.push(n);
            out.extend_from_slice(assoc);
        }
        at += id_len + 1 + assoc_len;
    }
    if !found || at != ipma.len() {
        return Err(bad());
    }
    Ok(out)
}

/// Moves every file offset in an iloc body by `delta`.
fn shift_offsets(iloc: &mut [u8], delta: u64) -> Result<()> {
    let bad = || malformed("iloc");
    let version = *iloc.first().ok_or_else(bad)?;
    let sizes = *iloc.get(4).ok_or_else(bad)?;
    let more = *iloc.get(5).ok_or_else(bad)?;
    let (offset_size, length_size, base_size) =
        (usize::from(sizes >> 4), usize::from(sizes & 15), usize::from(more >> 4));
    let index_size = if version >= 1 { usize::from(more & 15) } else { 0 };
    let mut at = 6;
    let read = |data: &[u8], at: usize, n: usize| -> Result<u64> {
        Ok(data.get(at..at + n).ok_or_else(bad)?.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
    };
    let write = |data: &mut [u8], at: usize, n: usize, value: u64| -> Result<()> {
        if n < 8 && value >> (8 * n) != 0 {
            return Err(bad());
        }
        for (i, byte) in data.get_mut(at..at + n).ok_or_else(bad)?.iter_mut().enumerate() {
            *byte = (value >> (8 * (n - 1 - i))) as u8;
        }
        Ok(())
    };
    let count_len = if version < 2 { 2 } else { 4 };
    let items = read(iloc, at, count_len)?;
    at += count_len;
    for _ in 0..items {
        at += if version < 2 { 2 } else { 4 };
        let method = if version >= 1 {
            let m = read(iloc, at, 2)? & 15;
            at += 2;
            m
        } else {
            0
        };
        at += 2; // data_reference_index
        let file_offsets = method == 0;
        if file_offsets && base_size > 0 {
            let base = read(iloc, at, base_size)?;
            write(iloc, at, base_size, base + delta)?;
        }
        at += base_size;
        let extents = read(iloc, at, 2)?;
        at += 2;
        for _ in 0..extents {
            at += index_size;
            if file_offsets && base_size == 0 && offset_size > 0 {
                let offset = read(iloc, at, offset_size)?;
                write(iloc, at, offset_size, offset + delta)?;
            }
            at += offset_size + length_size;
        }
    }
    if at != iloc.len() {
        return Err(bad());
    }
    Ok(())
}
