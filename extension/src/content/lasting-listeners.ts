// Listeners on window and document that a page cannot take away.
//
// document.open() erases every event listener on the document, its nodes and its
// window, whichever world added them (HTML: "erase all event listeners and
// handlers"), and no navigation follows, so no content script runs again: after a
// page's `document.open(); document.write(...)` nothing of the upload guard was left
// listening, and the page received the user's originals
// (tests/e2e/hostile/document-open.html). Nor may they come back late: a page that
// adds its own capture listeners on window right after document.open() has them run
// before ours, and takes the files first (document-open-first.html).
//
// So main-world.ts wraps document.open() and write() and, the moment the browser has
// erased the listeners, dispatches an event at a detached element of ours, whose
// listener nothing erases; dispatch is synchronous, so every listener added here is
// back before the page's next line (rearm-bridge.ts has the handshake), and says so (the
// stack may run out part-way: main-world.ts tries a dry run, TRIAL, first). A
// MutationObserver, which document.open() does not erase either, adds them again too
// should an opening bypass that wrapper (a document of a realm the page-world script does
// not run in, opened from another); adding a listener that is still there does nothing.
import { BRIDGE, DONE, DONE_SUFFIX, HELLO, REARM, SHADOW, TRIAL } from './rearm-bridge';

const adders: Array<() => void> = [];
/** What is told of each closed shadow root the page makes (main-world.ts, 7). */
const rootWatchers: Array<(named: EventTarget | null) => void> = [];
let armed = false;
/** The element main-world.ts dispatches at (rearm-bridge.ts). */
const bridge = document.createElement('traceless-rearm');

function rearm(): void {
  for (const again of adders) again();
}

function arm(): void {
  armed = true;
  new MutationObserver(rearm).observe(document, { childList: true });
  // Answered once every listener is back (main-world.ts: the stack may run out part-way).
  bridge.addEventListener(REARM, () => {
    rearm();
    bridge.dispatchEvent(new Event(`${REARM}${DONE_SUFFIX}`));
  });
  // A dry run of the above for main-world.ts's stack trial: one listener added and taken away
  // where a re-arming adds them all, so it goes as deep.
  const nothing = () => undefined;
  bridge.addEventListener(TRIAL, () => {
    window.addEventListener(TRIAL, nothing, { capture: true });
    window.removeEventListener(TRIAL, nothing, { capture: true });
    bridge.dispatchEvent(new Event(`${REARM}${DONE_SUFFIX}`));
  });
  // Answered here, with the rest of the handshake, whatever else of the guard started:
  // main-world.ts refuses a closed root it gets no answer for.
  bridge.addEventListener(SHADOW, (event) => {
    for (const watch of rootWatchers) watch((event as MouseEvent).relatedTarget);
    bridge.dispatchEvent(new Event(`${SHADOW}${DONE_SUFFIX}`));
  });
  const announce = () => document.dispatchEvent(new MouseEvent(BRIDGE, { relatedTarget: bridge }));
  const done = () => {
    document.removeEventListener(HELLO, announce);
    document.removeEventListener(DONE, done);
  };
  document.addEventListener(HELLO, announce);
  document.addEventListener(DONE, done);
  announce();
}

function keep(add: () => void): void {
  adders.push(add);
  add();
  if (!armed) arm();
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

/**
 * Calls `watch` as the page makes each closed shadow root (main-world.ts, 7), with the root as
 * it reaches this world: itself, or its host where the event's relatedTarget is retargeted
 * against the bridge element.
 */
export function watchNewRoots(watch: (named: EventTarget | null) => void): void {
  rootWatchers.push(watch);
  if (!armed) arm();
}

/** What main-world.ts says through the bridge element besides REARM (rearm-bridge.ts). */
export function listenToPageWorld(type: string, listener: (event: Event) => void): void {
  bridge.addEventListener(type, listener);
  if (!armed) arm();
}

/**
 * Hands main-world.ts `files` and a string, at the bridge element it listens on
 * (rearm-bridge.ts): the files in a detached input of ours (`forType`, as the event's
 * relatedTarget; the page never holds it), then the string (`type`), which reaches the
 * page's world as it is in both browsers. True when main-world.ts took them in hand.
 */
export function handToPageWorld(forType: string, type: string, files: File[], detail: string): boolean {
  if (!armed) arm();
  const carrier = document.createElement('input');
  carrier.type = 'file';
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  carrier.files = transfer.files;
  let done = false;
  const heard = () => (done = true);
  bridge.addEventListener(`${type}${DONE_SUFFIX}`, heard);
  try {
    bridge.dispatchEvent(new MouseEvent(forType, { relatedTarget: carrier }));
    bridge.dispatchEvent(new CustomEvent(type, { detail }));
  } finally {
    bridge.removeEventListener(`${type}${DONE_SUFFIX}`, heard);
  }
  return done;
}
