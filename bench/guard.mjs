// The upload guard's cost in Chromium: the time from choosing a file to the
// page's change handler, with the built extension and without any extension
// (same browser, same flags, one run), and the longest main-thread task the page
// saw meanwhile. Medians over BENCH_RUNS selections of each photo, each on a
// freshly opened page. As a person does, the input is clicked, the chooser
// opens, and a file is chosen a second later (the guard starts its engine on
// that click); the clock starts when the file is chosen.
import { join } from 'node:path';
import { statSync, writeFileSync } from 'node:fs';
import { TestWeb, root } from '../tests/e2e/server.mjs';
import { launchChromium } from '../tests/e2e/browsers.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// Recompressing takes seconds per photo: fewer runs.
const RECOMPRESS_RUNS = Number(process.env.BENCH_RECOMPRESS_RUNS ?? 3);
const PHOTOS = [1, 12, 48].map((mp) => ({ mp, path: join(root, `bench/out/photos/photo-${mp}mp.jpg`) }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(browser, web, photo, runs) {
  const delays = [];
  let longest = 0;
  for (let i = 0; i < runs; i++) {
    const page = await browser.open(`${web.originA}/upload/timing.html`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#file')]);
    await new Promise((r) => setTimeout(r, 1000));
    const start = Date.now();
    await chooser.setFiles([photo.path]);
    await page.waitForFunction(() => window.changes.length > 0, null, { timeout: 60000 });
    const { changes, longtasks } = await page.evaluate(() => ({ changes: window.changes, longtasks: window.longtasks }));
    delays.push(changes[0].at - start);
    for (const t of longtasks) if (t.at >= start - 5 && t.at <= changes[0].at) longest = Math.max(longest, t.duration);
    await page.close();
  }
  return { delay: median(delays), longest };
}

const web = await new TestWeb().start();
const results = [];
try {
  for (const [withExtension, mode] of [[false, 'none'], [true, 'clean'], [true, 'recompress']]) {
    const browser = await launchChromium(web, { withExtension });
    try {
      // Recompress with the settings' defaults (quality 80), resizing to 2560 px at most, as a site upload would.
      if (mode === 'recompress') await browser.setSettings({ guardMode: 'recompress', maxDimension: 2560 });
      for (const photo of PHOTOS) {
        const runs = mode === 'recompress' ? RECOMPRESS_RUNS : RUNS;
        results.push({ mode, mp: photo.mp, bytes: statSync(photo.path).size, ...(await measure(browser, web, photo, runs)) });
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await web.stop();
}

console.log(`\nupload guard, Chromium, median of ${RUNS} selections (recompress: ${RECOMPRESS_RUNS})`);
console.log('| photo | no extension | remove metadata (added) | recompress to 2560 px q80 (added) | longest page task: none / remove / recompress |');
console.log('|---|---|---|---|---|');
const ms = (x) => `${x.toFixed(0)} ms`;
for (const mp of [1, 12, 48]) {
  const [none, clean, recompress] = ['none', 'clean', 'recompress'].map((mode) => results.find((r) => r.mp === mp && r.mode === mode));
  console.log(`| ${mp} MP JPEG, ${(none.bytes / 1048576).toFixed(1)} MB | ${ms(none.delay)} | ${ms(clean.delay)} (${ms(clean.delay - none.delay)}) | ` +
    `${ms(recompress.delay)} (${ms(recompress.delay - none.delay)}) | ${ms(none.longest)} / ${ms(clean.longest)} / ${ms(recompress.longest)} |`);
}
writeFileSync(join(root, 'bench/out/guard.json'), JSON.stringify({ runs: RUNS, results }, null, 2));
