// The engine as content scripts reach it: through an invisible engine frame
// (see engine/frame.ts), with bytes transferred over a MessagePort. The frame
// sits in a closed shadow root, so the page can neither see nor style it.
import { MessagingEngine } from '../engine/messaging-engine';
import { PortEngine } from '../engine/port-engine';
import { EngineError, type Engine } from '../engine/types';
import { ext, isFirefox } from '../shared/ext';

const CONNECT_TIMEOUT_MS = 5000;

let connecting: Promise<PortEngine> | undefined;
let host: HTMLElement | undefined;

async function connect(): Promise<PortEngine> {
  const token = (await ext.runtime.sendMessage({ type: 'traceless:engine-token' })) as unknown;
  if (typeof token !== 'string') throw new EngineError('the engine is not available', 'internal');
  const url = ext.runtime.getURL('engine-frame.html');
  host = document.createElement('traceless-engine');
  const root = host.attachShadow({ mode: 'closed' });
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  frame.src = url;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  root.append(frame);
  document.documentElement.append(host);
  await loaded;

  const channel = new MessageChannel();
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EngineError('the engine did not start', 'internal')), CONNECT_TIMEOUT_MS);
    channel.port1.onmessage = (event) => {
      if ((event.data as { type?: string })?.type !== 'traceless:ready') return;
      clearTimeout(timer);
      resolve();
    };
  });
  frame.contentWindow!.postMessage({ type: 'traceless:connect', token }, new URL(url).origin, [channel.port2]);
  await ready;
  return new PortEngine(channel.port1);
}

/**
 * The engine, started on first use and kept for the page's lifetime; restarted if the page removed it.
 * Firefox: through runtime messaging (see messaging-engine.ts).
 */
export function contentEngine(): Promise<Engine> {
  if (isFirefox()) return Promise.resolve(new MessagingEngine());
  return frameEngine();
}

function frameEngine(): Promise<PortEngine> {
  if (connecting && host?.isConnected) return connecting;
  host?.remove();
  connecting = connect();
  connecting.catch(() => (connecting = undefined));
  return connecting;
}
