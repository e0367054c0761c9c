// Where a file sits in a folder the user chose (<input webkitdirectory>): its
// webkitRelativePath, "holiday/day2/hill.jpg". Folder uploaders rebuild the folder from
// it, and Chromium sends it as the file's name when it submits a form or a FormData made
// of one (measured; PHP 8.1's $_FILES full_path keeps it). A cleaned copy is a new File, which
// the browser gives no path (and a script cannot: the property is read-only), so the
// guard keeps each copy's folder here; main-world.ts gives the copies their paths where
// the page reads them, and forms name them by their paths (namePathsInForms), as does a
// script's own FormData (main-world.ts). Not covered: a form in a shadow root (its
// formdata event does not leave it), and a copy posted to a worker (its own property
// stays behind).
import { PATHS, PATHS_FOR } from '../rearm-bridge';
import { handToPageWorld, listen } from '../lasting-listeners';

/**
 * The folder of a cleaned copy from a chosen folder, "holiday/day2/", in a property of
 * the copy's own: a WeakMap keyed by the File would lose it if the engine dropped an
 * unmodified wrapper and made a new one before the form is sent (main-world.ts keeps
 * its stand-ins' folders the same way).
 */
const FOLDER = Symbol('traceless folder');
const folderOf = (file: File): string | undefined => (file as File & { [FOLDER]?: string })[FOLDER];

/** `file` sits in `folder` ("holiday/day2/"): a file of a folder dropped on a webkitdirectory input. */
export function placeIn(file: File, folder: string): void {
  if (folder) Object.defineProperty(file, FOLDER, { value: folder });
}

/** `copy` sits where `original` sat (nothing, if the original came from no folder). */
export function placeLike(copy: File, original: File): void {
  placeIn(copy, folderOf(original) ?? original.webkitRelativePath.slice(0, original.webkitRelativePath.lastIndexOf('/') + 1));
}

/** The path the page sees for `file`: "holiday/day2/hill.jpg", or its name alone outside any folder. */
export function pathOf(file: File): string {
  const folder = folderOf(file);
  return folder === undefined ? file.webkitRelativePath || file.name : folder + file.name;
}

/**
 * Tells main-world.ts the paths of the copies among `files` (just put in a page's input),
 * handed over in an input of ours rather than named by the page's (which may be in a
 * shadow root, and an event at the bridge names only its host): the same File objects,
 * so the page's input shows the paths given to them. Nothing when none came from a folder.
 */
export function tellPaths(files: File[]): void {
  const copies = files.filter((file) => folderOf(file) !== undefined);
  if (!copies.length) return;
  // Unacknowledged (no main-world.ts in this frame), the page reads no path, as for a
  // copy in a frame the guard could not reach; forms still send the paths.
  handToPageWorld(PATHS_FOR, PATHS, copies, JSON.stringify(copies.map(pathOf)));
}

/**
 * The entries of `data`, through its iterator's own next(): in Firefox a content script
 * sees the page's iterator through an Xray, which Array.from and for-of find empty.
 */
function entriesOf(data: FormData): [string, FormDataEntryValue][] {
  const all: [string, FormDataEntryValue][] = [];
  const entries = data.entries();
  for (let step = entries.next(); !step.done; step = entries.next()) all.push([step.value[0], step.value[1]]);
  return all;
}

/**
 * A form's entries as the browser sends them (a submission, or `new FormData(form)`):
 * each copy from a chosen folder named by its path, as Chromium names the originals.
 * The entries are put back in their order; what is not a copy stays the same object.
 * (A script's own FormData.append(copy): main-world.ts, section 5.)
 */
export function namePathsInForms(): void {
  const refill = (data: FormData, entries: [string, FormDataEntryValue][], named: boolean) => {
    for (const name of new Set(entries.map(([name]) => name))) data.delete(name);
    for (const [name, value] of entries) {
      if (named && value instanceof File && folderOf(value) !== undefined) data.append(name, value, pathOf(value));
      else data.append(name, value);
    }
  };
  listen(
    'formdata',
    (event) => {
      // The browser's own (a submission, new FormData(form)); a page's event is the page's.
      if (!event.isTrusted) return;
      const data = event.formData;
      const entries = entriesOf(data);
      if (!entries.some(([, value]) => value instanceof File && folderOf(value) !== undefined)) return;
      try {
        refill(data, entries, true);
      } catch {
        refill(data, entries, false); // as it was: never a form emptied halfway
      }
    },
    { capture: true },
  );
}
