//! A track's sample tables (`stsc`, `stsz`/`stz2`, `stco`/`co64`) turned into
//! the byte ranges of its chunks in the file: what cleaning keeps of `mdat`.
//! Everything in `mdat` that no kept track's chunk covers is zeroed.

use std::ops::Range;

use crate::container::isobmff::boxes::{BoxHeader, Fields};
use crate::error::{Error, ErrorKind, Result};

/// Most chunks over all tracks. A one-hour phone video has tens of
/// thousands; each costs 16 bytes of bookkeeping.
pub(crate) const MAX_CHUNKS: usize = 2_000_000;

/// Where a chunk-offset table's entries are, to rewrite them.
#[derive(Debug, Clone)]
pub(crate) struct OffsetTable {
    /// Position of the first entry in the `moov` buffer.
    pub entries: usize,
    pub count: usize,
    /// `co64` (8-byte entries) rather than `stco`.
    pub wide: bool,
}

/// A full box's entry count after version and flags, checked against the room for `width`-byte entries.
fn counted(f: &mut Fields, width: usize) -> Result<usize> {
    f.full_box().map_err(|e| *e)?;
    let count = f.u32().map_err(|e| *e)? as usize;
    if count.checked_mul(width).is_none_or(|n| n > f.remaining()) {
        return Err(*f.error(format_args!("{count} entries of {width} bytes do not fit in {} bytes", f.remaining())));
    }
    Ok(count)
}

pub(crate) fn offset_table(data: &[u8], format: &'static str, base: usize, b: &BoxHeader) -> Result<OffsetTable> {
    let wide = b.is(b"co64");
    let mut f = Fields::at(data, format, b, base);
    let count = counted(&mut f, if wide { 8 } else { 4 })?;
    Ok(OffsetTable { entries: f.pos(), count, wide })
}

pub(crate) fn offsets<'a>(data: &'a [u8], table: &OffsetTable) -> impl Iterator<Item = u64> + 'a {
    let width = if table.wide { 8 } else { 4 };
    data[table.entries..table.entries + table.count * width]
        .chunks_exact(width)
        .map(|e| e.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
}

/// Sample sizes, from `stsz` (a constant or a table) or `stz2` (4, 8 or 16 bits).
enum Sizes<'a> {
    Constant(u64, usize),
    Table(&'a [u8], usize),
}

impl Sizes<'_> {
    fn count(&self) -> usize {
        match self {
            Sizes::Constant(_, n) => *n,
            Sizes::Table(t, bits) => t.len() * 8 / bits,
        }
    }
    fn get(&self, i: usize) -> u64 {
        match self {
            Sizes::Constant(size, _) => *size,
            Sizes::Table(t, 32) => u64::from(u32::from_be_bytes([t[4 * i], t[4 * i + 1], t[4 * i + 2], t[4 * i + 3]])),
            Sizes::Table(t, 16) => u64::from(u16::from_be_bytes([t[2 * i], t[2 * i + 1]])),
            Sizes::Table(t, 8) => u64::from(t[i]),
            Sizes::Table(t, _) => u64::from(if i % 2 == 0 { t[i / 2] >> 4 } else { t[i / 2] & 0x0F }),
        }
    }
}

fn sizes<'a>(data: &'a [u8], format: &'static str, base: usize, b: &BoxHeader) -> Result<Sizes<'a>> {
    let mut f = Fields::at(data, format, b, base);
    f.full_box().map_err(|e| *e)?;
    if b.is(b"stsz") {
        let size = f.u32().map_err(|e| *e)?;
        let count = f.u32().map_err(|e| *e)? as usize;
        if size != 0 {
            return Ok(Sizes::Constant(u64::from(size), count));
        }
        if count.checked_mul(4).is_none_or(|n| n > f.remaining()) {
            return Err(*f.error(format_args!("{count} sample sizes do not fit")));
        }
        return Ok(Sizes::Table(f.bytes(count * 4).map_err(|e| *e)?, 32));
    }
    // stz2: 24 reserved bits, the field size, the count.
    let bits = f.u32().map_err(|e| *e)? & 0xFF;
    let count = f.u32().map_err(|e| *e)? as usize;
    if !matches!(bits, 4 | 8 | 16) {
        return Err(*f.error(format_args!("sample size fields of {bits} bits")));
    }
    let bytes = (count * bits as usize).div_ceil(8);
    if count.checked_mul(bits as usize).is_none() || bytes > f.remaining() {
        return Err(*f.error(format_args!("{count} sample sizes do not fit")));
    }
    let table = f.bytes(bytes).map_err(|e| *e)?;
    Ok(if bits == 4 { Sizes::Table(&table[..count.div_ceil(2)], 4) } else { Sizes::Table(table, bits as usize) })
}

/// How many samples a track has, from its `stsz` or `stz2` (the count follows
/// version, flags and one more field in both).
pub(crate) fn sample_count(data: &[u8], b: &BoxHeader) -> Option<usize> {
    let at = b.body.start + 8;
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// The file byte range of each chunk of a track, in `stco` order. `chunks` so
/// far over all tracks bounds the bookkeeping.
pub(crate) fn chunk_ranges(
    data: &[u8],
    format: &'static str,
    base: usize,
    stsc: &BoxHeader,
    sizes_box: &BoxHeader,
    table: &OffsetTable,
    chunks_so_far: usize,
) -> Result<Vec<Range<u64>>> {
    let sizes = sizes(data, format, base, sizes_box)?;
    let mut f = Fields::at(data, format, stsc, base);
    let runs = counted(&mut f, 12)?;
    let mut runs_list = Vec::with_capacity(runs.min(1 << 16));
    for _ in 0..runs {
        let first = f.u32().map_err(|e| *e)?;
        let per_chunk = f.u32().map_err(|e| *e)?;
        f.u32().map_err(|e| *e)?;
        runs_list.push((u64::from(first), u64::from(per_chunk)));
    }
    if chunks_so_far + table.count > MAX_CHUNKS {
        return Err(Error::new(ErrorKind::LimitExceeded, format!("more than {MAX_CHUNKS} chunks of media data"))
            .in_format(format)
            .at(base + table.entries));
    }
    let bad = |message: String| Error::corrupt(format, base + stsc.start, message);
    let mut out = Vec::with_capacity(table.count);
    let mut sample = 0usize;
    let mut run = 0usize;
    for (index, offset) in offsets(data, table).enumerate() {
        let chunk = index as u64 + 1;
        while run + 1 < runs_list.len() && runs_list[run + 1].0 <= chunk {
            run += 1;
        }
        let per_chunk = match runs_list.get(run) {
            Some(&(first, n)) if first <= chunk => n,
            _ => return Err(bad(format!("'stsc' says nothing of chunk {chunk}"))),
        };
        let n = usize::try_from(per_chunk).unwrap_or(usize::MAX);
        if n > sizes.count() - sample {
            return Err(bad(format!("chunk {chunk} needs more samples than the {} the track has", sizes.count())));
        }
        // A constant size needs no loop: a hostile count would otherwise cost billions of steps.
        let len = match sizes {
            Sizes::Constant(size, _) => size.checked_mul(per_chunk),
            Sizes::Table(..) => (sample..sample + n).try_fold(0u64, |len, i| len.checked_add(sizes.get(i))),
        };
        let len = len.ok_or_else(|| bad(format!("chunk {chunk}'s samples add up past 2^64 bytes")))?;
        sample += n;
        let end = offset.checked_add(len).ok_or_else(|| bad(format!("chunk {chunk} runs past 2^64")))?;
        out.push(offset..end);
    }
    Ok(out)
}
