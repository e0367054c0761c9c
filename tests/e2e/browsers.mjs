// Launches Debian's Chromium (playwright-core) and Firefox ESR (puppeteer-core,
// WebDriver BiDi) with the BUILT extension loaded, every request routed through
// the test web's recording proxy, and downloads going to a known folder. Both
// come back behind one small interface, so each test runs in both browsers.
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
// Node 20 has no WebSocket of its own (22 does): the DevTools client for Chromium's private profile.
import WebSocket from 'ws';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { pngChunk, pngFile, pngHeader } from './pngs.mjs';
import { root } from './server.mjs';
import { rootProcess } from './memory.mjs';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-domain-reliability',
  '--disable-features=OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying,AutofillServerCommunication',
  '--no-pings', '--metrics-recording-only', '--disable-client-side-phishing-detection', '--no-service-autorun',
];

function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `traceless-${name}-`));
}

/**
 * @typedef {object} Driver
 * @property {string} name
 * @property {string} downloads folder the browser saves into
 * @property {(url: string) => Promise<any>} open opens a tab (a Playwright or Puppeteer page)
 * @property {(since: number, count: number) => Promise<string[]>} downloadsSince paths of completed downloads
 * @property {(since: number) => Promise<number>} downloadsStarted how many downloads started since
 * @property {(page: any, scheme: 'light' | 'dark') => Promise<void>} colourScheme emulates prefers-color-scheme
 * @property {(info: object, tabUrl: string) => Promise<any>} menuClick calls the extension's context-menu handler
 * @property {(pathPrefix: string) => Promise<any>} waitForExtensionPage
 * @property {(fn: string, ...args: any[]) => Promise<any>} inExtension evaluates in an extension page
 * @property {PrivateWindows} [private] with `privateWindows: true` at launch
 * @property {(fn: Function, arg?: any) => Promise<any>} normalRun runs `fn(arg, traceless)` in the background of normal windows
 * @property {() => Promise<void>} close
 */

/**
 * The extension in private windows (launched with `privateWindows: true`: allowed there, as
 * a user allows it in the browser's extension settings).
 * @typedef {object} PrivateWindows
 * @property {(url: string) => Promise<void>} open opens a private window at `url`, loaded
 * @property {(fn: Function, arg?: any) => Promise<any>} run runs `fn(arg, traceless)` in the
 *   extension's context that serves private windows (Chromium: the private profile's own service
 *   worker; Firefox: an extension page, beside the one background); `traceless` is the background's test hook
 * @property {(path: string, fn: Function) => Promise<any>} onPage opens the extension's page `path`
 *   where that context opens it (Chromium: a private window; Firefox: a normal one) and runs `fn()` there
 */

