// Times one wasm build's main paths on a 12-megapixel photo (median of 3; clean: mean
// of 20), to weigh build settings (opt-level, decoders) against module size:
//   node bench/wasm-speed.cjs [path/to/traceless_wasm.js]   (default: target/wasm/node)
// Needs bench/out/batch/batch-00.jpg (bench/photos.py batch bench/out/batch 50); the
// WebP and PNG inputs are made from it on first use (bench/out/speed-*).
const { join } = require('node:path');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');

const root = join(__dirname, '..');
const engine = require(process.argv[2] ?? join(root, 'target/wasm/node/traceless_wasm.js'));
const bytes = new Uint8Array(readFileSync(join(root, 'bench/out/batch/batch-00.jpg')));
const input = (name, options) => {
  const path = join(root, 'bench/out', name);
  if (!existsSync(path)) writeFileSync(path, engine.convert(bytes, options).data);
  return new Uint8Array(readFileSync(path));
};
const webp = input('speed-12mp.webp', { format: 'webp', quality: 80 });
const lossless = input('speed-3mp-lossless.webp', { format: 'webp', webpLossless: true, maxWidth: 2000, maxHeight: 2000 });
const png = input('speed-3mp.png', { format: 'png', pngLevel: 1, maxWidth: 2000, maxHeight: 2000 });
// Decoding dominates when the output is a thumbnail.
const thumbnail = { format: 'jpeg', quality: 80, maxWidth: 64, maxHeight: 64 };
const CASES = {
  'jpeg q80': [bytes, { format: 'jpeg', quality: 80 }],
  'webp q80': [bytes, { format: 'webp', quality: 80 }],
  'jpeg q80, fit 2560': [bytes, { format: 'jpeg', quality: 80, maxWidth: 2560, maxHeight: 2560 }],
  'png, fit 2000': [bytes, { format: 'png', maxWidth: 2000, maxHeight: 2000 }],
  'decode webp 12 MP': [webp, thumbnail],
  'decode lossless webp 3 MP': [lossless, thumbnail],
  'decode png 3 MP': [png, thumbnail],
};
engine.inspect(bytes);
const results = {};
for (const [name, [data, options]] of Object.entries(CASES)) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    engine.convert(data, options);
    times.push(performance.now() - started);
  }
  results[name] = `${Math.round(times.sort((a, b) => a - b)[1])} ms`;
}
const started = performance.now();
for (let i = 0; i < 20; i++) engine.clean(bytes, {});
results.clean = `${((performance.now() - started) / 20).toFixed(1)} ms`;
console.log(JSON.stringify(results));
