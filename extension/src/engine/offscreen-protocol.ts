// Between Chromium's service worker and its offscreen document, which runs the engine
// (background/offscreen-engine.ts, pages/offscreen.ts): an engine request as content
// scripts send it, under its own type, so that only the offscreen document answers it.
import type { EngineRequest } from './service';

export type OffscreenRequest = Omit<EngineRequest, 'type'> & { type: 'traceless:offscreen' };

export function isOffscreenRequest(value: unknown): value is OffscreenRequest {
  const v = value as { type?: unknown; input?: unknown } | null;
  return typeof v === 'object' && v !== null && v.type === 'traceless:offscreen' && v.input instanceof Blob;
}

export function toOffscreen(request: EngineRequest): OffscreenRequest {
  return { ...request, type: 'traceless:offscreen' };
}

export function fromOffscreen(request: OffscreenRequest): EngineRequest {
  return { ...request, type: 'traceless:engine' };
}
