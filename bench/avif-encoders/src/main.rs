// ravif (rav1e) on raw RGBA, one thread: bench/avif-encoders/compare.mjs sets it beside libaom.
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let raw = std::fs::read(&a[1]).unwrap();
    let (w, h): (usize, usize) = (a[2].parse().unwrap(), a[3].parse().unwrap());
    let q: f32 = a[4].parse().unwrap();
    let speed: u8 = a[5].parse().unwrap();
    let px: Vec<rgb::RGBA8> = raw.chunks_exact(4).map(|p| rgb::RGBA8::new(p[0], p[1], p[2], p[3])).collect();
    let img = imgref::Img::new(px.as_slice(), w, h);
    let started = Instant::now();
    let out = ravif::Encoder::new().with_quality(q).with_speed(speed).with_num_threads(Some(1))
        .encode_rgba(img).unwrap();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    std::fs::write(&a[6], &out.avif_file).unwrap();
    println!("{{\"ms\":{ms:.0},\"bytes\":{}}}", out.avif_file.len());
}
