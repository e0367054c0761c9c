// A same-origin realm where main-world.ts cannot run (a frame or a page sandboxed without
// allow-scripts, by attribute or by its own header) still has built-ins, which the windows
// that can reach it may take: its showPicker() or click() called on a detached input of
// theirs opened a chooser that no listener of the guard's saw
// (tests/e2e/hostile/detached-sandboxed-*.html). This content script runs there, while the
// realm is made (before the page's next line); it asks main-world.ts in every window that
// can reach this one, every same-origin window above it and its opener, to put its
// wrappers on this realm's built-ins (main-world.ts, section 6). Each asks with this window
// itself as the event's `source`: the frame's element may be in a closed shadow root, or be
// an <object>, where no event of its own would reach them.
import { ADOPT } from './rearm-bridge';

export function askToBeWrapped(): void {
  const ask = (other: Window | null) => {
    try {
      other?.document.dispatchEvent(new MessageEvent(ADOPT, { source: window }));
    } catch {
      // another origin's window: it cannot reach this one's built-ins either
    }
  };
  for (let above: Window = window; above !== above.parent; ) {
    above = above.parent;
    ask(above);
  }
  ask(window.opener as Window | null);
}
