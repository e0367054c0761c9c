// The engine as WebAssembly in Debian's Chromium (headless): the web build
// loads as an ES module and cleans a real photo in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.TRACELESS_CORPUS ?? join(root, '..', 'shared', 'corpus');
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.jpg': 'image/jpeg' };

function serve() {
  const files = {
    '/': Buffer.from('<!doctype html><title>engine</title>'),
    '/engine.js': readFileSync(join(root, 'target/wasm/web/traceless_wasm.js')),
    '/traceless_wasm_bg.wasm': readFileSync(join(root, 'target/wasm/web/traceless_wasm_bg.wasm')),
    '/photo.jpg': readFileSync(join(corpus, 'exiftool/t/images/GPS.jpg')),
  };
  const server = createServer((req, res) => {
    const body = files[normalize(req.url)];
    if (!body) return res.writeHead(404).end();
    const ext = req.url.slice(req.url.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': types[ext] ?? 'text/html' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the web build cleans a photo inside Chromium', async () => {
  const server = await serve();
  const profile = mkdtempSync(join(tmpdir(), 'traceless-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const result = await page.evaluate(async () => {
      const engine = await import('/engine.js');
      await engine.default();
      const bytes = new Uint8Array(await (await fetch('/photo.jpg')).arrayBuffer());
      const before = engine.inspect(bytes);
      const { data, report } = engine.clean(bytes);
      const after = engine.inspect(data);
      let error;
      try { engine.clean(new Uint8Array([1, 2, 3])); } catch (e) { error = { kind: e.kind, isError: e instanceof Error }; }
      return { latitude: before.location?.latitude, removed: report.removed.length, afterLocation: after.location, bytes: data.length, error };
    });
    assert.ok(Math.abs(result.latitude - 54.989667) < 1e-5, JSON.stringify(result));
    assert.ok(result.removed > 10);
    assert.equal(result.afterLocation, null);
    assert.deepEqual(result.error, { kind: 'unrecognised', isError: true });
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
