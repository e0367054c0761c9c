// Videos through the upload guard in Chromium: the time from choosing a video
// to the page's change handler, and the browser's memory (PSS of all its
// processes, peak over the value before the choice), with the built extension
// and without any extension (same browser, same flags, one run). The guard
// reads a few ranges of the video and hands the page a Blob of slices of the
// original, so neither should grow with the video's size. Medians of BENCH_RUNS
// choices per size (BENCH_VIDEO_GUARD_SIZES, in MB; default 100, 1000, 2000).
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWeb, root } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browsers.mjs';
import { sampleMemory } from '../tests/e2e/memory.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_VIDEO_GUARD_SIZES ?? '100 1000 2000').split(/\s+/).filter(Boolean).map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const videos = SIZES.map((mb) => {
  const path = execFileSync('bash', [join(root, 'bench/make-video.sh'), String(mb)], { encoding: 'utf8' }).trim();
  return { mb, path, bytes: statSync(path).size };
});

async function measure(browser, web, video) {
  const delays = [];
  const growths = [];
  let received;
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.open(`${web.originA}/upload/timing.html`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#file')]);
    await new Promise((r) => setTimeout(r, 1000));
    const memory = sampleMemory(browser.pid);
    const start = Date.now();
    await chooser.setFiles([video.path]);
    await page.waitForFunction(() => window.changes.length > 0, null, { timeout: 120000 });
    const { growth } = memory.stop();
    const [change] = await page.evaluate(() => window.changes);
    delays.push(change.at - start);
    growths.push(growth);
    received = change.size;
    await page.close();
  }
  return { delay: median(delays), growth: median(growths), received };
}

const web = await new TestWeb().start();
const results = [];
try {
  for (const withExtension of [false, true]) {
    const browser = await launchChromium(web, { withExtension });
    try {
      for (const video of videos) {
        const r = await measure(browser, web, video);
        // With the guard the page must get the cleaned copy (smaller: its metadata removed).
        if (withExtension && r.received >= video.bytes) throw new Error(`${video.mb} MB: the page got ${r.received} bytes, not a cleaned copy`);
        results.push({ withExtension, mb: video.mb, bytes: video.bytes, ...r });
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await web.stop();
}

console.log(`\nvideos through the upload guard, Chromium, median of ${RUNS} choices`);
console.log('| video | no extension: delay, memory | with Traceless: delay (added), memory | page received |');
console.log('|---|---|---|---|');
for (const video of videos) {
  const [none, guard] = [false, true].map((w) => results.find((r) => r.mb === video.mb && r.withExtension === w));
  console.log(`| ${(video.bytes / 1e6).toFixed(0)} MB H.264 MP4 | ${none.delay.toFixed(0)} ms, +${none.growth.toFixed(0)} MiB | ` +
    `${guard.delay.toFixed(0)} ms (+${(guard.delay - none.delay).toFixed(0)} ms), +${guard.growth.toFixed(0)} MiB | ` +
    `${guard.received} of ${video.bytes} bytes |`);
}
writeFileSync(join(root, 'bench/out/guard-video.json'), JSON.stringify({ runs: RUNS, results }, null, 2));
