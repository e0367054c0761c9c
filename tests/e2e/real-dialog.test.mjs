// The upload guard against pages that open the browser's own file chooser for an
// input the guard did not see as a file input, answered through a real file dialog.
//
// hostile.test.mjs answers choosers through the browsers' automation, which takes
// the dialog over and fills the input itself: Playwright's Chromium fills it whatever
// became of the chooser, and Firefox's WebDriver BiDi cancels the chooser (a cancel
// event) and then fills the input, which a person's chooser never does after a
// cancel. What a browser does with a person's choice when the page has changed the
// input meanwhile is only seen with the real dialog. So here each browser runs with
// a window, on a private X display (Xvfb), and the dialog (GTK's) is answered as a
// person would: the photo's path typed into it (xdotool), then Open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS } from './browsers.mjs';
import { TestWeb } from './server.mjs';
import { leaks } from './judge.mjs';
import { HEAD, PHOTO, originalBytesIn } from './original-bytes.mjs';

const only = process.env.TRACELESS_BROWSERS?.split(',') ?? Object.keys(BROWSERS);

/** The title of each browser's file dialog (xdotool's regular expression; Chromium's says "Files" for a multiple choice). */
const DIALOG = { chromium: '^Open Files?$', firefox: '^File Upload' };

/**
 * The attack pages (tests/e2e/hostile) whose chooser is the browser's (and three whose
 * chooser is the guard's own), what the user clicks (#open unless said), and whether the
 * page's honest upload (cleaned) must arrive. Chromium drops a chooser's answer once
 * its input has stopped being a file input, even if it becomes one again: on
 * type-flip-back and type-flip-checkbox the choice reaches nobody there (measured).
 */
const ATTACKS = [
  { page: 'type-flip', arrives: { chromium: true, firefox: true } },
  { page: 'type-flip-removed', arrives: { chromium: true, firefox: true } },
  { page: 'type-flip-back', arrives: { chromium: false, firefox: true } },
  { page: 'type-flip-shadow', arrives: { chromium: true, firefox: true } },
  { page: 'type-flip-inner', arrives: { chromium: true, firefox: true } },
  { page: 'type-flip-checkbox', arrives: { chromium: false, firefox: true } },
  { page: 'type-flip-late-cancel', arrives: { chromium: true, firefox: true } },
  { page: 'type-flip-sync-wait', arrives: { chromium: true, firefox: true } },
  { page: 'label-made-control', arrives: { chromium: true, firefox: true } },
  { page: 'label-child', arrives: { chromium: true, firefox: true } },
  { page: 'label-retarget', arrives: { chromium: true, firefox: true } },
  // The guard's own chooser, answered through the real dialog: a page's file input the user
  // clicks (the page polling it), one the page takes away while the dialog is open, and a
  // detached one a script clicks with a built-in taken from a fresh frame.
  { page: 'poll', click: '#file', arrives: { chromium: true, firefox: true } },
  { page: 'remove-while-open', click: '#file', arrives: { chromium: true, firefox: true } },
  { page: 'detached-pristine-click', arrives: { chromium: true, firefox: true } },
];

const scratch = mkdtempSync(join(tmpdir(), 'traceless-real-dialog-'));
// A short path to type.
const photo = join(scratch, 'photo.jpg');
copyFileSync(PHOTO, photo);

