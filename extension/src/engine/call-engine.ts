// The Engine interface over a single "send this call, get its value" function,
// shared by the engines that reach the wasm module through a message channel.
import type { EngineCall } from './protocol';
import type {
  CleanReport,
  ConvertOptions,
  ConvertReport,
  Engine,
  InspectReport,
  Output,
  Policy,
} from './types';

export abstract class CallEngine implements Engine {
  protected abstract call(call: EngineCall): Promise<unknown>;

  inspect(bytes: Uint8Array): Promise<InspectReport> {
    return this.call({ op: 'inspect', bytes }) as Promise<InspectReport>;
  }

  clean(bytes: Uint8Array, policy?: Policy): Promise<Output<CleanReport>> {
    return this.call({ op: 'clean', bytes, policy }) as Promise<Output<CleanReport>>;
  }

  convert(bytes: Uint8Array, options?: ConvertOptions): Promise<Output<ConvertReport>> {
    return this.call({ op: 'convert', bytes, options }) as Promise<Output<ConvertReport>>;
  }
}
