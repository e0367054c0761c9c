// Between Chromium's service worker and its offscreen document, which runs the engine
// (background/offscreen-engine.ts, pages/offscreen.ts): an engine request as content
// scripts send it, under its own type, so that only the offscreen document answers it.
import type { EngineRequest } from './service';

/**
 * Whose work it is: the menu's and the upload guard's each have their own worker, so that
 * an upload does not wait behind a minute's "Save as AVIF" (and the two use both cores).
 */
export type Lane = 'menu' | 'guard';

export type OffscreenRequest = Omit<EngineRequest, 'type'> & { type: 'traceless:offscreen'; lane: Lane };

export function isOffscreenRequest(value: unknown): value is OffscreenRequest {
  const v = value as { type?: unknown; input?: unknown } | null;
  return typeof v === 'object' && v !== null && v.type === 'traceless:offscreen' && v.input instanceof Blob;
}

export function toOffscreen(request: EngineRequest, lane: Lane): OffscreenRequest {
  return { ...request, type: 'traceless:offscreen', lane };
}

export function fromOffscreen(request: OffscreenRequest): EngineRequest {
  const { lane: _lane, ...rest } = request;
  return { ...rest, type: 'traceless:engine' };
}
