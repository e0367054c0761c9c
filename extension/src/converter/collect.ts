// Files the user hands the converter: picked (files or a folder), dropped
// (folders walked) or pasted. Inside folders only images and videos are taken;
// files chosen one by one are all taken, so a wrong one gets a plain message.
import { looksLikeImage, looksLikeVideo, nameLooksLikeMedia } from '../shared/file-kinds';
import { t } from '../shared/i18n';
export interface Picked {
  file: File;
  /** The name, with the folders below the one the user chose. */
  path: string;
}

const looksLikeMedia = (file: File) => looksLikeImage(file) || looksLikeVideo(file);

/** From an <input type=file>, with or without `webkitdirectory`. */
export function fromInput(input: HTMLInputElement): Picked[] {
  const files = [...(input.files ?? [])];
  const folder = files.some((f) => f.webkitRelativePath);
  return files
    .filter((f) => !folder || looksLikeMedia(f))
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** What a drop brought: the files taken, and the paths in its folders that could not be read. */
export interface Dropped {
  picked: Picked[];
  unread: string[];
}

/** From a drop: files as they are, folders walked (their images and videos only). */
export async function fromDrop(data: DataTransfer): Promise<Dropped> {
  // Entries must be taken synchronously, before the event's data store closes.
  const entries = [...data.items]
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }));
  const dropped: Dropped = { picked: [], unread: [] };
  for (const { entry, file } of entries) {
    if (entry?.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${entry.name}/`, dropped);
    else if (file) dropped.picked.push({ file, path: file.name });
  }
  return dropped;
}

/** From a paste: the clipboard's files (a copied image arrives as "image.png"). */
export function fromClipboard(data: DataTransfer | null): Picked[] {
  return [...(data?.files ?? [])].map((file) => ({ file, path: file.name || `${t('pastedImage')}.png` }));
}

/**
 * The images and videos in `dir`. What cannot be read (a broken link, a file without
 * permission, a folder that cannot be listed) is noted and passed over: the rest of the
 * folder is added all the same, where one such entry used to lose the whole drop.
 */
async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: Dropped): Promise<void> {
  const reader = dir.createReader();
  let listedSome = false;
  // readEntries returns the listing in chunks (100 at a time in Chromium) until an empty one.
  for (;;) {
    let chunk: FileSystemEntry[];
    try {
      chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    } catch {
      // Failing part-way, what was listed has been taken: only the rest is left out.
      out.unread.push(listedSome ? t('unreadRestOf', prefix) : prefix);
      return;
    }
    listedSome = true;
    if (chunk.length === 0) break;
    for (const entry of chunk) {
      if (entry.isDirectory) {
        await walk(entry as FileSystemDirectoryEntry, `${prefix}${entry.name}/`, out);
        continue;
      }
      try {
        const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
        if (looksLikeMedia(file)) out.picked.push({ file, path: `${prefix}${file.name}` });
      } catch {
        // Only what would have been taken is worth saying (a folder's other files are passed over).
        if (nameLooksLikeMedia(entry.name)) out.unread.push(`${prefix}${entry.name}`);
      }
    }
  }
}
