// The upload guard for <input type=file>, second line: picker.ts keeps the
// page's inputs from ever opening a chooser; if a selection reaches a page input
// anyway (a path picker.ts does not see), its files are taken out at the input
// event and the page's input/change handlers see cleaned files only.
//
// Capture-phase listeners on window run before any page listener (ours are
// registered at document_start). The browser's own input and change events are
// stopped; the original files are taken out of the input at once (a page that
// polls input.files sees an empty list, never the originals); once cleaned, the
// input gets the cleaned files and fresh input and change events are dispatched,
// once each, in that order.
import { cleanAll, passed, type CleanHooks, type FileOutcome } from './clean-files';
import { allFileInputsWithin, fileInputsWithin, shadowRootOf } from './shadow';
import { inputOpenedBy } from './file-inputs';
import { isElement, isFileInput, isShadowRoot } from './kinds';
import { PICKER_MARK } from '../click-mark';
import { listen as listenOnWindow, watchNewRoots } from '../lasting-listeners';
import { tellPaths } from './relative-paths';

export interface GuardHooks extends CleanHooks {
  /**
   * Tells the user what happened to one selection. `allow`, when given, sends a
   * held-back original after all (the user's explicit choice, one file at a time);
   * `declined` is called when the user closes a held-back file's notice instead.
   */
  report: (outcomes: FileOutcome[], allow?: (original: File) => void, declined?: () => void) => void;
  /** Tells the user something was held back that is not one file (a folder too big to walk). */
  warn: (text: string) => void;
  /** The user switched the guard off for this page: take no event at all (switch.ts). */
  off: () => boolean;
}

/** Events we dispatched ourselves: they go through. */
const ours = new WeakSet<Event>();
/** The latest selection delivered to each input (a counter). */
const selections = new WeakMap<HTMLInputElement, number>();
/**
 * Inputs being cleaned, with the job their change event waits for; it resolves true when
 * every file chosen went in (none held back), so that a form held meanwhile may be sent.
 */
const pending = new WeakMap<HTMLInputElement, Promise<boolean>>();

/** Files this guard put in page inputs: cleaned copies, or an original the user chose to send. */
const placed = new WeakSet<File>();

/**
 * The file inputs an input event came from. Inside a closed shadow root the event
 * reaches window retargeted to the host, and which of the root's inputs it came from
 * cannot be told: every one there holding a file this guard did not put there is
 * taken (a page's own file in another input is cleaned too, but no original stays).
 */
function fileInputs(event: Event): HTMLInputElement[] {
  const target = event.composedPath()[0];
  if (isFileInput(target)) return [target];
  if (!isElement(target)) return [];
  const root = shadowRootOf(target);
  if (!root) return [];
  return fileInputsWithin(root).filter((input) => Array.from(input.files ?? []).some((file) => !placed.has(file)));
}

/** Inputs whose shadow root already holds a stopper for the browser's next change. */
const stopping = new WeakSet<HTMLInputElement>();

/** A change event does not leave its shadow root: stop the browser's one inside it. */
function stopNextChangeInside(input: HTMLInputElement): void {
  const root = input.getRootNode();
  // window's listener handles the document's inputs; one stopper per input is enough.
  if (!isShadowRoot(root) || stopping.has(input)) return;
  stopping.add(input);
  const stop = (e: Event) => {
    // Only the browser's own change (see guardInputs): a page's event is the page's.
    if (!e.isTrusted || ours.has(e) || e.target !== input) return;
    e.stopImmediatePropagation();
    root.removeEventListener('change', stop, { capture: true });
    stopping.delete(input);
  };
  root.addEventListener('change', stop, { capture: true });
}

export function setFiles(input: HTMLInputElement, files: File[]): void {
  const transfer = new DataTransfer();
  for (const file of files) {
    placed.add(file);
    transfer.items.add(file);
  }
  input.files = transfer.files;
  tellPaths(files);
}

