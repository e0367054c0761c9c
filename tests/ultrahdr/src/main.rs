//! `make-ultrahdr BASE.jpg GAINMAP.jpg OUT_DIR`: assembles Ultra HDR JPEGs from a base
//! JPEG and a gain map JPEG (both already carrying the personal metadata make.sh wrote),
//! once per metadata layout a phone may write: XMP only, ISO 21496-1 only, both;
//! single-channel and three-channel gain map metadata.
//! `make-ultrahdr --images OUT_DIR` first writes the two plain pictures.
//! `make-ultrahdr --check FILE...` prints what a second Ultra HDR reader finds in
//! each file (to compare a file before and after cleaning by hand).

use std::path::Path;

use ultrahdr_rs::{encode_ultrahdr_with_format, ColorGamut, GainMapEncodingFormat, GainMapMetadata};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, flag, out] if flag == "--images" => images(Path::new(out)),
        [_, flag, files @ ..] if flag == "--check" => files.iter().for_each(|f| check(Path::new(f))),
        [_, base, gain_map, out] => assemble(Path::new(base), Path::new(gain_map), Path::new(out)),
        _ => panic!("usage: make-ultrahdr --images OUT_DIR | BASE.jpg GAINMAP.jpg OUT_DIR | --check FILE..."),
    }
}

/// A 320×240 SDR picture with a bright window, and its 160×120 gain map: gain only where
/// the window is, so an HDR screen shows it brighter.
fn images(out: &Path) {
    let window = |x: u32, y: u32| (100..220).contains(&x) && (60..150).contains(&y);
    let base = image::RgbImage::from_fn(320, 240, |x, y| {
        if window(x, y) {
            image::Rgb([250, 245, 230])
        } else {
            image::Rgb([(x * 255 / 320) as u8, (y * 200 / 240) as u8, 90])
        }
    });
    let gain = image::GrayImage::from_fn(160, 120, |x, y| {
        if window(x * 2, y * 2) {
            image::Luma([200 + ((x + y) % 40) as u8])
        } else {
            image::Luma([((x * 3 + y) % 60) as u8])
        }
    });
    std::fs::create_dir_all(out).unwrap();
    base.save(out.join("base.jpg")).unwrap();
    gain.save(out.join("gainmap.jpg")).unwrap();
}

fn assemble(base: &Path, gain_map: &Path, out: &Path) {
    let base = std::fs::read(base).unwrap();
    let gain_map = std::fs::read(gain_map).unwrap();
    // The metadata struct is non-exhaustive: start from its default and set fields.
    let mut grey = GainMapMetadata::default();
    grey.gain_map_max = [2.0; 3];
    grey.alternate_hdr_headroom = 2.0;
    let mut colour = grey.clone();
    colour.gain_map_max = [2.0, 1.8, 1.5];
    colour.gamma = [1.0, 1.1, 1.2];
    let layouts = [
        ("ultrahdr-both.jpg", &grey, GainMapEncodingFormat::Both),
        ("ultrahdr-xmp.jpg", &grey, GainMapEncodingFormat::Xmp),
        ("ultrahdr-iso.jpg", &grey, GainMapEncodingFormat::Iso21496),
        ("ultrahdr-iso-multichannel.jpg", &colour, GainMapEncodingFormat::Iso21496),
    ];
    for (name, metadata, format) in layouts {
        let jpeg = encode_ultrahdr_with_format(&base, &gain_map, metadata, ColorGamut::DisplayP3, format).unwrap();
        std::fs::write(out.join(name), jpeg).unwrap();
    }
}

fn check(file: &Path) {
    let data = std::fs::read(file).unwrap();
    let decoder = ultrahdr_rs::Decoder::new(&data).unwrap();
    let gain_map = decoder.gainmap_jpeg().map(<[u8]>::len);
    println!(
        "{}: Ultra HDR {}, gain map {gain_map:?} bytes, {:?}",
        file.display(),
        decoder.is_ultrahdr(),
        decoder.metadata()
    );
}
