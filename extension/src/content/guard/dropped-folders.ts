// A dropped folder given back to the page as a folder. The guard walks it, cleans
// its files, and replays the drop (drops.ts); a DataTransfer made by script cannot
// hold a folder, so each dropped folder goes in as an empty File named like it (what
// the browser's own drop shows `files` for a folder), and main-world.ts answers
// webkitGetAsEntry() for that stand-in with the folder's entries, made of the cleaned
// copies: uploaders that walk entries (Dropzone, Uppy, WordPress's) find the folder
// and its subfolders, and every file's fullPath, as in the user's drop.
//
// Only where main-world.ts already makes replayed drops' entries (Chromium, which gives
// a script's DataTransfer none); elsewhere (Firefox) the folder arrives as a flat list
// of its files, as before.
import { FOLDERS, FOLDERS_FOR } from '../rearm-bridge';
import { handToPageWorld } from '../lasting-listeners';
import type { Dropped } from './folders';
import { scriptDropsHaveNoEntries } from '../script-drops';

let rebuilt: boolean | undefined;
/** Whether a dropped folder can be given back as a folder here. */
export function foldersRebuilt(): boolean {
  return (rebuilt ??= typeof cloneInto !== 'function' && scriptDropsHaveNoEntries());
}
declare const cloneInto: unknown;

/**
 * What main-world.ts is told of a folder: a file is its index among the carried files,
 * a folder [name, [its children]]. Arrays only: nothing a page could answer for through
 * Object.prototype.
 */
type Node = number | [string, Node[]];

/**
 * The files the replayed drop holds: each dropped file's copy, and for each dropped
 * folder its stand-in, whose entries main-world.ts is told of now (before the replay,
 * since dispatch is synchronous). `copies[i]` is walked file i's copy, or undefined
 * when it was held back (then it is not in the folder). Undefined when main-world.ts
 * did not take the folders: then the drop goes as a flat list of its files.
 */
export function droppedForPage(tops: Dropped[], copies: (File | undefined)[]): File[] | undefined {
  const carried: File[] = [];
  const carry = (file: File) => carried.push(file) - 1;
  const encode = (nodes: Dropped[]): Node[] =>
    nodes.flatMap((node): Node[] => {
      if ('folder' in node) return [[node.name, encode(node.folder)]];
      const copy = copies[node.file];
      return copy ? [carry(copy)] : [];
    });
  const given: File[] = [];
  const folders: [number, Node[]][] = [];
  for (const top of tops) {
    if ('folder' in top) {
      const standIn = new File([], top.name);
      given.push(standIn);
      folders.push([carry(standIn), encode(top.folder)]);
    } else {
      const copy = copies[top.file];
      if (copy) given.push(copy);
    }
  }
  // Only cleaned copies, and files that were not images, are handed over. Unless
  // main-world.ts took the folders in hand, the page gets the flat list, never stand-ins
  // that would stand for nothing.
  if (folders.length && !handToPageWorld(FOLDERS_FOR, FOLDERS, carried, JSON.stringify(folders))) return undefined;
  return given;
}
