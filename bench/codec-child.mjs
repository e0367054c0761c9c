// One encode in a fresh Node process, so its peak memory is its own:
//   node bench/codec-child.mjs ours|jsquash jpeg|png|webp|avif RAW WIDTH HEIGHT QUALITY OUT
// Prints { ms, bytes, peakKib }. A small warm-up encode runs first (compilation,
// first allocations); the timed encode is the full image.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const [encoder, format, raw, w, h, q, out] = process.argv.slice(2);
const width = Number(w), height = Number(h), quality = Number(q);
const PNG_LEVEL = 2; // jSquash's default, and ours below 4 MP: given to both, the photos being 12 MP
const AVIF_SPEED = 6; // both sides' default (libaom cpu-used)

const compile = (path) => new WebAssembly.Module(readFileSync(join(root, 'node_modules', path)));

async function load() {
  if (encoder === 'ours') {
    // AVIF output lives in its own module, as in the extension.
    const engine = require(join(root, `target/wasm/node/traceless_wasm${format === 'avif' ? '_avif' : ''}.js`));
    return (rgba, width, height) => engine.encode(rgba, width, height, { format, quality, pngLevel: PNG_LEVEL, avifSpeed: AVIF_SPEED });
  }
  const image = (rgba, width, height) => new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height);
  if (format === 'jpeg') {
    const { default: encode, init } = await import('@jsquash/jpeg/encode.js');
    await init(compile('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
    return async (rgba, width, height) => new Uint8Array(await encode(image(rgba, width, height), { quality }));
  }
  if (format === 'webp') {
    const { default: encode, init } = await import('@jsquash/webp/encode.js');
    await init(compile('@jsquash/webp/codec/enc/webp_enc_simd.wasm'));
    return async (rgba, width, height) => new Uint8Array(await encode(image(rgba, width, height), { quality }));
  }
  if (format === 'avif') {
    // The single-threaded build: Node has no cross-origin isolation to offer threads.
    const { default: encode, init } = await import('@jsquash/avif/encode.js');
    await init(compile('@jsquash/avif/codec/enc/avif_enc.wasm'));
    return async (rgba, width, height) => new Uint8Array(await encode(image(rgba, width, height), { quality, speed: AVIF_SPEED }));
  }
  const { default: optimise, init } = await import('@jsquash/oxipng/optimise.js');
  await init(compile('@jsquash/oxipng/codec/pkg/squoosh_oxipng_bg.wasm'));
  return async (rgba, width, height) => new Uint8Array(await optimise(image(rgba, width, height), { level: PNG_LEVEL }));
}

// The ImageData the jSquash packages expect (Node has none).
globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) { Object.assign(this, { data, width, height }); }
};

const encode = await load();
const pixels = new Uint8Array(readFileSync(raw));
const small = pixels.slice(0, width * 4 * 64); // the first 64 rows
await encode(small, width, 64);
const started = performance.now();
const result = await encode(pixels, width, height);
const ms = performance.now() - started;
writeFileSync(out, result);
console.log(JSON.stringify({ ms, bytes: result.length, peakKib: process.resourceUsage().maxRSS }));
