// Codecs side by side, in Node, on ten 12 MP photos made from real corpus photos
// (bench/photos.py): our engine as wasm against jSquash's wasm builds of the same
// codecs (@jsquash/jpeg = MozJPEG, @jsquash/webp = libwebp, @jsquash/oxipng), and
// our native build. Every encode runs in its own process (bench/codec-child.mjs,
// or the native example), so time and peak memory are its own.
//
// Lossy codecs are compared at equal quality: for each photo and encoder, the
// lowest quality setting whose output reaches SSIMULACRA2 >= TARGET (scored by
// ssimulacra2_rs) is searched, and sizes and times are taken there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const photos = join(root, 'bench/out/photos');
const work = join(root, 'bench/out/codecs');
mkdirSync(work, { recursive: true });
const TARGET = Number(process.env.BENCH_SSIM ?? 80);
const COUNT = Number(process.env.BENCH_PHOTOS ?? 10);
const [W, H] = [4000, 3000];

const scores = new Map(); // sha256 of an output -> score: identical bytes are scored once
function score(reference, file) {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (!scores.has(hash)) {
    const out = execFileSync('ssimulacra2_rs', ['image', reference, file], { encoding: 'utf8' });
    scores.set(hash, Number(out.match(/Score:\s*(-?[\d.]+)/)[1]));
  }
  return scores.get(hash);
}

function encode(encoder, format, raw, quality, out) {
  const args = encoder === 'native'
    ? [join(root, 'target/release/examples/encode_speed'), [raw, W, H, format, quality, out]]
    : [process.execPath, [join(root, 'bench/codec-child.mjs'), encoder, format, raw, W, H, quality, out]];
  return JSON.parse(execFileSync(args[0], args[1].map(String), { encoding: 'utf8' }));
}

/** The lowest quality in [lo, hi] reaching TARGET, by bisection; returns that encode's result. */
function search(encoder, format, raw, reference, name) {
  const tried = new Map();
  const at = (q) => {
    if (!tried.has(q)) {
      const out = join(work, `${name}-${encoder}-q${q}.${format === 'jpeg' ? 'jpg' : format}`);
      const result = encode(encoder, format, raw, q, out);
      tried.set(q, { ...result, quality: q, score: score(reference, out) });
    }
    return tried.get(q);
  };
  let lo = 40, hi = 100;
  if (at(hi).score < TARGET) return at(hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid).score >= TARGET) hi = mid; else lo = mid;
  }
  return at(hi);
}

const names = readdirSync(photos).filter((f) => /^photo12-\d+\.rgba$/.test(f)).sort().slice(0, COUNT).map((f) => f.slice(0, -5));
if (names.length < COUNT) throw new Error(`need ${COUNT} photos in ${photos}: run bench/photos.py twelve`);
const rows = [];
for (const name of names) {
  const raw = join(photos, `${name}.rgba`);
  const reference = join(photos, `${name}.png`);
  const row = { name };
  for (const format of ['jpeg', 'webp']) {
    row[`${format}-ours`] = search('ours', format, raw, reference, name);
    row[`${format}-jsquash`] = search('jsquash', format, raw, reference, name);
    // Native runs at the quality our wasm build needed (the same code, so the same output is expected).
    const q = row[`${format}-ours`].quality;
    const out = join(work, `${name}-native-q${q}.${format === 'jpeg' ? 'jpg' : format}`);
    row[`${format}-native`] = { ...encode('native', format, raw, q, out), quality: q, score: score(reference, out) };
  }
  for (const encoder of ['ours', 'jsquash', 'native']) {
    row[`png-${encoder}`] = encode(encoder, 'png', raw, 0, join(work, `${name}-${encoder}.png`));
  }
  rows.push(row);
  console.error(`${name}: ${['jpeg', 'webp'].map((f) => `${f} q${row[`${f}-ours`].quality}/${row[`${f}-jsquash`].quality} ` +
    `${row[`${f}-ours`].bytes}/${row[`${f}-jsquash`].bytes} B`).join(', ')}`);
}
writeFileSync(join(root, 'bench/out/codecs.json'), JSON.stringify({ target: TARGET, rows }, null, 2));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ratio = (format, a, b, key) => median(rows.map((r) => r[`${format}-${a}`][key] / r[`${format}-${b}`][key]));
const med = (format, encoder, key) => median(rows.map((r) => r[`${format}-${encoder}`][key]));
console.log(`\n${rows.length} photos of 4000x3000; lossy formats at SSIMULACRA2 >= ${TARGET}; medians over photos`);
console.log('| codec | ours (wasm) | jSquash | size ours/jSquash | time ours/jSquash | wasm/native time | peak RSS ours / jSquash / native |');
console.log('|---|---|---|---|---|---|---|');
for (const [format, label] of [['jpeg', 'JPEG (MozJPEG)'], ['webp', 'WebP (libwebp)'], ['png', 'PNG (oxipng level 2)']]) {
  const q = (e) => (format === 'png' ? '' : ` q${med(format, e, 'quality')}`);
  console.log(`| ${label} | ${(med(format, 'ours', 'bytes') / 1e6).toFixed(2)} MB, ${(med(format, 'ours', 'ms') / 1000).toFixed(2)} s${q('ours')} ` +
    `| ${(med(format, 'jsquash', 'bytes') / 1e6).toFixed(2)} MB, ${(med(format, 'jsquash', 'ms') / 1000).toFixed(2)} s${q('jsquash')} ` +
    `| ${ratio(format, 'ours', 'jsquash', 'bytes').toFixed(3)} | ${ratio(format, 'ours', 'jsquash', 'ms').toFixed(2)} ` +
    `| ${ratio(format, 'ours', 'native', 'ms').toFixed(2)} ` +
    `| ${Math.round(med(format, 'ours', 'peakKib') / 1024)} / ${Math.round(med(format, 'jsquash', 'peakKib') / 1024)} / ${Math.round(med(format, 'native', 'peakKib') / 1024)} MiB |`);
}
