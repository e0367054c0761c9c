// The name of the site a page's upload goes to, as the user should read it in the
// guard's "send the original anyway?" dialog.

export interface Whereabouts {
  /** location.host: empty in about:blank, about:srcdoc and data: frames. */
  host: string;
  /** self.origin: the origin such a frame inherits from its parent; "null" when opaque (sandboxed). */
  origin: string;
  /** location.ancestorOrigins (Chromium), nearest first: the page around an opaque frame. */
  ancestors: readonly string[];
}

/**
 * The host the page's scripts speak for. An about:blank or srcdoc frame has no host of
 * its own (the dialog said "null" there) but runs with its parent's origin; a sandboxed
 * one has an opaque origin, so the nearest ancestor with an origin names the site.
 */
export function siteName(where: Whereabouts): string | undefined {
  if (where.host) return where.host;
  for (const origin of [where.origin, ...where.ancestors]) {
    const host = hostOf(origin);
    if (host) return host;
  }
  return undefined;
}

function hostOf(origin: string): string | undefined {
  if (!origin || origin === 'null') return undefined;
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}

/** This document's whereabouts. */
export function here(): Whereabouts {
  return {
    host: location.host,
    origin: self.origin,
    ancestors: Array.from(location.ancestorOrigins ?? []),
  };
}
