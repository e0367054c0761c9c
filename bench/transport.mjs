// Content script -> engine round trip in Chromium, through the built extension:
// runtime messaging with structured clones (manifest message_serialization) to the
// engine in the service worker. Medians over BENCH_RUNS runs.
//
// Transport time = round trip - the engine's own time (reported by the background).
import { TestWeb } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { contentWorld } from '../tests/e2e/content-world.mjs';
import { statSync, writeFileSync } from 'node:fs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const SIZES = [1, 5, 20];

const web = await new TestWeb().start();
const browser = await launchChromium(web);
const results = [];
try {
  for (const strict of [false, true]) {
    const url = `${web.originA}/${strict ? 'strict' : 'index'}.html`;
    const page = await browser.open(url);
    // The content script runs in an isolated world: reach it through CDP.
    const run = await contentWorld(browser.context, page);
    for (const mb of SIZES) {
      const file = `photo-${mb}mb.jpg`;
      const bytes = statSync(new URL(`./out/photos/${file}`, import.meta.url)).size;
      const measured = await run(async ({ src, runs }) => {
        const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const input = new Uint8Array(await (await fetch(src)).arrayBuffer());
        const engine = await globalThis.tracelessContentEngine();
        const total = [], engineMs = [], transport = [];
        await engine.clean(input); // warm-up: wasm compile, first allocation
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          const out = await engine.clean(input);
          const t = performance.now() - t0;
          if (!(out.data.length > 0)) throw new Error('no output');
          total.push(t); engineMs.push(engine.lastEngineMs); transport.push(t - engine.lastEngineMs);
        }
        return { total: median(total), engine: median(engineMs), transport: median(transport) };
      }, { src: `/bench/${file}`, runs: RUNS });
      results.push({ page: strict ? 'strict CSP' : 'plain', file, bytes, ...measured });
    }
    await page.close();
  }
} finally {
  await browser.close();
  await web.stop();
}

const f = (x) => x.toFixed(1);
console.log(`\ncontent script -> engine, Chromium, clean (lossless), median of ${RUNS}`);
console.log('| page | image | round trip ms | engine ms | transport ms |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.page} | ${(r.bytes / 1048576).toFixed(1)} MB | ${f(r.total)} | ${f(r.engine)} | ${f(r.transport)} |`);
}
writeFileSync(new URL('./out/transport.json', import.meta.url), JSON.stringify({ runs: RUNS, results }, null, 2));
