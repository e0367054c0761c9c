// The engine's glue without a wasm module: what happens after a trap (trap.ts,
// port-engine.ts), the converter's kept HEIC pixels (display.ts), and what content
// scripts may ask of the background (service.ts). Bundled and run by test/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortEngine } from '../src/engine/port-engine';
import type { Endpoint, Request, Response } from '../src/engine/protocol';
import { engineStopped, isEngineStopped, TrapGuard } from '../src/engine/trap';
import { WasmModule } from '../src/engine/wasm-module';
import { convertKept, decodedPixels, displayable, forget, noteBrowserDecode } from '../src/converter/display';
import { decodeInTwo } from '../src/converter/split-decode';
import { convertInTwo } from '../src/converter/split-encode';
import { isEngineRequest, serve, type EngineRequest } from '../src/engine/service';
import { cancelled, isCancelled } from '../src/engine/worker-client';
import {
  EngineError,
  errorReply,
  type ConvertOptions,
  type ConvertReport,
  type Decoded,
  type Engine,
  type Output,
  type PixelEngine,
} from '../src/engine/types';
import { describeFailure } from '../src/shared/failure';

test('a module whose load failed is loaded again by the next call; one that loaded is loaded once', async () => {
  // The glue fetches the module from our own origin; Node has neither, so both are stood in for.
  const saved = { location: (globalThis as { location?: unknown }).location, fetch: globalThis.fetch };
  Object.assign(globalThis, { location: { href: 'chrome-extension://id/engine/worker.js' } });
  globalThis.fetch = (async (url: URL) => new Response(String(url))) as typeof fetch;
  try {
    const asked: string[] = [];
    let failures = 1;
    const module = new WasmModule('/engine/x.wasm', async ({ module_or_path }) => {
      asked.push(await (await module_or_path).text());
      if (failures-- > 0) throw new Error('out of memory compiling');
      return 'instance';
    });
    assert.equal(module.started, false);
    await assert.rejects(module.load(), /out of memory/);
    assert.equal(module.started, false, 'the failure is not kept');
    assert.equal(await module.load(), 'instance');
    assert.equal(await module.load(), 'instance');
    assert.deepEqual(asked, ['chrome-extension://id/engine/x.wasm', 'chrome-extension://id/engine/x.wasm'], 'fetched twice: once failed, once kept');
  } finally {
    Object.assign(globalThis, { location: saved.location });
    globalThis.fetch = saved.fetch;
  }
});

test('a trap stops the instance for good; an engine error does not', () => {
  const guard = new TrapGuard();
  assert.throws(() => guard.call(() => { throw new EngineError('damaged', 'corrupt'); }), /damaged/);
  assert.equal(guard.call(() => 7), 7, 'an ordinary error leaves the instance in use');
  let calls = 0;
  assert.throws(() => guard.call(() => { calls++; throw new WebAssembly.RuntimeError('unreachable'); }), (e) => isEngineStopped(e));
  assert.ok(guard.trapped);
  assert.throws(() => guard.call(() => calls++), (e) => isEngineStopped(e) && /earlier fault: unreachable/.test((e as Error).message));
  assert.equal(calls, 1, 'the stopped instance is not called again');
  assert.match(describeFailure(engineStopped('unreachable')), /The engine stopped while working on it/);
  // The host's stack running out unwinds the wasm frames without their exits: a stop too.
  const overflowed = new TrapGuard();
  assert.throws(() => overflowed.call(() => { throw new RangeError('Maximum call stack size exceeded'); }), (e) => isEngineStopped(e));
  assert.ok(overflowed.trapped);
});

/** A worker stand-in: records requests; the test answers them. */
class FakeEndpoint implements Endpoint {
  onmessage: ((event: MessageEvent<Response>) => void) | null = null;
  readonly requests: Request[] = [];
  postMessage(message: unknown): void {
    this.requests.push(message as Request);
  }
  answer(response: Response): void {
    this.onmessage?.({ data: response } as MessageEvent<Response>);
  }
}

class ReplacingEngine extends PortEngine {
  readonly endpoints: FakeEndpoint[];
  constructor(first: FakeEndpoint) {
    super(first);
    this.endpoints = [first];
  }
  protected override replacement(): FakeEndpoint {
    const next = new FakeEndpoint();
    this.endpoints.push(next);
    return next;
  }
}

