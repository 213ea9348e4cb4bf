/**
 * The storage record of a WebGPU tensor. Every dtype takes 4 bytes per element on the
 * GPU (bool as u32 0/1); float64 is rejected (CPU only).
 *
 * A storage may be *lazy*: an elementwise expression not yet computed (see fusion.ts).
 * Kernels never touch `pooled` directly: they pass storages to `backend.dispatch`, or
 * call `backend.bufferOf(s)`, both of which materialise lazy storages first.
 */
import type { DType } from '../../dtype.js';
import { HeadsplatError } from '../../errors.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { LazyExpr } from './fusion.js';

export interface GpuStorage {
  readonly dtype: DType;
  /** Element count. */
  readonly size: number;
  /** size * 4: the bytes the tensor uses (the buffer may be larger: pool bucket). */
  readonly byteSize: number;
  /** @internal the pooled buffer; null while lazy or after free. */
  pooled: PooledBuffer | null;
  /** @internal pending elementwise expression (fusion), null once materialised. */
  lazy: LazyExpr | null;
  /** @internal references: 1 for the tensor data, +1 per lazy expression reading it. */
  refs: number;
  /** @internal how many of `refs` are lazy expressions (the rest are tensors). */
  exprRefs: number;
}

export function checkGpuDType(op: string, dtype: DType): void {
  if (dtype === 'float64') {
    throw new HeadsplatError(
      `${op}: dtype must be float32, int32, uint32 or bool on device 'webgpu', got float64 (float64 exists on the CPU only, for gradcheck; cast first or use device 'cpu')`,
    );
  }
}
