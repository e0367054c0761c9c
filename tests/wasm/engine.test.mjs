// The engine as WebAssembly, in Node: it loads with no host imports beyond
// wasm-bindgen's own, and gives the same results as the native engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const engine = require(join(root, 'target/wasm/node/traceless_wasm.js'));
const corpus = process.env.TRACELESS_CORPUS ?? join(root, '..', 'shared', 'corpus');
const read = (rel) => new Uint8Array(readFileSync(join(corpus, rel)));

test('the module imports nothing from env', () => {
  const bytes = readFileSync(join(root, 'target/wasm/web/traceless_wasm_bg.wasm'));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
  const env = imports.filter((i) => i.module === 'env').map((i) => i.name);
  assert.deepEqual(env, []);
  assert.ok(imports.every((i) => i.module === './traceless_wasm_bg.js'), JSON.stringify(imports.map((i) => i.module)));
});

test('inspect finds the location in a GPS photo', () => {
  const report = engine.inspect(read('exiftool/t/images/GPS.jpg'));
  assert.equal(report.format, 'jpeg');
  assert.ok(Math.abs(report.location.latitude - 54.989667) < 1e-5);
  assert.match(report.summary, /^location/);
});

test('clean removes everything and matches the native engine byte for byte', () => {
  const { data, report } = engine.clean(read('exiftool/t/images/GPS.jpg'));
  assert.ok(data instanceof Uint8Array);
  assert.ok(report.removed.some((f) => f.category === 'location'));
  const again = engine.inspect(data);
  assert.equal(again.location, null);
  assert.ok(again.findings.every((f) => f.category === 'display'));
});

test('every supported corpus image cleans in wasm exactly as natively', () => {
  // target/wasm-reference.json is written by the Rust test `wasm_reference` (cargo test), so
  // both engines are compared on the same files.
  const reference = JSON.parse(readFileSync(join(root, 'target/wasm-reference.json'), 'utf8'));
  let compared = 0;
  for (const [rel, expected] of Object.entries(reference)) {
    let actual;
    try {
      const input = rel.startsWith('ultrahdr:')
        ? new Uint8Array(readFileSync(join(root, 'tests/ultrahdr/files', rel.slice('ultrahdr:'.length))))
        : read(rel);
      const { data } = engine.clean(input);
      actual = { ok: true, len: data.length, sum: checksum(data) };
    } catch (e) {
      actual = { ok: false, kind: e.kind };
    }
    assert.deepEqual(actual, expected, rel);
    compared++;
  }
  assert.ok(compared >= 400, `compared ${compared}`);
  assert.ok(Object.keys(reference).filter((k) => k.startsWith('ultrahdr:')).length >= 6, 'the Ultra HDR files');
});

test('an Ultra HDR photo keeps its gain map, and the report says so', () => {
  const file = new Uint8Array(readFileSync(join(root, 'tests/ultrahdr/files/ultrahdr-both.jpg')));
  const { data, report } = engine.clean(file);
  assert.match(report.summary, /; HDR gain map kept$/);
  assert.ok(report.removed.some((f) => f.key === 'Gain map EXIF GPS position'), JSON.stringify(report.removed.map((f) => f.key)));
  const after = engine.inspect(data);
  assert.deepEqual(after.findings.map((f) => f.key), ['HDR gain map', 'ICC profile']);
});

test('conversions give the native engine\'s bytes (JPEG, WebP lossy and lossless, PNG, target size)', () => {
  // target/wasm-convert-reference.json is written by the Rust test `wasm_convert_reference`.
  const cases = JSON.parse(readFileSync(join(root, 'target/wasm-convert-reference.json'), 'utf8'));
  const full = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const avif = require(join(root, 'target/wasm/node/traceless_wasm_avif.js'));
  const modules = { full, avif };
  for (const { file, options, len, sum, error, module } of cases) {
    const convert = () => (modules[module] ?? engine).convert(read(file), options);
    if (error) {
      assert.throws(convert, (e) => e.kind === error, `${file}: ${error}`);
      continue;
    }
    const { data } = convert();
    assert.deepEqual({ len: data.length, sum: checksum(data) }, { len, sum }, `${file} ${JSON.stringify(options)}`);
  }
  assert.ok(cases.length >= 30, `${cases.length} cases`);
  assert.ok(cases.filter((c) => c.module === 'full').length >= 6, 'the animations');
  assert.ok(cases.filter((c) => c.module === 'avif' && c.options.format === 'avif').length >= 3, 'AVIF output');
  // AVIF input (rav1d): every corpus AVIF, nearly all decoded, the rest refused as natively.
  const decoded = cases.filter((c) => c.module === 'avif' && c.file.endsWith('.avif'));
  assert.ok(decoded.length >= 40 && decoded.filter((c) => !c.error).length >= 38, `${decoded.length} AVIF inputs`);
});

