// The end-to-end tests' web: two loopback origins serving test pages and corpus
// images, and a recording proxy that every browser request is routed through,
// so a test can list every request any browser context made.
import { createServer, request as httpRequest } from 'node:http';
import busboy from 'busboy';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpus = process.env.TRACELESS_CORPUS ?? join(root, '..', 'shared', 'corpus');

/** The `traceless` command most recently built (release or debug): a stale one would judge new code. */
export function traceless() {
  const built = ['release', 'debug'].map((p) => join(root, 'target', p, 'traceless')).filter(existsSync);
  if (built.length === 0) throw new Error('the traceless command is not built (cargo build)');
  return built.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
const site = join(root, 'tests', 'e2e', 'site');

/** Test image names -> corpus files (see ../shared/corpus/SOURCES.md for their licences). */
export const IMAGES = {
  'photo.jpg': 'ianare-exif-samples/jpg/gps/DSCN0010.jpg',
  'small.jpg': 'ianare-exif-samples/jpg/gps/DSCN0012.jpg',
  'large.jpg': 'ianare-exif-samples/jpg/gps/DSCN0021.jpg',
  'fallback.jpg': 'ianare-exif-samples/jpg/gps/DSCN0025.jpg',
  'p-small.webp': 'image-rs-image-webp/tests/images/regression/tiny.webp',
  'p-large.webp': 'image-rs-image/tests/images/webp/lossless_images/simple_xmp.webp',
  // Compressed harder than "High quality" (90) would: re-encoding it there makes it larger.
  'hard.jpg': 'ianare-exif-samples/jpg/exif-org/sony-powershota5.jpg',
  'framed.jpg': 'ianare-exif-samples/jpg/gps/DSCN0027.jpg',
  'rotated.jpg': 'ianare-exif-samples/jpg/hdr/canon_hdr_YES.jpg',
  'text.png': 'image-rs-image/tests/images/png/iptc.png',
  // Palette transparency (tRNS): made JPEG, its transparent areas become white.
  'transparent.png': 'image-rs-image/tests/images/png/transparency/tbbn3p08.png',
  'xmp.webp': 'image-rs-image/tests/images/webp/lossless_images/simple_xmp.webp',
  'comment.gif': 'exiftool/t/images/GIF.gif',
  'anim.gif': 'mat2/tests/data/dirty.gif',
  'phone.heic': 'ianare-exif-samples/heic/IMG_5195.HEIC',
  'photo.avif': 'mat2/tests/data/dirty.avif',
  'thumbs.avif': 'av1-avif/testFiles/Microsoft/Tomsk_with_thumbnails.avif',
  'scan.tiff': 'ianare-exif-samples/tiff/Arbitro.tiff',
  'corrupt.jpg': 'ianare-exif-samples/jpg/corrupted.jpg',
  // A 12 MP phone photo: seconds of work as AVIF.
  'phone.jpg': 'ianare-exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg',
};

/**
 * What the browsers fetch for themselves, measured with no extension loaded
 * (Chromium 156: network time, component updates, account checks; Firefox ESR:
 * settings, add-on and safe-browsing updates, captive-portal detection) and with
 * every switch that disables them already given. The hole this leaves: an
 * extension request to one of these hosts would pass, unless it carries an
 * extension Origin or Referer (Chromium sends neither for extension fetches
 * under host permissions, so the proxy cannot tell them apart by headers).
 * redirector.gvt1.com is where Chromium's component updater downloads what
 * update.googleapis.com names: first seen in session 28, a CONNECT some minutes into
 * the guard's suite in Chromium, whose tests then ran longer than before.
 */
export const BROWSER_OWN_HOSTS = new Set([
  'clients2.google.com', 'update.googleapis.com', 'redirector.gvt1.com', 'accounts.google.com', 'optimizationguide-pa.googleapis.com',
  'firefox.settings.services.mozilla.com',
]);
const EXTENSION_SCHEMES = /^(chrome|moz)-extension:/;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.jpg': 'image/jpeg',
  '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif', '.heic': 'image/heic', '.avif': 'image/avif', '.tiff': 'image/tiff',
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.3gp': 'video/3gpp',
};

/** Pages may set their own headers in a sibling `NAME.headers.json` (e.g. a strict CSP). */
function pageHeaders(file) {
  const extra = `${file}.headers.json`;
  return existsSync(extra) ? JSON.parse(readFileSync(extra, 'utf8')) : {};
}

