// A same-origin frame sandboxed without allow-scripts runs this content script but not
// main-world.ts, so its built-ins stay native, for its parent's scripts to take: its
// showPicker() or click() called on a detached input of the parent's opened a chooser
// that no listener of the guard's saw (tests/e2e/hostile/detached-sandboxed-*.html).
// Asked while the frame is being made (content scripts run then, before the page's next
// line), main-world.ts in the parent puts its wrappers on this frame's built-ins (its
// section 6), unless its own copy runs here.
import { ADOPT } from './rearm-bridge';

export function askParentToWrapThisFrame(): void {
  if (window === window.top) return;
  let frame: Element | null;
  try {
    frame = window.frameElement; // null in another origin's frame
  } catch {
    return;
  }
  if (frame?.localName === 'iframe') frame.dispatchEvent(new Event(ADOPT));
}
