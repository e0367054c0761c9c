// The upload guard for drag and drop and paste, wholly in the isolated world.
//
// The page's own JavaScript world is the adversary's: any built-in the page
// can reach (MessagePort.postMessage, Array.from, the DataTransfer getters,
// Promise.then ...) can be replaced by the page before a user drops a photo.
// So the user's original files are read here, where page scripts cannot reach,
// and only cleaned copies ever enter the page's world:
//
// 1. A capture listener on window, registered at document_start (before any page
//    listener), takes every trusted drop or paste that carries files, stops it,
//    and reads its files, folders (walked) and text while the event is live.
// 2. The files are cleaned (clean-files.ts); what is not an image passes as it is.
// 3. The same kind of event is dispatched again at the same target, with the
//    cleaned files and the same text. Firefox shows page scripts no files in a
//    DataTransfer made in a content script, so there it is made with the page's
//    constructors (which can only ever see the cleaned files).
//
// A dropped folder arrives as a folder where main-world.ts can answer for its entries
// (Chromium: dropped-folders.ts), elsewhere as a flat list of its files, cleaned.
import { cleanAll, passed } from './clean-files';
import { holdWhile, newSelection, redispatch, setFiles, type GuardHooks } from './inputs';
import { shadowRootOf } from './shadow';
import { isDisabled } from './file-inputs';
import { isElement, isFileInput, isHtmlElement, isInput, isNode, isTextArea } from './kinds';
import { MAX_FOLDER_DEPTH, MAX_FOLDER_FILES, walkEntries, type Dropped, type Walked } from './folders';
import { placeIn } from './relative-paths';
import { droppedForPage, foldersRebuilt } from './dropped-folders';
import { t } from '../../shared/i18n';
import { listen } from '../lasting-listeners';

type Kind = 'drop' | 'paste';

interface Taken {
  kind: Kind;
  target: EventTarget;
  /** A file input the files were dropped on: it gets them as if chosen. */
  input?: HTMLInputElement;
  /** Text data of the transfer (URLs, HTML), given back unchanged. */
  strings: [string, string][];
  files: File[];
  entries: FileSystemEntry[];
  init: DragEventInit;
}

/** Everything the page would have read from the event, read now while it is live. */
function take(kind: Kind, event: Event): Taken | undefined {
  const transfer = kind === 'drop' ? (event as DragEvent).dataTransfer : (event as ClipboardEvent).clipboardData;
  if (!transfer || !Array.from(transfer.types).includes('Files')) return undefined;
  const strings = Array.from(transfer.types)
    .filter((type) => type !== 'Files')
    .map((type): [string, string] => [type, transfer.getData(type)]);
  const entries: FileSystemEntry[] = [];
  if (kind === 'drop') {
    for (const item of Array.from(transfer.items)) {
      const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
      if (entry) entries.push(entry);
    }
  }
  const e = event as DragEvent;
  const init: DragEventInit =
    kind === 'drop'
      ? { clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
          ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey }
      : {};
  const seen = event.composedPath()[0] ?? event.target ?? window;
  const target = aimedAt(seen, kind === 'drop' ? { x: e.clientX, y: e.clientY } : undefined);
  // A file input under a drop, inside closed roots too (aimedAt found it there).
  const input = kind === 'drop' && isFileInput(target) ? target : undefined;
  return { kind, target, input, strings, files: Array.from(transfer.files), entries, init };
}

