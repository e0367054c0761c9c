// The site a frame is shown in: the tab's top-level origin, under which the popup stores the
// user's choice for a site. An uploader in another origin's frame (a Cloudinary or Uploadcare
// widget, a support chat) looked up its own origin, found no choice, and with the guard off
// everywhere but "on for this site", sent the originals (a read-only review, session 43).
import { ext } from '../../shared/ext';
import type { TopSite } from '../../shared/messages';

let asked: Promise<string | undefined> | undefined;

/**
 * The top-level page's origin: read where this frame may (the top page itself, or one of
 * its own origin), else the background's answer from the tab's address (the browser's
 * word, which no page can change). Undefined where neither is known.
 */
export function topSite(): Promise<string | undefined> {
  if (window === window.top) return Promise.resolve(location.origin);
  try {
    return Promise.resolve(window.top!.location.origin);
  } catch {
    // Another origin's: asked once (the tab's top page does not change under a frame), and
    // again after a failure (the background restarting), which the caller meanwhile takes
    // as this frame's own origin.
    asked ??= ext.runtime.sendMessage({ type: 'traceless:top-site' } satisfies TopSite).then(
      (site: unknown) => (typeof site === 'string' ? site : undefined),
      () => {
        asked = undefined;
        return undefined;
      },
    );
    return asked;
  }
}
