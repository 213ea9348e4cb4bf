import type { Device, DType, TypedArray } from './dtype.js';

/**
 * The narrow interface a backend implements (as jax-js's): storage management and
 * reads. Kernels are registered separately, keyed by (backend, kernel name); see
 * kernel-registry.ts.
 */
export interface Backend {
  readonly name: Device;
  /** New storage of `size` elements, zero-filled. */
  alloc(dtype: DType, size: number): unknown;
  /** New storage holding a copy of `data` (already of the dtype's array type). */
  upload(dtype: DType, data: TypedArray): unknown;
  /** Copies storage contents to the host. */
  read(storage: unknown, dtype: DType, size: number): Promise<TypedArray>;
  /** Synchronous read; only backends whose memory is host memory provide it. */
  readSync?(storage: unknown, dtype: DType, size: number): TypedArray;
  /** Releases storage (to a pool or to the allocator). */
  free(storage: unknown, dtype: DType, size: number): void;
  /** Number of storages allocated and not yet freed. */
  liveBuffers(): number;
  /** Submits recorded work, if the backend batches. */
  flush?(): void;
}

const backends = new Map<Device, Backend>();

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function unregisterBackend(name: Device): void {
  backends.delete(name);
}

export function getBackend(name: Device): Backend {
  const b = backends.get(name);
  if (!b) {
    throw new Error(
      name === 'webgpu'
        ? "device 'webgpu' is not initialised: call `await initWebGPU()` first"
        : `device '${name}' has no registered backend`,
    );
  }
  return b;
}

export function hasBackend(name: Device): boolean {
  return backends.has(name);
}
