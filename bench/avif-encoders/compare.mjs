// The AV1 encoder choice for AVIF output (issue 18 §1), measured natively on the
// codec benchmark's photos: libaom (our engine, bench's encode_speed example)
// against rav1e through ravif (this folder's crate), one thread each, at speed 6,
// each at the lowest quality whose output scores SSIMULACRA2 >= 80.
//   cargo build --release --manifest-path bench/avif-encoders/Cargo.toml
//   node bench/avif-encoders/compare.mjs [PHOTOS=3]
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const photos = join(root, 'bench/out/photos');
const out = join(root, 'bench/out/avif-encoders');
execFileSync('mkdir', ['-p', out]);
const COUNT = Number(process.argv[2] ?? 3);
const encoders = {
  libaom: (raw, q, file) => [join(root, 'target/release/examples/encode_speed'), [raw, 4000, 3000, 'avif', q, file]],
  ravif: (raw, q, file) => [join(root, 'bench/avif-encoders/target/release/ravif-bench'), [raw, 4000, 3000, q, 6, file]],
};
function score(reference, file) {
  execFileSync('heif-convert', [file, `${file}.png`], { stdio: 'ignore' });
  return Number(execFileSync('ssimulacra2_rs', ['image', reference, `${file}.png`], { encoding: 'utf8' }).match(/Score:\s*(-?[\d.]+)/)[1]);
}
const rows = [];
for (let i = 0; i < COUNT; i++) {
  const name = `photo12-0${i}`;
  const raw = join(photos, `${name}.rgba`), reference = join(photos, `${name}.png`);
  const row = { name };
  for (const [encoder, command] of Object.entries(encoders)) {
    const at = (q) => {
      const file = join(out, `${name}-${encoder}-q${q}.avif`);
      const [bin, args] = command(raw, q, file);
      const result = JSON.parse(execFileSync(bin, args.map(String), { encoding: 'utf8' }));
      return { quality: q, ...result, score: score(reference, file) };
    };
    let lo = 20, hi = 100, best = at(hi);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const r = at(mid);
      if (r.score >= 80) { hi = mid; best = r; } else lo = mid;
    }
    row[encoder] = best;
    console.error(name, encoder, JSON.stringify(best));
  }
  rows.push(row);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(`${rows.length} photos of 4000x3000 at SSIMULACRA2 >= 80, speed 6, one thread, native; medians`);
for (const e of Object.keys(encoders)) {
  console.log(`${e}: ${(median(rows.map((r) => r[e].bytes)) / 1e6).toFixed(3)} MB, ${(median(rows.map((r) => r[e].ms)) / 1000).toFixed(2)} s, q${median(rows.map((r) => r[e].quality))}`);
}
console.log(`ravif/libaom: size ${median(rows.map((r) => r.ravif.bytes / r.libaom.bytes)).toFixed(3)}, time ${median(rows.map((r) => r.ravif.ms / r.libaom.ms)).toFixed(2)}`);
