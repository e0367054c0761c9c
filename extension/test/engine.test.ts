// The engine's glue without a wasm module: what happens after a trap (trap.ts,
// port-engine.ts). Bundled and run by test/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortEngine } from '../src/engine/port-engine';
import type { Endpoint, Request, Response } from '../src/engine/protocol';
import { engineStopped, isEngineStopped, TrapGuard } from '../src/engine/trap';
import { EngineError, errorReply } from '../src/engine/types';
import { describeFailure } from '../src/shared/failure';

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
