// Chromium's offscreen document: answers the service worker's engine requests
// (background/offscreen-engine.ts) from an engine worker. It lives for the long jobs
// only (the menu's, the upload guard's re-encoding): the service worker closes it when
// the last one ends, which frees the engine's memory, and keeps it from receiving the
// content scripts' messages meanwhile (every extension frame gets a runtime message,
// here with its Blob).
import { fromOffscreen, isOffscreenRequest, type Lane } from '../engine/offscreen-protocol';
import { serve } from '../engine/service';
import { WorkerEngine } from '../engine/worker-client';
import { ext } from '../shared/ext';

// A worker per lane, started by its first request (offscreen-protocol.ts).
// The bytes are read from the request's Blob for the engine alone: handed over, not copied.
// No module compiled ahead: the first request comes at once, and picks the one it needs.
const engines = new Map<Lane, WorkerEngine>();

function engineFor(lane: Lane): WorkerEngine {
  let engine = engines.get(lane);
  if (!engine) {
    engine = new WorkerEngine({ giveInput: true, preload: 'none' });
    engines.set(lane, engine);
  }
  return engine;
}

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // From the service worker only: it has no tab, as content scripts do.
  if (sender.id !== ext.runtime.id || sender.tab || !isOffscreenRequest(message)) return false;
  void serve(engineFor(message.lane === 'guard' ? 'guard' : 'menu'), fromOffscreen(message)).then(sendResponse);
  return true;
});
