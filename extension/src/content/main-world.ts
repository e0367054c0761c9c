// Runs in the page's own world, before the page's scripts, for the two things
// the isolated content script cannot see from there. It never touches a user's
// original file: the page can replace any built-in it calls later, so only
// cleaned files may pass through here.
//
// 1. A file input that is not in the document (`createElement('input').click()`)
//    sends its click event nowhere the guard listens. When a script clicks a
//    detached file input or anything in a detached label, its tree is put in the
//    document for that one click, so the guard sees the click (guard/picker.ts
//    opens its private chooser instead), then taken out again. Of a script's click
//    on another input that the guard would not see, it is told through the rearm
//    bridge (guard/flips.ts watches whether the page makes it a file input).
// 2. File System Access: showOpenFilePicker() would hand the page handles to the
//    originals. It is answered through a file input the guard cleans, with
//    handles whose getFile() returns the cleaned copies. showDirectoryPicker()
//    is withdrawn (pages fall back to <input webkitdirectory>, which the guard
//    covers): fail closed.
// 3. document.open() (and a write() that opens the document) erases every
//    listener of the document and its window, the guard's too: the moment it
//    returns, the guard is told to add them again (lasting-listeners.ts).
// 4. A dropped file the guard replays (cleaned, in a DataTransfer made by script)
//    has no file-system entry in Chromium: webkitGetAsEntry() gives the page a
//    file entry for it, as for the user's drop, so uploaders that read entries
//    (WordPress's plupload, Fine Uploader) get the file instead of nothing; a dropped
//    folder the guard replays as a stand-in file gets a folder's entry, made of the
//    cleaned copies (guard/dropped-folders.ts).
// 5. Folders chosen in <input webkitdirectory>: the guard's cleaned copies are new
//    files, without the path in the folder that uploaders rebuild the folder from. The
//    guard says each copy's path (strings only); here, where the page reads them, the
//    copies get their webkitRelativePath.
// 6. A same-origin realm where this script cannot run (sandboxed without allow-scripts)
//    still has built-ins, which the windows that reach it may take: its click() or
//    showPicker() on a detached input of theirs opened a chooser no listener of the
//    guard's saw. The guard's content script, which runs there, asks this script in those
//    windows to put its wrappers on that realm's built-ins, before the page's next line.
// 7. A closed shadow root is named to the guard as it is made, before the page can add
//    listeners to it: Firefox keeps a file chooser's input event inside the root, where
//    the guard's must come first.
//
// Every built-in used after page scripts start is captured now, uncurried, so a
// page that replaces Function.prototype.call, a getter or a prototype method
// cannot make this script skip its step.
import { ADOPT, BRIDGE, DONE, DONE_SUFFIX, FOLDERS, FOLDERS_FOR, HELLO, LOST, PATHS, PATHS_FOR, REARM, SHADOW, TRIAL, WATCH, WATCHED } from './rearm-bridge';
import { CLICK_MARK, PICKER_MARK } from './click-mark';
import { scriptDropsHaveNoEntries } from './script-drops';

