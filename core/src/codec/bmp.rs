//! A BMP of RGBA8 pixels, for pictures that are shown and never saved (the
//! converter's "before" of a HEIC, which no browser shows): a header before the
//! pixels as they are, no compression: nothing to encode, where a fast PNG of 12 MP
//! took 0.3-0.4 s to write in wasm (Chromium reads a 12 MP BMP in about 0.16 s,
//! measured). Written here: 30 lines of header do not earn a crate.

use crate::error::{Error, ErrorKind, Result};

const FILE_HEADER: usize = 14;
/// BITMAPV4HEADER: the first with an alpha mask and a colour space.
const INFO_HEADER: usize = 108;
/// Where the pixels start.
pub(crate) const HEADER: usize = FILE_HEADER + INFO_HEADER;

/// `rgba` (sRGB, `width` × `height`, top row first) as a BMP file.
pub(crate) fn encode(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    encode_parts(&[rgba], width, height)
}

/// `encode` of the pixels of `parts` one after the other (whole rows, top first).
pub(crate) fn encode_parts(parts: &[&[u8]], width: u32, height: u32) -> Result<Vec<u8>> {
    let size = u64::from(width) * u64::from(height) * 4;
    let total = HEADER as u64 + size;
    if size != parts.iter().map(|part| part.len() as u64).sum::<u64>()
        || width == 0
        || height == 0
        || total > u64::from(u32::MAX)
        || height > i32::MAX as u32
    {
        return Err(Error::new(ErrorKind::InvalidRequest, format!("a BMP of {width}×{height} cannot be made")));
    }
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(HEADER as u32).to_le_bytes());
    out.extend_from_slice(&(INFO_HEADER as u32).to_le_bytes());
    out.extend_from_slice(&(width as i32).to_le_bytes());
    // Negative: the rows run top to bottom, as ours do.
    out.extend_from_slice(&(-(height as i32)).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    // BI_BITFIELDS: the masks below say where each channel is, so the pixels need no reordering.
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out.extend_from_slice(&2835u32.to_le_bytes()); // 72 dpi
    out.extend_from_slice(&2835u32.to_le_bytes());
    out.extend_from_slice(&[0; 8]); // palette: none
    for mask in [0x0000_00ffu32, 0x0000_ff00, 0x00ff_0000, 0xff00_0000] {
        out.extend_from_slice(&mask.to_le_bytes());
    }
    out.extend_from_slice(b"BGRs"); // LCS_sRGB, as a little-endian 'sRGB'
    out.extend_from_slice(&[0; 48]); // endpoints and gamma: unused with sRGB
    debug_assert_eq!(out.len(), HEADER);
    for part in parts {
        out.extend_from_slice(part);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_decoder_reads_the_pixels_back_alpha_included() {
        let rgba = [10, 20, 30, 128, 40, 50, 60, 255, 70, 80, 90, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        let bmp = super::encode(&rgba, 3, 2).unwrap();
        let read = image::load_from_memory_with_format(&bmp, image::ImageFormat::Bmp).unwrap().to_rgba8();
        assert_eq!(read.dimensions(), (3, 2));
        assert_eq!(read.as_raw().as_slice(), rgba.as_slice(), "top row first, each channel in place");
        assert!(super::encode(&rgba[..20], 3, 2).is_err(), "too few pixels");
        assert!(super::encode(&[], 0, 0).is_err());
    }
}
