// The engine behind a message endpoint (a Worker, or a MessagePort to one).
// Bytes cross as transferred buffers: no encoding and no copy in transit.
import { CallEngine } from './call-engine';
import { transferables, type AnyCall, type Endpoint, type Request, type Response } from './protocol';
import { engineStopped, isEngineStopped } from './trap';
import {
  errorFrom,
  type ConvertOptions,
  type ConvertReport,
  type Decoded,
  type InParts,
  type Joined,
  type Output,
  type PartsJob,
  type PixelEngine,
  type UprightBand,
} from './types';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class PortEngine extends CallEngine implements PixelEngine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The engine's own time for the last answered request, in ms (benchmarks subtract it). */
  lastEngineMs = 0;

  /**
   * `giveInput`: the caller hands its input bytes over (their buffer is transferred and
   * becomes unusable to it), which saves a copy of every image; otherwise a copy is sent.
   */
  constructor(
    private endpoint: Endpoint,
    private readonly giveInput = false,
  ) {
    super();
    this.bind(endpoint);
  }

  /** Sends from now on to `endpoint` (a replacement for one whose engine stopped). */
  protected bind(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    endpoint.onmessage = (event: MessageEvent<Response>) => this.settle(event.data);
  }

  /**
   * A fresh endpoint for one whose engine trapped and cannot be used again
   * (trap.ts), or undefined for engines that cannot start another (the default).
   */
  protected replacement(): Endpoint | undefined {
    return undefined;
  }

  private replaceStopped(): void {
    const next = this.replacement();
    if (!next) return;
    // Requests queued behind the one that trapped would only meet the stopped engine.
    this.failAll(engineStopped('on an earlier file, before this one was read'));
    this.bind(next);
  }

  /** Rejects everything in flight (the endpoint died or the caller gave up). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  override convert(bytes: Uint8Array, options?: ConvertOptions, decoded?: Decoded): Promise<Output<ConvertReport>> {
    if (!decoded) return super.convert(bytes, options);
    // Sent as a copy: the caller keeps its pixels for another conversion.
    return this.call({ op: 'convert', bytes, options, decoded }) as Promise<Output<ConvertReport>>;
  }

  decodeUpright(bytes: Uint8Array): Promise<Decoded> {
    return this.call({ op: 'decodeUpright', bytes }) as Promise<Decoded>;
  }

  decodeUprightBand(bytes: Uint8Array, index: number, count: number): Promise<UprightBand> {
    return this.call({ op: 'decodeUprightBand', bytes, index, count }) as Promise<UprightBand>;
  }

  /** The bands and screens are given away (transferred). */
  joinUprightBands(bytes: Uint8Array, bands: Uint8Array[], screens: Uint8Array[]): Promise<Joined> {
    return this.call({ op: 'joinUprightBands', bytes, strips: bands, screens }) as Promise<Joined>;
  }

  /** The pixels go as a copy: the caller keeps them. */
  screenPicture(bytes: Uint8Array, decoded: Decoded): Promise<Uint8Array> {
    return this.call({ op: 'screenPicture', bytes, decoded }) as Promise<Uint8Array>;
  }

  listPicture(bytes: Uint8Array, size: number, decodePhoto: boolean): Promise<Uint8Array | null> {
    return this.call({ op: 'listPicture', bytes, size, decodePhoto }) as Promise<Uint8Array | null>;
  }

  convertInParts(bytes: Uint8Array, options: ConvertOptions | undefined, decoded: Decoded | undefined, parts: number): Promise<Output<ConvertReport> | InParts> {
    // The pixels go as a copy, as for `convert`.
    return this.call({ op: 'convertInParts', bytes, options, decoded, parts }) as Promise<Output<ConvertReport> | InParts>;
  }

  encodePart(rgb: Uint8Array, height: number, job: PartsJob): Promise<Uint8Array> {
    return this.call({ op: 'encodePart', bytes: rgb, height, job }) as Promise<Uint8Array>;
  }

  /** The strips are given away (transferred). */
  writeScans(strips: Uint8Array[], job: PartsJob, half: number): Promise<Uint8Array> {
    return this.call({ op: 'writeScans', strips, job, half }) as Promise<Uint8Array>;
  }

  /** The halves are given away (transferred). */
  spliceScans(halves: Uint8Array[], jobs: PartsJob[]): Promise<Output<ConvertReport>> {
    return this.call({ op: 'spliceScans', strips: halves, jobs }) as Promise<Output<ConvertReport>>;
  }

  /** The rows are given away (transferred). */
  encodeDecodedStrip(
    bytes: Uint8Array,
    rows: Uint8Array,
    width: number,
    heights: number[],
    index: number,
    options: ConvertOptions | undefined,
  ): Promise<{ strip: Uint8Array; job: PartsJob }> {
    return this.call({ op: 'encodeDecodedStrip', bytes, strips: [rows], width, heights, index, options }) as Promise<{ strip: Uint8Array; job: PartsJob }>;
  }

  protected call(call: AnyCall): Promise<unknown> {
    const id = this.nextId++;
    const request: Request = 'bytes' in call ? { ...call, id, bytes: this.giveInput ? call.bytes : call.bytes.slice() } : { ...call, id };
    // A buffer named twice (a band's rows that are also its screen rows) is transferred once.
    const transfer = new Set([
      ...('bytes' in request ? transferables(request.bytes) : []),
      ...('strips' in request ? transferables({ strips: request.strips }) : []),
      ...('screens' in request ? transferables({ strips: request.screens }) : []),
    ]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.endpoint.postMessage(request, [...transfer]);
    });
  }

  private settle(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (response.ok) {
      this.lastEngineMs = response.ms;
      pending.resolve(response.value);
    } else {
      const error = errorFrom(response);
      pending.reject(error);
      if (isEngineStopped(error)) this.replaceStopped();
    }
  }
}