(() => {
  const { bind, call } = Function.prototype;
  /** `f(self, ...args)` for a method `self.f(...args)`, immune to later changes of call/bind. */
  const uncurry = bind.bind(call) as <A extends unknown[], R>(fn: (...args: A) => R) => (self: unknown, ...args: A) => R;
  const getter = (proto: object, name: string) =>
    uncurry(Object.getOwnPropertyDescriptor(proto, name)!.get! as () => unknown);
  const defineProperty = Object.defineProperty;
  const create = Object.create;

  const elementProto = HTMLElement.prototype;
  const inputProto = HTMLInputElement.prototype;
  const nativeClick = elementProto.click;
  const nativeShowPicker = inputProto.showPicker as (() => void) | undefined;
  // Uncurried as the rest: `nativeShowPicker.call(...)` handed the native to a page that had replaced call().
  const showPicker = nativeShowPicker && uncurry(nativeShowPicker);
  const nativeDispatch = EventTarget.prototype.dispatchEvent;
  const click = uncurry(nativeClick);
  const dispatch = uncurry(nativeDispatch);
  const inputType = getter(inputProto, 'type') as (el: unknown) => string;
  const localName = getter(Element.prototype, 'localName') as (el: unknown) => string;
  const labelControl = getter(HTMLLabelElement.prototype, 'control') as (el: unknown) => HTMLElement | null;
  const isConnected = getter(Node.prototype, 'isConnected') as (node: unknown) => boolean;
  const eventType = getter(Event.prototype, 'type') as (event: unknown) => string;
  const composed = getter(Event.prototype, 'composed') as (event: unknown) => boolean;
  const getRootNode = uncurry(Node.prototype.getRootNode);
  const append = uncurry(Element.prototype.append);
  const remove = uncurry(Element.prototype.remove);
  const createElement = uncurry(Document.prototype.createElement);
  const documentElement = getter(Document.prototype, 'documentElement') as (d: unknown) => Element | null;
  const ownerDocument = getter(Node.prototype, 'ownerDocument') as (node: unknown) => Document;
  const setHidden = uncurry(Object.getOwnPropertyDescriptor(elementProto, 'hidden')!.set!);
  const parentNode = getter(Node.prototype, 'parentNode') as (node: unknown) => Node | null;
  const nextSibling = getter(Node.prototype, 'nextSibling') as (node: unknown) => Node | null;
  const insertBefore = uncurry(Node.prototype.insertBefore);
  const nodeType = getter(Node.prototype, 'nodeType') as (node: unknown) => number;
  const defaultView = getter(Document.prototype, 'defaultView') as (d: unknown) => Window | null;
  const NativeMouseEvent = MouseEvent;
  const NativeRangeError = RangeError;
  const NativeTypeError = TypeError;
  const NativeDOMException = DOMException;
  const shadowHost = getter(ShadowRoot.prototype, 'host') as (root: unknown) => Element;
  const doc = document;

  /**
   * The element's local name, read by the engine's own getter (a page cannot fake it), or ''
   * for what is not an element. Asked first so that the wrappers throw nothing inside for
   * the elements they leave alone: a caught exception per call made click() 8 times slower
   * in Chromium, which a page could time (tests/e2e/fingerprint.test.mjs).
   */
  function nameOf(el: unknown): string {
    try {
      return localName(el);
    } catch (error) {
      return notApplicable(error, '');
    }
  }

  /**
   * `answer` for a brand check's TypeError (what the engine throws for the wrong kind of
   * object) or a DOMException (another origin's object); anything else goes on: a stack that
   * ran out inside a check says nothing of the element, and taking it for "not an element"
   * clicked a file input natively, unseen (tests/e2e/hostile/click-deep-stack-detached.html).
   */
  function notApplicable<T>(error: unknown, answer: T): T {
    if (error instanceof NativeTypeError || error instanceof NativeDOMException) return answer;
    throw error;
  }

  /** A file input, told by the engine's own brand check (a page cannot fake `type` or `instanceof`). */
  function fileInput(el: unknown): HTMLInputElement | undefined {
    if (nameOf(el) !== 'input') return undefined;
    try {
      return inputType(el) === 'file' ? (el as HTMLInputElement) : undefined;
    } catch (error) {
      return notApplicable(error, undefined); // an 'input' element outside the HTML namespace
    }
  }

  /**
   * Whether `target` is a node that is no element (text, a comment, a shadow root) in a label:
   * a click dispatched there activates the label, which clicks its control.
   */
  function inLabel(target: unknown): boolean {
    try {
      nodeType(target);
    } catch (error) {
      return notApplicable(error, false); // not a node
    }
    return labelAround(target as Node) !== null;
  }

  /** The parent of `node`, or the host of a shadow root, or null (captured getters only). */
  function parentOrHost(node: Node): Node | null {
    if (nodeType(node) !== 11) return parentNode(node);
    try {
      return shadowHost(node);
    } catch (error) {
      return notApplicable(error, null); // a plain fragment
    }
  }

  /**
   * The nearest HTML label `el` is in (itself included; through shadow roots to their hosts),
   * or null. Another namespace's element named "label" is none, nor stops the search.
   */
  function labelAround(el: Node): Node | null {
    for (let node: Node | null = el; node; node = parentOrHost(node)) {
      if (nameOf(node) === 'label' && takenBy(node, labelControl)) return node;
    }
    return null;
  }

  /** Whether `brandGetter` (a getter of an HTML interface) takes `el`: an HTML element of that kind, not one of another namespace with its name. */
  function takenBy(el: unknown, brandGetter: (el: unknown) => unknown): boolean {
    try {
      brandGetter(el);
      return true;
    } catch (error) {
      return notApplicable(error, false);
    }
  }

  /**
   * The file input that activating `el` would open a chooser for: `el` itself, or the
   * control of the label it is in (a click on a span in a label is the label's:
   * tests/e2e/hostile/label-child.html).
   */
  function chooserOf(el: Node): HTMLInputElement | undefined {
    const input = fileInput(el);
    // An HTML input's click is its own; another namespace's "input" is no input, and its
    // label's (tests/e2e/hostile/foreign-input-in-label.html).
    if (input || (nameOf(el) === 'input' && takenBy(el, inputType))) return input;
    const label = labelAround(el); // an HTML label (labelAround): its control is there to read
    return label ? fileInput(labelControl(label)) : undefined;
  }

  const inShadowRoot = (node: Node) => nodeType(getRootNode(node)) === 11;

  /**
   * The file input in a shadow root that a click dispatched at `el` would open. Such a
   * click made with `composed: false` never leaves the root, so the guard's listeners (on
   * window, and on the roots it knows) do not see it (tests/e2e/hostile/shadow-inner-click.html).
   */
  function shadowChooser(el: Node): HTMLInputElement | undefined {
    if (!inShadowRoot(el)) return undefined;
    const input = chooserOf(el);
    return input && inShadowRoot(input) ? input : undefined;
  }

  const setAttribute = uncurry(Element.prototype.setAttribute);
  const removeAttribute = uncurry(Element.prototype.removeAttribute);

  /** Runs `activate` (a script's click on `el`) with the shadow-root input it opens marked (click-mark.ts). */
  function marked<T>(el: Node, activate: () => T): T | undefined {
    const input = shadowChooser(el);
    if (!input) return activate();
    const connected = isConnected(el);
    setAttribute(input, CLICK_MARK, '');
    try {
      // Marking may run the page's code (a customized built-in input observing the mark), which
      // may move either: then no click, as one on a node taken out would open a chooser unseen.
      if (isConnected(el) !== connected || shadowChooser(el) !== input) return undefined;
      return activate();
    } finally {
      removeAttribute(input, CLICK_MARK);
    }
  }

  /**
   * The outermost element of a detached tree (through shadow roots to their hosts):
   * moved into the document whole, so a label keeps its control.
   */
  function treeOf(node: Node): Element {
    let element = node as Element;
    for (let up = parentOrHost(node); up; up = parentOrHost(up)) {
      if (nodeType(up) === 1) element = up as Element;
    }
    return element;
  }

  /**
   * Runs `activate` with `node`'s detached tree in the document, then takes it out again:
   * the guard sees the click there (guard/picker.ts). The holder's name has no hyphen, so
   * no page can make it a custom element that takes the tree out as it goes in; should
   * anything else (a custom element of the page's in the tree) do so, the click is not
   * made: a chooser for a detached input would open unseen.
   */
  function inDocument<T>(node: Node, activate: () => T): T | undefined {
    // The node's own document, not this realm's: a page may call a frame's click() on
    // its own input, and the user's click (and the guard that sees it) is in that document.
    const owner = ownerDocument(node);
    const top = documentElement(owner);
    // No chooser opens in a document without a window (a template's content).
    if (!top) return defaultView(owner) ? undefined : activate();
    const tree = treeOf(node);
    // A tree in a document fragment goes back where it was.
    const parent = parentNode(tree);
    const next = nextSibling(tree);
    const holder = createElement(owner, 'traceless');
    setHidden(holder, true);
    try {
      append(holder, tree);
      append(top, holder);
      return isConnected(node) ? activate() : undefined;
    } finally {
      remove(tree);
      remove(holder);
      try {
        if (parent) insertBefore(parent, tree, next);
      } catch {
        // the page moved `next` meanwhile: the tree stays detached, as click() never throws
      }
    }
  }

  /**
   * Runs `activate`, a script's click on `el` that reaches no listener of the guard's (`el`
   * is detached, or the click is dispatched with `composed: false` inside a shadow root),
   * after telling the guard, through the element of rearm-bridge.ts, to watch the type of
   * the inputs it could open (guard/flips.ts): a page's listener can make a text input a
   * file input during its own click (tests/e2e/hostile/type-flip.html). Only for an input
   * or what is in a label: other clicks go straight through.
   */
  function watched<T>(el: Node, activate: () => T): T {
    if (!bridge || (nameOf(el) !== 'input' && !labelAround(el))) return activate();
    roomForGuard();
    // The event's relatedTarget reaches the guard as `el`, or, inside a shadow root, as its host.
    dispatch(bridge, new NativeMouseEvent(WATCH, { relatedTarget: el as EventTarget }));
    try {
      return activate();
    } finally {
      settled();
    }
  }

  /**
   * Tells the guard a script's click is over, before the script's next line: an input the
   * click made a file input is back in the document at once, should the page take it out
   * and then wait in a nested event loop (a synchronous request) for the chooser's answer.
   * Defence in depth: with real dialogs neither browser gave the answer inside such a loop
   * without it either (tests/e2e/hostile/type-flip-sync-wait.html).
   */
  function settled(): void {
    if (bridge) dispatch(bridge, new NativeEvent(WATCHED));
  }

  /**
   * Runs `activate`, a script's click on `el` (click(), showPicker(), or a composed click
   * event), so that the guard sees what it could open. A connected element's click reaches
   * the guard at window. A detached one's reaches nothing: one that would open a file
   * chooser (a file input, or anything in a label, whose activation clicks the label's
   * control, found only then: label-retarget.html) has its tree put in the document for the
   * click; for another input the guard watches its type.
   */
  function seen<T>(el: unknown, activate: () => T): T | undefined {
    const name = nameOf(el);
    if (name === '' && !inLabel(el)) return activate();
    const node = el as Node;
    const connected = isConnected(node);
    if (connected && name !== 'input') {
      // What is in a label clicks its control: the guard's listener must have room for it.
      if (labelAround(node)) roomForGuard();
      return marked(node, activate);
    }
    if (!connected && !fileInput(node) && !labelAround(node)) return watched(node, activate);
    roomForGuard();
    try {
      return marked(node, connected ? activate : () => inDocument(node, activate));
    } finally {
      settled();
    }
  }

  /**
   * Throws unless the guard's part of a click (or of another step of the page's that the
   * guard must see, as a closed root made: section 7) has room on the stack: a click that would
   * open a chooser, made with the stack nearly full, opened it natively where the guard's
   * listener ran out of stack before it could cancel it
   * (tests/e2e/hostile/click-deep-stack-detached.html, click-deep-stack.html). The trial
   * goes through the guard's listener as the click does, ROOM frames deeper than the click
   * is made (a dry run of re-arming this document: section 3; this realm's own guard, which
   * no page can stand in for, whichever document the clicked node is in: any guard's
   * listener takes about as much stack); without room, no click is made, and the page's
   * script is told the stack ran out, as it would be a little deeper. False, and nothing
   * thrown, where the guard is gone (guardGone()).
   */
  function roomForGuard(): boolean {
    if (fits(ROOM, () => rearm(doc, TRIAL))) return true;
    if (guardGone(doc)) return false;
    throw new NativeRangeError('Maximum call stack size exceeded');
  }

  // Method shorthand, so each has the native's name and length, no prototype, and cannot be
  // called with `new`; defined as WebIDL defines operations (enumerable, writable, configurable).
  const wrappers = {
    click(this: HTMLElement) {
      seen(this, () => click(this));
    },
    // showPicker() fires no click: it becomes one, which the guard turns into its own chooser.
    showPicker(this: HTMLInputElement) {
      if (!fileInput(this)) return showPicker!(this);
      seen(this, () => click(this));
    },
    dispatchEvent(this: EventTarget, event: Event) {
      if (eventType(event) !== 'click' || (nameOf(this) === '' && !inLabel(this))) return dispatch(this, event);
      const node = this as unknown as Node;
      if (!composed(event) && inShadowRoot(node)) {
        // One that opens a file chooser goes as the browser's own click(), which is composed.
        if (shadowChooser(node)) {
          seen(node, () => click(node));
          return true;
        }
        return watched(node, () => dispatch(node, event));
      }
      return seen(node, () => dispatch(node, event)) ?? false;
    },
  };
  /** As WebIDL defines operations (enumerable, writable, configurable), in a descriptor that inherits nothing (valueOf). */
  const operation = (value: unknown) => valueOf(value, true, true, true);
  /**
   * Each wrapper put in place, by the interface whose prototype holds it ('' for the
   * window itself), so that section 6 can put the same ones in a frame's realm.
   */
  const placements: Array<[string, string, PropertyDescriptor]> = [];
  const ownerIn = (realm: unknown, iface: string): object | undefined =>
    iface === '' ? (realm as object) : (realm as Record<string, { prototype?: object } | undefined>)[iface]?.prototype;
  const place = (iface: string, name: string, descriptor: PropertyDescriptor) => {
    placements[placements.length] = [iface, name, descriptor]; // not push(): see whenBridged
    defineProperty(ownerIn(window, iface), name, descriptor);
  };
  place('HTMLElement', 'click', operation(wrappers.click));
  if (nativeShowPicker) place('HTMLInputElement', 'showPicker', operation(wrappers.showPicker));
  place('EventTarget', 'dispatchEvent', operation(wrappers.dispatchEvent));

  // 2. File System Access (Chromium).
  const scope = window as unknown as Record<string, unknown>;
  const Handle = scope.FileSystemFileHandle as { prototype: object } | undefined;
  if (typeof scope.showOpenFilePicker === 'function' && Handle) {
    const nativeOpenPicker = scope.showOpenFilePicker as (...args: unknown[]) => Promise<FileSystemFileHandle[]>;
    type Options = { multiple?: boolean; types?: { accept?: Record<string, string | string[]> }[]; excludeAcceptAllOption?: boolean };
    const accepts = (options?: Options): string => {
      if (!options?.excludeAcceptAllOption || !options.types) return '';
      return options.types.flatMap((t) => Object.entries(t.accept ?? {}).flatMap(([mime, ext]) => [mime, ...[ext].flat()])).join(',');
    };
    // Handles to cleaned copies: the page's own prototype, so instanceof and kind/name work.
    const handleFor = (file: File): FileSystemFileHandle => {
      const handle = create(Handle.prototype) as FileSystemFileHandle;
      defineProperty(handle, 'kind', valueOf('file'));
      defineProperty(handle, 'name', valueOf(file.name));
      defineProperty(handle, 'getFile', hidden(() => Promise.resolve(file)));
      return handle;
    };
    const picker = {
      showOpenFilePicker(options: Options | undefined = undefined): Promise<FileSystemFileHandle[]> {
        // No guard to answer through (guardGone()): the browser's own picker, straight to the page.
        if (!roomForGuard()) return applyNative(nativeOpenPicker, window, arguments) as Promise<FileSystemFileHandle[]>;
        return new Promise((resolve, reject) => {
          const input = createElement(doc, 'input') as HTMLInputElement;
          input.type = 'file';
          input.multiple = !!options?.multiple;
          input.accept = accepts(options);
          setAttribute(input, PICKER_MARK, '');
          // The guard's change event comes after cleaning, with the cleaned files only; for a
          // file held back, once the user has chosen to send it (or a cancel, on a no).
          input.addEventListener('change', () => {
            const files = Array.from(input.files ?? []);
            if (files.length) resolve(files.map(handleFor));
            else reject(new DOMException('Traceless held back the chosen files.', 'AbortError'));
          }, { once: true });
          input.addEventListener('cancel', () => reject(new DOMException('The user aborted a request.', 'AbortError')), { once: true });
          inDocument(input, () => click(input));
        });
      },
    };
    place('', 'showOpenFilePicker', operation(picker.showOpenFilePicker));
  }
  // Directory handles would reach the originals: withdrawn, so pages use <input webkitdirectory>.
  const withdrawDirectories = (realm: unknown) => {
    // Not a for-of: section 6 calls this after the page has run (an array iterator of its own).
    const targets = [realm, (realm as { Window?: { prototype: object } }).Window?.prototype];
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      if (target && 'showDirectoryPicker' in (target as object)) delete (target as { showDirectoryPicker?: unknown }).showDirectoryPicker;
    }
  };
  withdrawDirectories(window);

  // 3. document.open(): the guard's element, handed over before any page script runs
  // (rearm-bridge.ts), then told of every opening of this document at once, before
  // the page's next line can add listeners ahead of the guard's.
  const NativeEvent = Event;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const REARM_KEY = Symbol.for('traceless.rearm');
  // The natives, before 3b wraps them: the guard's own listeners are never held.
  const nativeAddListener = EventTarget.prototype.addEventListener;
  const nativeRemoveListener = EventTarget.prototype.removeEventListener;
  const addListener = uncurry(nativeAddListener);
  const removeListener = uncurry(nativeRemoveListener);
  const relatedTarget = getter(MouseEvent.prototype, 'relatedTarget') as (event: unknown) => EventTarget | null;
  // Called with Reflect.apply and the wrappers' `arguments`: spreading an array would run an
  // array iterator the page may have replaced, and hand the native other arguments than the
  // ones looked at.
  const applyNative = Reflect.apply;
  const nativeOpen = Document.prototype.open;
  const nativeWrite = Document.prototype.write;
  const nativeWriteln = Document.prototype.writeln;
  const nativeClose = Document.prototype.close;
  const write = uncurry(nativeWrite);
  // Trusted Types, where the browser has them: a page that enforces them refuses a plain ''
  // (the write the guard opens the document with) but takes their own empty markup.
  type TrustedTypes = { emptyHTML: unknown; isHTML(value: unknown): boolean };
  const trustedTypes = (globalThis as { trustedTypes?: TrustedTypes }).trustedTypes;
  const EMPTY_HTML = trustedTypes?.emptyHTML as string | undefined;
  const isTrustedHtml = trustedTypes && uncurry(Object.getPrototypeOf(trustedTypes).isHTML as TrustedTypes['isHTML']);
  const defaultPolicyGetter = trustedTypes && Object.getOwnPropertyDescriptor(Object.getPrototypeOf(trustedTypes), 'defaultPolicy')?.get;
  const defaultPolicy = defaultPolicyGetter && (uncurry(defaultPolicyGetter) as (types: unknown) => unknown);
  let bridge: EventTarget | null = null;
  /** What listens at the bridge once it is known (sections 4 and 5); the handshake may end before or after. */
  const bridgeListeners: Array<(bridge: EventTarget) => void> = [];
  const whenBridged = (add: (bridge: EventTarget) => void) => {
    bridgeListeners[bridgeListeners.length] = add; // not push(): a page may have replaced it
    if (bridge) add(bridge);
  };
  const take = (event: Event) => {
    bridge = relatedTarget(event);
    removeListener(doc, BRIDGE, take);
    dispatch(doc, new NativeEvent(DONE));
    for (let i = 0; i < bridgeListeners.length; i++) bridgeListeners[i](bridge!);
  };
  addListener(doc, BRIDGE, take);
  dispatch(doc, new NativeEvent(HELLO));
  // The guard answers each REARM once every listener is back: a listener's error (the stack
  // ran out inside it) is only reported by dispatch, never thrown here.
  let rearmed = false;
  // An opening that no wrapper of this script's saw: the native open() of a realm without the
  // wrappers (a frame sandboxed without scripts made while the guard's listeners were erased:
  // tests/e2e/hostile/document-open-sandbox-gap-later.html). The guard's isolated-world
  // observer re-adds its listeners, a microtask late, behind any the page added at once, so
  // the user is told. Told by a listener of this script's on the document, which only an
  // opening erases (re-added with every re-arming); asked when the document's children change.
  const SENTINEL = 'traceless-open-sentinel';
  let sentinelEvent: Event | undefined;
  let sentinelHeard = false;
  const hearSentinel = (event: Event) => {
    if (event === sentinelEvent) sentinelHeard = true;
  };
  addListener(doc, SENTINEL, hearSentinel, true);
  const openedUnseen = (): boolean => {
    sentinelHeard = false;
    sentinelEvent = new NativeEvent(SENTINEL);
    dispatch(doc, sentinelEvent);
    return !sentinelHeard;
  };
  const NativeMutationObserver = MutationObserver;
  const observe = uncurry(MutationObserver.prototype.observe);
  const childrenOnly = create(null) as MutationObserverInit;
  childrenOnly.childList = true;
  observe(
    new NativeMutationObserver(() => {
      // Inside an opening of this script's, its own steps decide.
      if (watching || !openedUnseen()) return;
      rearmHere();
      rearmHere(LOST);
    }),
    doc,
    childrenOnly,
  );
  whenBridged((bridge) => addListener(bridge, `${REARM}${DONE_SUFFIX}`, () => (rearmed = true)));
  /**
   * Has the guard add its listeners again; whether it said they are all back. `how`: LOST, the
   * page's may be ahead of them for good, which the guard tells the user; TRIAL, only the
   * guard's answer, through the same dispatches (roomAfter()).
   */
  const rearmHere = (how?: unknown): boolean => {
    if (how !== TRIAL) {
      listenForFrames();
      addListener(doc, SENTINEL, hearSentinel, true);
    }
    // Before the handshake there is nothing to re-add: the guard adds its own when it starts.
    if (!bridge) return true;
    rearmed = false;
    dispatch(bridge, new NativeEvent(how === TRIAL ? TRIAL : REARM));
    if (how === LOST) dispatch(bridge, new NativeEvent(LOST));
    return rearmed;
  };
  // Another realm's open() may be called on this document (a fresh frame's, taken by the
  // page: tests/e2e/hostile/document-open-foreign.html): every realm's wrapper finds this
  // document's own re-arming on the document itself, under a key all realms share.
  // Neither writable nor configurable: a page may only call it, which re-adds listeners (or
  // has the guard warn the user about the page itself).
  try {
    defineProperty(doc, REARM_KEY, { value: rearmHere });
  } catch {
    // Already there or the document sealed (by a page, before this script ran in its
    // frame): other realms' open() then leave the re-arming to the observer.
  }
  /** Re-arms `target`'s guard (`how`: see rearmHere); false when it did not say every listener is back. */
  const rearm = (target: unknown, how?: typeof LOST | typeof TRIAL): boolean => {
    if (target === doc) return rearmHere(how);
    let theirs: unknown;
    try {
      theirs = getOwnPropertyDescriptor(target, REARM_KEY)?.value;
    } catch (error) {
      // Not a document this realm can look into; a stack that ran out re-armed nothing.
      return notApplicable(error, true);
    }
    // A document whose own script did not run has nothing here (its observer re-adds).
    return typeof theirs === 'function' ? (theirs as (how?: string) => boolean)(how) !== false : true;
  };

  // What the page could do between open()'s erasing the listeners and the guard's return:
  //  - run code inside the native open(), which takes the document's nodes out after it has
  //    erased the listeners: a custom element's disconnectedCallback, a removed frame's unload
  //    handlers (tests/e2e/hostile/document-open-disconnected.html, -frame-unload.html). So
  //    the document is emptied first, by this script, with the listeners in place: whatever
  //    the page runs then, open() erases next, and with nothing to take out it runs nothing of
  //    the page's. An opening that turns out to do nothing (open() during unload, a write()
  //    the browser ignores) gets the nodes back. Where it cannot be told beforehand whether
  //    the opening will empty the document (a script the parser runs has open() do nothing),
  //    the document is opened as it is, and if a probe of this script's says that erased, it
  //    is emptied and opened again, which erases what the page added inside; but the page may
  //    have stopped the parser the first opening made, and then the second does nothing
  //    (document-open-stopped-loading.html, a to-do): then the guard tells the user (LOST).
  //  - call open() with the stack nearly full, so the native open() has room and what follows
  //    it has none (document-open-deep-stack.html): a dry run of the re-arming (TRIAL) is
  //    made first, deeper in the stack than the steps after the opening run; without room
  //    there, the document is not opened.
  const PROBE = 'traceless-open-probe';
  /**
   * The probe of the opening of this document under way, if any: while it says the guard's
   * listeners are erased, the page's wait (holdHere(), below). Openings nest (a write() inside
   * a custom element's callback): the outermost one's end lets the held ones in.
   */
  let watching: Probe | undefined;
  const watch = (target: unknown, erased: Probe): Probe | undefined => {
    const outer = watching;
    // The outermost opening's probe stays: an inner one's listener, added after the outer
    // opening erased the guard's, would say nothing is gone (a review: a write() from a
    // custom element's callback had the page's listeners go in unheld).
    if (target === doc && !outer) watching = erased;
    return outer;
  };
  const unwatch = (outer: Probe | undefined) => {
    watching = outer;
    if (!outer) letHeldIn();
  };
  const firstChild = getter(Node.prototype, 'firstChild') as (node: unknown) => Node | null;
  const removeChild = uncurry(Node.prototype.removeChild);
  const NO_ARGUMENTS: unknown[] = [];
  /** Runs ToString on `value` as WebIDL's DOMString conversion does (a Symbol throws a TypeError), for its effects only. */
  const convertToText = (value: unknown): void => void (value === undefined ? '' : `${value as string}`);
  /** What a probe found: its first listener still there, gone (erased), or the event stopped on its way. */
  const KEPT = 0;
  const ERASED = 1;
  const STOPPED = 2;
  type Verdict = typeof KEPT | typeof ERASED | typeof STOPPED;
  /**
   * A probe listener on `target`: the function returned tells whether an opening has erased it
   * since, by an event heard by a second listener added then and, unless erased, by the first.
   * Only the event made then counts: a page may dispatch one of that name meanwhile (from a
   * toString() the native calls, a custom element's callback). A page's listener may stop it
   * on its way (one added on the window inside the opening runs before both): STOPPED, which
   * tells nothing, and is taken as the worst.
   */
  /** A probe's verdict, and `gone()`: whether its first listener is gone at this moment (a stopped event counts as gone). */
  type Probe = (() => Verdict) & { gone: () => boolean };
  const probe = (target: unknown): Probe => {
    let before = false;
    let after = false;
    let own: Event | undefined;
    const hearBefore = (event: Event) => {
      if (event === own) before = true;
    };
    const hearAfter = (event: Event) => {
      if (event === own) after = true;
    };
    addListener(target, PROBE, hearBefore, true);
    const verdict = () => {
      before = false;
      own = new NativeEvent(PROBE);
      addListener(target, PROBE, hearAfter, true);
      dispatch(target, own);
      removeListener(target, PROBE, hearBefore, true);
      removeListener(target, PROBE, hearAfter, true);
      return !after ? STOPPED : before ? KEPT : ERASED;
    };
    const gone = () => {
      before = false;
      own = new NativeEvent(PROBE);
      dispatch(target, own);
      return !before;
    };
    return defineProperty(verdict, 'gone', valueOf(gone)) as Probe;
  };
  /** A probe's verdict; STOPPED, the worst, when it cannot be had (the stack ran out). */
  const judged = (erased: () => Verdict): Verdict => {
    try {
      return erased();
    } catch {
      return STOPPED;
    }
  };
  /** What reopenEmpty() came to: open, empty and erased; nothing done (the nodes back); neither. */
  const REOPENED = 0;
  const STILL = 1;
  const UNSURE = 2;
  const querySelector = uncurry(Element.prototype.querySelector);
  const FRAMES = 'iframe, frame, object, embed';
  /**
   * Whether `nodes` hold a frame. One made inside the opening had its realm made while the
   * guard's listeners were erased, the one that puts the wrappers on a scriptless frame's
   * built-ins too (section 6), so the page may hold that realm's natives (a review: a
   * sandboxed frame's own addEventListener put the page's listeners first). Not seen: frames
   * in shadow roots.
   */
  const holdsFrames = (nodes: Node[]): boolean => {
    for (let i = 0; i < nodes.length; i++) {
      const name = nameOf(nodes[i]);
      if (name === '') continue;
      if (name === 'iframe' || name === 'frame' || name === 'object' || name === 'embed' || querySelector(nodes[i], FRAMES) !== null) return true;
    }
    return false;
  };
  /** Empties `target` with the listeners in place, then opens it (see REOPENED). */
  const reopenEmpty = (target: unknown): number => {
    for (let round = 0; round < 4; round++) {
      const taken = takeOut(target);
      if (!taken) return UNSURE;
      const erased = probe(target);
      applyNative(nativeOpen, target, NO_ARGUMENTS);
      const verdict = erased();
      if (verdict === ERASED && !firstChild(target)) return REOPENED;
      if (verdict === KEPT) {
        // The opening did nothing (the page stopped its parser): the nodes go back, and a frame
        // among them is wrapped as it comes back (its realm is new).
        if (target === doc) listenForFrames();
        putBack(target, taken);
        return holdsFrames(taken) ? UNSURE : STILL;
      }
    }
    return UNSURE;
  };
  const appendChild = uncurry(Node.prototype.appendChild);
  const readyState = getter(Document.prototype, 'readyState') as (d: unknown) => DocumentReadyState;
  const currentScript = getter(Document.prototype, 'currentScript') as (d: unknown) => Element | null;
  const hasAttribute = uncurry(Element.prototype.hasAttribute);
  /**
   * The nodes of `target`, taken out in order (listeners in place); undefined, and the nodes
   * put back, when the page kept putting some in (bounded: it is not waited for).
   */
  const takeOut = (target: unknown): Node[] | undefined => {
    const taken: Node[] = [];
    try {
      for (let n = 0; n < 64 && firstChild(target); n++) {
        const node = firstChild(target)!;
        removeChild(target, node);
        taken[taken.length] = node;
      }
    } catch (error) {
      putBack(target, taken);
      throw error;
    }
    if (!firstChild(target)) return taken;
    putBack(target, taken);
    return undefined;
  };
  const putBack = (target: unknown, taken: Node[]) => {
    for (let i = 0; i < taken.length; i++) {
      try {
        appendChild(target, taken[i]);
      } catch {
        // the page's callbacks put another root in meanwhile
      }
    }
  };
  /**
   * Whether a script may be running the parser's way (a script the parser runs has its
   * open() do nothing and its write() insert where it stands): a script the page made runs
   * the same way while the page loads, and the two cannot be told apart from here.
   */
  const parserMayRun = (target: unknown) => readyState(target) === 'loading' && currentScript(target) !== null;
  const contentType = getter(Document.prototype, 'contentType') as (d: unknown) => string;
  /** Documents an opening of this script's left open: while they load, a write() goes in where the last one ended. */
  const openedHere = new WeakSet<object>();
  const isOpenedHere = uncurry(WeakSet.prototype.has) as (set: WeakSet<object>, value: object) => boolean;
  const markOpenedHere = uncurry(WeakSet.prototype.add) as (set: WeakSet<object>, value: object) => WeakSet<object>;
  const forgetOpenedHere = uncurry(WeakSet.prototype.delete) as (set: WeakSet<object>, value: unknown) => boolean;
  /**
   * Whether write() on `target` opens it when it opens at all: not from an external script
   * (the browser ignores those), nor into a document opened by script that still loads
   * (it has a place to insert at: `w.document.open()` and then a write() per line).
   */
  const writeMayOpen = (target: unknown) => {
    const loading = readyState(target) === 'loading';
    if (loading && isOpenedHere(openedHere, target as object)) return false;
    const script = currentScript(target);
    return script === null || (!loading && !hasAttribute(script, 'src'));
  };
  /** Only an HTML document is opened at all (the others throw): none other is emptied. */
  const isHtml = (target: unknown) => contentType(target) === 'text/html';
  /** Whether `depth` more frames, and then `step()`, fit on the stack (and `step()` says yes). */
  const fits = (depth: number, step: () => boolean): boolean => {
    try {
      return depth ? fits(depth - 1, step) : step();
    } catch {
      return false;
    }
  };
  /**
   * The steps after an opening, as a trial `depth` frames deeper: false when the stack ran out.
   * Each part must have been heard: a listener that ran out of stack is reported, not thrown.
   */
  const roomAfter = (target: unknown, depth: number): boolean =>
    fits(depth, () => probe(target)() === KEPT && rearm(target, TRIAL));
  // Frames of roomAfter() beyond those the steps after the opening take (probe, settle,
  // reopenEmpty, rearm): tests/e2e/hostile/document-open-deep-stack.html tries every depth.
  const ROOM = 64;
  // A listener of this script's own, on an element no page reaches, answering as the guard
  // answers a trial: by a second dispatch from inside the first.
  const ECHO = 'traceless-echo';
  const ECHOED = 'traceless-echoed';
  const echoTarget = createElement(doc, 'span');
  let echoed = false;
  addListener(echoTarget, ECHO, () => dispatch(echoTarget, new NativeEvent(ECHOED)));
  addListener(echoTarget, ECHOED, () => (echoed = true));
  const echo = () => {
    echoed = false;
    dispatch(echoTarget, new NativeEvent(ECHO));
    return echoed;
  };
  /**
   * Whether `target`'s guard is gone rather than out of stack: it does not answer a trial,
   * while this script's own listener, four times as deep, does. A guard's content script is
   * torn down while its page lives on when the extension is disabled, updated or removed
   * (Firefox); without this, every step that asks the guard first threw on such a page until
   * it was reloaded. A page cannot make a live guard look gone (it cannot reach the bridge),
   * nor a gone one answer; a removed frame's realm runs no listener of its own either, so its
   * built-ins still throw. Only this document's guard is asked: another realm's document may
   * carry a function of the page's under REARM_KEY (one whose own script never ran), which
   * would fake a gone guard and have the trial skipped.
   */
  const guardGone = (target: unknown): boolean =>
    target === doc && fits(4 * ROOM, echo) && !fits(ROOM, () => rearm(doc, TRIAL));
  /**
   * After an opening that erased every listener (or may have: a stopped probe): nothing of the
   * page's ahead of the guard's, and the guard back. Else the guard tells the user and this
   * throws, which tells the page's script but protects nothing by itself. `clean`: the document
   * was empty when opened and nothing of the page's could run inside the opening.
   */
  const settle = (target: unknown, clean: boolean) => {
    let settled = false;
    try {
      // Where no second opening can be made (the page stopped the first one's parser), the
      // listeners the page added while the guard's were erased were held (holdHere(), below),
      // and that is what keeps the guard's first in this document. Another realm's document
      // has only what the second opening gives it.
      const outcome = clean && !firstChild(target) ? REOPENED : reopenEmpty(target);
      settled = outcome === REOPENED || (outcome === STILL && target === doc);
    } catch {
      // a callback of the page's threw through, or the native refused: not settled
    }
    if (settled && rearm(target)) {
      markOpenedHere(openedHere, target as object);
      return;
    }
    rearm(target, LOST);
    throw new NativeRangeError('Traceless could not guard this document after it was opened');
  };
  /**
   * Runs `openIt` (the native open(), or a write() that may open `target`) with the guard
   * back before the page's next line, and nothing of the page's ahead of it (see settle()).
   * `emptyFirst`: the document is taken out first (where the opening is sure to empty it).
   * `pageInside`: code of the page's runs inside `openIt` anyway (a Trusted Types default
   * policy turning the guard's empty write into the page's markup).
   */
  const opening = <T>(target: unknown, openIt: () => T, emptyFirst: boolean, pageInside = false): T => {
    const theirs = guardOf(target);
    if (theirs) return theirs(OPENING, openIt, emptyFirst, pageInside) as T;
    let erased: Probe;
    try {
      erased = probe(target);
    } catch (error) {
      // Not an event target: the native throws its own error. Anything else (the stack ran
      // out: tests/e2e/hostile/document-open-deep-stack.html) opens nothing.
      if (error instanceof NativeTypeError) return openIt();
      throw error;
    }
    let taken: Node[] | undefined;
    let unguarded = false;
    try {
      if (!roomAfter(target, ROOM)) {
        if (!guardGone(target)) throw new NativeRangeError('Maximum call stack size exceeded');
        unguarded = true;
      } else if (emptyFirst && isHtml(target)) {
        taken = takeOut(target);
        // Not to be emptied: no opening either (the listeners stay as they are).
        if (!taken) throw new NativeRangeError('Traceless could not guard this document while it was opened');
      }
    } catch (error) {
      erased();
      throw error;
    }
    if (unguarded) {
      erased();
      return openIt();
    }
    let result: T;
    const outer = watch(target, erased);
    try {
      try {
        result = openIt();
      } finally {
        // Also when it threw: a write() refused by Trusted Types opens nothing, but cannot be told apart.
        const verdict = judged(erased);
        // Nothing erased (the opening did nothing): the nodes go back, the guard never left.
        if (verdict === KEPT) {
          if (taken) putBack(target, taken);
        } else settle(target, verdict === ERASED && taken !== undefined && !pageInside);
      }
    } finally {
      unwatch(outer);
    }
    return result;
  };
  /**
   * The page's own write() after openFirst(): the native converts the page's arguments first
   * (a toString(), a Trusted Types default policy: the page's code), which may end the parser
   * openFirst() made (document.close()), and then that write opens the document itself.
   */
  const pageWrite = (target: unknown, writeIt: () => unknown): unknown => {
    const theirs = guardOf(target);
    if (theirs) return theirs(PAGE_WRITE, writeIt);
    let erased: Probe;
    try {
      erased = probe(target);
    } catch (error) {
      if (error instanceof NativeTypeError) return writeIt(); // as in opening()
      throw error;
    }
    const outer = watch(target, erased);
    try {
      try {
        return writeIt();
      } finally {
        if (judged(erased) !== KEPT) settle(target, false);
      }
    } finally {
      unwatch(outer);
    }
  };
  // Another realm's document is guarded by that realm's own steps, found on the document under
  // a key all realms share (as REARM_KEY): its probes' listeners must be that realm's, since a
  // frame whose realm ran them may be taken out of the document by the opening, and a browser
  // calls no listener of a realm whose document is gone (document-open-foreign.html).
  const OPENING = 0;
  const PAGE_WRITE = 1;
  /** A listener's adding or removing, held while an opening has erased the guard's (3b). */
  const HOLD = 2;
  type Guarded = (kind: number, a?: unknown, b?: unknown, c?: unknown) => unknown;
  const GUARD_KEY = Symbol.for('traceless.opening');
  const guardOf = (target: unknown): Guarded | undefined => {
    if (target === doc) return undefined;
    try {
      const theirs = getOwnPropertyDescriptor(target, GUARD_KEY)?.value as unknown;
      return typeof theirs === 'function' ? (theirs as Guarded) : undefined;
    } catch (error) {
      return notApplicable(error, undefined); // not a document this realm can look into
    }
  };
  // Neither writable nor configurable: a page may only call it, which runs its function inside
  // the same steps as an opening of its own.
  try {
    const guarded: Guarded = (kind, a, b, c) => {
      if (kind === HOLD) return holdHere(a, b, c as IArguments);
      const run = a as () => unknown;
      return kind === PAGE_WRITE ? pageWrite(doc, run) : opening(doc, run, b === true, c === true);
    };
    defineProperty(doc, GUARD_KEY, { value: guarded });
  } catch {
    // Already there, or the document sealed before this script ran: this realm's steps then.
  }
  /**
   * write() opens the document first when it has nowhere to insert (no parser, or one
   * that is not waiting on a script), unless the browser ignores it (from an async,
   * deferred or module script): an empty write() first opens it in exactly those cases,
   * and then the guard is back before the page's markup, and any script in it, goes in.
   */
  const openFirst = (target: unknown, text: IArguments) => {
    // The page's own markup decides: Trusted Types' empty value where the page's is trusted
    // (or absent: no string, no check), '' for strings, so the guard's write is refused
    // exactly where the page's would be (an emptyHTML before a page's refused string blanked
    // the page). Should it throw where the page's would not (a policy of the page's own that
    // refuses ''), it throws for the page's write too, which then opens nothing.
    let trusted = EMPTY_HTML !== undefined;
    for (let i = 0; trusted && i < text.length; i++) trusted = isTrustedHtml!(trustedTypes, text[i]);
    // Whether it opened is told by opening()'s probe (a document without a root element has
    // none after opening either: tests/e2e/hostile/document-write-rootless.html).
    const policy = !trusted && defaultPolicy !== undefined && defaultPolicy(trustedTypes) !== null;
    opening(target, () => write(target, trusted ? EMPTY_HTML! : ''), writeMayOpen(target) && !parserMayRun(target), policy);
  };
  /** A page's write() or writeln(): the document opened first where the page's would open it, then the page's, watched. */
  const writing = (target: Document, native: typeof nativeWrite, text: IArguments) => {
    openFirst(target, text);
    pageWrite(target, () => applyNative(native, target, text));
  };
  const documentWrappers = {
    open(this: Document) {
      // With three arguments it is window.open(), which erases nothing.
      if (arguments.length >= 3) return applyNative(nativeOpen, this, arguments) as unknown;
      // The native makes strings of its two (unused) arguments before anything else, running
      // a page's toString(): made here, before the opening's steps; the native then gets none.
      for (let i = 0; i < arguments.length; i++) convertToText(arguments[i]);
      const target = this;
      return opening(target, () => applyNative(nativeOpen, target, NO_ARGUMENTS) as unknown, !parserMayRun(target));
    },
    write(this: Document) {
      writing(this, nativeWrite, arguments);
    },
    writeln(this: Document) {
      writing(this, nativeWriteln, arguments);
    },
    // A closed document may have nowhere to insert while it still loads (a script it waits
    // for): a write() may open it again, so it is emptied first like any other.
    close(this: Document) {
      const result = applyNative(nativeClose, this, arguments) as unknown;
      forgetOpenedHere(openedHere, this);
      return result;
    },
  };
  for (const name of ['open', 'write', 'writeln', 'close'] as const) {
    place('Document', name, operation(documentWrappers[name]));
  }

  // 3b. Listeners the page adds while an opening has erased the guard's. What runs inside the
  // native open() (a custom element's disconnectedCallback, a removed frame's unload handlers)
  // comes after the erasing and before the guard is back; where the guard cannot empty the
  // document first (a script the page makes while it loads looks like one the parser runs) and
  // the page then stops the parser that opening made, the second opening settle() makes does
  // nothing, and the page's listeners would stay ahead of the guard's for good
  // (tests/e2e/hostile/document-open-stopped-*.html). So a listener the page adds to this
  // document, its nodes or its window while an opening of it is under way and the probe says
  // the guard's are gone waits, and goes in once the guard's are back, in the order the calls
  // came. Only then: a script that a write() puts in adds its listeners at once.
  let held: Array<[typeof nativeAddListener, unknown, IArguments]> = [];
  /**
   * Holds the call (true) if an opening of this document is under way and has erased the
   * guard's listeners. `removing`: a removeEventListener (a flag, not the function: another
   * realm's wrapper asks too).
   */
  const holdHere = (removing: unknown, target: unknown, args: IArguments): boolean => {
    if (!watching || !watching.gone()) return false;
    const which = removing === true ? nativeRemoveListener : nativeAddListener;
    defineProperty(held, held.length, valueOf([which, target, args], true, true, true));
    return true;
  };
  function letHeldIn(): void {
    // Taken first: a page's options getter may open the document again while they go in.
    const calls = held;
    held = [];
    for (let i = 0; i < calls.length; i++) {
      try {
        applyNative(calls[i][0], calls[i][1], calls[i][2]);
      } catch {
        // the page's options threw, as they would have when the call was made
      }
    }
  }
  const windowDocument = getter(window, 'document') as (w: unknown) => Document;
  const hasOwn = uncurry(Object.prototype.hasOwnProperty) as (o: unknown, key: string) => boolean;
  /**
   * Whether the call is held: by this document's steps for this window, this document and,
   * during an opening, its nodes; by the steps of another window's document for that window
   * (a frame's addEventListener called on its parent inside the opening: found under
   * GUARD_KEY, section 3). Asked without a caught exception for the common targets (an
   * element, an AbortSignal, a request): one per call made them 30 times slower.
   */
  function heldBack(removing: boolean, self: unknown, args: IArguments): boolean {
    const target = self ?? window;
    if (target === window || target === doc) return holdHere(removing, target, args);
    if (typeof target !== 'object' || target === null) return false;
    // A window has an own, unforgeable `window`; an own property is read without running
    // anything of the page's (but a proxy's trap, which a real event target is not).
    let own: PropertyDescriptor | undefined;
    try {
      own = getOwnPropertyDescriptor(target, 'window');
    } catch {
      return false; // a proxy's trap threw: the native refuses it anyway
    }
    // (A Window's is an accessor: an object of the page's with a `window` of its own pays nothing more.)
    if (own && hasOwn(own, 'get')) {
      try {
        const theirs = guardOf(windowDocument(target));
        // A scriptless frame's document may carry a function of the page's there: it only
        // decides for that frame's own window.
        return theirs !== undefined && theirs(HOLD, removing, target, args) === true;
      } catch (error) {
        return notApplicable(error, false); // not a window, or another origin's
      }
    }
    if (!watching) return false;
    try {
      return ownerDocument(target) === doc && holdHere(removing, target, args);
    } catch (error) {
      return notApplicable(error, false); // not a node
    }
  }
  const listenerWrappers = {
    addEventListener(this: EventTarget, _type: unknown, _listener: unknown) {
      if (heldBack(false, this, arguments)) return undefined;
      return applyNative(nativeAddListener, this, arguments) as undefined;
    },
    removeEventListener(this: EventTarget, _type: unknown, _listener: unknown) {
      if (heldBack(true, this, arguments)) return undefined;
      return applyNative(nativeRemoveListener, this, arguments) as undefined;
    },
  };
  place('EventTarget', 'addEventListener', operation(listenerWrappers.addEventListener));
  place('EventTarget', 'removeEventListener', operation(listenerWrappers.removeEventListener));

  // What the guard hands over at the bridge (sections 4 and 5): files in an input of
  // its own, read through the input's own getters, and strings.
  /** A property descriptor that inherits nothing (a page may give Object.prototype a `get`). */
  function valueOf(value: unknown, configurable = false, enumerable = true, writable = false): PropertyDescriptor {
    const descriptor = create(null) as PropertyDescriptor;
    descriptor.value = value;
    descriptor.enumerable = enumerable;
    descriptor.configurable = configurable;
    descriptor.writable = writable;
    return descriptor;
  }
  const hidden = (value: unknown) => valueOf(value, false, false);
  /** `list.push(value)` that no setter a page put on Array.prototype sees. */
  const put = <T>(list: T[], value: T) => defineProperty(list, list.length, valueOf(value, true, true, true));
  const filesOf = getter(inputProto, 'files') as (input: unknown) => FileList | null;
  const fileAt = uncurry(FileList.prototype.item);
  const fileCount = getter(FileList.prototype, 'length') as (list: unknown) => number;
  const detailOf = getter(CustomEvent.prototype, 'detail') as (event: unknown) => unknown;
  const parse = JSON.parse;
  /**
   * Listens for one kind of handover: the guard's input of its own (`forType`, as the
   * event's relatedTarget), then a string (`type`). `use` runs with the input's files and
   * the string; nothing it throws reaches the page's error handlers.
   */
  const onHandover = (forType: string, type: string, use: (files: FileList, detail: string) => void) =>
    whenBridged((at) => {
      let carrier: unknown = null;
      addListener(at, forType, (event: Event) => {
        carrier = relatedTarget(event);
      });
      addListener(at, type, (event: Event) => {
        const from = carrier;
        carrier = null;
        try {
          const files = from ? filesOf(from) : null;
          const detail = detailOf(event);
          if (!files || typeof detail !== 'string') return;
          use(files, detail);
          // Done: the guard hears it before its dispatch returns.
          dispatch(at, new NativeEvent(`${type}${DONE_SUFFIX}`));
        } catch {
          // Not handed over: the page sees what the browser gives (no path, a file's entry).
        }
      });
    });

  // 4. Entries for replayed drops. Only where a DataTransfer made by script gives its
  // files no entry (Chromium: it has no isolated file system to put them in); Firefox
  // makes one itself, and there the built-in stays as it is. A dropped folder is
  // replayed as an empty stand-in File (guard/dropped-folders.ts); its entry is a
  // folder's, made of the copies the guard put in it.
  const Item = scope.DataTransferItem as { prototype: DataTransferItem } | undefined;
  // Chromium has no FileSystemFileEntry global (its entries' interface has no name there).
  const entryProto = (scope.FileSystemFileEntry as { prototype: object } | undefined)?.prototype ?? Object.prototype;
  const folderProto = (scope.FileSystemDirectoryEntry as { prototype: object } | undefined)?.prototype ?? Object.prototype;
  const nativeEntry = Item?.prototype.webkitGetAsEntry;
  if (Item && nativeEntry && scriptDropsHaveNoEntries()) {
    const entryOf = uncurry(nativeEntry);
    const itemKind = getter(Item.prototype, 'kind') as (item: unknown) => string;
    const getAsFile = uncurry(Item.prototype.getAsFile);
    const fileName = getter(File.prototype, 'name') as (file: unknown) => string;
    const later = queueMicrotask;
    const NativeDOMException = DOMException;
    /** `path`'s parts between slashes, by indexing (split() consults what a page may replace). */
    const partsOf = (path: string): string[] => {
      const parts: string[] = [];
      let part = '';
      for (let i = 0; i < path.length; i++) {
        if (path[i] === '/') {
          put(parts, part);
          part = '';
        } else {
          part += path[i];
        }
      }
      put(parts, part);
      return parts;
    };
    type Success<T> = ((value: T) => void) | undefined;
    type Failure = ((error: DOMException) => void) | undefined;
    /** A dropped folder: a child is [true, a file] or [false, a folder] (tuples: nothing inherited is read). */
    interface Folder {
      name: string;
      children: Array<[true, File] | [false, Folder]>;
    }
    /**
     * A stand-in File's folder, in a property of its own: a WeakMap keyed by the File's
     * wrapper would lose it when V8 drops an unmodified wrapper and makes a new one (a
     * wrapper with a property of its own is kept as long as the File lives).
     */
    const FOLDER = Symbol('traceless folder');
    const folderOf = (file: File): Folder | undefined => getOwnPropertyDescriptor(file, FOLDER)?.value as Folder | undefined;
    const own = (target: object, key: string, value: unknown) => defineProperty(target, key, valueOf(value));
    const failLater = (failure: Failure, message: string, name: string) => later(() => failure?.(new NativeDOMException(message, name)));
    // What uploaders read of a file entry; file() answers later, as the built-in does.
    // It holds only what getAsFile() already gives the page: a replayed drop's cleaned copy.
    const fileEntry = (file: File, path = `/${fileName(file)}`, parent: FileSystemDirectoryEntry | null = null): FileSystemFileEntry => {
      const entry = create(entryProto) as FileSystemFileEntry;
      own(entry, 'isFile', true);
      own(entry, 'isDirectory', false);
      own(entry, 'name', fileName(file));
      own(entry, 'fullPath', path);
      own(entry, 'filesystem', null);
      own(entry, 'file', (success: Success<File>) => later(() => success?.(file)));
      own(entry, 'getParent', (success: Success<FileSystemDirectoryEntry>, failure: Failure) =>
        parent ? later(() => success?.(parent)) : failLater(failure, 'A dropped file has no parent here.', 'NotFoundError'));
      return entry;
    };
    // A folder's entry: its reader gives all its entries at once, then none (as the
    // built-in's last batch); getFile/getDirectory find what it holds, never create.
    const folderEntry = (folder: Folder, path: string, parent: FileSystemDirectoryEntry | null): FileSystemDirectoryEntry => {
      const entry = create(folderProto) as FileSystemDirectoryEntry;
      const find = (relative: unknown, wantFolder: boolean, options: unknown, success: Success<FileSystemEntry>, failure: Failure) => {
        if (options && typeof options === 'object' && (options as { create?: unknown }).create) {
          return failLater(failure, 'A dropped folder cannot be written to.', 'SecurityError');
        }
        let at: FileSystemEntry = entry;
        let current: Folder | null = folder;
        const parts = partsOf(`${relative ?? ''}`);
        for (let p = 0; p < parts.length; p++) {
          const part = parts[p];
          if (part === '' || part === '.') continue;
          let next: FileSystemEntry | null = null;
          for (let i = 0; current && i < current.children.length; i++) {
            const child: Folder['children'][number] = current.children[i];
            if ((child[0] ? fileName(child[1]) : child[1].name) === part) {
              next = childEntryOf(current, at as FileSystemDirectoryEntry, i);
              current = child[0] ? null : child[1];
              break;
            }
          }
          if (!next) return failLater(failure, 'Nothing of that name in the dropped folder.', 'NotFoundError');
          at = next;
        }
        if (at.isDirectory !== wantFolder) return failLater(failure, 'Not a ' + (wantFolder ? 'folder.' : 'file.'), 'TypeMismatchError');
        later(() => success?.(at));
      };
      own(entry, 'isFile', false);
      own(entry, 'isDirectory', true);
      own(entry, 'name', folder.name);
      own(entry, 'fullPath', path);
      own(entry, 'filesystem', null);
      own(entry, 'createReader', () => {
        const reader = create(Object.prototype) as FileSystemDirectoryReader;
        let done = false;
        own(reader, 'readEntries', (success: Success<FileSystemEntry[]>) => {
          const batch: FileSystemEntry[] = [];
          if (!done) for (let i = 0; i < folder.children.length; i++) put(batch, childEntryOf(folder, entry, i));
          done = true;
          later(() => success?.(batch));
        });
        return reader;
      });
      own(entry, 'getParent', (success: Success<FileSystemDirectoryEntry>, failure: Failure) =>
        parent ? later(() => success?.(parent)) : failLater(failure, 'A dropped folder has no parent here.', 'NotFoundError'));
      own(entry, 'getFile', (relative: unknown, options: unknown, success: Success<FileSystemEntry>, failure: Failure) => find(relative, false, options, success, failure));
      own(entry, 'getDirectory', (relative: unknown, options: unknown, success: Success<FileSystemEntry>, failure: Failure) => find(relative, true, options, success, failure));
      return entry;
    };
    /** The entry of `folder`'s child `i`, `at` being `folder`'s entry. */
    const childEntryOf = (folder: Folder, at: FileSystemDirectoryEntry, i: number): FileSystemEntry => {
      const child: Folder['children'][number] = folder.children[i];
      return child[0]
        ? fileEntry(child[1], `${at.fullPath}/${fileName(child[1])}`, at)
        : folderEntry(child[1], `${at.fullPath}/${child[1].name}`, at);
    };
    const entryWrapper = {
      webkitGetAsEntry(this: DataTransferItem) {
        const entry = entryOf(this);
        if (entry !== null || itemKind(this) !== 'file') return entry;
        const file = getAsFile(this);
        if (!file) return null;
        const folder = folderOf(file);
        return folder ? folderEntry(folder, `/${folder.name}`, null) : fileEntry(file);
      },
    };
    place('DataTransferItem', 'webkitGetAsEntry', operation(entryWrapper.webkitGetAsEntry));

    // The guard's word on a replayed drop's folders, just before the replay: the files in
    // an input of its own, then [stand-in's index, children] for each folder, where a
    // child is a file's index or [name, children].
    const read = (files: FileList, nodes: unknown): Folder['children'] => {
      const children: Folder['children'] = [];
      const list = nodes as unknown[];
      for (let i = 0; i < list.length; i++) {
        const node = list[i];
        if (typeof node === 'number') {
          const file = fileAt(files, node);
          if (file) put(children, [true, file]);
        } else {
          const pair = node as [unknown, unknown[]];
          put(children, [false, { name: `${pair[0]}`, children: read(files, pair[1]) }]);
        }
      }
      return children;
    };
    onHandover(FOLDERS_FOR, FOLDERS, (files, detail) => {
      const dropped = parse(detail) as [number, unknown[]][];
      for (let i = 0; i < dropped.length; i++) {
        const standIn = fileAt(files, dropped[i][0]);
        if (standIn) defineProperty(standIn, FOLDER, hidden({ name: fileName(standIn), children: read(files, dropped[i][1]) }));
      }
    });
  }

  // 5. Paths of the cleaned copies from a chosen folder. An own property on each copy,
  // read where the page reads: the built-in getter answers from the file itself, which
  // a script cannot set.
  //
  // Both browsers also name such a file by its path when a script appends it to a
  // FormData without a name of its own (Chromium measured: "holiday/day2/hill.jpg" at the
  // server), and a copy would go by its name alone: once copies with paths have reached
  // this page, append() and set() name them by their paths. Only then: a page that never
  // sees a chosen folder keeps the built-ins (tests/e2e/fingerprint.test.mjs).
  //
  // The copies' paths are kept in a WeakMap, which runs no code of the page's (a Proxy's
  // traps) when asked about what a page appends. Keyed by this world's wrapper of each
  // copy, which V8 keeps as long as the copy lives: it has a property of its own.
  const copyPaths = new WeakMap<object, string>();
  const pathIn = uncurry(WeakMap.prototype.get) as (map: WeakMap<object, string>, key: unknown) => string | undefined;
  const putPath = uncurry(WeakMap.prototype.set) as (map: WeakMap<object, string>, key: object, value: string) => void;
  const pathOf = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null ? pathIn(copyPaths, value) : undefined;
  const apply = Reflect.apply;
  const Data = scope.FormData as { prototype: FormData } | undefined;
  let formDataNamed = false;
  const nameByPaths = () => {
    if (formDataNamed || !Data) return;
    formDataNamed = true;
    // The methods as they are now, a page's own replacement included, which goes on working.
    const nativeAppend = Data.prototype.append as (...args: unknown[]) => void;
    const nativeSet = Data.prototype.set as (...args: unknown[]) => void;
    // The name given to the native: the copy's path when the page gave none. Otherwise the
    // call goes through as it came, arguments and errors alike.
    const named = (native: (...args: unknown[]) => void, self: unknown, args: IArguments) => {
      // No third argument, or an undefined one (which the built-in takes as none).
      const path = args[2] === undefined ? pathOf(args[1]) : undefined;
      return path === undefined ? apply(native, self, args) : apply(native, self, [args[0], args[1], path]);
    };
    // Methods of two parameters, as the built-ins' length says, and no prototype, as theirs.
    // The rest comes from `arguments`: spreading a rest parameter would run an array
    // iterator the page may have replaced.
    const formData = {
      append(this: FormData, _name: unknown, _value: unknown) {
        return named(nativeAppend, this, arguments);
      },
      set(this: FormData, _name: unknown, _value: unknown) {
        return named(nativeSet, this, arguments);
      },
    };
    // Descriptors that inherit nothing: the page has run, and may have given Object.prototype a `get`.
    defineProperty(Data.prototype, 'append', valueOf(formData.append, true, true, true));
    defineProperty(Data.prototype, 'set', valueOf(formData.set, true, true, true));
  };
  // 6. Realms this script cannot run in (see the top). The guard's content script in such
  // a realm dispatches ADOPT, a MessageEvent whose `source` is that realm's window, at the
  // document of every same-origin window above it and of its opener, while the realm is
  // made, before the page's next line. A realm whose own copy of this script ran (its
  // document carries REARM_KEY) keeps its own wrappers: that copy runs before the content
  // script, which the manifest lists after it (measured in both browsers; in the other
  // order such a realm would get ours, then its own over them, each click passing through
  // both: it works, measured, only slower). A page may dispatch ADOPT itself: it only
  // gets windows it can reach wrapped.
  const messageSource = getter(MessageEvent.prototype, 'source') as (event: unknown) => unknown;
  const adopt = (event: Event) => {
    let realm: Window;
    let realmDoc: Document;
    try {
      realm = messageSource(event) as Window;
      if (!realm || realm === (window as Window) || realm.window !== realm) return; // no window, or this one
      realmDoc = realm.document; // throws for another origin's
    } catch {
      return;
    }
    if (!realmDoc || getOwnPropertyDescriptor(realmDoc, REARM_KEY)) return;
    // By index, not destructured: the page has run, and may have replaced the array iterator.
    for (let i = 0; i < placements.length; i++) {
      const placement = placements[i];
      try {
        const owner = ownerIn(realm, placement[0]);
        if (owner) defineProperty(owner, placement[1], placement[2]);
      } catch (error) {
        notApplicable(error, undefined); // that realm lacks the interface, or will not take it
      }
    }
    try {
      withdrawDirectories(realm);
    } catch (error) {
      notApplicable(error, undefined); // nothing to withdraw there
    }
  };
  // Called again whenever this document is opened, which removes the window's listeners.
  function listenForFrames(): void {
    addListener(window, ADOPT, adopt, true);
  }
  listenForFrames();

  // 7. Closed shadow roots. A user's click on a file input inside one reaches window as a
  // click on its host, and the guard finds the input by asking the root what is under the
  // pointer; a page can make that answer another (the input made transparent to the pointer
  // in its mouseup: tests/e2e/hostile/closed-root-hit-moved.html) and stop the click before
  // the root, and then the browser's own chooser opens. Its input event stays inside the root
  // in Firefox, where the page's listeners came first. So each closed root is named to the
  // guard as it is made (SHADOW, the root as the event's relatedTarget), and the guard's
  // listeners on it come before any of the page's; the guard answers, as for REARM.
  // A closed root made by the parser (a declarative `<template shadowrootmode="closed">`, or
  // setHTMLUnsafe()) reaches a page's script only through ElementInternals' shadowRoot: named
  // there too, the first time the page gets it.
  const nativeAttachShadow = Element.prototype.attachShadow;
  const rootMode = getter(ShadowRoot.prototype, 'mode') as (root: unknown) => string;
  const named = new WeakSet<object>();
  const isNamed = uncurry(WeakSet.prototype.has) as (set: WeakSet<object>, value: object) => boolean;
  const markNamed = uncurry(WeakSet.prototype.add) as (set: WeakSet<object>, value: object) => WeakSet<object>;
  let rootHeard = false;
  whenBridged((bridge) => addListener(bridge, `${SHADOW}${DONE_SUFFIX}`, () => (rootHeard = true)));
  /**
   * Names `root` to this document's guard (whose listeners must come first wherever the root
   * goes), if closed and not named yet; throws without room for it, or when the guard did not
   * answer. The event's relatedTarget may reach the guard as the root's host (retargeted
   * against the bridge): lasting-listeners.ts hands on either.
   */
  const nameRoot = (root: ShadowRoot) => {
    if (!bridge || rootMode(root) !== 'closed' || isNamed(named, root)) return;
    if (!roomForGuard()) return; // no guard left to name it to
    rootHeard = false;
    dispatch(bridge, new NativeMouseEvent(SHADOW, { relatedTarget: root }));
    // Unheard (the stack ran out in the guard's listener): the page gets no root to listen on.
    if (!rootHeard) throw new NativeRangeError('Maximum call stack size exceeded');
    markNamed(named, root);
  };
  const shadowWrappers = {
    attachShadow(this: Element, _init: ShadowRootInit) {
      const root = applyNative(nativeAttachShadow, this, arguments) as ShadowRoot;
      // Without room for the guard's answer the page gets no root, as if the stack had run
      // out a little deeper (made all the same: a custom element of the page's can still
      // reach it through its ElementInternals, named there). Only closed roots pay for the
      // trial: 8-18 µs a root in Chromium, 19-24 in Firefox (tests/e2e/fingerprint.test.mjs).
      nameRoot(root);
      return root;
    },
    get shadowRoot(): ShadowRoot | null {
      const root = internalsRoot!(this) as ShadowRoot | null;
      if (root) nameRoot(root);
      return root;
    },
  };
  place('Element', 'attachShadow', operation(shadowWrappers.attachShadow));
  const Internals = (globalThis as { ElementInternals?: { prototype: object } }).ElementInternals;
  const internalsRootGetter = Internals && getOwnPropertyDescriptor(Internals.prototype, 'shadowRoot')?.get;
  const internalsRoot = internalsRootGetter && uncurry(internalsRootGetter);
  if (internalsRoot) {
    // As WebIDL defines a read-only attribute: a getter, no setter, enumerable, configurable.
    const attribute = create(null) as PropertyDescriptor;
    attribute.get = getOwnPropertyDescriptor(shadowWrappers, 'shadowRoot')!.get;
    attribute.set = undefined;
    attribute.enumerable = true;
    attribute.configurable = true;
    place('ElementInternals', 'shadowRoot', attribute);
  }

  onHandover(PATHS_FOR, PATHS, (files, detail) => {
    const paths = parse(detail) as unknown[];
    for (let i = 0; i < fileCount(files) && i < paths.length; i++) {
      const path = paths[i];
      if (typeof path !== 'string') continue;
      const file = fileAt(files, i);
      if (!file) continue;
      // Not enumerable: JSON.stringify(file) stays "{}" as for the browser's files.
      defineProperty(file, 'webkitRelativePath', valueOf(path, true, false));
      putPath(copyPaths, file, path);
    }
    // Last, and on its own: a FormData the page has frozen costs the scripts' names, not the paths.
    try {
      nameByPaths();
    } catch {
      // The page's FormData keeps its methods; forms still name the copies by their paths.
    }
  });
})();
