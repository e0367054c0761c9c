// A thousand photos in one selection, with the built extension and without any
// extension (Chromium, same flags, one run): the time until the page's upload
// arrives, the page's longest main-thread task and the longest stall of a 10 ms
// timer on the page, and the browser's memory (PSS of all its processes, peak
// over the value before the selection). Tells the guard's share of the page's
// stall from the page's own (FormData and fetch of 1,000 files). BENCH_RUNS each.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, TestWeb } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { sampleMemory } from '../tests/e2e/memory.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const scratch = mkdtempSync(join(tmpdir(), 'traceless-bench-flood-'));
const GPS = join(corpus, 'exiftool/t/images/GPS.jpg');
const MANY = Array.from({ length: 1000 }, (_, i) => {
  const path = join(scratch, `photo-${i}.jpg`);
  copyFileSync(GPS, path);
  return path;
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const web = new TestWeb();
await web.start();
const results = {};
try {
  for (const withExtension of [false, true]) {
    const browser = await launchChromium(web, { withExtension });
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.open(`${web.originA}/upload/flood.html`);
      await new Promise((r) => setTimeout(r, 500));
      await page.evaluate(() => window.resetStall());
      const since = web.uploads.length;
      const memory = sampleMemory(browser.pid);
      const started = Date.now();
      await browser.chooseFiles(page, '#file', MANY);
      while (web.uploads.length === since) await new Promise((r) => setTimeout(r, 20));
      const ms = Date.now() - started;
      const { growth } = memory.stop();
      const { longtasks, stall } = await page.evaluate(() => ({ longtasks: window.longtasks, stall: window.stall }));
      runs.push({ ms, longest: Math.max(0, ...longtasks), stall, growth });
      await page.close();
    }
    await browser.close();
    const key = withExtension ? 'with Traceless' : 'no extension';
    results[key] = Object.fromEntries(['ms', 'longest', 'stall', 'growth'].map((k) => [k, median(runs.map((r) => r[k]))]));
    const r = results[key];
    console.log(`  ${key.padEnd(15)} upload after ${r.ms} ms, longest task ${r.longest} ms, longest timer stall ${r.stall} ms, ` +
      `memory +${r.growth.toFixed(0)} MiB (medians of ${RUNS})`);
  }
} finally {
  await web.stop();
  rmSync(scratch, { recursive: true, force: true });
}
