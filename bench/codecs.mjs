// Codecs side by side, in Node, on ten 12 MP photos made from real corpus photos
// (bench/photos.py): our engine as wasm against jSquash's wasm builds of the same
// codecs (@jsquash/jpeg = MozJPEG, @jsquash/webp = libwebp, @jsquash/oxipng), and
// our native build. Every encode runs in its own process (bench/codec-child.mjs,
// or the native example), so time and peak memory are its own.
//
// Lossy codecs are compared at equal quality: for each photo and encoder, the
// lowest quality setting whose output reaches SSIMULACRA2 >= TARGET (scored by
// ssimulacra2_rs) is searched, and sizes are taken there. The search runs two
// encodes at a time (its timings are not used) and is kept in
// bench/out/codecs-search.json; the timed encodes then run one at a time.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
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
// BENCH_FORMATS=avif (say) runs only those formats and writes bench/out/codecs-avif.json.
const FORMATS = (process.env.BENCH_FORMATS ?? 'jpeg,webp,avif,png').split(',');
const LOSSY = ['jpeg', 'webp', 'avif'].filter((f) => FORMATS.includes(f));
// Where the quality search starts: AVIF reaches the target at lower settings.
const LOWEST = { jpeg: 50, webp: 50, avif: 20 };

const run = promisify(execFile);
const scores = new Map(); // sha256 of an output -> score promise: identical bytes are scored once
function score(reference, file) {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (!scores.has(hash)) {
    scores.set(hash, run('ssimulacra2_rs', ['image', reference, file]).then(({ stdout }) => Number(stdout.match(/Score:\s*(-?[\d.]+)/)[1])));
  }
  return scores.get(hash);
}

function command(encoder, format, raw, quality, out) {
  return encoder === 'native'
    ? [join(root, 'target/release/examples/encode_speed'), [raw, W, H, format, quality, out].map(String)]
    : [process.execPath, [join(root, 'bench/codec-child.mjs'), encoder, format, raw, W, H, quality, out].map(String)];
}
/** Timed: one at a time, nothing else running. */
function encode(encoder, format, raw, quality, out) {
  const [file, args] = command(encoder, format, raw, quality, out);
  return JSON.parse(execFileSync(file, args, { encoding: 'utf8' }));
}
async function encodeForSearch(encoder, format, raw, quality, out) {
  const [file, args] = command(encoder, format, raw, quality, out);
  return JSON.parse((await run(file, args)).stdout);
}

const outName = (name, encoder, format, q) => join(work, `${name}-${encoder}-q${q}.${format === 'jpeg' ? 'jpg' : format}`);
// ssimulacra2_rs reads PNG, JPEG and WebP: an AVIF is scored through libheif's decode.
function scorable(file) {
  if (!file.endsWith('.avif')) return file;
  const png = `${file}.png`;
  execFileSync('heif-convert', [file, png], { stdio: 'ignore' });
  return png;
}

/**
 * The lowest quality in [lo, hi] reaching TARGET, by bisection: { quality, score, bytes }.
 * With a `hint` (another encoder's answer on the same photo) it is tried first, with the
 * setting below it: when the hint reaches TARGET and the one below does not, that is
 * the answer, as bisection would find it (both assume the score rises with quality).
 */
async function search(encoder, format, raw, reference, name, hint) {
  const tried = new Map();
  const at = async (q) => {
    if (!tried.has(q)) {
      const out = outName(name, encoder, format, q);
      const { bytes } = await encodeForSearch(encoder, format, raw, q, out);
      tried.set(q, { quality: q, bytes, score: await score(reference, scorable(out)) });
    }
    return tried.get(q);
  };
  if (hint !== undefined && hint > LOWEST[format]) {
    const [at_hint, below] = [await at(hint), await at(hint - 1)];
    if (at_hint.score >= TARGET && below.score < TARGET) return at_hint;
  }
  let lo = LOWEST[format], hi = 100;
  if ((await at(hi)).score < TARGET) return at(hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await at(mid)).score >= TARGET) hi = mid; else lo = mid;
  }
  return at(hi);
}

/** Runs `tasks` (functions returning promises) `limit` at a time. */
async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) { const i = next++; results[i] = await tasks[i](); }
  }));
  return results;
}

