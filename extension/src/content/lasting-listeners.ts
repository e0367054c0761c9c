// Listeners on window and document that a page cannot take away.
//
// document.open() erases every event listener on the document, its nodes and its
// window, whichever world added them (HTML: "erase all event listeners and
// handlers"), and no navigation follows, so no content script runs again: after a
// page's `document.open(); document.write(...)` nothing of the upload guard was left
// listening, and the page received the user's originals
// (tests/e2e/hostile/document-open.html). A MutationObserver is not erased, and
// document.open() replaces the document's children: each time they change, every
// listener added here is added again (adding one that is still there does nothing).
//
// Between document.open() and that observer's microtask only the page's own
// synchronous code runs: it may open a file chooser with our click listener gone,
// but the user's choice arrives in a later task, to the input listeners re-added by then.

const adders: Array<() => void> = [];
let observing = false;

function keep(add: () => void): void {
  adders.push(add);
  add();
  if (observing) return;
  observing = true;
  new MutationObserver(() => {
    for (const again of adders) again();
  }).observe(document, { childList: true });
}

/** window.addEventListener, kept through document.open(). */
export function listen<K extends keyof WindowEventMap>(
  type: K,
  listener: (event: WindowEventMap[K]) => void,
  options: AddEventListenerOptions,
): void {
  keep(() => window.addEventListener(type, listener, options));
}

/** document.addEventListener, kept through document.open(). */
export function listenOnDocument<K extends keyof DocumentEventMap>(
  type: K,
  listener: (event: DocumentEventMap[K]) => void,
  options: AddEventListenerOptions,
): void {
  keep(() => document.addEventListener(type, listener, options));
}