function resolve(pathname) {
  if (pathname.startsWith('/img/')) {
    const name = pathname.slice(5);
    return IMAGES[name] ? join(corpus, IMAGES[name]) : undefined;
  }
  if (pathname.startsWith('/bench/')) {
    // Benchmark photos made by bench/photos.py.
    const file = normalize(join(root, 'bench', 'out', 'photos', pathname.slice(7)));
    return file.startsWith(join(root, 'bench', 'out', 'photos')) && existsSync(file) ? file : undefined;
  }
  if (pathname.startsWith('/hostile/')) {
    // The attack pages (tests/e2e/hostile.test.mjs).
    const dir = join(root, 'tests', 'e2e', 'hostile');
    const file = normalize(join(dir, pathname.slice(9)));
    return file.startsWith(dir) && existsSync(file) ? file : undefined;
  }
  if (pathname.startsWith('/videos/')) {
    // Test videos (tests/videos/make.sh) and their cleaned copies (video.test.mjs).
    const dir = join(root, 'target');
    const file = normalize(join(dir, pathname.slice(8)));
    return file.startsWith(join(dir, 'test-videos')) && existsSync(file) ? file : undefined;
  }
  if (pathname.startsWith('/node_modules/')) {
    const file = normalize(join(root, pathname));
    return file.startsWith(join(root, 'node_modules')) ? file : undefined;
  }
  const file = normalize(join(site, pathname === '/' ? 'index.html' : pathname));
  return file.startsWith(site) && existsSync(file) ? file : undefined;
}

function initiator(req) {
  return { origin: req.headers.origin, referer: req.headers.referer, cookie: req.headers.cookie };
}

export class TestWeb {
  /** Every request seen, by origin server or proxy: { url, method, via, at }. */
  requests = [];
  /** Uploads received by /upload, for later issues' tests. */
  uploads = [];
  /** What went wrong on the way (a request aborted, a body that could not be parsed): for failures' messages. */
  trouble = [];
  /** Uploads still arriving: { url, declared, received, files, ended } (bytes declared and received so far, files parsed). */
  receiving = new Set();
  /** Request bodies passing through the proxy: { url, declared, fromBrowser, browserEnded, answered }, to
   * tell whether a stalled upload was held back by the browser or by the proxy. */
  forwarding = new Set();
  servers = [];