const names = readdirSync(photos).filter((f) => /^photo12-\d+\.rgba$/.test(f)).sort().slice(0, COUNT).map((f) => f.slice(0, -5));
if (names.length < COUNT) throw new Error(`need ${COUNT} photos in ${photos}: run bench/photos.py twelve`);
// Phase 1: the quality each lossy encoder needs on each photo (cached).
const searchFile = join(root, 'bench/out/codecs-search.json');
let found = {};
try { found = JSON.parse(readFileSync(searchFile, 'utf8')); } catch { /* first run */ }
if (found.target !== TARGET) found = { target: TARGET };
const tasks = [];
for (const name of names) {
  for (const format of LOSSY) {
    // jSquash's search starts from ours (AVIF: the same libaom, so usually the same setting).
    tasks.push(async () => {
      for (const encoder of ['ours', 'jsquash']) {
        const key = `${name}/${format}/${encoder}`;
        if (found[key]) continue;
        const hint = encoder === 'jsquash' ? found[`${name}/${format}/ours`]?.quality : undefined;
        found[key] = await search(encoder, format, join(photos, `${name}.rgba`), join(photos, `${name}.png`), name, hint);
        writeFileSync(searchFile, JSON.stringify(found, null, 2));
        console.error(`search ${key}: q${found[key].quality} score ${found[key].score.toFixed(2)} ${found[key].bytes} B`);
      }
    });
  }
}
await pool(tasks, 2);

// Phase 2: timed encodes at those qualities, one at a time (native at the quality our wasm build needed:
// the same code, so the same output is expected and checked).
const rows = [];
for (const name of names) {
  const raw = join(photos, `${name}.rgba`);
  const row = { name };
  for (const format of LOSSY) {
    for (const encoder of ['ours', 'jsquash', 'native']) {
      const { quality, score: s } = found[`${name}/${format}/${encoder === 'native' ? 'ours' : encoder}`];
      const out = outName(name, encoder, format, quality);
      row[`${format}-${encoder}`] = { ...encode(encoder, format, raw, quality, out), quality, score: s };
    }
    row[`${format}-nativeSame`] = readFileSync(outName(name, 'native', format, row[`${format}-ours`].quality))
      .equals(readFileSync(outName(name, 'ours', format, row[`${format}-ours`].quality)));
  }
  for (const encoder of FORMATS.includes('png') ? ['ours', 'jsquash', 'native'] : []) {
    row[`png-${encoder}`] = encode(encoder, 'png', raw, 0, join(work, `${name}-${encoder}.png`));
  }
  rows.push(row);
  console.error(`${name}: timed`);
}
const all = FORMATS.join() === 'jpeg,webp,avif,png';
writeFileSync(join(root, `bench/out/codecs${all ? '' : `-${FORMATS.join('-')}`}.json`), JSON.stringify({ target: TARGET, rows }, null, 2));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ratio = (format, a, b, key) => median(rows.map((r) => r[`${format}-${a}`][key] / r[`${format}-${b}`][key]));
const med = (format, encoder, key) => median(rows.map((r) => r[`${format}-${encoder}`][key]));
console.log(`\n${rows.length} photos of 4000x3000; lossy formats at SSIMULACRA2 >= ${TARGET}; medians over photos`);
console.log(`native output identical to our wasm output: ${LOSSY.map((f) => `${f} ${rows.filter((r) => r[`${f}-nativeSame`]).length}/${rows.length}`).join(', ')}`);
console.log('| codec | ours (wasm) | jSquash | size ours/jSquash | time ours/jSquash | wasm/native time | peak RSS ours / jSquash / native |');
console.log('|---|---|---|---|---|---|---|');
for (const [format, label] of [['jpeg', 'JPEG (MozJPEG)'], ['webp', 'WebP (libwebp)'], ['avif', 'AVIF (libaom, speed 6)'], ['png', 'PNG (oxipng level 2)']].filter(([f]) => FORMATS.includes(f))) {
  const q = (e) => (format === 'png' ? '' : ` q${med(format, e, 'quality')}`);
  console.log(`| ${label} | ${(med(format, 'ours', 'bytes') / 1e6).toFixed(2)} MB, ${(med(format, 'ours', 'ms') / 1000).toFixed(2)} s${q('ours')} ` +
    `| ${(med(format, 'jsquash', 'bytes') / 1e6).toFixed(2)} MB, ${(med(format, 'jsquash', 'ms') / 1000).toFixed(2)} s${q('jsquash')} ` +
    `| ${ratio(format, 'ours', 'jsquash', 'bytes').toFixed(3)} | ${ratio(format, 'ours', 'jsquash', 'ms').toFixed(2)} ` +
    `| ${ratio(format, 'ours', 'native', 'ms').toFixed(2)} ` +
    `| ${Math.round(med(format, 'ours', 'peakKib') / 1024)} / ${Math.round(med(format, 'jsquash', 'peakKib') / 1024)} / ${Math.round(med(format, 'native', 'peakKib') / 1024)} MiB |`);
}
