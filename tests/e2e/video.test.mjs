// Cleaned videos still play: every test video (tests/videos/make.sh) that the
// browser plays as it came from ffmpeg and exiftool must play to its end after
// `traceless clean` too, in a <video> element (no extension involved: this
// checks the engine's output against a real player).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, launchFirefox } from './browsers.mjs';
import { root, TestWeb, traceless } from './server.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? ['chromium', 'firefox'];
const VIDEOS = join(root, 'target', 'test-videos');
const CLEANED = join(VIDEOS, 'cleaned');
const LAUNCH = { chromium: (web) => launchChromium(web, { withExtension: false }), firefox: (web) => launchFirefox(web, { withExtension: false }) };

before(() => {
  execFileSync('bash', [join(root, 'tests', 'videos', 'make.sh'), VIDEOS], { stdio: 'inherit' });
  const cli = traceless();
  rmSync(CLEANED, { recursive: true, force: true });
  mkdirSync(CLEANED);
  const files = JSON.parse(readFileSync(join(VIDEOS, 'manifest.json'), 'utf8')).files.filter((f) => !f.fragmented);
  execFileSync(cli, ['clean', ...files.map((f) => join(VIDEOS, f.file)), '-o', CLEANED], { stdio: 'ignore' });
});

const manifest = () => JSON.parse(readFileSync(join(VIDEOS, 'manifest.json'), 'utf8')).files.filter((f) => !f.fragmented);

for (const name of only) {
  describe(`cleaned videos play in ${name}`, { concurrency: false }, () => {
    const web = new TestWeb();
    let browser;
    before(async () => {
      await web.start();
      browser = await LAUNCH[name](web);
    });
    after(async () => {
      await browser?.close();
      await web.stop();
    });

    test('every video the browser plays before cleaning, it plays to the end after', async () => {
      const page = await browser.open(`${web.originA}/video.html`);
      const results = [];
      for (const f of manifest()) {
        const before_ = await page.evaluate((src) => window.play(src), `/videos/test-videos/${f.file}`);
        if (!before_.ended) {
          results.push(`${f.file}: not playable here even before cleaning (${before_.why})`);
          continue;
        }
        const after_ = await page.evaluate((src) => window.play(src), `/videos/test-videos/cleaned/${f.file}`);
        assert.ok(after_.ended, `${f.file}: the cleaned copy did not play to its end (${after_.why})`);
        assert.equal(after_.width, before_.width, `${f.file}: same picture size`);
        assert.ok(Math.abs(after_.duration - before_.duration) < 0.01, `${f.file}: same duration`);
        results.push(`${f.file}: plays to its end (${after_.duration.toFixed(2)} s)`);
      }
      console.log(`# ${name}:\n# ${results.join('\n# ')}`);
      assert.ok(results.filter((r) => r.includes('plays to its end')).length >= 5, 'most videos play');
    });
  });
}
