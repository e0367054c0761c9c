// The session secret that admits a content script to the engine frame. It lives
// in storage.session, which only extension pages and the background can read.
import { ext } from './ext';

export const ENGINE_TOKEN_KEY = 'engineToken';

/** The background's answer to a content script asking for the token. */
export async function engineToken(): Promise<string> {
  const stored = await ext.storage.session.get(ENGINE_TOKEN_KEY);
  const existing = stored[ENGINE_TOKEN_KEY];
  if (typeof existing === 'string') return existing;
  const token = crypto.randomUUID();
  await ext.storage.session.set({ [ENGINE_TOKEN_KEY]: token });
  return token;
}
