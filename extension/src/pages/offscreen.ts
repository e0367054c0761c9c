// Chromium's offscreen document: answers the service worker's engine requests
// (background/offscreen-engine.ts) from an engine worker. The worker is ended after a
// minute without work: a large image leaves the engine's memory grown, and the document
// itself stays open (closing it is the service worker's call, which may not be alive).
import { fromOffscreen, isOffscreenRequest } from '../engine/offscreen-protocol';
import { serve } from '../engine/service';
import { WorkerEngine } from '../engine/worker-client';
import { ext } from '../shared/ext';

const IDLE_MS = 60_000;

let engine: WorkerEngine | undefined;
let pending = 0;
let idle: ReturnType<typeof setTimeout> | undefined;

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id || !isOffscreenRequest(message)) return false;
  clearTimeout(idle);
  pending++;
  // The bytes were read from the request's Blob for the engine alone: handed over, not copied.
  engine ??= new WorkerEngine({ giveInput: true });
  serve(engine, fromOffscreen(message))
    .then(sendResponse)
    .finally(() => {
      if (--pending === 0) idle = setTimeout(endEngine, IDLE_MS);
    });
  return true;
});

function endEngine(): void {
  engine?.terminate();
  engine = undefined;
}
