// The upload guard against an input that becomes a file input during its own click.
//
// picker.ts takes a click on a file input before any page listener runs. A page can
// click a text input and make it a file input in its own listener on that click
// (tests/e2e/hostile/type-flip.html): the browser then opens its chooser for the
// page's input once the listeners are done, and the guard never saw a file input.
// The user's choice comes back later as a trusted input event at that input, which
// inputs.ts cleans before any page listener sees it, provided the event passes
// window: only if the input is then in the document, outside shadow roots. So
// during every click, what it could open (watchedDuring) is watched by a
// MutationObserver of this world, which a page cannot stop; its records come at the
// end of the page's task, before any later task such as the chooser's answer, and at
// once after a script's click (main-world.ts tells this world through the rearm
// bridge, before and after a click that reaches no listener of ours). An input that
// was a file input at any moment of the click is kept in the document's own tree
// until its chooser answers or is cancelled: put back, hidden, whenever the page takes
// it out or moves it into a shadow root or another document. One whose chooser never
// opened stays kept.
//
// Measured with real file dialogs (tests/e2e/real-dialog.test.mjs; an automation's
// intercepted chooser fills the element directly and shows neither): Chromium drops
// the answer once its input has stopped being a file input; Firefox gives it to the
// element whatever it has become, so a page that made it a file input again in time
// would get it, were the input out of the guard's sight.
import { listen, listenToPageWorld } from '../lasting-listeners';
import { WATCH, WATCHED } from '../rearm-bridge';
import { elementsWithin, shadowRootOf } from './shadow';
import { isElement, isFileInput, isInput, isLabel, isNode, isShadowRoot } from './kinds';

/** Inputs a browser chooser may be open for, each with whether the guard moved it. */
const kept = new Map<HTMLInputElement, boolean>();

/**
 * The hidden element that holds kept inputs the page took out of the document. No
 * hyphen in its name: a page cannot make it a custom element of its own.
 */
let box: HTMLElement | undefined;

/** Sees kept inputs leave the document's tree (null while none is kept). */
let watcher: MutationObserver | null = null;

/** `node`'s ancestors, itself first, through shadow roots to their hosts. */
function* upFrom(node: Node): Generator<Node> {
  for (let at: Node | null = node; at; at = isShadowRoot(at) ? at.host : at.parentNode) yield at;
}

/**
 * What to watch while a click at `path` is dispatched: each input (not a file input
 * now) it could open, and each label on the way with its whole subtree (a control the
 * page makes for it during the click, even after taking the label out of the document:
 * the label's activation clicks that control where the guard does not listen). A click
 * seen as a shadow root's host (a closed root's, seen at window; any root's, for
 * main-world.ts's word, whose element reaches this world as its outermost host) has
 * that root and every input and label in it watched.
 */
function watchedDuring(path: EventTarget[], roots: 'closed' | 'any'): { inputs: HTMLInputElement[]; trees: Node[] } {
  const inputs = new Set<HTMLInputElement>();
  const trees = new Set<Node>();
  const target = path[0];
  if (!isElement(target)) return { inputs: [], trees: [] };
  for (const node of path) {
    if (isInput(node)) inputs.add(node);
    if (isLabel(node)) {
      trees.add(node);
      if (isInput(node.control)) inputs.add(node.control);
    }
  }
  const root = shadowRootOf(target);
  if (root && (roots === 'any' || root.mode === 'closed')) {
    trees.add(root);
    for (const el of elementsWithin(root)) {
      if (isInput(el)) inputs.add(el);
      if (isLabel(el)) trees.add(el);
      const inner = shadowRootOf(el);
      if (inner) trees.add(inner);
    }
  }
  return { inputs: [...inputs].filter((input) => input.type !== 'file'), trees: [...trees] };
}

/** HTML matches an enumerated attribute's keywords ASCII case-insensitively. */
const isFileKeyword = (value: string | null) => value !== null && value.toLowerCase() === 'file';

/** Each click being watched: takes its observer's records now (main-world.ts's WATCHED). */
const live = new Set<() => void>();

/** Watches what a click could open (watchedDuring) until its dispatch is over; keeps every input made a file input meanwhile. */
function watchClick(path: EventTarget[], roots: 'closed' | 'any'): void {
  const { inputs, trees } = watchedDuring(path, roots);
  if (!inputs.length && !trees.length) return;
  const onRecords = (records: MutationRecord[]) => {
    for (const record of records) {
      const input = record.target;
      if (isInput(input) && !kept.has(input) && (isFileKeyword(record.oldValue) || input.type === 'file')) keep(input);
    }
  };
  const types = new MutationObserver(onRecords);
  const options = { attributes: true, attributeFilter: ['type'], attributeOldValue: true };
  for (const input of inputs) types.observe(input, options);
  for (const tree of trees) types.observe(tree, { ...options, subtree: true });
  const flush = () => onRecords(types.takeRecords());
  live.add(flush);
  setTimeout(() => {
    flush();
    types.disconnect();
    live.delete(flush);
  });
}

function keep(input: HTMLInputElement): void {
  kept.set(input, false);
  watcher ??= new MutationObserver(putBack);
  watcher.observe(document, { childList: true, subtree: true });
  putBack();
}

/**
 * Puts every kept input that is not in the document's own tree (taken out, or moved into
 * a shadow root or another document, where its events would not reach window) back in.
 */
function putBack(): void {
  if (!kept.size) return;
  box ??= Object.assign(document.createElement('traceless'), { hidden: true });
  if (box.getRootNode() !== document) (document.documentElement ?? document).append(box);
  for (const input of kept.keys()) {
    if (input.getRootNode() === document) continue;
    box.append(input);
    kept.set(input, true);
  }
}

/** Stops keeping `input`; one the guard moved goes out of the document again, as the page had it. */
function letGo(input: HTMLInputElement): void {
  const moved = kept.get(input);
  if (moved === undefined) return;
  kept.delete(input);
  if (!kept.size) {
    watcher?.disconnect();
    watcher = null;
  }
  if (moved && input.parentNode === box) input.remove();
}

/**
 * A kept input's chooser answered: a trusted input event at it, a file input with files
 * (before inputs.ts takes them out), or a trusted cancel. Nothing else sends those: a
 * checkbox's click sends a trusted change, and input events without files.
 */
function release(event: Event): void {
  const input = event.composedPath()[0];
  if (!event.isTrusted || !isFileInput(input) || !kept.has(input)) return;
  if (event.type === 'input' && !input.files?.length) return;
  // Once inputs.ts has taken the answer (this dispatch).
  setTimeout(() => letGo(input));
}

export function guardFlips(hooks: { off: () => boolean }): void {
  // Also without the user's activation: Firefox opens a chooser without one where pop-ups
  // are allowed. A click the page cancels opens none, but the page can cancel it after its
  // dispatch too (preventDefault still sets the flag): what it kept stays kept.
  listen(
    'click',
    (event) => {
      if (!hooks.off()) watchClick(event.composedPath(), 'closed');
    },
    { capture: true },
  );
  listenToPageWorld(WATCH, (event) => {
    const target = (event as MouseEvent).relatedTarget;
    if (!hooks.off() && isNode(target)) watchClick([...upFrom(target)] as EventTarget[], 'any');
  });
  // Right after a script's click, before its next line: an input it made a file input and
  // took out of the document is back in at once.
  listenToPageWorld(WATCHED, () => {
    for (const flush of live) flush();
  });
  // Before inputs.ts's listeners, which stop the browser's input event.
  listen('input', release, { capture: true });
  listen('cancel', release, { capture: true });
}