/** Elements an author's shadow root can be attached to (HTML's attachShadow): custom ones and these. */
const SHADOW_HOSTS = new Set(['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'main', 'nav', 'p', 'section', 'span']);

/**
 * The shadow root of either mode a page attached to `element`. Firefox also shows a
 * video's or a form control's own, whose insides no page listens on: not those.
 */
function authorRoot(element: Element): ShadowRoot | null {
  return element.localName.includes('-') || SHADOW_HOSTS.has(element.localName) ? shadowRootOf(element) : null;
}

/**
 * The element the user aimed at. Inside a closed shadow root the event reaches window
 * retargeted to the root's host, and a replay dispatched there never reaches the drop
 * zone or editor inside (a read-only review found the inner ones got nothing). The
 * extension sees closed roots (shadow.ts): root by root, the element under the drop, or
 * for a paste the focused one.
 */
function aimedAt(target: EventTarget, drop: { x: number; y: number } | undefined): EventTarget {
  let aim = target;
  for (let depth = 0; depth < 32 && isElement(aim); depth++) {
    const root = authorRoot(aim);
    const inner = !root ? null : drop ? root.elementFromPoint(drop.x, drop.y) : root.activeElement;
    if (!root || !inner || !root.contains(inner)) break;
    aim = inner;
  }
  return aim;
}

/** The dropped files, with any dropped folder replaced by the files inside it. */
async function filesOf(taken: Taken): Promise<Walked> {
  if (!taken.entries.some((entry) => entry.isDirectory)) return { files: taken.files };
  return walkEntries(taken.entries, { maxFiles: MAX_FOLDER_FILES, maxDepth: MAX_FOLDER_DEPTH });
}

// Firefox content scripts see the page's objects through Xray wrappers; these
// reach the page's own constructors (a DataTransfer made with ours shows page
// scripts no files).
declare const cloneInto: ((value: unknown, scope: object, options?: { wrapReflectors?: boolean }) => unknown) | undefined;
type PageWindow = typeof globalThis & { DataTransfer: typeof DataTransfer; DragEvent: typeof DragEvent; ClipboardEvent: typeof ClipboardEvent };

function pageWorld(): PageWindow | undefined {
  return typeof cloneInto === 'function' ? (window as unknown as { wrappedJSObject?: PageWindow }).wrappedJSObject : undefined;
}

/**
 * The event the page receives instead of the user's: same kind, same target, cleaned
 * files. False when the page cancelled it (it handled the drop or paste itself).
 */
function replay(taken: Taken, files: File[]): boolean {
  const page = pageWorld();
  const scope = page ?? (globalThis as PageWindow);
  const give = <T>(value: T): T => (page && cloneInto ? (cloneInto(value, window, { wrapReflectors: true }) as T) : value);
  const transfer = new scope.DataTransfer();
  for (const [type, value] of taken.strings) transfer.setData(type, value);
  for (const file of files) transfer.items.add(file);
  const init = { bubbles: true, cancelable: true, composed: true };
  let event: Event;
  if (taken.kind === 'drop') {
    event = new scope.DragEvent('drop', give({ ...init, ...taken.init, dataTransfer: transfer }));
  } else {
    event = new scope.ClipboardEvent('paste', give({ ...init, clipboardData: transfer }));
    if (page) {
      // Firefox empties a DataTransfer handed to the ClipboardEvent constructor: give the
      // event ours, on the page's side of it (Chromium keeps the one in the init).
      Object.defineProperty((event as { wrappedJSObject?: Event }).wrappedJSObject ?? event, 'clipboardData', {
        value: transfer,
        enumerable: true,
      });
    }
  }
  return targetNow(taken).dispatchEvent(event);
}

/**
 * Where the replay goes: the user's target, unless the page took it out of the document
 * while the files were cleaned (a drop overlay hidden shortly after the last dragover);
 * an event there would reach no listener of the page's. Then what is under the drop
 * now, or for a paste the focused element.
 */
function targetNow(taken: Taken): EventTarget {
  const target = taken.target;
  if (!isNode(target) || target.isConnected) return target;
  const { clientX, clientY } = taken.init;
  const drop = taken.kind === 'drop' && clientX !== undefined && clientY !== undefined ? { x: clientX, y: clientY } : undefined;
  const now = drop ? document.elementFromPoint(drop.x, drop.y) : focused();
  return now ? aimedAt(now, drop) : document;
}

/** A file input's files after a drop on it (or an original the user then chose to send), with its input and change events. */
function fill(input: HTMLInputElement, files: File[]): void {
  if (!files.length) return;
  setFiles(input, files);
  redispatch(input);
}

/** Text fields whose paste inserts text (HTML: the input types with a text editing caret). */
const TEXT_INPUTS = new Set(['text', 'search', 'url', 'tel', 'email', 'password', 'number']);

/** The focused element, also inside shadow roots of either mode. */
function focused(): Element | null {
  let active = document.activeElement;
  for (let inner = active && authorRoot(active)?.activeElement; inner; inner = authorRoot(inner)?.activeElement) {
    active = inner;
  }
  return active;
}

/**
 * What the browser does with a paste no script handled: its text goes in where the
 * caret is. A replayed paste has no such default action, so a paste that carries a
 * picture beside its text (cells copied from a spreadsheet, a note from OneNote) put
 * nothing in a plain text field. Plain text only, never the HTML: inserting a
 * clipboard's markup by script would skip the browser's paste sanitising. (Firefox
 * shows no script, this one included, the text of a paste that also holds a file,
 * though it inserts it itself: there it is lost.)
 */
function pasteText(taken: Taken): void {
  const text = taken.strings.find(([type]) => type === 'text/plain')?.[1];
  const target = taken.target;
  if (!text || !isElement(target)) return;
  const active = focused();
  const field =
    isTextArea(target) || (isInput(target) && TEXT_INPUTS.has(target.type))
      ? target === active && !target.readOnly && !target.disabled
      : isHtmlElement(target) && target.isContentEditable && !!active?.contains(target);
  if (field) document.execCommand('insertText', false, text);
}

/** Pictures both browsers show, which they put in an editable area a picture is pasted into. */
const SHOWN_PICTURES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/**
 * What the browser does with a picture pasted into an editable area no script handled:
 * it puts it in at the caret, as an <img> whose address is the picture's data (measured
 * in both browsers: `<img src="data:image/png;base64,…">`). A replayed paste has no such
 * default action, so a screenshot pasted into a plain editor vanished, silently (a
 * read-only review found it). The cleaned copies go in the same way. Only for a paste of
 * pictures alone: with text beside them (cells from a spreadsheet) the browsers put in
 * the text, as pasteText does.
 */
async function pastePictures(taken: Taken, files: File[]): Promise<void> {
  if (taken.strings.length) return;
  const target = taken.target;
  const pictures = files.filter((f) => SHOWN_PICTURES.has(f.type));
  if (!pictures.length || !isHtmlElement(target) || !target.isContentEditable) return;
  const urls = await Promise.all(pictures.map(dataUrl));
  // Where the caret is now: the person may have moved on while the pictures were cleaned.
  if (!focused()?.contains(target)) return;
  for (const url of urls) document.execCommand('insertImage', false, url);
}

function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Each walked file in the folder it was found in ("holiday/day2/"), from the drop's tree. */
function placeInFolders(tops: Dropped[], files: File[], folder = ''): void {
  for (const node of tops) {
    if ('folder' in node) placeInFolders(node.folder, files, `${folder}${node.name}/`);
    else if (files[node.file]) placeIn(files[node.file], folder);
  }
}

export function guardDrops(hooks: GuardHooks): void {
  const handle = async (taken: Taken) => {
    const walked = await filesOf(taken).catch((e: Error): Walked => ({ files: [], refused: e.message }));
    if (walked.refused) {
      hooks.warn(t('noticeFolderHeldBack', walked.refused));
      return;
    }
    const input = taken.input;
    if (input && isDisabled(input)) return;
    const giving = give(taken, walked);
    // A form submitted while the files dropped on its input are cleaned waits for them
    // (they go in only at the end of `give`).
    if (input) holdWhile(input, giving.catch(() => false));
    await giving;
  };
  /** Cleans the files, replays the event with them, and does what the browser would have. */
  const give = async (taken: Taken, walked: Walked) => {
    const input = taken.input;
    // A folder dropped on a folder input fills it as choosing the folder does: every file,
    // each with its path in the folder (the copies take their originals' places). Anything
    // else dropped there (files, two folders, a folder and files) changes nothing, as in
    // Chromium (measured).
    const folderInput = !!input?.webkitdirectory;
    const oneFolder = walked.tops?.length === 1 && 'folder' in walked.tops[0];
    if (folderInput && oneFolder && walked.tops) placeInFolders(walked.tops, walked.files);
    const fills = input && (!folderInput || oneFolder) ? input : undefined;
    // A choice or drop on the same input made while these are cleaned is newer: it stays.
    const current = fills ? newSelection(fills) : () => true;
    const outcomes = await cleanAll(walked.files, hooks);
    const files = passed(outcomes);
    // The event gets dropped folders as folders where it can; a file input, their files.
    const given = (walked.tops && foldersRebuilt()
      && droppedForPage(walked.tops, outcomes.map((o) => (o.kind === 'blocked' ? undefined : o.file)))) || files;
    const accepted = (given.length || taken.strings.length) && replay(taken, given);
    // What the browser does with a drop no listener cancelled: a file input under it gets
    // its files as if chosen (the first only, without `multiple`, as Chromium's source does,
    // as remembered: not measured), and
    // a paste's text goes in at the caret, or its pictures into an editable area.
    if (accepted && fills && current()) fill(fills, fills.multiple || folderInput ? files : files.slice(0, 1));
    if (accepted && taken.kind === 'paste') {
      pasteText(taken);
      await pastePictures(taken, files).catch(() => undefined); // a copy that cannot be read again stays out
    }
    // "Upload anyway" for a held-back original: the user's explicit choice, as a further
    // drop or paste (on a file input: added to what it holds).
    hooks.report(outcomes, (original) => {
      const again = replay({ ...taken, strings: [] }, [original]);
      if (again && fills && current()) fill(fills, fills.multiple || folderInput ? [...Array.from(fills.files ?? []), original] : [original]);
    });
    // Whether every file went in: a form held meanwhile is not sent without one (forms.ts).
    return files.length === outcomes.length;
  };
  for (const kind of ['drop', 'paste'] as const) {
    listen(
      kind,
      (event) => {
        // Our own replays and page-made events carry no file of the user's: they go through.
        if (!event.isTrusted || hooks.off()) return;
        const taken = take(kind, event);
        if (!taken) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        void handle(taken);
      },
      { capture: true },
    );
  }
}