/**
 * Gives `input` the cleaned copies of `originals` (never the originals), then
 * input and change events; tells the user, who may still send a held-back
 * original by choice. Forms holding `input` wait until it is done.
 */
export function deliver(input: HTMLInputElement, originals: File[], hooks: GuardHooks): void {
  // A newer selection on the same input wins: an older one still cleaning must not
  // overwrite it when it finishes (the user chose again while 1,000 photos were cleaning).
  const current = newSelection(input);
  setFiles(input, []);
  suspendRequired(input);
  // showOpenFilePicker()'s input (click-mark.ts): its page promise takes one change only.
  const picker = input.hasAttribute(PICKER_MARK);
  let decided = true;
  const job = cleanAll(originals, hooks)
    .then((outcomes) => {
      // (A newer selection has a job of its own, which a held form waits for next: forms.ts.)
      if (!current()) return true;
      const through = passed(outcomes);
      setFiles(input, through);
      const allow = (original: File) => {
        // Not into a newer selection: it is not this one's any more (an input without
        // `multiple` came to hold two files).
        if (!current()) return;
        // The selection as the user now wants it: what went through, and this original.
        setFiles(input, [...Array.from(input.files ?? []), original]);
        redispatch(input);
      };
      // One file, held back: the change waits for the user's answer. With more, the
      // promise settles with what went through, and a later original could not join it:
      // no button is offered.
      const waits = picker && outcomes.length === 1 && through.length === 0 && outcomes[0].kind === 'blocked';
      try {
        if (!picker) hooks.report(outcomes, allow);
        else if (!waits) hooks.report(outcomes);
        else {
          hooks.report(outcomes, allow, () => input.dispatchEvent(new Event('cancel', { bubbles: true })));
          decided = false;
        }
      } catch {
        // The notice could not be shown: the cleaned copies still go (the catch below would drop them).
      }
      return through.length === outcomes.length;
    })
    .catch(() => {
      if (current()) setFiles(input, []); // never the originals
      return false;
    })
    .finally(() => {
      if (!current()) return;
      restoreRequired(input);
      if (decided) redispatch(input);
    });
  markPending(input, job);
}

/**
 * Starts a selection of `input`'s files (a choice, or a drop on it): the function returned
 * tells whether it is still the newest when its cleaning ends, so that one finishing late
 * never replaces a newer one.
 */
export function newSelection(input: HTMLInputElement): () => boolean {
  const selection = (selections.get(input) ?? 0) + 1;
  selections.set(input, selection);
  return () => selections.get(input) === selection;
}

/**
 * Files on their way to `input` another way (a drop on it, cleaned first): forms holding it
 * wait for `work`, and its `required` is lifted meanwhile, as for a choice (deliver).
 */
export function holdWhile(input: HTMLInputElement, work: Promise<boolean>): void {
  suspendRequired(input);
  markPending(input, work.finally(() => restoreRequired(input)));
}

/** Inputs whose `required` the guard lifted while their selection is cleaned. */
const requiredLifted = new WeakSet<HTMLInputElement>();

/**
 * An input emptied for cleaning is, for the browser, a required input left empty: a
 * form submitted meanwhile stopped at "Please select a file" before any submit event,
 * so forms.ts never got to hold it. Lifted until the newest selection is in; a form
 * held meanwhile is then submitted again, and checked as usual (a held-back file
 * leaves it empty, and the browser says so).
 */
function suspendRequired(input: HTMLInputElement): void {
  if (!input.required) return;
  requiredLifted.add(input);
  input.required = false;
}

function restoreRequired(input: HTMLInputElement): void {
  if (!requiredLifted.delete(input)) return;
  input.required = true;
}

/** Input then change, once each, as after a real choice; these pass our own listeners. */
export function redispatch(input: HTMLInputElement): void {
  for (const type of ['input', 'change']) {
    const event = new Event(type, { bubbles: true, composed: type === 'input' });
    ours.add(event);
    input.dispatchEvent(event);
  }
}