/** The ID Chromium gives an unpacked extension: from the SHA-256 of its folder's path, in letters a-p. */
function unpackedId(path) {
  return [...createHash('sha256').update(path).digest('hex').slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

export async function launchChromium(web, { headless = true, withExtension = true, lang, extension = join(root, 'dist', 'chromium'), privateWindows = false } = {}) {
  const profile = tempDir('chromium');
  const downloads = tempDir('chromium-downloads');
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({
    download: { default_directory: downloads, prompt_for_download: false, directory_upgrade: true },
    savefile: { default_directory: downloads },
    // "Allow in Incognito", as the extension's details page sets it (a change made there
    // reloads the extension, and Chromium then disables one loaded from the command line).
    ...(privateWindows ? { extensions: { settings: { [unpackedId(extension)]: { incognito: true } } } } : {}),
  }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless,
    acceptDownloads: true,
    viewport: { width: 1000, height: 800 },
    // The interface language (chrome.i18n): Linux Chromium takes it from the environment.
    ...(lang ? { env: { ...process.env, LANGUAGE: lang, LANG: `${lang}.UTF-8` } } : {}),
    args: [
      ...CHROMIUM_ARGS,
      ...(lang ? [`--lang=${lang.replace('_', '-')}`] : []),
      ...(withExtension ? [`--disable-extensions-except=${extension}`, `--load-extension=${extension}`] : []),
      `--proxy-server=http://127.0.0.1:${web.proxyPort}`, '--proxy-bypass-list=<-loopback>',
      // Playwright sees only the default profile: the incognito one is reached over DevTools.
      ...(privateWindows ? ['--remote-debugging-port=0'] : []),
    ],
  });
  const worker = withExtension ? (context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'))) : undefined;
  // URL.origin is 'null' for extension schemes in Node: build it from the host.
  const extensionOrigin = worker ? `chrome-extension://${new URL(worker.url()).host}` : undefined;
  // The extension opens its settings page on install (into a blank tab it may take over): wait for it,
  // so it cannot interrupt a test's first navigation.
  const deadline = Date.now() + (withExtension ? 10000 : 0);
  while (withExtension && !context.pages().some((p) => p.url().startsWith(`${extensionOrigin}/options.html`)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // What the page opened on install says first (read now: tests may navigate that tab).
  const installed = context.pages().find((p) => p.url().startsWith(`${extensionOrigin}/options.html`));
  const installIntro = installed ? await introOf(installed) : undefined;
  const first = context.pages()[0] ?? (await context.newPage());
  // Playwright routes downloads to its own folder under GUID names; give them back to the browser.
  const cdp = await context.newCDPSession(first);
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });

  return {
    name: 'chromium',
    downloads,
    extensionOrigin,
    /** The introduction of the settings page the extension opened on install. */
    installIntro,
    context,
    /** The browser's main process (memory.mjs walks its tree). */
    pid: rootProcess(`--user-data-dir=${profile}`),
    async open(url) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async menuClick(info, tabUrl) {
      return worker.evaluate(async ({ info, tabUrl }) => {
        const tab = (await chrome.tabs.query({})).find((t) => t.url === tabUrl);
        if (!tab) throw new Error(`no tab at ${tabUrl}`);
        return globalThis.traceless.onMenuClick(info, tab);
      }, { info, tabUrl });
    },
    /**
     * Picks files in a file input as a user would (the browser fires input and change).
     * `target`: a selector, or a function run in the page that returns the input (shadow roots).
     */
    async chooseFiles(page, target, paths) {
      if (typeof target === 'string') return page.setInputFiles(target, paths);
      const handle = await page.evaluateHandle(target);
      await handle.asElement().setInputFiles(paths);
    },
    /**
     * Clicks what opens the page's file chooser and answers it, as a user does (works for
     * detached inputs). `target`: a selector, or a function run in the page returning the element;
     * `answerAfterMs`: how long the chooser stays open before it is answered.
     */
    async chooseViaDialog(page, target, paths, { answerAfterMs = 0 } = {}) {
      const click = typeof target === 'string' ? page.click(target) : (await page.evaluateHandle(target)).asElement().click();
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click]);
      if (answerAfterMs) await new Promise((r) => setTimeout(r, answerAfterMs));
      await chooser.setFiles(paths);
    },
    /** The file chooser a click on the element opens within `ms` ({ multiple }), or false (one that opens is cancelled). */
    async chooserOpens(page, selector, ms) {
      const [opened] = await Promise.all([
        page.waitForEvent('filechooser', { timeout: ms }).then((chooser) => ({ multiple: chooser.isMultiple() }), () => false),
        // A real click even on what Playwright takes as disabled (a disabled input's label).
        page.click(selector, { force: true }),
      ]);
      return opened;
    },
    /**
     * Drops files from disk on the element, as a user dragging them from a file manager
     * does: a trusted drag (CDP Input.dispatchDragEvent), with optional text data.
     */
    async dropFiles(page, target, paths, text) {
      const box = typeof target === 'string'
        ? await page.locator(target).boundingBox()
        : await (await page.evaluateHandle(target)).asElement().boundingBox();
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 2;
      const data = { items: text ? [{ mimeType: 'text/plain', data: text }] : [], files: paths, dragOperationsMask: 1 };
      const cdp = await context.newCDPSession(page);
      try {
        for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
      } finally {
        await cdp.detach();
      }
    },
    /** The texts of Traceless's notices on the page (in closed shadow roots: read through DevTools' DOM). */
    async noticeTexts(page) {
      const cdp = await context.newCDPSession(page);
      try {
        const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
        return noticeTextsIn(root);
      } finally {
        await cdp.detach();
      }
    },
    /** The names in the page's accessibility tree, as a screen reader gets them (Chromium only). */
    async accessibleNames(page) {
      const cdp = await context.newCDPSession(page);
      try {
        await cdp.send('Accessibility.enable');
        const { nodes } = await cdp.send('Accessibility.getFullAXTree');
        return nodes.filter((n) => !n.ignored).map((n) => n.name?.value ?? '').filter(Boolean);
      } finally {
        await cdp.detach();
      }
    },
    /**
     * Pastes an image as a user does: the page writes a PNG to the clipboard (as an image
     * copied in another application would be), then Ctrl+V, a trusted paste.
     */
    /** Pastes an 8 x 8 PNG with Ctrl+V, with `text` beside it when given (as a spreadsheet's copy puts both). */
    async pasteImage(page, text) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
      await page.evaluate(async (text) => {
        const canvas = Object.assign(document.createElement('canvas'), { width: 8, height: 8 });
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
        const item = { 'image/png': blob };
        if (text) item['text/plain'] = new Blob([text], { type: 'text/plain' });
        await navigator.clipboard.write([new ClipboardItem(item)]);
      }, text ?? '');
      await page.keyboard.press('Control+V');
    },
    async waitForExtensionPage(path) {
      // A tab opened by the extension starts as about:blank: poll for its final address.
      // 30 s, as Firefox's findPage (which once missed a page at 15 s in CI); this one has
      // not failed, but runs on the same busy two cores.
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        const page = context.pages().find((p) => p.url().startsWith(`${extensionOrigin}/${path}`));
        if (page) return page;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${path} page opened; open: ${context.pages().map((p) => p.url()).join(', ')}`);
    },
    async downloadedFile(id) {
      return worker.evaluate(waitForDownload, id);
    },
    async badgeText(tabUrl) {
      return worker.evaluate(badgeOf, tabUrl);
    },
    async downloadsSince(since, count) {
      return worker.evaluate(completedDownloads, { since, count });
    },
    async downloadsStarted(since) {
      return worker.evaluate(startedDownloads, since);
    },
    async colourScheme(page, scheme) {
      await page.emulateMedia({ colorScheme: scheme });
    },
    /** Replaces the stored settings (undefined: back to defaults). */
    async setSettings(settings) {
      return worker.evaluate(storeSettings, settings ?? null);
    },
    async tabIdOf(tabUrl) {
      return worker.evaluate(tabIdOf, tabUrl);
    },
    /** Presses keys as a user would ('Shift+Tab', 'Enter'). */
    async press(page, keys) {
      await page.keyboard.press(keys);
    },
    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(`${extensionOrigin}/${path}`);
      return page;
    },
    ...(privateWindows ? { private: chromiumPrivate(profile, worker) } : {}),
    async normalRun(fn, arg) {
      return worker.evaluate(`(async () => (${fn})(${JSON.stringify(arg ?? null)}, globalThis.traceless))()`);
    },
    async close() {
      await this.private?.close();
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * `colourScheme: 'dark'` starts Firefox with pages in dark mode: puppeteer-core cannot
 * emulate prefers-color-scheme over BiDi, so the dark screenshots need their own launch.
 */
export async function launchFirefox(web, { colourScheme, withExtension = true, headless = true, privateWindows = false } = {}) {
  const downloads = tempDir('firefox-downloads');
  const port = web.proxyPort;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless,
    // Lets the tests run privileged script in the browser (firefoxTrusted below): the
    // only way found to give headless Firefox a real file drop or image paste.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      // The headless clipboard keeps only text and HTML; its cache holds files too.
      'widget.clipboard.use-cached-data.enabled': true,
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': port,
      'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': port,
      'network.proxy.allow_hijacking_localhost': true,
      'network.proxy.no_proxies_on': '',
      'network.proxy.share_proxy_settings': true,
      'browser.download.dir': downloads,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.start_downloads_in_tmp_dir': false,
      'browser.download.panel.shown': true,
      ...(headless ? {} : { 'remote.bidi.dismiss_file_pickers.enabled': false }),
      // 0: dark, 1: light (layout.css.prefers-color-scheme.content-override).
      ...(colourScheme ? { 'layout.css.prefers-color-scheme.content-override': colourScheme === 'dark' ? 0 : 1 } : {}),
    },
  });
  // "Run in Private Windows", as about:addons sets it, before install (a change after reloads it).
  if (withExtension && privateWindows) await privileged(browser, allowPrivate, [geckoId()]);
  if (withExtension) await browser.installExtension(join(root, 'dist', 'firefox'));

  /**
   * Firefox ESR 153 does not always tell a BiDi client of a tab the extension opened: under
   * load, 1 to 2 in 100 tabs.create() calls sent navigationStarted for a context it never
   * announced with contextCreated (seen in puppeteer's protocol log), so puppeteer had no
   * page for it and the test failed after 30 s (the CI failures of sessions 29 and 30); and
   * it announced no closed tab with contextDestroyed, so closed pages stayed in
   * browser.pages(). Here the tabs Firefox lists (browsingContext.getTree) are compared
   * with puppeteer's, and what is missing is announced to puppeteer as it does for the tabs
   * open when it connects (its own #syncBrowsingContexts). A difference counts once it has
   * lasted a second (an announcement may be on its way), and is announced once. Two
   * Firefoxes side by side opening extension pages in a loop (a throwaway script, session
   * 30): 6 of 960 never found before; none of 1,200 since (9 of 600 announced here).
   */
  const unsynced = new Map();
  const announced = new Set();
  async function resyncTabs() {
    const { result } = await browser.connection.send('browsingContext.getTree', { maxDepth: 0 });
    const known = new Set((await browser.pages()).map((page) => page.mainFrame()._id));
    const listed = new Set(result.contexts.map((info) => info.context));
    const differences = [
      ...result.contexts.filter((info) => !known.has(info.context)).map((info) => ['browsingContext.contextCreated', info]),
      ...[...known].filter((id) => !listed.has(id)).map((id) => ['browsingContext.contextDestroyed', { context: id, parent: null, children: null, url: 'about:blank', userContext: 'default' }]),
    ];
    const now = Date.now();
    const still = new Map();
    for (const [event, info] of differences) {
      const key = `${event} ${info.context}`;
      const since = unsynced.get(key) ?? now;
      still.set(key, since);
      if (now - since >= 1000 && !announced.has(key)) {
        announced.add(key);
        browser.connection.emit(event, info);
      }
    }
    unsynced.clear();
    for (const [key, since] of still) unsynced.set(key, since);
  }

  /**
   * BiDi reports moz-extension:// pages as about:blank: ask each page where it is. A page
   * still loading may not answer for a while, so none is waited on for more than 2 s; and
   * a Firefox started beside another test file's browsers once took over 15 s to show the
   * converter (session 24's CI, the dark-scheme screenshots): 30 s in all.
   */
  async function findPage(test, what) {
    const deadline = Date.now() + 30000;
    let seen = [];
    while (Date.now() < deadline) {
      seen = [];
      await resyncTabs();
      for (const page of await browser.pages()) {
        const asked = page.evaluate(() => location.href).catch((e) => `(no page: ${String(e?.message ?? e).slice(0, 120)})`);
        const href = await Promise.race([asked, new Promise((r) => setTimeout(() => r('(no answer yet)'), 2000))]);
        seen.push(href);
        if (test(href)) return { page, href };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${what} page opened; open: ${seen.join(', ')}`);
  }

  // The extension opens its settings page on install; that page is our way into the extension.
  const options = withExtension ? await findPage((href) => /^moz-extension:\/\/[^/]+\/options\.html/.test(href), 'options') : undefined;
  const optionsPage = options?.page;
  const extensionOrigin = options && `moz-extension://${new URL(options.href).host}`;
  const installIntro = optionsPage ? await introOf(optionsPage) : undefined;

  return {
    name: 'firefox',
    downloads,
    extensionOrigin,
    installIntro,
    browser,
    /** The browser's main process (memory.mjs walks its tree). */
    pid: browser.process()?.pid,
    async open(url) {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async menuClick(info, tabUrl) {
      return optionsPage.evaluate(async (info, tabUrl) => {
        // Firefox's match patterns take no port: compare the URLs here.
        const tab = (await browser.tabs.query({})).find((t) => t.url === tabUrl);
        if (!tab) throw new Error(`no tab at ${tabUrl}`);
        const background = await browser.runtime.getBackgroundPage();
        return background.traceless.onMenuClick(info, tab);
      }, info, tabUrl);
    },
    async downloadedFile(id) {
      return optionsPage.evaluate(waitForDownload, id);
    },
    async badgeText(tabUrl) {
      return optionsPage.evaluate(badgeOf, tabUrl);
    },
    async downloadsStarted(since) {
      return optionsPage.evaluate(startedDownloads, since);
    },
    async downloadsSince(since, count) {
      return optionsPage.evaluate(completedDownloads, { since, count });
    },
    async colourScheme(_page, scheme) {
      // Only by preference at launch (see launchFirefox's colourScheme option).
      if (scheme !== (colourScheme ?? 'light')) throw new Error(`this Firefox was launched for ${colourScheme ?? 'light'} pages`);
    },
    async setSettings(settings) {
      return optionsPage.evaluate(storeSettings, settings ?? null);
    },
    async tabIdOf(tabUrl) {
      return optionsPage.evaluate(tabIdOf, tabUrl);
    },
    async press(page, keys) {
      const parts = keys.split('+');
      const key = parts.pop();
      for (const modifier of parts) await page.keyboard.down(modifier);
      await page.keyboard.press(key);
      for (const modifier of parts.reverse()) await page.keyboard.up(modifier);
    },
    async chooseFiles(page, target, paths) {
      const input = typeof target === 'string' ? await page.$(target) : (await page.evaluateHandle(target)).asElement();
      await input.uploadFile(...paths);
    },
    async chooseViaDialog(page, target, paths, { answerAfterMs = 0 } = {}) {
      const element = typeof target === 'string' ? await page.$(target) : (await page.evaluateHandle(target)).asElement();
      // A click that opened no chooser (FilePond in Firefox, twice, both with another
      // browser's tests running beside: make test runs two test files at a time) is
      // clicked again, as a person would, up to three times.
      for (let attempt = 1; ; attempt++) {
        try {
          const [chooser] = await Promise.all([page.waitForFileChooser({ timeout: 10000 }), element.click()]);
          if (answerAfterMs) await new Promise((r) => setTimeout(r, answerAfterMs));
          await chooser.accept(paths);
          return;
        } catch (e) {
          if (attempt === 3 || !/FileChooser/.test(String(e?.message))) throw e;
        }
      }
    },
    /** The file chooser a click on the element opens within `ms` ({ multiple }), or false (one that opens is cancelled). */
    async chooserOpens(page, selector, ms) {
      const [opened] = await Promise.all([
        page.waitForFileChooser({ timeout: ms }).then(async (chooser) => {
          const multiple = chooser.isMultiple();
          await chooser.cancel();
          return { multiple };
        }, () => false),
        page.click(selector),
      ]);
      return opened;
    },
    /**
     * Drops files from disk on the element: dragenter, dragover and drop made by privileged
     * script in the page's process, which makes them trusted events, as a user's drag from
     * a file manager is (WebDriver BiDi has no file drag). Unlike a real drag, the files
     * are readable from dragenter on, and the browser has no default action for the drop.
     */
    async dropFiles(page, target, paths, text) {
      const element = typeof target === 'string' ? await page.$(target) : (await page.evaluateHandle(target)).asElement();
      await element.scrollIntoView();
      const box = await element.boundingBox();
      const at = [box.x + box.width / 2, box.y + box.height / 2];
      await privileged(browser, trustedDrop, [page.mainFrame()._id, at, paths, text ?? '']);
    },
    /** The texts of Traceless's notices on the page (in closed shadow roots: read with privileges). */
    async noticeTexts(page) {
      return JSON.parse(await privileged(browser, noticeTextsPrivileged, [page.mainFrame()._id]));
    },
    /** Pastes an 8 x 8 PNG (image.png) with Ctrl+V: the file is put on the clipboard as a file manager's copy does, with `text` beside it when given. */
    async pasteImage(page, text) {
      const png = join(tempDir('firefox-paste'), 'image.png');
      writeFileSync(png, eightByEightPng());
      await privileged(browser, clipboardFile, [png, text ?? '']);
      await page.keyboard.down('Control');
      await page.keyboard.press('v');
      await page.keyboard.up('Control');
    },
    async waitForExtensionPage(path) {
      return (await findPage((href) => href.startsWith(`${extensionOrigin}/${path}`), path)).page;
    },
    ...(privateWindows ? { private: firefoxPrivate(optionsPage, findPage, extensionOrigin) } : {}),
    async normalRun(fn, arg) {
      return inBackground(optionsPage, fn, arg);
    },
    async openExtensionPage(path) {
      // BiDi will not navigate to moz-extension:// pages; the extension opens them itself.
      await optionsPage.evaluate((path) => browser.tabs.create({ url: `/${path}` }), path);
      return this.waitForExtensionPage(path.split('#')[0]);
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * Runs `fn` with system privileges in Firefox's browser window (needs
 * --remote-allow-system-access), through the BiDi connection puppeteer uses.
 */
async function privileged(browser, fn, args) {
  const connection = browser.connection;
  const { result: tree } = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const window = tree.contexts.find((c) => c.url === 'chrome://browser/content/browser.xhtml');
  if (!window) throw new Error('no privileged browser window: was Firefox started with --remote-allow-system-access?');
  const serialise = (v) => (Array.isArray(v) ? { type: 'array', value: v.map(serialise) } : { type: 'string', value: String(v) });
  const { result } = await connection.send('script.callFunction', {
    functionDeclaration: fn.toString(), arguments: args.map(serialise), target: { context: window.context }, awaitPromise: true,
  });
  if (result.type === 'exception') throw new Error(`privileged script failed: ${result.exceptionDetails.text}`);
  return result.result?.value;
}

/**
 * Runs privileged in Firefox's parent process: loads a frame script into the tab's
 * content process, which makes the drag events there (events a privileged caller
 * creates are trusted) with disk-backed Files. The items are added through a waived
 * Xray so they carry the page's principal; added privileged, the page would see
 * `files` empty.
 */
async function trustedDrop(contextId, at, paths, text) {
  const { NavigableManager } = ChromeUtils.importESModule('chrome://remote/content/shared/NavigableManager.sys.mjs');
  const tab = NavigableManager.getBrowserById(contextId);
  if (!tab) throw new Error(`no tab for browsing context ${contextId}`);
  const files = await Promise.all(paths.map((path) => File.createFromFileName(path)));
  const id = `traceless-drop-${Math.random().toString(36).slice(2)}`;
  const script = `addMessageListener('${id}:go', ({ data }) => {
    let answer = { ok: true };
    try {
      const win = content;
      const [x, y] = data.at;
      // What is at that point, inside shadow roots too (open or closed), as a real drop's hit test finds.
      let element = win.document.elementFromPoint(x, y);
      while (element && element.openOrClosedShadowRoot) {
        const inner = element.openOrClosedShadowRoot.elementFromPoint(x, y);
        if (!inner || inner === element) break;
        element = inner;
      }
      if (!element) throw new Error('nothing at ' + x + ',' + y);
      // The drag data is put together in a sandbox with the page's principal that
      // sees the browser's own built-ins, as a content script does: items added
      // with system privileges would be hidden from the page, and a waived Xray
      // would call the page's own (perhaps replaced) DataTransfer methods.
      const sandbox = Cu.Sandbox(win, { sandboxPrototype: win, wantXrays: true });
      sandbox.files = Cu.cloneInto(data.files, sandbox);
      sandbox.text = data.text;
      const transfer = Cu.evalInSandbox(
        'const t = new DataTransfer(); for (const f of files) t.items.add(f); if (text) t.items.add(text, "text/plain"); t',
        sandbox);
      // A real drag shows the page no data before the drop (protected mode); this
      // one shows none either: dragenter and dragover carry an empty transfer.
      const empty = Cu.evalInSandbox('new DataTransfer()', sandbox);
      for (const type of ['dragenter', 'dragover', 'drop']) {
        const event = win.document.createEvent('DragEvent');
        event.initDragEvent(type, true, true, win, 0, win.mozInnerScreenX + x, win.mozInnerScreenY + y, x, y,
          false, false, false, false, 0, null, type === 'drop' ? transfer : empty);
        element.dispatchEvent(event);
      }
    } catch (error) {
      answer = { ok: false, error: String(error) };
    }
    sendAsyncMessage('${id}:done', answer);
  });`;
  const messages = tab.messageManager;
  messages.loadFrameScript(`data:,${encodeURIComponent(script)}`, false);
  const answer = await new Promise((resolve) => {
    messages.addMessageListener(`${id}:done`, ({ data }) => resolve(data));
    messages.sendAsyncMessage(`${id}:go`, { files, at: at.map(Number), text });
  });
  if (!answer.ok) throw new Error(answer.error);
}

/** The notice texts in a DevTools DOM tree: each notice's `.text` element, in its shadow root. */
function noticeTextsIn(root) {
  const texts = [];
  const textOf = (node) => (node.nodeType === 3 ? node.nodeValue : (node.children ?? []).map(textOf).join(''));
  const walk = (node, inNotice) => {
    const attributes = node.attributes ?? [];
    const classIndex = attributes.indexOf('class');
    // The words are the label's data-words (drawn as generated content), then any text (a working notice's clock).
    const words = attributes.indexOf('data-words');
    if (inNotice && classIndex >= 0 && attributes[classIndex + 1].split(' ').includes('text')) texts.push((words >= 0 ? attributes[words + 1] : '') + textOf(node));
    // traceless-notice, or traceless-notice-<random> where a page defined that name itself.
    const notice = inNotice || /^TRACELESS-NOTICE(-|$)/.test(node.nodeName ?? '');
    for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? []), ...(node.contentDocument ? [node.contentDocument] : [])]) {
      walk(child, notice);
    }
  };
  walk(root, false);
  return texts;
}

