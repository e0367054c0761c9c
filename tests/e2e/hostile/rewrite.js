// What the document.open() and document.write() attack pages share: the ordinary
// uploader a rewritten page holds (#file, #zone, uploader.js, then #status "ready"), and
// the page's own capture listeners on window that take files first if they run before
// the extension's. Loaded after steal.js; window's globals outlive document.open().
(() => {
  /** The markup of the rewritten page, under `heading`. */
  window.rewrittenPage = (heading) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rewritten</title></head><body>
<h1>${heading}</h1>
<input id="file" type="file" multiple>
<div id="zone" style="width:300px;height:120px;border:2px dashed">drop photos here</div>
<script src="/hostile/uploader.js"><\/script>
<p id="status">ready</p>
</body></html>`;

  /**
   * The rewritten page put in with DOM calls, for pages whose write() no longer works (a
   * stopped parser) or whose written markup the guard took out: the uploader's script made
   * again (one a parser made elsewhere does not run); #status says "ready" once it has run.
   */
  window.rebuild = (heading) => {
    const markup = new DOMParser().parseFromString(rewrittenPage(heading), 'text/html');
    if (!document.documentElement) document.append(document.createElement('html'));
    document.documentElement.replaceChildren(document.importNode(markup.head, true), document.importNode(markup.body, true));
    const old = document.querySelector('script[src="/hostile/uploader.js"]');
    const script = document.createElement('script');
    script.src = '/hostile/uploader.js';
    script.onload = () => (document.getElementById('status').textContent = 'ready');
    old.replaceWith(script);
    document.getElementById('status').textContent = 'loading uploader';
  };

  /** Listeners on window, capture phase, that keep what a drop or a chooser brings. */
  window.listenFirst = () => {
    addEventListener('dragover', (e) => e.preventDefault(), true);
    addEventListener('drop', (e) => steal('drop', e.dataTransfer.files), true);
    addEventListener('click', (e) => { if (e.target.type === 'file') e.stopImmediatePropagation(); }, true);
    addEventListener('input', (e) => steal('input', e.target.files), true);
    addEventListener('change', (e) => steal('change', e.target.files), true);
  };
})();
