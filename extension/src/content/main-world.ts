// Runs in the page's own world, before the page's scripts, for what the
// isolated content script cannot do:
//
// 1. A file input never attached to a document (`createElement('input').click()`)
//    sends its input and change events nowhere the guard listens; when the page
//    opens its chooser, the input is put in a hidden holder in the document first.
// 2. Dropped and pasted files reach pages in DragEvent/ClipboardEvent objects
//    whose DataTransfer must be built in this world. Drops and pastes that carry
//    images are stopped here before any page listener, their files cleaned by the
//    isolated content script (over a private MessageChannel, see guard/bridge.ts),
//    and the same event is dispatched again at the same target with the cleaned
//    files and the same text data.
//
// Nothing here talks to the extension, and everything it uses is captured
// before page scripts run.
import type { BridgeReply, BridgeRequest } from './guard/bridge-protocol';
import { looksLikeImage } from './guard/image-files';

(() => {
  const proto = HTMLInputElement.prototype;
  const click = proto.click;
  const showPicker = proto.showPicker;
  const NativeDataTransfer = DataTransfer;
  const NativeDragEvent = DragEvent;
  const NativeClipboardEvent = ClipboardEvent;
  const defineProperty = Object.defineProperty;
  let holder: HTMLElement | undefined;

  function adopt(input: HTMLInputElement): void {
    if (input.type !== 'file' || input.isConnected) return;
    if (!holder || !holder.isConnected) {
      holder = document.createElement('traceless-inputs');
      holder.hidden = true;
      (document.body ?? document.documentElement).append(holder);
    }
    holder.append(input);
  }

  proto.click = function (this: HTMLInputElement) {
    adopt(this);
    return click.call(this);
  };
  if (showPicker) {
    proto.showPicker = function (this: HTMLInputElement) {
      adopt(this);
      return showPicker.call(this);
    };
  }

  // The bridge to the isolated world: the first port posted by it, before any page script.
  let port: MessagePort | undefined;
  let nextId = 1;
  const waiting = new Map<number, (files: File[]) => void>();
  window.addEventListener(
    'message',
    (event) => {
      if (port || event.source !== window || (event.data as { type?: string })?.type !== 'traceless:bridge') return;
      if (!event.ports[0]) return;
      event.stopImmediatePropagation();
      port = event.ports[0];
      port.onmessage = (reply: MessageEvent<BridgeReply>) => {
        waiting.get(reply.data.id)?.(reply.data.files);
        waiting.delete(reply.data.id);
      };
    },
    { capture: true },
  );

  function cleaned(files: File[]): Promise<File[]> {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      port!.postMessage({ id, files } satisfies BridgeRequest);
    });
  }

  const replayed = new WeakSet<Event>();

  /** The files and the text data of a transfer, read while the event is live. */
  function snapshot(transfer: DataTransfer): { files: File[]; strings: [string, string][] } {
    const files = Array.from(transfer.files);
    const strings = Array.from(transfer.types)
      .filter((type) => type !== 'Files')
      .map((type): [string, string] => [type, transfer.getData(type)]);
    return { files, strings };
  }

  function rebuilt(files: File[], strings: [string, string][]): DataTransfer {
    const transfer = new NativeDataTransfer();
    for (const [type, value] of strings) transfer.setData(type, value);
    for (const file of files) transfer.items.add(file);
    return transfer;
  }

  function guard(type: 'drop' | 'paste'): void {
    window.addEventListener(
      type,
      (event) => {
        if (!port || replayed.has(event)) return;
        const transfer = type === 'drop' ? (event as DragEvent).dataTransfer : (event as ClipboardEvent).clipboardData;
        if (!transfer) return;
        const { files, strings } = snapshot(transfer);
        if (!files.some(looksLikeImage)) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        const target = event.composedPath()[0] ?? event.target;
        const init = { bubbles: true, cancelable: true, composed: true };
        void cleaned(files).then((clean) => {
          const data = rebuilt(clean, strings);
          let again: Event;
          if (type === 'drop') {
            const e = event as DragEvent;
            again = new NativeDragEvent('drop', {
              ...init, dataTransfer: data, clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
              ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey,
            });
          } else {
            again = new NativeClipboardEvent('paste', init);
            // Firefox empties a DataTransfer handed to the ClipboardEvent constructor: give the event ours.
            defineProperty(again, 'clipboardData', { value: data, enumerable: true });
          }
          replayed.add(again);
          target?.dispatchEvent(again);
        });
      },
      { capture: true },
    );
  }
  guard('drop');
  guard('paste');

  // 3. File System Access (Chromium): files read through the handles that
  //    showOpenFilePicker() returns are cleaned like picked files. Only those
  //    handles: a page's own files (origin-private storage) are left alone.
  const scope = window as { showOpenFilePicker?: (options?: unknown) => Promise<FileSystemFileHandle[]> };
  const pick = scope.showOpenFilePicker;
  const Handle = (window as { FileSystemFileHandle?: typeof FileSystemFileHandle }).FileSystemFileHandle;
  if (pick && Handle) {
    const picked = new WeakSet<FileSystemFileHandle>();
    const getFile = Handle.prototype.getFile;
    scope.showOpenFilePicker = async function (this: unknown, options?: unknown) {
      const handles = await pick.call(this, options);
      for (const handle of handles) picked.add(handle);
      return handles;
    };
    Handle.prototype.getFile = async function (this: FileSystemFileHandle) {
      const file = await getFile.call(this);
      if (!picked.has(this) || !port || !looksLikeImage(file)) return file;
      const [clean] = await cleaned([file]);
      if (!clean) throw new DOMException(`Traceless held back ${file.name}: it could not be cleaned.`, 'NotReadableError');
      return clean;
    };
  }
})();