/** An X display of this file's own (Xvfb picks a free number and writes it to fd 3). */
async function startDisplay() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    xvfb.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
    setTimeout(() => reject(new Error('Xvfb gave no display in 10 s')), 10000);
  });
  return { display: `:${number}`, stop: () => xvfb.kill() };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const name of only) {
  describe(`real file dialogs in ${name}`, { concurrency: false, timeout: 240000 }, () => {
    const web = new TestWeb();
    let x;
    const xdo = (...args) => {
      try {
        return execFileSync('xdotool', args, { encoding: 'utf8', env: { ...process.env, DISPLAY: x.display }, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return ''; // no window matched (search), or no window manager to ask (activate)
      }
    };

    before(async () => {
      x = await startDisplay();
      process.env.DISPLAY = x.display; // the browsers this file launches open their windows there
      await web.start();
    });
    after(async () => {
      await web.stop();
      x?.stop();
    });

    /** Waits for the browser's file dialog, types the photo's path into it and presses Open. */
    async function answerDialog() {
      let window = '';
      for (const deadline = Date.now() + 15000; !window && Date.now() < deadline; await sleep(100)) {
        window = xdo('search', '--onlyvisible', '--name', DIALOG[name]).split('\n').pop();
      }
      assert.ok(window, 'the browser opened its file dialog');
      // As a person would when a busy machine lost the typing: again, up to three times
      // (once, beside another browser test, a dialog stayed open and the upload never came).
      for (let attempt = 1; attempt <= 3; attempt++) {
        xdo('windowfocus', '--sync', window);
        await sleep(500 * attempt);
        xdo('key', '--clearmodifiers', 'ctrl+l');
        await sleep(300 * attempt);
        xdo('type', '--delay', '10', photo);
        await sleep(700 * attempt);
        // Open is the dialog's bottom-right button (Return in the path field does not answer Chromium's).
        const box = Object.fromEntries(xdo('getwindowgeometry', '--shell', window).split('\n').map((line) => line.split('=')));
        xdo('mousemove', String(+box.X + +box.WIDTH - 45), String(+box.Y + +box.HEIGHT - 22));
        xdo('click', '1');
        for (const deadline = Date.now() + 4000; xdo('search', '--onlyvisible', '--name', DIALOG[name]) && Date.now() < deadline; ) {
          await sleep(100);
        }
        if (!xdo('search', '--onlyvisible', '--name', DIALOG[name])) return;
      }
    }

    /**
     * Chooses `folder` in the browser's folder dialog (its path typed, then Select), then
     * answers the browser's own question ("Upload 3 files to this site?": Cancel has the
     * focus, Upload is next) from the keyboard.
     */
    async function answerFolderDialog(folder, pageTitle) {
      let window = '';
      for (const deadline = Date.now() + 15000; !window && Date.now() < deadline; await sleep(100)) {
        window = xdo('search', '--onlyvisible', '--name', '^Select Folder to Upload').split('\n').pop();
      }
      assert.ok(window, 'the browser opened its folder dialog');
      xdo('windowfocus', '--sync', window);
      await sleep(500);
      xdo('key', '--clearmodifiers', 'ctrl+l');
      await sleep(300);
      xdo('type', '--delay', '10', folder);
      await sleep(700);
      const box = Object.fromEntries(xdo('getwindowgeometry', '--shell', window).split('\n').map((line) => line.split('=')));
      xdo('mousemove', String(+box.X + +box.WIDTH - 45), String(+box.Y + +box.HEIGHT - 22));
      xdo('click', '1');
      await sleep(1000);
      const main = xdo('search', '--onlyvisible', '--name', pageTitle).split('\n')[0];
      assert.ok(main, 'the page\'s window');
      xdo('windowfocus', '--sync', main);
      await sleep(300);
      xdo('key', '--clearmodifiers', 'Tab');
      await sleep(200);
      xdo('key', '--clearmodifiers', 'Return');
    }

    async function upload(from, since, timeoutMs) {
      for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
        const found = web.uploads.slice(since).find((u) => new URL(u.url).searchParams.get('from') === from);
        if (found || Date.now() > deadline) return found;
      }
    }

    /** Opens the attack page, answers its dialog with the photo; what the page obtained and uploaded. */
    async function attack(browser, page, arrives, click = '#open') {
      const since = web.uploads.length;
      const tab = await browser.open(`${web.originA}/hostile/${page}.html`);
      await tab.click(click);
      await answerDialog();
      const honest = await upload(`honest-${page}`, since, arrives ? 15000 : 2000);
      await sleep(300); // late traps have their turn
      await tab.evaluate(() => window.flush());
      const loot = await upload(`loot-${page}`, since, 10000);
      assert.ok(loot, 'the attack reported its loot');
      await tab.close();
      return { honest, loot };
    }

    test('the dialog can fail the guard: without Traceless the page obtains the original', async () => {
      const browser = await BROWSERS[name](web, { headless: false, withExtension: false });
      try {
        const { honest, loot } = await attack(browser, 'type-flip', true);
        assert.ok(honest, 'the honest upload arrived');
        assert.ok(originalBytesIn(honest.files[0].bytes) > 0, 'it is the original');
        assert.ok(loot.files.some((f) => originalBytesIn(f.bytes) > 0), 'the page kept the original');
      } finally {
        await browser.close();
      }
    });

    describe('with Traceless', { concurrency: false }, () => {
      let browser;
      before(async () => {
        browser = await BROWSERS[name](web, { headless: false });
      });
      after(async () => {
        await browser?.close();
      });

      for (const { page, click, arrives } of ATTACKS) {
        test(`${page}: the page obtains no byte of the original${arrives[name] ? '; its upload arrives cleaned' : ''}`, async () => {
          const { honest, loot } = await attack(browser, page, arrives[name], click);
          for (const file of [...loot.files, ...(honest?.files ?? [])]) {
            assert.equal(originalBytesIn(file.bytes), 0, `${file.name}: holds bytes of the original's metadata`);
            assert.equal(file.bytes.indexOf(HEAD), -1, `${file.name}: holds the original's first bytes`);
          }
          if (!arrives[name]) return;
          assert.ok(honest, 'the honest upload arrived');
          assert.equal(honest.files.length, 1);
          const path = join(scratch, `${page}-${name}.jpg`);
          writeFileSync(path, honest.files[0].bytes);
          assert.deepEqual(leaks(path), [], 'the upload is clean (exiftool)');
        });
      }
    });

    // A folder through the real dialog (automation cannot give Firefox one): the cleaned
    // copies keep their paths in the folder, where the page reads them and in what the
    // form sends, as the originals would (both browsers send a chosen folder's files named
    // by their paths, also when a script appends them to a FormData without a name of its
    // own; measured without Traceless).
    const sentBy = { form: 'by the form', script: 'as new FormData(form)', append: "in a script's own FormData, append() and set()" };
    for (const send of ['form', 'script', 'append']) {
      test(`a folder chosen in a form's webkitdirectory input, sent ${sentBy[send]}: every file under its path, the photos cleaned`, async () => {
        const folder = join(scratch, `trip-${name}-${send}`);
        mkdirSync(join(folder, 'day2'), { recursive: true });
        copyFileSync(PHOTO, join(folder, 'beach.jpg'));
        copyFileSync(PHOTO, join(folder, 'day2', 'hill.jpg'));
        writeFileSync(join(folder, 'notes.txt'), 'packing list');
        const relative = ['beach.jpg', 'day2/hill.jpg', 'notes.txt'].map((p) => `trip-${name}-${send}/${p}`);
        const browser = await BROWSERS[name](web, { headless: false });
        try {
          const tab = await browser.open(`${web.originA}/upload/folder-form.html`);
          await tab.click('#file');
          await answerFolderDialog(folder, 'Folder uploader');
          for (const deadline = Date.now() + 15000; !(await tab.evaluate(() => window.seen.length)) && Date.now() < deadline; ) await sleep(100);
          assert.deepEqual((await tab.evaluate(() => window.seen))[0]?.sort(), relative, 'the paths the page reads');
          const since = web.uploads.length;
          const first = (await tab.evaluate(() => window.seen))[0][0];
          await tab.click(send === 'form' ? '#send' : `#${send}`);
          const sent = await upload(send, since, 15000);
          assert.ok(sent, 'the folder was sent');
          assert.deepEqual(sent.files.filter((f) => f.field === 'photos' || send !== 'append').map((f) => f.name).sort(), relative);
          if (send === 'append') {
            assert.deepEqual(sent.files.filter((f) => f.field !== 'photos').map((f) => [f.field, f.name]), [['cover', first], ['named', 'mine.jpg']]);
          }
          for (const file of sent.files.filter((f) => f.name.endsWith('.jpg'))) {
            const path = join(scratch, `${send}-${name}-${file.name.split('/').pop()}`);
            writeFileSync(path, file.bytes);
            assert.deepEqual(leaks(path), [], `${file.name} is clean (exiftool)`);
          }
        } finally {
          await browser.close();
        }
      });
    }

    test('no request left the test web', () => {
      assert.deepEqual(web.outsiders(), []);
    });
  });
}
