// Background entry: wires the context menu to the engine. Listeners are
// registered synchronously at start-up, as both browsers' non-persistent
// backgrounds require.
import { LocalEngine } from '../engine/local';
import { isEngineRequest, serve } from '../engine/service';
import { ext, isFirefox } from '../shared/ext';
import { isTopSiteRequest, type ImageSource } from '../shared/messages';
import { siteOrigin } from '../shared/settings';
import { runAction } from './actions';
import { OffscreenEngine } from './offscreen-engine';
import { OnDemandWorkerEngine } from './worker-engine';
import { whileAwake } from './awake';
import { countCleaned, isCleanedCount, isGuardLost, markGuardLost } from './badge';
import { parseMenuId, setUpMenus } from './menus';
import { isSaveRequest, save } from './save';

const engine = new LocalEngine();
// Work that may take minutes runs off the background's own thread: in Chromium in an
// offscreen document's worker (Chromium stops a service worker busy in one call for about
// a minute: offscreen-engine.ts), in Firefox in a worker of the event page (worker-engine.ts).
// That is the menu's work, and the upload guard's re-encoding (its recompress mode: a 48 MP
// photo as AVIF takes over a minute). Cleaning, which takes milliseconds, is done here.
// Each has its own worker: an upload does not wait behind a minute's "Save as AVIF".
// The menu's action uses its bytes again ("Compress" may clean them after converting, and
// reports their size); serve() reads a content script's Blob for the engine alone.
const menuEngine = isFirefox() ? new OnDemandWorkerEngine() : new OffscreenEngine('menu');
const recompressEngine = isFirefox() ? new OnDemandWorkerEngine(true) : new OffscreenEngine('guard');

// Made again at each browser start too: their titles are in the browser's language, which
// may have changed since they were made.
ext.runtime.onStartup.addListener(() => void setUpMenus());
// Chromium, split incognito mode: the private profile's background is a second instance, which
// a fresh private profile's start does not tell by onInstalled or onStartup (measured).
if (ext.extension.inIncognitoContext) void setUpMenus();

ext.runtime.onInstalled.addListener((details) => {
  void setUpMenus();
  // A first install shows the settings page, which says what Traceless does and lets the user
  // choose: once, from the normal windows' instance. It says too that tabs opened before are
  // guarded only once reloaded: Chromium starts no content script in them, and Firefox's starts
  // after the page's own scripts, whose listeners then come first.
  if (details.reason === 'install' && !ext.extension.inIncognitoContext) {
    void ext.tabs.create({ url: ext.runtime.getURL('options.html?installed') });
  }
});

async function onMenuClick(info: chrome.contextMenus.OnClickData, tab?: chrome.tabs.Tab) {
  const action = parseMenuId(info.menuItemId);
  if (!action) return undefined;
  const { incognito, windowId } = tab ? { incognito: tab.incognito, windowId: tab.windowId } : await clickOutsideTabs();
  const source: ImageSource = {
    // Our items show on images only. Chromium leaves srcUrl out when the address is longer than
    // its 2 MB limit for URLs (a large data: image; read from Chromium's source, not provoked):
    // then the frame's content script names the image it was right-clicked on.
    srcUrl: info.srcUrl ?? '',
    pageUrl: info.frameUrl ?? info.pageUrl,
    tabId: tab?.id,
    frameId: info.frameId,
    windowId,
    ...(incognito ? { incognito: true } : {}),
    ...(info.frameId !== 0 && !sameOrigin(info.frameUrl, tab?.url) ? { foreignFrame: true } : {}),
    ...(tab && info.pageUrl ? { tabPage: info.pageUrl } : {}),
  };
  return runAction(menuEngine, action, source);
}

/**
 * Whether a frame is of its page's origin. An about:blank or srcdoc frame takes its
 * creator's, which may be another site's frame inside the page: not known, so not counted
 * as the page's own (its notice goes to the toolbar).
 */
function sameOrigin(frameUrl: string | undefined, pageUrl: string | undefined): boolean {
  if (!frameUrl || !pageUrl) return false;
  try {
    const origin = new URL(frameUrl).origin;
    return origin !== 'null' && origin === new URL(pageUrl).origin;
  } catch {
    return false;
  }
}

/**
 * A click outside any tab (an image in a Firefox sidebar, where the click carries no tab)
 * names no window. Taken as private whenever a private window is open, since the focused
 * window need not be the one clicked in (a menu can open on a window without focusing it,
 * and the background may wake up after): private rules cost a signed-in image at worst,
 * normal ones would tie a private visit to the person's accounts. The outcome goes to the
 * focused window only when it is of that kind. (Chromium's private windows have a
 * background of their own: there its profile decides.)
 */
async function clickOutsideTabs(): Promise<{ incognito: boolean; windowId?: number }> {
  if (!isFirefox()) return { incognito: ext.extension.inIncognitoContext };
  const incognito = (await ext.windows.getAll().catch(() => [])).some((w) => w.incognito);
  const focused = await ext.windows.getLastFocused().catch(() => undefined);
  return { incognito, windowId: focused?.incognito === incognito ? focused.id : undefined };
}

ext.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));

// Our content scripts ask for engine work (messages carry bytes as structured clones)
// and count cleaned files; the converter asks Firefox's background to save files.
// Nothing else is accepted, and nothing from outside the extension: pages cannot
// send runtime messages to it (no externally_connectable).
ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id) return false;
  if (isCleanedCount(message) && sender.tab?.id !== undefined) {
    void countCleaned(sender.tab.id, message.count);
    return false;
  }
  if (isGuardLost(message) && sender.tab?.id !== undefined) {
    void markGuardLost(sender.tab.id);
    return false;
  }
  // A frame's guard asks which site its tab shows (content/guard/site.ts).
  if (isTopSiteRequest(message)) {
    sendResponse(siteOrigin(sender.tab?.url ?? '') ?? null);
    return false;
  }
  // From the converter's pages only: a content script (a compromised page's process, at
  // worst) has no reason to save files through here.
  if (isFirefox() && isSaveRequest(message) && fromOwnPage(sender)) {
    save(message).then(sendResponse);
    return true;
  }
  if (isEngineRequest(message)) {
    // serve() reads the request's Blob here and the offscreen engine sends a Blob of its own:
    // handles passed on unread broke Chromium's Blob reads (offscreen-engine.ts).
    const served = message.op === 'convert' ? whileAwake(serve(recompressEngine, message)) : serve(engine, message);
    served.then(sendResponse);
    return true;
  }
  return false;
});

function fromOwnPage(sender: chrome.runtime.MessageSender): boolean {
  return sender.url?.startsWith(ext.runtime.getURL('')) === true;
}

// The end-to-end tests call the menu handler directly: no browser can click a native
// context menu headless. Only the extension's own contexts can reach this global.
(globalThis as { traceless?: unknown }).traceless = { onMenuClick, setUpMenus };
