// The attribute main-world.ts puts on a file input inside a shadow root while a page
// script clicks it (click(), dispatchEvent, showPicker): in a closed root the guard sees
// the click only as one on the host, and this tells it which input the click is for
// without asking the root, which the page can keep the click from reaching
// (tests/e2e/hostile/closed-root-stopped.html). A page that puts it on another input
// only has the guard's chooser fill that one with cleaned files: the click is cancelled
// either way, so no browser chooser opens.
export const CLICK_MARK = 'data-traceless-click';
