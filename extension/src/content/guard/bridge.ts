// The isolated side of the drop and paste guard. Dropped and pasted files can
// only be handed to the page in events built in the page's own world (a
// DataTransfer built here shows no files to page scripts), so the main-world
// script intercepts those events and sends their files here over a private
// MessageChannel; they come back cleaned.
import { cleanAll, passed } from './clean-files';
import type { GuardHooks } from './inputs';
import type { BridgeReply, BridgeRequest } from './bridge-protocol';

export function openBridge(hooks: GuardHooks): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = async (event: MessageEvent<BridgeRequest>) => {
    const { id, files } = event.data;
    const outcomes = await cleanAll(files, hooks);
    channel.port1.postMessage({ id, files: passed(outcomes) } satisfies BridgeReply);
    hooks.report(outcomes);
  };
  // Posted before any page script has run (document_start): the page never sees the port.
  window.postMessage({ type: 'traceless:bridge' }, '*', [channel.port2]);
}