/** Runs privileged in Firefox's parent process: the notice texts of the tab's page, as JSON. */
async function noticeTextsPrivileged(contextId) {
  const { NavigableManager } = ChromeUtils.importESModule('chrome://remote/content/shared/NavigableManager.sys.mjs');
  const tab = NavigableManager.getBrowserById(contextId);
  if (!tab) throw new Error(`no tab for browsing context ${contextId}`);
  const id = `traceless-notices-${Math.random().toString(36).slice(2)}`;
  const script = `addMessageListener('${id}:go', () => {
    const texts = [...content.document.querySelectorAll('*')].filter((n) => /^traceless-notice(-|$)/.test(n.localName))
      .map((n) => n.openOrClosedShadowRoot?.querySelector('.text'))
      .map((label) => (label?.getAttribute('data-words') ?? '') + (label?.textContent ?? ''));
    sendAsyncMessage('${id}:done', JSON.stringify(texts));
  });`;
  const messages = tab.messageManager;
  messages.loadFrameScript(`data:,${encodeURIComponent(script)}`, false);
  return new Promise((resolve) => {
    messages.addMessageListener(`${id}:done`, ({ data }) => resolve(data));
    messages.sendAsyncMessage(`${id}:go`, {});
  });
}

/** Runs privileged in Firefox's parent process: the file on the clipboard, as a file manager's copy puts it. */
function clipboardFile(path, text) {
  const transferable = Cc['@mozilla.org/widget/transferable;1'].createInstance(Ci.nsITransferable);
  transferable.init(null);
  transferable.addDataFlavor('application/x-moz-file');
  transferable.setTransferData('application/x-moz-file', new FileUtils.File(path));
  if (text) {
    const string = Cc['@mozilla.org/supports-string;1'].createInstance(Ci.nsISupportsString);
    string.data = text;
    transferable.addDataFlavor('text/plain');
    transferable.setTransferData('text/plain', string);
  }
  Services.clipboard.setData(transferable, null, Ci.nsIClipboard.kGlobalClipboard);
  if (!Services.clipboard.hasDataMatchingFlavors(['application/x-moz-file'], Ci.nsIClipboard.kGlobalClipboard)) {
    throw new Error('the clipboard did not take the file');
  }
}