/** Records that `input` is being cleaned until `job` ends (forms wait for it). */
function markPending(input: HTMLInputElement, job: Promise<boolean>): void {
  pending.set(input, job);
  void job.finally(() => {
    if (pending.get(input) === job) pending.delete(input);
  });
}

/**
 * The cleaning jobs of the file inputs in `form`, if any is running: resolves true when
 * every file chosen went in, false when one was held back (the form is then not sent).
 */
export function formBusy(form: HTMLFormElement): Promise<boolean> | undefined {
  const jobs = Array.from(form.elements)
    .filter(isFileInput)
    .map((input) => pending.get(input))
    .filter((job): job is Promise<boolean> => job !== undefined);
  return jobs.length ? Promise.all(jobs).then((complete) => complete.every(Boolean)) : undefined;
}

export function guardInputs(hooks: GuardHooks): void {
  // Only the browser's events bring the user's files (it fires them, trusted, when a
  // choice or a drop fills an input). An event a page dispatches itself announces files
  // the page put there (a crop put back, a form library's own events): its handlers must
  // get it at once, as without the extension; stopping it broke such pages.
  const onInput = (event: Event) => {
    if (!event.isTrusted || ours.has(event) || hooks.off()) return;
    const inputs = fileInputs(event);
    if (!inputs.length) return;
    event.stopImmediatePropagation();
    // Every input emptied before any is delivered: delivering may run the page's code (a
    // customized built-in input observing `required`, lifted meanwhile), which could read an
    // input not yet emptied.
    const chosen = inputs.map((input) => {
      const files = Array.from(input.files ?? []);
      setFiles(input, []);
      return files;
    });
    // Also while an earlier selection of an input is still cleaning: the newest wins (deliver).
    inputs.forEach((input, i) => {
      stopNextChangeInside(input);
      deliver(input, chosen[i], hooks);
    });
  };
  const onChange = (event: Event) => {
    if (!event.isTrusted || ours.has(event) || hooks.off() || !fileInputs(event).length) return;
    // The browser's change follows its input event: our redispatch will send one.
    event.stopImmediatePropagation();
  };
  const listen = (root: ShadowRoot) => {
    root.addEventListener('input', onInput, { capture: true });
    root.addEventListener('change', onChange, { capture: true });
  };
  listenOnWindow('input', onInput, { capture: true });
  listenOnWindow('change', onChange, { capture: true });

  // Firefox does not let a file input's input event out of its shadow root, and
  // change never leaves one: listen inside the shadow roots that hold file inputs.
  // They are found when the user (or the page) clicks to open a file chooser.
  const watched = new WeakSet<ShadowRoot>();
  const watchRoot = (root: Node) => {
    if (isShadowRoot(root) && !watched.has(root)) {
      watched.add(root);
      listen(root);
    }
  };
  const watch = (input: HTMLInputElement) => watchRoot(input.getRootNode());
  // Closed roots also as they are made (main-world.ts, 7), before the page can listen on one
  // first: the click that opens a chooser there may never be seen (closed-root-hit-moved.html).
  watchNewRoots((named) => {
    const root = isShadowRoot(named) ? named : isElement(named) ? shadowRootOf(named) : null;
    if (root) watchRoot(root);
  });
  // The same click starts the engine: it is ready by the time a file is chosen.
  const warm = () => {
    void hooks.engine().catch(() => undefined);
    void hooks.settings().catch(() => undefined);
  };
  listenOnWindow(
    'click',
    (event) => {
      const target = event.composedPath()[0];
      // The input itself, or its label's (picker.ts takes a label's click as the input's).
      const input = inputOpenedBy(target);
      if (input) {
        warm();
        return watch(input);
      }
      const root = isElement(target) ? shadowRootOf(target) : null;
      const inputs = root ? allFileInputsWithin(root) : [];
      for (const input of inputs) watch(input);
      if (inputs.length) warm();
    },
    { capture: true },
  );
  // Files dragged over the page are about to be dropped.
  listenOnWindow('dragenter', (event) => {
    if (event.dataTransfer?.types.includes('Files')) warm();
  }, { capture: true });
}
