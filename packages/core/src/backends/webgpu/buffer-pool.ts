/**
 * A size-bucketed pool of GPU buffers (tfjs-webgpu's BufferManager, made small).
 *
 * Sizes round up to a bucket of the form 2^k or 1.5 * 2^k bytes (at most 33% waste,
 * minimum 16 bytes so that vec4 bindings are always valid). `release` parks a buffer
 * on its bucket's free list; `acquire` reuses one when available. Every buffer has a
 * `lastUse` batch id, stamped by the backend whenever recorded commands touch it, so
 * that `acquire(bytes, avoidBatch)` can prefer a buffer no pending command references
 * (see the writeBuffer hazard in webgpu-backend.ts).
 *
 * Retention: a released buffer is kept while the free bytes stay within `maxFreeBytes`
 * OR the pool as a whole (in use + free) stays within the peak in-use bytes seen so far;
 * past both it is destroyed (through `onDestroy`, which the backend defers past the next
 * submit). So a workload that repeats (a training step) keeps its working set, as
 * PyTorch's caching allocator does, instead of destroying and re-creating its large
 * buffers every iteration: with the old fixed 256 MiB cap, the 65,536-row MLP step
 * (dozens of 64 MiB activations and gradients) re-created 19 of them per step, and each new
 * buffer costs page faults and Dawn's zero-fill on lavapipe (step 16.0 -> 11.8 s of
 * CPU time / 2, bench/profile-mlp.ts). `trim()` (the backend's `trimPool()`) drops the
 * free buffers and resets the peak.
 */

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  /** Bucket size in bytes (the buffer's real size). */
  readonly capacity: number;
  /** Id of the last command batch that referenced the buffer (-1: never). */
  lastUse: number;
}

export interface PoolStats {
  /** Buffers handed out and not yet released. */
  inUse: number;
  /** Buffers parked on free lists. */
  free: number;
  bytesInUse: number;
  bytesFree: number;
  /** Buffers ever created by the pool. */
  created: number;
  /** Acquisitions served from a free list. */
  reused: number;
  /** Buffers destroyed on release (past both retention limits, see Retention) or by `trim()`. */
  destroyed: number;
}

/** The bucket capacity for a request of `bytes` bytes. */
export function bucketSize(bytes: number): number {
  if (bytes <= 16) return 16;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  const mid = (p / 4) * 3;
  return bytes <= mid ? mid : p;
}

export class BufferPool {
  private readonly freeLists = new Map<number, PooledBuffer[]>();
  private readonly stats: PoolStats = { inUse: 0, free: 0, bytesInUse: 0, bytesFree: 0, created: 0, reused: 0, destroyed: 0 };
  /** Highest `bytesInUse` since creation or the last `trim()`. */
  private peakInUse = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly onDestroy: (b: GPUBuffer) => void,
    /** Free bytes kept whatever the peak (see Retention above). */
    public maxFreeBytes = 256 * 2 ** 20,
    /** Also keep up to the peak working set (false: the fixed cap alone, e.g. for read-back staging). */
    private readonly retainPeak = true,
  ) {}

  /**
   * A buffer of at least `bytes` bytes. With `avoidBatch`, a free buffer last used in
   * that batch is skipped; returns null if only such buffers (and no fresh one) would do
   * and `allowCreate` is false.
   */
  acquire(bytes: number, avoidBatch = -2, allowCreate = true): PooledBuffer | null {
    const cap = bucketSize(bytes);
    const list = this.freeLists.get(cap);
    if (list && list.length) {
      let i = list.length - 1;
      if (avoidBatch !== -2) while (i >= 0 && list[i].lastUse === avoidBatch) i--;
      if (i >= 0) {
        const b = list[i];
        list[i] = list[list.length - 1];
        list.pop();
        this.stats.free--;
        this.stats.bytesFree -= cap;
        this.stats.reused++;
        this.take(cap);
        return b;
      }
      if (!allowCreate) return null;
    }
    const buffer = this.device.createBuffer({ size: cap, usage: this.usage, label: `headsplat-pool-${cap}` });
    this.stats.created++;
    this.take(cap);
    return { buffer, capacity: cap, lastUse: -1 };
  }

  release(b: PooledBuffer): void {
    this.stats.inUse--;
    this.stats.bytesInUse -= b.capacity;
    const freeAfter = this.stats.bytesFree + b.capacity;
    if (freeAfter > this.maxFreeBytes && (!this.retainPeak || this.stats.bytesInUse + freeAfter > this.peakInUse)) {
      this.stats.destroyed++;
      this.onDestroy(b.buffer);
      return;
    }
    let list = this.freeLists.get(b.capacity);
    if (!list) this.freeLists.set(b.capacity, (list = []));
    list.push(b);
    this.stats.free++;
    this.stats.bytesFree += b.capacity;
  }

  /** Destroys every free buffer (in-use buffers are untouched) and forgets the peak. */
  trim(): void {
    this.peakInUse = this.stats.bytesInUse;
    for (const list of this.freeLists.values()) for (const b of list) this.onDestroy(b.buffer);
    this.stats.destroyed += this.stats.free;
    this.freeLists.clear();
    this.stats.free = 0;
    this.stats.bytesFree = 0;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }

  private take(cap: number): void {
    this.stats.inUse++;
    this.stats.bytesInUse += cap;
    if (this.stats.bytesInUse > this.peakInUse) this.peakInUse = this.stats.bytesInUse;
  }
}