test('AVIF output comes from the AVIF module only; the other modules say so plainly', () => {
  const bytes = readFileSync(join(root, 'target/wasm/web/traceless_wasm_avif_bg.wasm'));
  const env = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).filter((i) => i.module === 'env');
  assert.deepEqual(env, [], 'libaom needs nothing from the host');
  const full = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  for (const module of [engine, full]) {
    assert.throws(() => module.convert(read('exiftool/t/images/GPS.jpg'), { format: 'avif' }),
      (e) => e.kind === 'unsupported' && /no AVIF encoder/.test(e.message));
  }
  const avif = require(join(root, 'target/wasm/node/traceless_wasm_avif.js'));
  const { data, report } = avif.convert(read('exiftool/t/images/GPS.jpg'), { format: 'avif', quality: 70 });
  assert.equal(report.format, 'avif');
  const after = engine.inspect(data);
  assert.equal(after.format, 'avif');
  assert.ok(after.findings.every((f) => f.category === 'display'), JSON.stringify(after.findings));
  // Nothing is left behind per encode (libaom once allocated a frame we never freed):
  // after the first conversions, more of them do not grow the module's memory.
  const photo = read('link-u-avif-sample-images/kimono.jpg');
  const options = { format: 'avif', maxWidth: 800, maxHeight: 800, avifSpeed: 9 };
  for (let i = 0; i < 2; i++) avif.convert(photo, options);
  const settled = avif.memory_bytes();
  for (let i = 0; i < 6; i++) avif.convert(photo, options);
  assert.equal(avif.memory_bytes(), settled, 'memory grew over six more conversions');
});

test('animations convert in the converter module only; the image module refuses them plainly', () => {
  const full = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const gif = read('mat2/tests/data/dirty.gif');
  assert.throws(() => engine.convert(gif, { format: 'webp' }), (e) => e.kind === 'unsupported' && /animated/.test(e.message));
  assert.throws(() => full.convert(gif, { format: 'jpeg' }), (e) => e.kind === 'unsupported' && /single picture/.test(e.message));
  const { data, report } = full.convert(gif, { format: 'keep' });
  assert.equal(report.format, 'webp');
  const after = engine.inspect(data);
  assert.equal(after.frames, 8);
  assert.ok(after.findings.every((f) => f.category === 'display'), JSON.stringify(after.findings));
});

test('convert re-encodes to JPEG, PNG and WebP within bounds', () => {
  const photo = read('link-u-avif-sample-images/kimono.jpg');
  for (const format of ['jpeg', 'png', 'webp']) {
    const { data, report } = engine.convert(photo, { format, maxWidth: 300, maxHeight: 300 });
    assert.equal(report.format, format);
    assert.ok(report.width <= 300 && report.height <= 300, JSON.stringify(report));
    assert.equal(engine.inspect(data).width, report.width);
  }
});

test('errors are JS Errors with the engine message and kind, and a reason code where a person can act', () => {
  assert.throws(() => engine.clean(read('ianare-exif-samples/tiff/Arbitro.tiff')), (e) => e instanceof Error && e.kind === 'unsupported' && /TIFF/.test(e.message));
  assert.throws(() => engine.clean(read('ianare-exif-samples/tiff/Arbitro.tiff')), (e) => e.reason === 'other_type' && e.args.length === 1 && e.args[0] === 'TIFF');
  const full = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  assert.throws(() => full.convert(read('mat2/tests/data/dirty.gif'), { format: 'png' }), (e) => e.reason === 'animated_to_single' && e.args.join() === 'GIF,8,PNG');
  assert.throws(() => engine.clean(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 9])), (e) => e.kind === 'truncated' && e.reason === undefined);
  assert.throws(() => engine.convert(read('exiftool/t/images/GPS.jpg'), { quality: 'high' }), /invalid options/);
});