test('an engine that stopped is replaced: the next file goes to a fresh one, the queued ones are told', async () => {
  const engine = new ReplacingEngine(new FakeEndpoint());
  const [first] = engine.endpoints;
  const trapped = engine.inspect(new Uint8Array([1]));
  const queued = engine.inspect(new Uint8Array([2]));
  first.answer({ id: first.requests[0].id, ok: false, ...errorReply(engineStopped('unreachable')) });
  await assert.rejects(trapped, (e) => isEngineStopped(e));
  await assert.rejects(queued, (e) => isEngineStopped(e) && /before this one was read/.test((e as Error).message));
  assert.equal(engine.endpoints.length, 2);
  const next = engine.inspect(new Uint8Array([3]));
  const fresh = engine.endpoints[1];
  assert.equal(fresh.requests.length, 1, 'the next request goes to the fresh engine');
  assert.equal(first.requests.length, 2);
  fresh.answer({ id: fresh.requests[0].id, ok: true, value: { format: 'jpeg' }, ms: 1 });
  assert.deepEqual(await next, { format: 'jpeg' });
  // An ordinary refusal replaces nothing.
  const refused = engine.inspect(new Uint8Array([4]));
  fresh.answer({ id: fresh.requests[1].id, ok: false, ...errorReply(new EngineError('not an image', 'unrecognised')) });
  await assert.rejects(refused, /not an image/);
  assert.equal(engine.endpoints.length, 2);
});

// --- The converter's kept HEIC pixels (converter/display.ts) ---

