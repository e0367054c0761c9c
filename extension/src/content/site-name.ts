// The name of the site a page's upload goes to, as the user should read it in the
// guard's "send the original anyway?" dialog.

export interface Whereabouts {
  /** location.host: empty in about:blank, about:srcdoc and data: frames. */
  host: string;
  /** self.origin: the origin such a frame runs with; "null" when opaque (sandboxed, data:). */
  origin: string;
}

/**
 * The host whose scripts run in this document: its own, or, in an about:blank or srcdoc
 * frame (no host of its own: the dialog said "null" there), the origin it runs with. A
 * frame with an opaque origin is named by no one: the page around it is often not the
 * one whose scripts run in it (a third-party frame that went to a data: URL, or made a
 * sandboxed child), and naming that page would vouch for the wrong site. Undefined: the
 * dialog says "this page".
 */
export function siteName(where: Whereabouts): string | undefined {
  if (where.host) return where.host;
  if (!where.origin || where.origin === 'null') return undefined;
  try {
    return new URL(where.origin).host || undefined;
  } catch {
    return undefined;
  }
}

/** This document's whereabouts. */
export function here(): Whereabouts {
  return { host: location.host, origin: self.origin };
}
