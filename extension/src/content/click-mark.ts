// The attribute main-world.ts puts on a file input inside a shadow root while a page
// script clicks it (click(), dispatchEvent, showPicker): in a closed root the guard sees
// the click only as one on the host, and this tells it which input the click is for
// without asking the root, which the page can keep the click from reaching
// (tests/e2e/hostile/closed-root-stopped.html). A page that puts it on another input
// only has the guard's chooser fill that one with cleaned files: the click is cancelled
// either way, so no browser chooser opens.
export const CLICK_MARK = 'data-traceless-click';

// The attribute main-world.ts puts on the input it answers showOpenFilePicker() with. That
// promise settles once, with the first change: when the one chosen file is held back, the
// guard sends no change until the user decides (inputs.ts deliver), so that "Upload the
// original anyway" can still settle it, and a dismissal sends `cancel` (an AbortError, as
// when a chooser is closed). A page that marks an input of its own only delays its own
// change event the same way.
export const PICKER_MARK = 'data-traceless-picker';