/** An 8 x 8 grey PNG (what the Chromium paste makes from a canvas). */
function eightByEightPng() {
  const rows = Buffer.alloc(8 * 9, 0x80).map((v, i) => (i % 9 === 0 ? 0 : v)); // filter byte 0, then 8 grey pixels
  return pngFile(pngHeader(8, 8, 0), pngChunk('IDAT', deflateSync(rows)));
}

/**
 * Runs in an extension context: the id of the tab showing `tabUrl`, once the browser lists
 * it (a tab a test has just loaded may not be listed under its address yet: an undefined id
 * made a popup about itself, not the tab).
 */
async function tabIdOf(tabUrl) {
  const api = globalThis.browser ?? globalThis.chrome;
  let tabs = [];
  for (let i = 0; i < 100; i++) {
    tabs = await api.tabs.query({});
    const tab = tabs.find((t) => t.url === tabUrl);
    if (tab) return tab.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no tab at ${tabUrl}; the tabs: ${tabs.map((t) => t.url).join(', ')}`);
}

/** Runs in an extension context: replaces the stored settings. */
async function storeSettings(settings) {
  const api = globalThis.browser ?? globalThis.chrome;
  await api.storage.sync.clear();
  if (settings) await api.storage.sync.set(settings);
}

/** Runs in an extension context: the toolbar badge of the tab showing `tabUrl` (waits for it to be set). */
async function badgeOf(tabUrl) {
  const api = globalThis.browser ?? globalThis.chrome;
  const tab = (await api.tabs.query({})).find((t) => t.url === tabUrl);
  let text = '';
  for (let i = 0; i < 100 && !text; i++) {
    text = await api.action.getBadgeText({ tabId: tab.id });
    if (!text) await new Promise((r) => setTimeout(r, 50));
  }
  return text;
}

/**
 * Runs in an extension context: the paths of the first `count` downloads started after
 * `since` (ms since the epoch), in the order they started, once all are complete.
 */
async function completedDownloads({ since, count }) {
  const api = globalThis.browser ?? globalThis.chrome;
  let items = [];
  for (let i = 0; i < 600; i++) {
    items = (await api.downloads.search({ startedAfter: new Date(since).toISOString() }))
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    const broken = items.find((d) => d.state === 'interrupted');
    if (broken) throw new Error(`download ${broken.filename} interrupted: ${broken.error}`);
    if (items.length >= count && items.slice(0, count).every((d) => d.state === 'complete')) {
      return items.slice(0, count).map((d) => d.filename);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} downloads, got ${items.length} (${items.map((d) => d.state).join(', ')})`);
}

