// Times one wasm build's main paths on a 12-megapixel photo (median of 3; clean: mean
// of 20), to weigh build settings (opt-level) against module size:
//   node bench/wasm-speed.cjs [path/to/traceless_wasm.js]   (default: target/wasm/node)
// Needs bench/out/batch/batch-00.jpg (bench/photos.py batch bench/out/batch 50).
const { join } = require('node:path');
const { readFileSync } = require('node:fs');

const root = join(__dirname, '..');
const engine = require(process.argv[2] ?? join(root, 'target/wasm/node/traceless_wasm.js'));
const bytes = new Uint8Array(readFileSync(join(root, 'bench/out/batch/batch-00.jpg')));
const CASES = {
  'jpeg q80': { format: 'jpeg', quality: 80 },
  'webp q80': { format: 'webp', quality: 80 },
  'jpeg q80, fit 2560': { format: 'jpeg', quality: 80, maxWidth: 2560, maxHeight: 2560 },
  'png, fit 2000': { format: 'png', maxWidth: 2000, maxHeight: 2000 },
};
engine.inspect(bytes);
const results = {};
for (const [name, options] of Object.entries(CASES)) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    engine.convert(bytes, options);
    times.push(performance.now() - started);
  }
  results[name] = `${Math.round(times.sort((a, b) => a - b)[1])} ms`;
}
const started = performance.now();
for (let i = 0; i < 20; i++) engine.clean(bytes, {});
results.clean = `${((performance.now() - started) / 20).toFixed(1)} ms`;
console.log(JSON.stringify(results));
