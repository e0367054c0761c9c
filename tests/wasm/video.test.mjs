// The video module (wasm-video/) in Node: it loads with nothing from `env`, asks for
// byte ranges until it can answer, and its plan, applied to the original, gives
// exactly the bytes the native command line writes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const video = require(join(root, 'target/wasm/node/traceless_wasm_video.js'));
const VIDEOS = join(root, 'target', 'test-videos');

before(() => {
  execFileSync('bash', [join(root, 'tests', 'videos', 'make.sh'), VIDEOS], { stdio: 'ignore' });
});

/** Runs a call with the ranges it asks for, as the extension does with a Blob; counts the reads. */
function drive(bytes, call) {
  const ranges = [];
  for (;;) {
    const result = call(ranges);
    if (!result.need) return { result, reads: ranges.length };
    const [offset, length] = result.need;
    // The extension reads at least 256 KB; here 4 KB, to exercise more rounds.
    ranges.push([offset, bytes.slice(offset, Math.min(bytes.length, offset + Math.max(length, 4096)))]);
    assert.ok(ranges.length < 200, 'a bounded number of reads');
  }
}

function apply(bytes, pieces) {
  return Buffer.concat(pieces.map((p) => (p.bytes ? Buffer.from(p.bytes) : p.copy ? bytes.subarray(p.copy[0], p.copy[1]) : Buffer.alloc(p.zero))));
}

test('the video module imports nothing from env', () => {
  const bytes = readFileSync(join(root, 'target/wasm/web/traceless_wasm_video_bg.wasm'));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
  assert.deepEqual(imports.filter((i) => i.module === 'env').map((i) => i.name), []);
});

test('detect: videos by their first bytes, images not', () => {
  const head = (name) => readFileSync(join(VIDEOS, name)).subarray(0, 256);
  assert.equal(video.detect(head('h264_aac_moovlast.mp4')), 'mp4');
  assert.equal(video.detect(head('h264_aac.mov')), 'mov');
  assert.equal(video.detect(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), undefined);
});

test('every test video: the plan gives the command line\'s bytes, reading only a few ranges', () => {
  // The command most recently built: a stale one would judge new code.
  const cli = ['release', 'debug'].map((p) => join(root, 'target', p, 'traceless')).filter(existsSync)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  assert.ok(cli, 'the traceless command is built');
  const out = mkdtempSync(join(tmpdir(), 'traceless-wasm-video-'));
  const files = JSON.parse(readFileSync(join(VIDEOS, 'manifest.json'), 'utf8')).files;
  let compared = 0;
  for (const f of files) {
    const bytes = readFileSync(join(VIDEOS, f.file));
    if (f.fragmented) {
      assert.throws(() => drive(bytes, (r) => video.plan(bytes.length, r)), (e) => e.kind === 'unsupported' && /fragmented/.test(e.message));
      continue;
    }
    execFileSync(cli, ['clean', join(VIDEOS, f.file), '-o', out], { stdio: 'ignore' });
    const { result, reads } = drive(bytes, (r) => video.plan(bytes.length, r));
    const cleaned = apply(bytes, result.pieces);
    assert.equal(cleaned.length, result.report.output_bytes, f.file);
    assert.ok(cleaned.equals(readFileSync(join(out, f.file))), `${f.file}: not the command line's bytes`);
    assert.ok(reads <= 12, `${f.file}: ${reads} reads`);
    const { result: inspected } = drive(bytes, (r) => video.inspect(bytes.length, r));
    assert.ok(inspected.report.findings.some((x) => x.category === 'location' || x.category === 'hidden_data'), f.file);
    compared++;
  }
  assert.ok(compared >= 8, `compared ${compared}`);
});

test('a file cut inside its movie header is truncated, not a request for bytes past the end', () => {
  const bytes = readFileSync(join(VIDEOS, 'h264_aac_faststart.mp4'));
  const cut = bytes.subarray(0, 2000);
  assert.throws(() => drive(cut, (r) => video.plan(cut.length, r)), (e) => e.kind === 'truncated');
});
