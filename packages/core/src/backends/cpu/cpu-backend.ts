import type { Backend } from '../../backend.js';
import { allocArray, type DType, type TypedArray } from '../../dtype.js';

/**
 * The CPU backend: storage is a typed array of the dtype (bool as Uint8Array). It is
 * the oracle every other backend is tested against.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  private live = 0;

  alloc(dtype: DType, size: number): TypedArray {
    this.live++;
    return allocArray(dtype, size);
  }

  upload(dtype: DType, data: TypedArray): TypedArray {
    this.live++;
    const out = allocArray(dtype, data.length);
    out.set(data);
    return out;
  }

  async read(storage: unknown, dtype: DType, size: number): Promise<TypedArray> {
    return this.readSync(storage, dtype, size);
  }

  readSync(storage: unknown, _dtype: DType, _size: number): TypedArray {
    return (storage as TypedArray).slice();
  }

  free(_storage: unknown): void {
    this.live--;
  }

  liveBuffers(): number {
    return this.live;
  }
}

export const cpuBackend = new CpuBackend();

/** The typed array behind a CPU tensor's storage (no copy). For kernels only. */
export function cpuData<T extends TypedArray = Float32Array>(storage: unknown): T {
  return storage as T;
}
