// Saving a converted file where the browser saves downloads.
import { DownloadCancelled, downloadBlob } from '../shared/download';
import { ext, isFirefox } from '../shared/ext';
import type { SaveReply, SaveRequest } from '../shared/messages';

/**
 * Firefox revokes a page's object URLs when the page closes, and a popup closes as soon as
 * the download panel or a "Save as" dialog takes focus: there the background saves.
 */
export async function save(blob: Blob, filename: string): Promise<number> {
  if (!isFirefox()) return downloadBlob(blob, filename);
  const request: SaveRequest = { type: 'traceless:save', blob, filename, incognito: ext.extension.inIncognitoContext };
  const reply = (await ext.runtime.sendMessage(request)) as SaveReply;
  if ('cancelled' in reply) throw new DownloadCancelled();
  if ('error' in reply) throw new Error(reply.error);
  return reply.id;
}
