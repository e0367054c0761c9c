// The upload guard against an input that becomes a file input during its own click.
//
// picker.ts takes a click on a file input before any page listener runs. A page can
// click a text input and make it a file input in its own listener on that click
// (tests/e2e/hostile/type-flip.html): the browser then opens its chooser for the
// page's input once the listeners are done, and the guard never saw a file input.
// The user's choice comes back later as a trusted input event at that input, which
// inputs.ts cleans before any page listener sees it, provided the event passes
// window: only if the input is then in the document. So during every click on an
// input (or a label, or a shadow host), the type of each input it could open is
// watched by a MutationObserver of this world, which a page cannot stop; its records
// come at the end of the page's task, before any later task such as the chooser's
// answer. An input that was a file input at any moment of the click is kept in the
// document until its chooser answers: put back, hidden, whenever the page takes it
// out.
//
// Measured with real file dialogs (tests/manual/real-dialog.mjs; an automation's
// intercepted chooser fills the element directly and shows neither): Chromium drops
// the answer once its input has stopped being a file input; Firefox gives it to the
// element whatever it has become, so a page that made it a file input again in time
// would get it, were the input out of the guard's sight.
import { listen } from '../lasting-listeners';
import { inputsWithin, shadowRootOf } from './shadow';
import { watchRootOf } from './inputs';

/** Inputs a browser chooser may be open for, each with whether the guard moved it into the document. */
const kept = new Map<HTMLInputElement, boolean>();

/** The hidden element that holds kept inputs the page took out of the document. */
let box: HTMLElement | undefined;

/** Shadow roots where release() listens. */
const heard = new WeakSet<ShadowRoot>();

/** Watches for kept inputs leaving the document (null when none is kept). */
let watcher: MutationObserver | null = null;

/** Inputs, not file inputs now, that activating the click's target could open. */
function candidates(event: Event): HTMLInputElement[] {
  const target = event.composedPath()[0];
  if (!(target instanceof Element)) return [];
  const found = new Set<HTMLInputElement>();
  if (target instanceof HTMLInputElement) found.add(target);
  const control = target.closest('label')?.control;
  if (control instanceof HTMLInputElement) found.add(control);
  // A click inside a closed shadow root reaches window as one on its host.
  const root = shadowRootOf(target);
  if (root) for (const input of inputsWithin(root)) found.add(input);
  return [...found].filter((input) => input.type !== 'file');
}

/** HTML matches an enumerated attribute's keywords ASCII case-insensitively. */
const isFileKeyword = (value: string | null) => value !== null && value.toLowerCase() === 'file';

/** Keeps every input whose type was `file` at some moment the records cover. */
function keepFlipped(records: MutationRecord[]): void {
  for (const record of records) {
    const input = record.target as HTMLInputElement;
    if (!kept.has(input) && (isFileKeyword(record.oldValue) || input.type === 'file')) keep(input);
  }
}

function keep(input: HTMLInputElement): void {
  kept.set(input, false);
  // change and cancel do not leave a shadow root: heard there (before inputs.ts, if it is new to it).
  const home = input.getRootNode();
  if (home instanceof ShadowRoot && !heard.has(home)) {
    heard.add(home);
    home.addEventListener('change', release, { capture: true });
    home.addEventListener('cancel', release, { capture: true });
  }
  watchRootOf(input);
  watcher ??= new MutationObserver(putBack);
  watcher.observe(document, { childList: true, subtree: true });
  // Taken out of a shadow root: seen there, not in the document's subtree.
  for (let root = input.getRootNode(); root instanceof ShadowRoot; root = root.host.getRootNode()) {
    watcher.observe(root, { childList: true, subtree: true });
  }
  putBack();
}

/** Puts every kept input the page took out of the document back into it. */
function putBack(): void {
  for (const input of kept.keys()) {
    if (input.isConnected) continue;
    box ??= Object.assign(document.createElement('traceless-inputs'), { hidden: true });
    box.append(input);
    kept.set(input, true);
  }
  if (box && !box.isConnected) (document.documentElement ?? document).append(box);
}

/** The chooser of a kept input answered (or was cancelled): it is the page's again. */
function release(event: Event): void {
  const input = event.composedPath()[0];
  if (!event.isTrusted || !(input instanceof HTMLInputElement) || !kept.has(input)) return;
  const moved = kept.get(input);
  kept.delete(input);
  if (!kept.size) {
    watcher?.disconnect();
    watcher = null;
  }
  // Detached again, as the page had it, once inputs.ts has taken the answer (this dispatch).
  if (moved) setTimeout(() => input.parentNode === box && !kept.has(input) && input.remove());
}

export function guardFlips(hooks: { off: () => boolean }): void {
  listen(
    'click',
    (event) => {
      // Without the user's activation no chooser opens.
      if (hooks.off() || !(navigator.userActivation?.isActive ?? true)) return;
      const inputs = candidates(event);
      if (!inputs.length) return;
      const types = new MutationObserver(keepFlipped);
      for (const input of inputs) types.observe(input, { attributes: true, attributeFilter: ['type'], attributeOldValue: true });
      // Once the click's dispatch (and a chooser it opened) is over.
      setTimeout(() => {
        keepFlipped(types.takeRecords());
        types.disconnect();
      });
    },
    { capture: true },
  );
  // Before inputs.ts's listeners, which stop the browser's change event.
  listen('change', release, { capture: true });
  listen('cancel', release, { capture: true });
}
