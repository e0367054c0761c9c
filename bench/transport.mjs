// Content script -> engine round trip in Chromium, through the built extension:
// the engine frame (MessagePort, transferred buffers) against runtime messaging
// (JSON, so bytes must travel as base64). Medians over BENCH_RUNS runs.
//
// Transport time = round trip - the engine's own time (reported by the worker).
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
        // The alternative: runtime messaging is JSON in Chromium, so bytes go as base64.
        // One way only (the background ignores the message after parsing it); a round trip is about twice this.
        const oneWay = [], encode = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          const base64 = input.toBase64();
          const t1 = performance.now();
          await chrome.runtime.sendMessage({ type: 'traceless:bench-ignore', base64 });
          oneWay.push(performance.now() - t0); encode.push(t1 - t0);
        }
        return { total: median(total), engine: median(engineMs), transport: median(transport),
          messagingOneWay: median(oneWay), base64Encode: median(encode) };
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
console.log('| page | image | round trip ms | engine ms | transport ms | runtime messaging, one way ms (base64 encode) |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.page} | ${(r.bytes / 1048576).toFixed(1)} MB | ${f(r.total)} | ${f(r.engine)} | ${f(r.transport)} | ${f(r.messagingOneWay)} (${f(r.base64Encode)}) |`);
}
writeFileSync(new URL('./out/transport.json', import.meta.url), JSON.stringify({ runs: RUNS, results }, null, 2));
