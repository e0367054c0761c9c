// Chromium ends a service worker idle for 30 s, and waiting is idle time: for a slow server,
// a "Save as" dialog being answered, or the engine's answer from the offscreen document. Any
// extension API call keeps it (Chromium 110+).
import { ext } from '../shared/ext';

/** Keeps the background alive while `work` runs; for ten minutes at most. */
export async function whileAwake<T>(work: Promise<T>): Promise<T> {
  const started = Date.now();
  const keepAlive = setInterval(() => {
    if (Date.now() - started < 10 * 60_000) void ext.runtime.getPlatformInfo();
  }, 20_000);
  try {
    return await work;
  } finally {
    clearInterval(keepAlive);
  }
}