/** Runs in an extension context: how many downloads started after `since`, whatever their state. */
async function startedDownloads(since) {
  const api = globalThis.browser ?? globalThis.chrome;
  return (await api.downloads.search({ startedAfter: new Date(since).toISOString() })).length;
}

/** Runs in an extension context: the final path of download `id` once it is complete. */
async function waitForDownload(id) {
  const api = globalThis.browser ?? globalThis.chrome;
  for (let i = 0; i < 300; i++) {
    const [item] = await api.downloads.search({ id });
    if (item?.state === 'complete') return item.filename;
    if (item?.state === 'interrupted') throw new Error(`download ${id} interrupted: ${item.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`download ${id} did not complete`);
}

export const BROWSERS = { chromium: launchChromium, firefox: launchFirefox };

/** The add-on ID the build gave the Firefox extension. */
function geckoId() {
  return JSON.parse(readFileSync(join(root, 'dist', 'firefox', 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
}

/** Runs privileged in Firefox: lets the add-on `id` run in private windows. */
async function allowPrivate(id) {
  const { ExtensionPermissions } = ChromeUtils.importESModule('resource://gre/modules/ExtensionPermissions.sys.mjs');
  await ExtensionPermissions.add(id, { permissions: ['internal:privateBrowsingAllowed'], origins: [] });
}

/** Runs in an extension context: waits for a private tab at `url` to have loaded. */
async function privateTabLoaded(url) {
  const api = globalThis.browser ?? globalThis.chrome;
  for (let i = 0; i < 300; i++) {
    const tab = (await api.tabs.query({})).find((t) => t.incognito && t.url === url);
    if (tab?.status === 'complete') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no private tab loaded ${url}`);
}

/** @returns {PrivateWindows} */
function firefoxPrivate(optionsPage, findPage, extensionOrigin) {
  return {
    async open(url) {
      await optionsPage.evaluate((url) => browser.windows.create({ incognito: true, url }), url);
      await optionsPage.evaluate(privateTabLoaded, url);
    },
    async run(fn, arg) {
      // One background serves every window in Firefox.
      return inBackground(optionsPage, fn, arg);
    },
    async onPage(path, fn) {
      // In a normal window, which BiDi lists (and where the page is what it is in a private one).
      await optionsPage.evaluate(async (path) => {
        const normal = (await browser.windows.getAll()).find((w) => !w.incognito);
        await browser.tabs.create({ url: `/${path}`, windowId: normal.id });
      }, path);
      const page = (await findPage((href) => href.startsWith(`${extensionOrigin}/${path}`), path)).page;
      return page.evaluate(fn);
    },
  };
}

/** Runs `fn(arg, traceless)` in an extension page of Firefox's, with the background's menu handler. */
function inBackground(optionsPage, fn, arg) {
  return optionsPage.evaluate(`(async () => (${fn})(${JSON.stringify(arg ?? null)}, (await browser.runtime.getBackgroundPage()).traceless))()`);
}

/**
 * Chromium runs the extension's private-window instance (split incognito mode) in the
 * incognito profile, which Playwright does not list: it is reached over the DevTools port
 * the browser was started with, by its service worker's target.
 * @returns {PrivateWindows & { close(): Promise<void> }}
 */
function chromiumPrivate(profile, worker) {
  let devtools;
  async function connect() {
    if (devtools) return devtools;
    // Written by the browser once it listens (at once, in practice; up to 10 s here).
    let active;
    for (let i = 0; i < 200 && !active; i++) {
      try {
        active = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8');
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!active) throw new Error('Chromium wrote no DevToolsActivePort');
    const [port, path] = active.split('\n');
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    let next = 0;
    const waiting = new Map();
    // A browser that goes away fails what waits on it, instead of leaving it to a timeout.
    const fail = (why) => {
      for (const answer of waiting.values()) answer.reject(new Error(`DevTools connection ${why}`));
      waiting.clear();
    };
    socket.on('error', (e) => fail(`failed: ${e.message}`));
    socket.on('close', () => fail('closed'));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      const answer = waiting.get(message.id);
      if (!answer) return;
      waiting.delete(message.id);
      if (message.error) answer.reject(new Error(`${message.error.message}`));
      else answer.resolve(message.result);
    });
    const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) return reject(new Error('DevTools connection closed'));
      const id = ++next;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
    devtools = { socket, send };
    return devtools;
  }
  /** Evaluates `expression` in a target; its value, or throws what it threw. */
  async function evaluateIn(targetId, expression) {
    const { send } = await connect();
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    try {
      const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    } finally {
      await send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  }
  /** The extension's service worker that says it is in the incognito profile. */
  async function privateWorker() {
    const { send } = await connect();
    for (let i = 0; i < 200; i++) {
      const { targetInfos } = await send('Target.getTargets');
      for (const target of targetInfos.filter((t) => t.type === 'service_worker' && t.url === worker.url())) {
        if (await evaluateIn(target.targetId, 'chrome.extension.inIncognitoContext').catch(() => false)) return target;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the private profile has no Traceless service worker');
  }
  return {
    async open(url) {
      await worker.evaluate((url) => chrome.windows.create({ incognito: true, url }), url);
      await this.run(privateTabLoaded, url);
    },
    async run(fn, arg) {
      const target = await privateWorker();
      return evaluateIn(target.targetId, `(async () => (${fn})(${JSON.stringify(arg ?? null)}, globalThis.traceless))()`);
    },
    async onPage(path, fn) {
      const url = await this.run(async (path) => (await chrome.tabs.create({ url: chrome.runtime.getURL(path) })).url || chrome.runtime.getURL(path), path);
      const { send } = await connect();
      for (let i = 0; i < 200; i++) {
        const { targetInfos } = await send('Target.getTargets');
        const page = targetInfos.find((t) => t.type === 'page' && t.url === url);
        // The target may name the page before its document replaces the first about:blank (an
        // evaluation there would be lost with it): run `fn` once the page's own document has loaded.
        const loaded = page && (await evaluateIn(page.targetId, `location.href === ${JSON.stringify(url)} && document.readyState === 'complete'`).catch(() => false));
        if (loaded) return evaluateIn(page.targetId, `(${fn})()`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no private page at ${url}`);
    },
    async close() {
      devtools?.socket.close();
    },
  };
}

/** The settings page's introduction, once the page has loaded. */
async function introOf(page) {
  // The page writes its words in as it starts (localisePage): wait for them.
  await page.waitForFunction(() => document.getElementById('intro')?.textContent, undefined, { timeout: 10000 });
  // Its first paragraph, and the one it shows only when opened on install ('' when hidden).
  return page.evaluate(() => {
    const installed = document.getElementById('installed');
    return { intro: document.getElementById('intro').textContent, installed: installed && !installed.hidden ? installed.textContent : '' };
  });
}
