// Walking a dropped folder (FileSystemEntry API) into the files inside it, with
// bounds: a page cannot make the guard read without end, and a folder too big to
// walk is held back whole rather than passed on unread.

import { t } from '../../shared/i18n';

/** Most files taken from dropped folders in one drop; more, and the drop is held back. */
export const MAX_FOLDER_FILES = 10_000;
/** Deepest folder nesting followed. */
export const MAX_FOLDER_DEPTH = 64;

/** What was dropped as the page's entries show it: a file (an index into `files`), or a folder. */
export type Dropped = { name: string; file: number } | { name: string; folder: Dropped[] };

export interface Walked {
  files: File[];
  /** The dropped entries, top level first, in the order read (walkEntries only). */
  tops?: Dropped[];
  /** Why the drop is held back, when it is. */
  refused?: string;
}

const isFile = (entry: FileSystemEntry): entry is FileSystemFileEntry => entry.isFile;
const isDirectory = (entry: FileSystemEntry): entry is FileSystemDirectoryEntry => entry.isDirectory;

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** All entries of a folder: readEntries answers in batches until an empty one. */
async function children(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

export async function walkEntries(entries: FileSystemEntry[], limits: { maxFiles: number; maxDepth: number }): Promise<Walked> {
  const files: File[] = [];
  /** Adds what `entry` holds to `into`; a reason when the drop must be held back. */
  const visit = async (entry: FileSystemEntry, depth: number, into: Dropped[]): Promise<string | undefined> => {
    if (isFile(entry)) {
      if (files.length >= limits.maxFiles) return t('folderTooManyFiles', limits.maxFiles);
      files.push(await fileOf(entry));
      into.push({ name: entry.name, file: files.length - 1 });
      return undefined;
    }
    if (!isDirectory(entry)) return undefined;
    if (depth >= limits.maxDepth) return t('folderTooDeep', limits.maxDepth);
    const folder: Dropped[] = [];
    into.push({ name: entry.name, folder });
    for (const child of await children(entry)) {
      const refused = await visit(child, depth + 1, folder);
      if (refused) return refused;
    }
    return undefined;
  };
  const tops: Dropped[] = [];
  for (const entry of entries) {
    const refused = await visit(entry, 0, tops);
    if (refused) return { files: [], refused };
  }
  return { files, tops };
}
