// "Open in a tab" carries the popup's images to the full-page converter. The
// two pages share the extension's origin, so IndexedDB passes them across; the
// page takes them out again at once. Nothing else is ever kept there. Bytes are
// stored, one file at a time, not the File objects: Firefox cannot read a File
// from an input once the page that picked it has closed ("operation aborted").
import type { Picked } from './collect';

const DATABASE = 'traceless-handoff';
const STORE = 'files';

interface Stored {
  bytes: ArrayBuffer;
  name: string;
  type: string;
  lastModified: number;
  path: string;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 2);
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

export function handOver(picked: readonly Picked[]): Promise<void> {
  return withDatabase(async (db) => {
    await transact(db, 'readwrite', (store) => store.clear());
    for (const { file, path } of picked) {
      const stored: Stored = { bytes: await file.arrayBuffer(), name: file.name, type: file.type, lastModified: file.lastModified, path };
      await transact(db, 'readwrite', (store) => store.add(stored));
    }
  });
}

/** The images handed over, if any; they are removed from the database as they are taken. */
export async function takeOver(): Promise<Picked[]> {
  const stored = await withDatabase(async (db) => {
    const all = await transact<Stored[]>(db, 'readonly', (store) => store.getAll());
    await transact(db, 'readwrite', (store) => store.clear());
    return all;
  });
  return stored
    .filter((s) => s?.bytes instanceof ArrayBuffer && typeof s.path === 'string')
    .map((s) => ({ file: new File([s.bytes], s.name, { type: s.type, lastModified: s.lastModified }), path: s.path }));
}
