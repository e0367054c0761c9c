// The engine as content scripts reach it: runtime messages to the background,
// which runs it. Both browsers carry the bytes as structured clones (Chromium
// through the manifest's message_serialization), so nothing is encoded, and
// nothing is added to the page: no frame, no web-accessible resource a page
// could load to learn that Traceless is installed.
import { MessagingEngine } from '../engine/messaging-engine';

const engine = new MessagingEngine();

export function contentEngine(): Promise<MessagingEngine> {
  return Promise.resolve(engine);
}