  async start() {
    // Random ports, unless `make screenshots` fixes them so no port number that
    // changes between runs shows in the committed images.
    const base = Number(process.env.TRACELESS_TEST_PORT_BASE) || 0;
    this.a = await this.listen((req, res) => this.serve(req, res, 'a'), base && base);
    this.b = await this.listen((req, res) => this.serve(req, res, 'b'), base && base + 1);
    this.proxy = await this.listen((req, res) => this.proxied(req, res), base && base + 2);
    this.proxy.on('connect', (req, socket) => {
      // HTTPS would leave the machine: record and refuse.
      this.requests.push({ url: `https://${req.url}/`, method: 'CONNECT', via: 'proxy', at: Date.now(), ...initiator(req) });
      // A socket handed to a 'connect' listener has no error handler of its own: a browser
      // closing mid-way resets it (ECONNRESET), which would end the test run as uncaught.
      socket.on('error', () => {});
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    return this;
  }

  get originA() { return `http://127.0.0.1:${this.a.address().port}`; }
  get originB() { return `http://127.0.0.1:${this.b.address().port}`; }
  get proxyPort() { return this.proxy.address().port; }

  listen(handler, port = 0) {
    const server = createServer(handler);
    this.servers.push(server);
    return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
  }

  serve(req, res, which) {
    const url = new URL(req.url, which === 'a' ? this.originA : this.originB);
    if (!req.headers['x-traceless-proxied']) {
      this.requests.push({ url: url.href, method: req.method, via: 'direct', at: Date.now(), ...initiator(req) });
    }
    if (url.pathname === '/upload' && req.method === 'POST') return this.receive(req, res, url);
    if (url.pathname === '/endless.jpg') return endless(res);
    // A members' area: /members/sign-in gives the cookie that /members/photo.jpg asks for.
    if (url.pathname === '/members/sign-in') return res.writeHead(200, { 'set-cookie': 'member=signed-in; Path=/', 'content-type': 'text/plain' }).end('signed in');
    if (url.pathname === '/members/photo.jpg') {
      if (!req.headers.cookie?.includes('member=signed-in')) return res.writeHead(403, { 'content-type': 'text/plain' }).end('members only');
      return res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(readFileSync(join(corpus, IMAGES['photo.jpg'])));
    }
    // A site's "not found" page sent with 200, as many do for a missing image.
    // A same-origin page that its own header sandboxes without scripts (hostile/detached-sandboxed-header.html).
    if (url.pathname === '/hostile/sandboxed-by-header') {
      return res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': 'sandbox allow-same-origin' }).end('<!doctype html><title>Scriptless</title><p>No script runs here.</p>');
    }
    // A navigation that leaves the page where it is (hostile/document-open-stopped-navigation.html).
    if (url.pathname === '/no-content') return res.writeHead(204).end();
    if (url.pathname.startsWith('/soft-404/')) return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Not found</title><h1>Page not found</h1>');
    const file = resolve(url.pathname);
    if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const headers = { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    // The page under test substitutes its origins for these placeholders.
    let body = readFileSync(file);
    if (file.endsWith('.html')) {
      body = Buffer.from(body.toString('utf8').replaceAll('{{A}}', this.originA).replaceAll('{{B}}', this.originB));
      Object.assign(headers, pageHeaders(file));
    }
    // ?delay=ms holds the answer back (a page kept loading behind a slow script).
    const delay = Math.min(Number(url.searchParams.get('delay')) || 0, 10000);
    if (delay) setTimeout(() => res.writeHead(200, headers).end(body), delay);
    else res.writeHead(200, headers).end(body);
  }

  /** Records an upload: multipart files (forms, FormData) or a raw body (XHR/fetch of a File). */
  receive(req, res, url) {
    const upload = { url: url.href, page: req.headers.referer, files: [], fields: {} };
    // How far an upload has come while it is under way: what a test that never saw it arrive can tell.
    const progress = { url: url.href, declared: Number(req.headers['content-length'] ?? NaN), received: 0, files: 0, ended: false };
    this.receiving.add(progress);
    req.on('data', (chunk) => (progress.received += chunk.length));
    req.on('end', () => (progress.ended = true));
    const done = () => {
      this.receiving.delete(progress);
      this.uploads.push(upload);
      const body = JSON.stringify({ ok: true, files: upload.files.map((f) => ({ name: f.name, size: f.bytes.length })) });
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(body);
    };
    if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const parser = busboy({ headers: req.headers, preservePath: true });
      parser.on('file', (field, stream, info) => {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
          upload.files.push({ field, name: info.filename, type: info.mimeType, bytes: Buffer.concat(chunks) });
          progress.files++;
        });
      });
      parser.on('field', (name, value) => (upload.fields[name] = value));
      parser.on('close', done);
      parser.on('error', (e) => {
        this.receiving.delete(progress);
        this.trouble.push(`upload ${url.pathname}${url.search}: ${e.message}`);
        res.writeHead(400).end();
      });
      req.on('aborted', () => this.trouble.push(`upload ${url.pathname}${url.search}: aborted by the browser`));
      req.pipe(parser);
    } else {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        upload.files.push({ field: '', name: req.headers['x-file-name'] ?? '', type: req.headers['content-type'], bytes: Buffer.concat(chunks) });
        done();
      });
    }
  }

  /** A plain HTTP proxy: loopback test origins are forwarded, everything else is recorded and refused. */
  proxied(req, res) {
    let target;
    try {
      target = new URL(req.url);
    } catch {
      return res.writeHead(400).end();
    }
    this.requests.push({ url: target.href, method: req.method, via: 'proxy', at: Date.now(), ...initiator(req) });
    const ours = [this.a, this.b].map((s) => String(s.address().port));
    if (target.hostname !== '127.0.0.1' || !ours.includes(target.port)) {
      return res.writeHead(403, { 'content-type': 'text/plain' }).end('outside the test web');
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: target.pathname + target.search, method: req.method,
        headers: { ...req.headers, 'x-traceless-proxied': '1' } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      this.trouble.push(`proxy ${req.method} ${target.pathname}: ${e.message}`);
      res.writeHead(502).end();
    });
    req.on('aborted', () => this.trouble.push(`proxy ${req.method} ${target.pathname}: aborted by the browser`));
    if (req.method === 'POST') {
      const through = { url: target.href, declared: Number(req.headers['content-length'] ?? NaN), fromBrowser: 0, browserEnded: false };
      this.forwarding.add(through);
      req.on('data', (chunk) => (through.fromBrowser += chunk.length));
      req.on('end', () => (through.browserEnded = true));
      res.on('finish', () => this.forwarding.delete(through));
      res.on('close', () => this.forwarding.delete(through));
    }
    req.pipe(upstream);
  }

  /** Requests to anything but the two test origins, except the browser's own (see BROWSER_OWN_HOSTS). */
  outsiders() {
    return this.requests.filter((r) => {
      if (r.url.startsWith(this.originA + '/') || r.url.startsWith(this.originB + '/')) return false;
      const fromExtension = EXTENSION_SCHEMES.test(r.origin ?? '') || EXTENSION_SCHEMES.test(r.referer ?? '');
      return fromExtension || !BROWSER_OWN_HOSTS.has(new URL(r.url).hostname);
    });
  }


  async stop() {
    await Promise.all(this.servers.map((s) => new Promise((ok) => { s.closeAllConnections?.(); s.close(ok); })));
  }
}

/** An "image" that never ends and declares no length: a megabyte at a time until the client hangs up. */
function endless(res) {
  res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
  const chunk = Buffer.alloc(1024 * 1024, 0xff);
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && res.write(chunk));
    if (open) res.once('drain', pump);
  };
  pump();
}
