// The upload guard against an input that becomes a file input during its own click.
//
// picker.ts takes a click on a file input before any page listener runs. A page can
// click a text input and make it a file input in its own listener on that click
// (tests/e2e/hostile/type-flip.html): the browser then opens its chooser for the
// page's input once the listeners are done, and the guard never saw a file input.
// The user's choice comes back later as a trusted input event at that input, which
// inputs.ts cleans before any page listener sees it, provided the event passes
// window: only if the input is then in the document, outside shadow roots. So
// during every click on an input (or in a label, or on a closed shadow root's host;
// main-world.ts says so through the rearm bridge for a script's click that reaches no
// listener of ours), the type of each input the click could open is watched by a
// MutationObserver of this world, which a page cannot stop; its records come at the
// end of the page's task, before any later task such as the chooser's answer. An
// input that was a file input at any moment of the click is kept in the document's
// own tree until its chooser answers or is cancelled: put back, hidden, whenever the
// page takes it out or moves it into a shadow root or another document.
//
// Measured with real file dialogs (tests/e2e/real-dialog.test.mjs; an automation's
// intercepted chooser fills the element directly and shows neither): Chromium drops
// the answer once its input has stopped being a file input; Firefox gives it to the
// element whatever it has become, so a page that made it a file input again in time
// would get it, were the input out of the guard's sight.
import { listen, listenToPageWorld } from '../lasting-listeners';
import { WATCH } from '../rearm-bridge';
import { inputsWithin, shadowRootOf } from './shadow';

/** Inputs a browser chooser may be open for, each with whether the guard moved it. */
const kept = new Map<HTMLInputElement, boolean>();

/**
 * The hidden element that holds kept inputs the page took out of the document. No
 * hyphen in its name: a page cannot make it a custom element of its own.
 */
let box: HTMLElement | undefined;

/** Sees kept inputs leave the document's tree (null while none is kept). */
let watcher: MutationObserver | null = null;

/** The control of the label `node` is in (through shadow roots to their hosts), if an input. */
function labelControlAround(node: Node): HTMLInputElement | undefined {
  for (let at: Node | null = node; at; at = at instanceof ShadowRoot ? at.host : at.parentNode) {
    if (at instanceof HTMLLabelElement) return at.control instanceof HTMLInputElement ? at.control : undefined;
  }
  return undefined;
}

/**
 * The inputs, not file inputs now, that a click at `target` could open: itself, its
 * label's control, and those in the shadow root it hosts when the click is seen as
 * the host's (`roots`: a closed one for a click seen at window; any for main-world.ts's
 * word, whose element reaches this world as its outermost host).
 */
function inputsOpenedFrom(target: unknown, roots: 'closed' | 'any'): HTMLInputElement[] {
  if (!(target instanceof Element)) return [];
  const found = new Set<HTMLInputElement>();
  if (target instanceof HTMLInputElement) found.add(target);
  const control = labelControlAround(target);
  if (control) found.add(control);
  const root = shadowRootOf(target);
  if (root && (roots === 'any' || root.mode === 'closed')) for (const input of inputsWithin(root)) found.add(input);
  return [...found].filter((input) => input.type !== 'file');
}

/** HTML matches an enumerated attribute's keywords ASCII case-insensitively. */
const isFileKeyword = (value: string | null) => value !== null && value.toLowerCase() === 'file';

/**
 * Watches the types of `inputs` until the click's dispatch is over. `click`, when the
 * click was seen: a cancelled one opened no chooser, so what it kept is let go.
 */
function watchTypes(inputs: HTMLInputElement[], click?: Event): void {
  if (!inputs.length) return;
  const flipped: HTMLInputElement[] = [];
  const onRecords = (records: MutationRecord[]) => {
    for (const record of records) {
      const input = record.target as HTMLInputElement;
      if (kept.has(input) || !(isFileKeyword(record.oldValue) || input.type === 'file')) continue;
      flipped.push(input);
      keep(input);
    }
  };
  const types = new MutationObserver(onRecords);
  for (const input of inputs) types.observe(input, { attributes: true, attributeFilter: ['type'], attributeOldValue: true });
  setTimeout(() => {
    onRecords(types.takeRecords());
    types.disconnect();
    if (click?.defaultPrevented) for (const input of flipped) letGo(input);
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
 * A kept input's chooser answered (or was cancelled): only a file input's chooser does,
 * with a trusted event (a checkbox the page clicks sends a trusted change too).
 */
function release(event: Event): void {
  const input = event.composedPath()[0];
  if (!event.isTrusted || !(input instanceof HTMLInputElement) || input.type !== 'file' || !kept.has(input)) return;
  // Once inputs.ts has taken the answer (this dispatch).
  setTimeout(() => letGo(input));
}

export function guardFlips(hooks: { off: () => boolean }): void {
  // Also without the user's activation: Firefox opens a chooser without one where pop-ups are allowed.
  listen(
    'click',
    (event) => {
      if (!hooks.off()) watchTypes(inputsOpenedFrom(event.composedPath()[0], 'closed'), event);
    },
    { capture: true },
  );
  listenToPageWorld(WATCH, (event) => {
    if (!hooks.off()) watchTypes(inputsOpenedFrom((event as MouseEvent).relatedTarget, 'any'));
  });
  // Before inputs.ts's listeners, which stop the browser's change event.
  listen('change', release, { capture: true });
  listen('cancel', release, { capture: true });
}