function checksum(bytes) {
  let h = 2166136261 >>> 0; // FNV-1a
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

test('HEIC converts in the converter module only: the engine refuses it plainly, the converter module makes a clean upright JPEG', () => {
  const heif = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const photo = read('ianare-exif-samples/heic/IMG_5195.HEIC');
  assert.throws(() => engine.convert(photo, { format: 'jpeg' }), (e) => e.kind === 'unsupported');
  const { data, report } = heif.convert(photo, { format: 'jpeg', maxWidth: 800, maxHeight: 800 });
  assert.equal(report.input_format, 'heif');
  assert.deepEqual([report.width, report.height], [620, 800], 'upright at its displayed size, scaled');
  const after = engine.inspect(data);
  assert.equal(after.format, 'jpeg');
  assert.equal(after.location, null);
  assert.ok(report.removed.some((f) => f.category === 'location'), 'what it revealed is reported');
});

test('a HEIC grid its tiles do not cover is an error in wasm, where heifer panicking on it aborted the module', () => {
  // core/tests/regressions: a read-only review's file (session 43). A panic in wasm is an
  // abort: every later call on the module fails, so the module is used again after.
  const heif = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const uncovered = new Uint8Array(readFileSync(join(root, 'core/tests/regressions/heif-grid-wider-than-its-tiles.heic')));
  for (const call of [() => heif.convert(uncovered, { format: 'jpeg' }), () => heif.decode_upright_band(uncovered, 0, 2), () => heif.decode_upright(uncovered)]) {
    assert.throws(call, (e) => e.kind === 'corrupt' && /do not cover/.test(e.message));
  }
  const { report } = heif.convert(read('ianare-exif-samples/heic/IMG_5195.HEIC'), { format: 'jpeg', maxWidth: 64, maxHeight: 64 });
  assert.equal(report.input_format, 'heif', 'the module still works');
});

test('a HEIC decoded once (as the converter does to show it) converts from those pixels to the very file converting it afresh makes', () => {
  const heif = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const photo = read('ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC');
  const decoded = heif.decode_upright(photo);
  assert.deepEqual([decoded.width, decoded.height], [3024, 4032], 'upright: irot applied');
  assert.equal(decoded.rgba.length, 3024 * 4032 * 4);
  // The BMP to show, made from those pixels: its header says 3024 × 4032, top row first.
  const bmp = heif.screen_picture(photo, decoded.rgba, decoded.width, decoded.height);
  const header = new DataView(bmp.buffer, bmp.byteOffset);
  assert.deepEqual([String.fromCharCode(bmp[0], bmp[1]), header.getInt32(18, true), header.getInt32(22, true)], ['BM', 3024, -4032]);
  assert.equal(bmp.length, 122 + decoded.rgba.length);
  // Decoded by two workers, half the tiles each, then joined: the same pixels.
  const bands = [0, 1].map((index) => heif.decode_upright_band(photo, index, 2));
  assert.ok(bands.every((band) => band.rows instanceof Uint8Array), 'a grid: split in two');
  // Display P3: each band's worker colours its rows for the screen.
  assert.ok(bands.every((band) => band.screen instanceof Uint8Array && band.screen.length === band.rows.length), 'screen rows');
  const joined = heif.join_upright_bands(photo, bands.map((band) => band.rows), bands.map((band) => band.screen));
  assert.deepEqual([joined.width, joined.height], [3024, 4032]);
  assert.ok(Buffer.from(joined.rgba).equals(Buffer.from(decoded.rgba)), 'the bands joined are the whole decode');
  assert.ok(Buffer.from(joined.picture).equals(Buffer.from(bmp)), 'and their picture the whole picture');
  const options = { format: 'jpeg', quality: 80 };
  const direct = heif.convert(photo, options);
  const again = heif.convert_decoded(photo, decoded.rgba, decoded.width, decoded.height, options);
  assert.ok(Buffer.from(direct.data).equals(Buffer.from(again.data)), 'byte-identical JPEGs');
  assert.deepEqual(again.report, direct.report);
  assert.throws(() => heif.decode_upright(new Uint8Array([1, 2, 3])), (e) => e.kind === 'unrecognised' || e.kind === 'empty');
  assert.throws(() => heif.screen_picture(photo, new Uint8Array(16), 3024, 4032), (e) => e.kind === 'invalid_request' || /does not match/.test(e.message));
});

test('a HEIC\'s picture for the list: its stored thumbnail when it has one, else the photo decoded only when asked', () => {
  const heif = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  const size = (bmp) => {
    const header = new DataView(bmp.buffer, bmp.byteOffset);
    return [String.fromCharCode(bmp[0], bmp[1]), header.getInt32(18, true), header.getInt32(22, true)];
  };
  const iphone = read('ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC');
  const stored = heif.list_picture(iphone, 112, false);
  assert.deepEqual(size(stored), ['BM', 84, -112], 'its 240 × 320 thumbnail, upright, within 112');
  assert.ok(Buffer.from(heif.list_picture(iphone, 112, true)).equals(Buffer.from(stored)), 'the same either way');
  const nokia = read('ianare-exif-samples/heic/mobile/HMD_Nokia_8.3_5G.heif');
  assert.equal(heif.list_picture(nokia, 112, false), undefined, 'none stored: nothing without a decode');
  assert.deepEqual(size(heif.list_picture(nokia, 112, true)), ['BM', 84, -112], 'decoded, upright');
  assert.throws(() => heif.list_picture(iphone.subarray(0, 1000), 112, true), (e) => typeof e.kind === 'string');
});

test('a large JPEG converted in parts (the converter splits its encode over two workers) is the whole conversion, give or take the strips\' trellis and the scans\' split', () => {
  const full = require(join(root, 'target/wasm/node/traceless_wasm_full.js'));
  assert.equal(engine.convert_in_parts, undefined, 'not in the image module (its size goal)');
  const heic = read('ianare-exif-samples/heic/mobile/iphone_13_pro_max.HEIC');
  const decoded = full.decode_upright(heic);
  const options = { format: 'jpeg', quality: 80 };
  let lastJob;
  for (const [name, bytes, pixels] of [['a JPEG photo', read('ianare-exif-samples/jpg/hdr/iphone_hdr_YES.jpg')], ['a HEIC from its decoded pixels', heic, decoded]]) {
    const whole = pixels ? full.convert_decoded(bytes, pixels.rgba, pixels.width, pixels.height, options) : full.convert(bytes, options);
    const made = full.convert_in_parts(bytes, pixels?.rgba, pixels?.width ?? 0, pixels?.height ?? 0, options, 2);
    assert.equal(made.strips.length, 2, name);
    // As the workers pass them: structured clones.
    const job = (lastJob = structuredClone(made.job));
    const encoded = made.strips.map((rgb, k) => full.encode_part(rgb, job.heights[k], structuredClone(job)));
    // Each worker writes half the file's scans from both strips; the first splices them.
    const halves = [0, 1].map((half) => full.write_scans(encoded.map((e) => e.slice()), structuredClone(job), half));
    const joined = full.splice_scans(halves, [job]);
    if (pixels) {
      // The converter cuts pixels it has itself, and each worker prepares its own rows: the same strips.
      const row = pixels.width * 4;
      const own = job.heights.map((rows, k) => {
        const start = k === 0 ? 0 : job.heights[0] * row;
        return full.encode_decoded_strip(bytes, pixels.rgba.slice(start, start + rows * row), pixels.width, new Uint32Array(job.heights), k, options);
      });
      own.forEach(({ strip }, k) => assert.ok(Buffer.from(strip).equals(Buffer.from(encoded[k])), `${name}: strip ${k}`));
      assert.deepEqual(own.map(({ job: j }) => j), [job, job]);
    }
    assert.deepEqual({ ...joined.report, output_bytes: 0 }, { ...whole.report, output_bytes: 0 }, name);
    assert.equal(joined.report.output_bytes, joined.data.length);
    const growth = joined.data.length / whole.data.length;
    assert.ok(growth > 0.99 && growth < 1.01, `${name}: ${joined.data.length} bytes in parts, ${whole.data.length} whole`);
    assert.ok(full.inspect(joined.data).findings.every((f) => f.category === 'display'), name);
  }
  // Small images and other formats come back whole.
  const small = full.convert_in_parts(read('ianare-exif-samples/jpg/gps/DSCN0010.jpg'), undefined, 0, 0, options, 2);
  assert.ok(small.data instanceof Uint8Array && small.report.format === 'jpeg');
  // Strips that are not the job's: an error, before libjpeg (whose errors would stop the module).
  assert.throws(() => full.write_scans([new Uint8Array([1, 2, 3]), new Uint8Array(9)], lastJob, 0), (e) => /not the JPEG the job needs/.test(e.message));
  assert.throws(() => full.splice_scans([new Uint8Array([1, 2, 3]), new Uint8Array(9)], [lastJob]), (e) => /do not make this job's JPEG/.test(e.message));
  assert.equal(full.inspect(read('ianare-exif-samples/jpg/gps/DSCN0010.jpg')).format, 'jpeg', 'the module still works');
});
