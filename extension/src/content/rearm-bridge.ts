// The names of the events by which the two content scripts, the guard (isolated world)
// and main-world.ts (the page's world), agree on the element that tells the guard to add
// its listeners again after document.open() (see lasting-listeners.ts). The handshake
// happens before any page script runs, whichever of the two scripts the browser runs first:
//
//   guard: makes a detached element and announces it on document (BRIDGE, as the event's
//          relatedTarget), and again on every HELLO, until DONE;
//   main world: keeps the first BRIDGE's element, says DONE; says HELLO once when it starts.
//
// Afterwards the main world dispatches REARM at that element whenever the document is
// opened, and WATCH (a MouseEvent whose relatedTarget is the element clicked) before a
// script's click the guard would not see, WATCHED after it (guard/flips.ts). The guard
// dispatches PATHS_FOR there (a MouseEvent whose relatedTarget is a detached input of
// its own holding cleaned copies it just gave a page's input), then PATHS (a CustomEvent
// whose detail is a JSON array of their paths in a chosen folder: guard/relative-paths.ts);
// likewise FOLDERS_FOR (a detached input holding a replayed drop's files) and FOLDERS (the
// dropped folders made of them, guard/dropped-folders.ts); main-world.ts answers each
// string it took in hand with `${type}${DONE_SUFFIX}`. A page that
// somehow got the element could only make the guard add listeners it already has, or
// watch an input's type, or give its own files paths, or have the guard warn the user
// about its own page (LOST), or have it listen on a shadow root (SHADOW).
// ADOPT is not part of the handshake: the guard in a realm where main-world.ts cannot run
// dispatches it at the documents of the windows that can reach it (frame-adoption.ts).
export const ADOPT = 'traceless-adopt-frame';
export const BRIDGE = 'traceless-rearm-bridge';
export const HELLO = 'traceless-rearm-hello';
export const DONE = 'traceless-rearm-done';
export const REARM = 'traceless-rearm';
/** After a REARM: the page's listeners may be ahead of the guard's for good (main-world.ts, settle()). */
export const LOST = 'traceless-rearm-lost';
/** Answered as REARM is, re-adding nothing: the stack room a re-arming takes (main-world.ts, roomAfter()). */
export const TRIAL = 'traceless-rearm-trial';
export const WATCH = 'traceless-watch-click';
/** A closed shadow root the page just made (a MouseEvent whose relatedTarget is the root, or its host once retargeted); answered as REARM is. */
export const SHADOW = 'traceless-closed-root';
export const WATCHED = 'traceless-watched-click';
export const PATHS_FOR = 'traceless-paths-for';
export const PATHS = 'traceless-paths';
export const FOLDERS_FOR = 'traceless-folders-for';
export const FOLDERS = 'traceless-folders';
export const DONE_SUFFIX = '-done';