/** A HEIC's first bytes: an `ftyp` box with the `heic` brand. */
function heicFile(name: string): File {
  const ftyp = new Uint8Array([0, 0, 0, 24, ...'ftypheic'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
  return new File([ftyp, new Uint8Array(64)], name, { type: 'image/heic' });
}

/** An AVIF's first bytes: an `ftyp` box with the `avif` brand. */
function avifFile(name: string): File {
  const ftyp = new Uint8Array([0, 0, 0, 24, ...'ftypavif'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
  return new File([ftyp, new Uint8Array(64)], name, { type: 'image/avif' });
}

/**
 * A copy maker whose decodes the test finishes, in any order (images decoded whole: the second
 * worker has no part); `preloads` records what each worker was made to compile first, and
 * `calls` each decode asked for.
 */
function copies() {
  const pending: { finish: () => void }[] = [];
  const preloads: string[] = [];
  const calls: string[] = [];
  const decodeUpright = (bytes: Uint8Array) =>
    new Promise<Decoded>((resolve) => {
      pending.push({ finish: () => resolve({ rgba: new Uint8Array(4).fill(bytes.length % 256), width: 1, height: 1 }) });
    });
  const maker = (preload: string) => {
    preloads.push(preload);
    return {
      decodeUpright: (bytes: Uint8Array) => {
        calls.push('decodeUpright');
        return decodeUpright(bytes);
      },
      decodeUprightBand: async (bytes: Uint8Array, index: number) => {
        calls.push(`band ${index}`);
        return index === 0 ? decodeUpright(bytes) : null;
      },
      joinUprightBands: () => Promise.reject(new Error('nothing to join')),
      screenPicture: async () => new Uint8Array(8),
      terminate: () => undefined,
    };
  };
  return { maker, pending, preloads, calls };
}

/** Records what each conversion was given; `refuse` makes a call with pixels fail. */
class SpyEngine {
  readonly calls: { decoded?: Decoded }[] = [];
  constructor(private readonly refuse?: Error) {}
  async convert(_bytes: Uint8Array, _options?: ConvertOptions, decoded?: Decoded) {
    this.calls.push({ decoded });
    if (decoded && this.refuse) throw this.refuse;
    return { data: new Uint8Array(1), report: {} } as Output<ConvertReport>;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a shown HEIC converts from its kept pixels; a removed one, or an older copy that ends late, keeps none', async () => {
  const { maker, pending } = copies();
  const [a, b] = [heicFile('a.heic'), heicFile('b.heic')];
  const spy = new SpyEngine();
  const options: ConvertOptions = { format: 'jpeg' };
  const shownA = displayable(a, maker);
  const shownB = displayable(b, maker);
  await settle();
  assert.equal(pending.length, 2);
  pending[1].finish(); // b, asked for last, ends first
  await shownB;
  pending[0].finish(); // a ends later: not kept over b
  await shownA;
  assert.ok(decodedPixels(b) && !decodedPixels(a));
  await convertKept(spy as unknown as PixelEngine, b, new Uint8Array(3), options);
  await convertKept(spy as unknown as PixelEngine, a, new Uint8Array(3), options);
  assert.deepEqual(spy.calls.map((c) => Boolean(c.decoded)), [true, false], 'b from its pixels, a from its file');
  forget(b);
  assert.equal(decodedPixels(b), undefined, 'let go when it leaves the list');
  // Removed while its copy is being made: nothing is kept when the copy ends.
  const c = heicFile('c.heic');
  const shownC = displayable(c, maker);
  await settle();
  forget(c);
  pending[2].finish();
  assert.ok(await shownC, 'the copy is still made');
  assert.equal(decodedPixels(c), undefined);
});

test('a HEIC\'s copy: two workers with the converter module share the decode; an AVIF the browser refuses: one worker, its module chosen by the call, one whole decode; one it shows: no copy', async () => {
  const heic = copies();
  const h = heicFile('h.heic');
  const shownH = displayable(h, heic.maker);
  await settle();
  heic.pending.forEach((p) => p.finish());
  assert.ok(await shownH);
  assert.deepEqual(heic.preloads, ['converter', 'converter']);
  assert.deepEqual(heic.calls.sort(), ['band 0', 'band 1']);
  forget(h);

  const avif = copies();
  const refused = avifFile('refused.avif');
  noteBrowserDecode(refused, false);
  const shownA = displayable(refused, avif.maker);
  await settle();
  avif.pending.forEach((p) => p.finish());
  const copy = await shownA;
  assert.ok(copy && copy !== refused, 'an engine-made picture');
  assert.ok(decodedPixels(refused), 'its pixels kept for converting it');
  assert.deepEqual(avif.preloads, ['none']);
  assert.deepEqual(avif.calls, ['decodeUpright']);
  forget(refused);

  const shown = avifFile('shown.avif');
  noteBrowserDecode(shown, true);
  assert.equal(await displayable(shown, avif.maker), shown, 'shown as it is');
  assert.deepEqual(avif.preloads, ['none'], 'no worker made for it');
});

test('converting a HEIC while its copy is being made waits for that decode, and converts from its pixels', async () => {
  const { maker, pending } = copies();
  const e = heicFile('e.heic');
  const shown = displayable(e, maker);
  await settle();
  const spy = new SpyEngine();
  const converting = convertKept(spy as unknown as PixelEngine, e, new Uint8Array(3), { format: 'jpeg' });
  await settle();
  assert.equal(spy.calls.length, 0, 'no conversion of its own while the copy decodes');
  pending.at(-1)!.finish();
  await Promise.all([shown, converting]);
  assert.deepEqual(spy.calls.map((c) => Boolean(c.decoded)), [true], 'from the copy\'s pixels');
  forget(e);
});

test('pixels the engine refuses are retried from the file; an engine that stopped is not asked again', async () => {
  const { maker, pending } = copies();
  const d = heicFile('d.heic');
  const shown = displayable(d, maker);
  await settle();
  pending[0].finish();
  await shown;
  assert.ok(decodedPixels(d));
  const refusing = new SpyEngine(new EngineError('the browser decoded it at 1×1', 'corrupt'));
  await convertKept(refusing as unknown as PixelEngine, d, new Uint8Array(3), { format: 'jpeg' });
  assert.deepEqual(refusing.calls.map((c) => Boolean(c.decoded)), [true, false]);
  const stopped = new SpyEngine(engineStopped('unreachable'));
  await assert.rejects(convertKept(stopped as unknown as PixelEngine, d, new Uint8Array(3), { format: 'jpeg' }), (e) => isEngineStopped(e));
  assert.equal(stopped.calls.length, 1);
  forget(d);
});

// --- A HEIC's decode over two workers (converter/split-decode.ts) ---

/** A decoder that splits every image in two bands; `fail` makes the named call reject, `whole` decodes it whole. */
function bander(name: string, { fail, whole = false, uncoloured = false }: { fail?: string; whole?: boolean; uncoloured?: boolean } = {}) {
  const calls: string[] = [];
  let ended = 0;
  const step = <T>(call: string, value: T) => {
    calls.push(`${name}.${call}`);
    return call === fail ? Promise.reject(new EngineError(`${name} failed`, 'corrupt')) : Promise.resolve(value);
  };
  const decoded = (mark: number): Decoded => ({ rgba: new Uint8Array([mark]), width: 1, height: 1 });
  const decoder = {
    decodeUpright: () => step('decodeUpright', decoded(1)),
    decodeUprightBand: (_bytes: Uint8Array, index: number) =>
      // The first band's rows need converting for the screen, the second's not.
      step(`decodeUprightBand${index}`, whole ? (index === 0 ? decoded(1) : null) : { rows: new Uint8Array([10 + index]), ...(index === 0 ? { screen: uncoloured ? null : new Uint8Array([30]) } : {}) }),
    joinUprightBands: (_bytes: Uint8Array, bands: Uint8Array[], screens: Uint8Array[]) =>
      step('joinUprightBands', { ...decoded(bands.reduce((sum, b) => sum + b[0], 0)), ...(screens.length ? { picture: new Uint8Array(screens.map((s) => s[0])) } : {}) }),
    terminate: () => void ended++,
  };
  return { decoder, calls, ended: () => ended };
}

test('a grid HEIC: half its tiles each, joined by the first worker; the second ended', async () => {
  const [first, second] = [bander('first'), bander('second')];
  const out = await decodeInTwo(first.decoder, () => second.decoder, new Uint8Array(9));
  assert.deepEqual([...out.rgba], [21], 'both bands joined');
  assert.deepEqual([...(out.picture ?? [])], [30, 11], "the picture from the first band's screen rows and the second's own rows");
  assert.deepEqual(first.calls, ['first.decodeUprightBand0', 'first.joinUprightBands']);
  assert.deepEqual(second.calls, ['second.decodeUprightBand1']);
  assert.ok(second.ended() >= 1);
  // Not split: the first decodes it whole, the second has nothing to do.
  const [a, b] = [bander('a', { whole: true }), bander('b', { whole: true })];
  const whole = await decodeInTwo(a.decoder, () => b.decoder, new Uint8Array(9));
  assert.deepEqual([[...whole.rgba], a.calls], [[1], ['a.decodeUprightBand0']]);
  assert.equal(whole.picture, undefined, 'its picture is made after');
  // Rows the first worker could not colour for the screen: the pixels, and no picture yet.
  const [c, d] = [bander('c', { uncoloured: true }), bander('d')];
  const uncoloured = await decodeInTwo(c.decoder, () => d.decoder, new Uint8Array(9));
  assert.deepEqual([[...uncoloured.rgba], uncoloured.picture], [[21], undefined]);
  assert.ok(b.ended() >= 1);
});

test('a second worker that fails or cannot start leaves the decode to the first; a first that fails fails it', async () => {
  const first = bander('first');
  const second = bander('second', { fail: 'decodeUprightBand1' });
  const out = await decodeInTwo(first.decoder, () => second.decoder, new Uint8Array(9));
  assert.deepEqual([...out.rgba], [1], 'decoded whole by the first');
  assert.deepEqual(first.calls, ['first.decodeUprightBand0', 'first.decodeUpright']);
  const alone = bander('alone');
  const started = await decodeInTwo(alone.decoder, () => { throw new Error('no worker'); }, new Uint8Array(9));
  assert.deepEqual([[...started.rgba], alone.calls], [[1], ['alone.decodeUpright']]);
  const broken = bander('broken', { fail: 'decodeUprightBand0' });
  const helper = bander('helper');
  await assert.rejects(decodeInTwo(broken.decoder, () => helper.decoder, new Uint8Array(9)), /broken failed/);
  assert.ok(helper.ended() >= 1, 'the second worker is ended when the first fails');
});

// --- A JPEG's encode over two workers (converter/split-encode.ts) ---

/** An engine that splits every JPEG in two strips; `fail` makes the named call reject. */
function splitter(name: string, fail?: string) {
  const calls: string[] = [];
  const job = { width: 1, heights: [16, 16] };
  const step = <T>(call: string, value: T) => {
    calls.push(`${name}.${call}`);
    return call === fail ? Promise.reject(new EngineError(`${name} failed`, 'internal')) : Promise.resolve(value);
  };
  const engine = {
    convert: () => step('convert', { data: new Uint8Array([1]), report: {} }),
    convertInParts: () => step('convertInParts', { job, strips: [new Uint8Array(3), new Uint8Array(3)] }),
    encodePart: () => step('encodePart', new Uint8Array(2)),
    writeScans: () => step('writeScans', new Uint8Array(2)),
    spliceScans: () => step('spliceScans', { data: new Uint8Array([2]), report: {} }),
    encodeDecodedStrip: () => step('encodeDecodedStrip', { strip: new Uint8Array(2), job }),
  };
  return { engine: engine as unknown as PixelEngine, calls };
}

test('a large JPEG: a strip and half the scans each, spliced by the first worker; the helper released', async () => {
  const first = splitter('first');
  const second = splitter('second');
  let released = 0;
  const out = await convertInTwo(first.engine, () => ({ engine: second.engine, release: () => released++ }), new Uint8Array(2_000_000), { format: 'jpeg' });
  assert.deepEqual([...out.data], [2], 'the spliced file');
  assert.deepEqual(first.calls, ['first.convertInParts', 'first.encodePart', 'first.writeScans', 'first.spliceScans']);
  assert.deepEqual(second.calls, ['second.encodePart', 'second.writeScans']);
  assert.equal(released, 1);
  // Pixels the page has: each worker prepares its own rows.
  const [a, b] = [splitter('a'), splitter('b')];
  const decoded = { rgba: new Uint8Array(2000 * 2000 * 4), width: 2000, height: 2000 };
  await convertInTwo(a.engine, () => ({ engine: b.engine, release: () => released++ }), new Uint8Array(9), { format: 'jpeg' }, decoded);
  assert.deepEqual(a.calls, ['a.encodeDecodedStrip', 'a.writeScans', 'a.spliceScans']);
  assert.deepEqual(b.calls, ['b.encodeDecodedStrip', 'b.writeScans']);
});

test('a conversion dropped (its worker ended: the estimate was asked again) is not retried another way', async () => {
  const first = splitter('first');
  const dropped = { ...first.engine, encodeDecodedStrip: () => Promise.reject(cancelled()) } as unknown as PixelEngine;
  const decoded = { rgba: new Uint8Array(2000 * 2000 * 4), width: 2000, height: 2000 };
  const warned: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args);
  try {
    await assert.rejects(convertInTwo(dropped, () => ({ engine: splitter('second').engine, release: () => undefined }), new Uint8Array(9), { format: 'jpeg' }, decoded), (e) => isCancelled(e));
  } finally {
    console.warn = warn;
  }
  assert.deepEqual([first.calls, warned], [[], []], 'no other way tried, nothing said');
});

test('a helper that fails leaves the image to the first worker; a first worker that fails fails the image; PNG starts no helper', async () => {
  for (const fail of ['encodePart', 'writeScans']) {
    const first = splitter('first');
    let released = 0;
    const out = await convertInTwo(first.engine, () => ({ engine: splitter('second', fail).engine, release: () => released++ }), new Uint8Array(2_000_000), { format: 'jpeg' });
    assert.deepEqual([...out.data], [1], `${fail}: converted whole by the first worker`);
    assert.equal(first.calls.at(-1), 'first.convert');
    assert.equal(released, 1);
  }
  const broken = await convertInTwo(splitter('first').engine, () => { throw new Error('no worker'); }, new Uint8Array(2_000_000), { format: 'jpeg' });
  assert.deepEqual([...broken.data], [1], 'a helper that cannot start');
  let released = 0;
  await assert.rejects(
    convertInTwo(splitter('first', 'encodePart').engine, () => ({ engine: splitter('second').engine, release: () => released++ }), new Uint8Array(2_000_000), { format: 'jpeg' }),
    /first failed/,
  );
  assert.equal(released, 1, 'released when the first worker fails too');
  let started = 0;
  const png = splitter('first');
  await convertInTwo(png.engine, () => { started++; return { engine: splitter('second').engine, release: () => undefined }; }, new Uint8Array(2_000_000), { format: 'png' });
  assert.deepEqual([png.calls, started], [['first.convert'], 0]);
});

// --- Content scripts' requests (engine/service.ts) ---

test('a content script cannot hand the engine pixels, nor ask for a decode', async () => {
  const given: unknown[][] = [];
  const engine = {
    inspect: async () => ({}),
    clean: async () => ({ data: new Uint8Array(1), report: {} }),
    convert: async (...args: unknown[]) => {
      given.push(args);
      return { data: new Uint8Array(1), report: {} };
    },
  } as unknown as Engine;
  const input = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])]);
  const pixels = { rgba: new Uint8Array(4), width: 1, height: 1 };
  const request = { type: 'traceless:engine', op: 'convert', input, options: { format: 'png' }, decoded: pixels };
  assert.ok(isEngineRequest(request));
  const reply = await serve(engine, request as EngineRequest);
  assert.ok(reply.ok);
  assert.equal(given.length, 1);
  assert.equal(given[0][2], undefined, 'no pixels reach the engine');
  assert.deepEqual(given[0][1], { format: 'png' });
  for (const op of ['decodeUpright', 'decodeUprightBand', 'joinUprightBands', 'screenPicture', 'listPicture', 'convertInParts', 'encodePart', 'writeScans', 'spliceScans', 'encodeDecodedStrip']) {
    assert.ok(!isEngineRequest({ type: 'traceless:engine', op, input }), op);
  }
});
