//! The engine alone, in memory: how fast `clean` runs over a set of files when no
//! file system is involved (as in the browser extension).
//!
//! Usage: clean_throughput DIR [ROUNDS]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: clean_throughput DIR [ROUNDS]");
    let rounds: usize = args.next().map_or(9, |r| r.parse().expect("ROUNDS is a number"));
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
        } else {
            files.push(std::fs::read(&path).unwrap());
        }
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let policy = traceless_core::Policy::default();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let mut out = 0usize;
        for f in &files {
            if let Ok(c) = traceless_core::clean(f, &policy) {
                out += c.data.len();
            }
        }
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(out);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"files\": {}, \"bytes\": {bytes}, \"median_s\": {median:.6}, \"mb_per_s\": {:.1}}}",
        files.len(),
        bytes as f64 / median / 1e6
    );
}
