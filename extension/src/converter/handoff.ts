// "Open in a tab" carries the popup's images to the full-page converter. The
// two pages share the extension's origin, so IndexedDB passes them across; the
// page takes them out again at once. Nothing else is ever kept there. The bytes
// are copied, not the File objects: Firefox cannot read a File from an input once
// the page that picked it has closed ("operation aborted"). They are copied a
// slice at a time, as Blobs, so that a phone video of several gigabytes is not read
// whole into memory here; the page builds its File from the Blobs it reads back,
// without reading them (memory with such a video not measured).
import type { Result } from './batch';
import type { Picked } from './collect';

/** An image handed over, with the copy the popup made of it, if any (not made again). */
export interface HandedOver extends Picked {
  result?: Result;
}

const DATABASE = 'traceless-handoff';
const STORE = 'files';

/** One record per file, followed by its parts and its copy, in key order. */
type Stored =
  /** When the hand-over was made: first, so a page that opens later can tell a stale one. */
  | { kind: 'stamp'; at: number }
  | { kind: 'file'; name: string; type: string; lastModified: number; path: string }
  | { kind: 'part'; blob: Blob }
  // A copy is a Blob the engine made (not a File from an input): stored as it is.
  | { kind: 'copy'; result: Result };

/** Each transaction holds one slice of a file in memory until it commits. */
const SLICE = 2 * 1024 * 1024;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 3);
    request.onupgradeneeded = () => {
      for (const name of [...request.result.objectStoreNames]) request.result.deleteObjectStore(name);
      request.result.createObjectStore(STORE, { autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transact<T>(db: IDBDatabase, mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = act(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    // A full disk aborts the commit (no error event): "Open in a tab" must not wait forever.
    transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
  });
}

/** One database connection for the whole job, closed whatever happens. */
async function withDatabase<T>(job: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await job(db);
  } finally {
    db.close();
  }
}

export function handOver(picked: readonly HandedOver[]): Promise<void> {
  return withDatabase(async (db) => {
    await transact(db, 'readwrite', (store) => store.clear());
    try {
      await writeAll(db, picked);
    } catch (e) {
      // What was written of the originals does not stay behind.
      await transact(db, 'readwrite', (store) => store.clear()).catch(() => {});
      throw e;
    }
  });
}

/** Each file as a record and its slices, then its copy if it has one. */
async function writeAll(db: IDBDatabase, picked: readonly HandedOver[]): Promise<void> {
  const stamp: Stored = { kind: 'stamp', at: Date.now() };
  await transact(db, 'readwrite', (store) => store.add(stamp));
  for (const { file, path, result } of picked) {
    const header: Stored = { kind: 'file', name: file.name, type: file.type, lastModified: file.lastModified, path };
    await transact(db, 'readwrite', (store) => store.add(header));
    for (let at = 0; at < file.size; at += SLICE) {
      // Read here, while the popup is open: the database copies what it is given.
      const part: Stored = { kind: 'part', blob: new Blob([await file.slice(at, at + SLICE).arrayBuffer()]) };
      await transact(db, 'readwrite', (store) => store.add(part));
    }
    if (result) {
      const copy: Stored = { kind: 'copy', result };
      await transact(db, 'readwrite', (store) => store.add(copy));
    }
  }
}

/**
 * Deletes whatever a failed hand-over left (the originals, metadata and all, on disk):
 * best effort, and never rejects.
 */
export function discardHandOver(): Promise<void> {
  return new Promise((resolve) => {
    try {
      const request = indexedDB.deleteDatabase(DATABASE);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
}

/** A hand-over this recent may be one whose tab is still loading: it is left for that tab. */
const FRESH_MS = 60_000;

/**
 * Deletes a hand-over no page took (its tab failed to open, or closed before it loaded),
 * which would keep the originals, metadata and all, on disk until the next one; not one
 * made in the last minute, whose tab may be loading still. Best effort, never rejects.
 */
export async function discardStaleHandOver(): Promise<void> {
  try {
    // Not opened when it is not there: opening would make it.
    const databases = await indexedDB.databases?.();
    if (databases && !databases.some((d) => d.name === DATABASE)) return;
    const [first] = await withDatabase((db) => transact<Stored[]>(db, 'readonly', (store) => store.getAll(null, 1)));
    if (first?.kind === 'stamp' && Date.now() - first.at < FRESH_MS) return;
  } catch {
    // Unreadable: deleted below.
  }
  await discardHandOver();
}

/** The images handed over, if any; they are removed from the database as they are taken. */
export async function takeOver(): Promise<HandedOver[]> {
  const stored = await withDatabase(async (db) => {
    const all = await transact<Stored[]>(db, 'readonly', (store) => store.getAll());
    await transact(db, 'readwrite', (store) => store.clear());
    return all;
  });
  const taken: HandedOver[] = [];
  let current: { header: Extract<Stored, { kind: 'file' }>; parts: Blob[]; result?: Result } | undefined;
  const close = () => {
    if (!current) return;
    const { header, parts, result } = current;
    const file = new File(parts, header.name, { type: header.type, lastModified: header.lastModified });
    taken.push({ file, path: header.path, ...(result ? { result } : {}) });
  };
  for (const record of stored) {
    if (record?.kind === 'file' && typeof record.path === 'string') {
      close();
      current = { header: record, parts: [] };
    } else if (record?.kind === 'part' && record.blob instanceof Blob) current?.parts.push(record.blob);
    else if (record?.kind === 'copy' && record.result?.blob instanceof Blob && current) current.result = record.result;
  }
  close();
  return taken;
}
