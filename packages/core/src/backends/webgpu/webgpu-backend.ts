/**
 * The WebGPU backend: storage management, command batching, pipeline cache, reads.
 *
 * API for kernel authors (see kernels/binary.ts for a 30-line example):
 *   const out = backend.createOutput(dtype, size);          // uninitialised pooled buffer
 *   backend.dispatch({
 *     key: `myKernel:${dtype}:${rank}`,  // everything the WGSL source depends on
 *     source: () => wgslSource,         // called only when the key is not cached; leading
 *                                       // `enable` directives are kept ahead of the Params struct
 *     inputs: [st(x), st(w)],           // bindings 0..k-1, var<storage, read>
 *     outputs: [out],                   // bindings k..k+m-1, var<storage, read_write>
 *     params: new Params().u32('n', n), // binding k+m, var<storage, read> P: Params
 *     workgroups: linearWorkgroups(n),  // [x, y, z]; see wgsl.ts for 2-D dispatch
 *   });
 *   return { storage: out, shape, dtype };
 * `wgsl.ts` writes the binding declarations (`declareBindings`), the linear-index main
 * (`mainLinear`) and the index arithmetic (`stridedOffsetFn`, `indicesOf`).
 *
 * Batching: dispatches are recorded into one pending command encoder (one compute pass
 * reused across dispatches; WebGPU synchronises dispatches inside a pass) and
 * submitted on a read, on `flush()`, or every `maxDispatchesPerBatch` dispatches.
 * Kernel parameters of a batch go into one arena buffer, written with one
 * `queue.writeBuffer` just before the batch is submitted (each dispatch its own slot).
 *
 * The writeBuffer hazard: `queue.writeBuffer` executes at queue time, i.e. BEFORE the
 * commands of a not-yet-submitted encoder. A buffer referenced by pending commands,
 * freed, recycled by the pool and then written by an upload would be overwritten
 * before those commands read it. Every pooled buffer carries the id of the last batch
 * that referenced it; `upload` takes a free buffer not touched by the pending batch,
 * and when the bucket holds only such buffers it submits the pending batch first
 * (counted in `stats().hazardFlushes`). Zero-fills (`alloc`) are recorded in the
 * encoder (clearBuffer), so they are ordered and need no such care.
 */
import { gpuWait } from '@headsplat/gpu';
import type { Backend } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { HeadsplatError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { BufferPool, type PoolStats } from './buffer-pool.js';
import { materializeLazy, releaseLazy } from './fusion.js';
import { checkGpuDType, type GpuStorage } from './gpu-storage.js';
import type { Params } from './params.js';

export interface DispatchSpec {
  /** Identifies the WGSL source; the Params layout is appended automatically. */
  key: string;
  /** WGSL source, generated only on a pipeline cache miss. Entry point `main`. */
  source: () => string;
  inputs: readonly GpuStorage[];
  outputs: readonly GpuStorage[];
  params?: Params;
  /** Workgroup counts; a zero anywhere skips the dispatch. */
  workgroups: readonly [number, number?, number?];
}

export interface WebGPUStats extends PoolStats {
  /** Storages allocated and not freed (what `liveBuffers()` returns). */
  live: number;
  submits: number;
  dispatches: number;
  pipelines: number;
  /** Submits forced by an upload into a buffer the pending batch references. */
  hazardFlushes: number;
}

const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8 /* COPY_DST */;
const STAGING_USAGE = 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */;
const PARAMS_ARENA_BYTES = 64 * 1024;

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  /** Dispatches per submitted batch (a read or flush() submits earlier). */
  maxDispatchesPerBatch = 64;
  /** Lazy elementwise fusion (fusion.ts); false dispatches every elementwise op at once. */
  fusion = true;
  /** Storage bindings a kernel may use (inputs + outputs + params). */
  readonly maxBindings: number;
  readonly pool: BufferPool;
  private readonly staging: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Id of the batch being recorded; incremented at each submit. */
  private batch = 0;
  private batchDispatches = 0;
  private pendingDestroy: GPUBuffer[] = [];
  private readonly paramAlign: number;
  private paramsBuffer: GPUBuffer;
  private readonly paramsHost = new ArrayBuffer(PARAMS_ARENA_BYTES);
  private readonly paramsU = new Uint32Array(this.paramsHost);
  private readonly paramsI = new Int32Array(this.paramsHost);
  private readonly paramsF = new Float32Array(this.paramsHost);
  private paramsUsed = 0;
  private live = 0;
  private readonly lazyLive = new Set<GpuStorage>();
  private counters = { submits: 0, dispatches: 0, hazardFlushes: 0 };
  private errors: string[] = [];

  constructor(readonly device: GPUDevice) {
    const destroy = (b: GPUBuffer) => this.pendingDestroy.push(b);
    this.pool = new BufferPool(device, STORAGE_USAGE, destroy);
    this.staging = new BufferPool(device, STAGING_USAGE, (b) => b.destroy(), 64 * 2 ** 20, false);
    this.maxBindings = Math.min(device.limits.maxStorageBuffersPerShaderStage ?? 8, 10);
    this.paramAlign = device.limits.minStorageBufferOffsetAlignment ?? 256;
    this.paramsBuffer = this.newParamsBuffer();
    device.addEventListener?.('uncapturederror', (ev: Event) => {
      const msg = (ev as GPUUncapturedErrorEvent).error?.message ?? String(ev);
      this.errors.push(msg);
    });
  }

  // ---- Backend interface -------------------------------------------------------

  /** Zero-filled storage (the fill is recorded in the pending encoder). */
  alloc(dtype: DType, size: number): GpuStorage {
    const s = this.createOutput(dtype, size);
    this.endPass();
    const p = s.pooled!;
    p.lastUse = this.batch;
    this.getEncoder().clearBuffer(p.buffer, 0, p.capacity);
    return s;
  }

  upload(dtype: DType, data: TypedArray): GpuStorage {
    checkGpuDType('upload', dtype);
    const words = dtype === 'bool' ? Uint32Array.from(data as Uint8Array) : data;
    const bytes = Math.max(words.length * 4, 4);
    const pending = this.encoder !== null;
    let pooled = this.pool.acquire(bytes, pending ? this.batch : -2, !pending);
    if (!pooled) {
      // Only buffers the pending batch references are free: submit it first (hazard).
      this.counters.hazardFlushes++;
      this.submit();
      pooled = this.pool.acquire(bytes)!;
    }
    if (words.length) this.device.queue.writeBuffer(pooled.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    this.live++;
    return { dtype, size: data.length, byteSize: data.length * 4, pooled, lazy: null, refs: 1, exprRefs: 0 };
  }

  async read(storage: unknown, dtype: DType, size: number): Promise<TypedArray> {
    const s = storage as GpuStorage;
    if (size === 0) return this.hostArray(dtype, new Uint32Array(0));
    const src = this.bufferOf(s);
    const bytes = size * 4;
    const stage = this.staging.acquire(bytes)!;
    this.endPass();
    this.getEncoder().copyBufferToBuffer(src, 0, stage.buffer, 0, bytes);
    this.flush();
    await gpuWait(this.device, stage.buffer.mapAsync(0x1 /* READ */, 0, bytes));
    const words = new Uint32Array(stage.buffer.getMappedRange(0, bytes).slice(0));
    stage.buffer.unmap();
    this.staging.release(stage);
    this.throwErrors('read');
    return this.hostArray(dtype, words);
  }

  free(storage: unknown): void {
    const s = storage as GpuStorage;
    if (s.refs <= 0) return;
    if (--s.refs > 0) return;
    this.live--;
    if (s.lazy) releaseLazy(this, s);
    if (s.pooled) {
      this.pool.release(s.pooled);
      s.pooled = null;
    }
  }

  liveBuffers(): number {
    return this.live;
  }

  /**
   * Computes every lazy elementwise result still referenced by a tensor, then submits
   * the pending batch. Reads flush; so lazy expressions never outlive a read, and the
   * storages they hold are released by then (what the leak test counts).
   */
  flush(): void {
    this.materializeAll();
    this.submit();
  }

  /** Submits the pending batch (no-op when nothing is recorded). */
  private submit(): void {
    this.endPass();
    if (!this.encoder) return;
    if (this.paramsUsed) {
      this.device.queue.writeBuffer(this.paramsBuffer, 0, this.paramsHost, 0, this.paramsUsed);
      this.paramsUsed = 0;
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.counters.submits++;
    this.batch++;
    this.batchDispatches = 0;
    // Destroying after submit is safe: destruction waits for the submitted work.
    for (const b of this.pendingDestroy) b.destroy();
    this.pendingDestroy = [];
  }

  // ---- for kernels ---------------------------------------------------------------

  /** New storage whose contents are undefined (the kernel writes every element). */
  createOutput(dtype: DType, size: number): GpuStorage {
    checkGpuDType('createOutput', dtype);
    this.live++;
    return { dtype, size, byteSize: size * 4, pooled: this.pool.acquire(Math.max(size * 4, 4)), lazy: null, refs: 1, exprRefs: 0 };
  }

  /** A lazy storage (fusion.ts); it takes no buffer until materialised. @internal */
  createLazy(dtype: DType, size: number, lazy: GpuStorage['lazy']): GpuStorage {
    this.live++;
    const s: GpuStorage = { dtype, size, byteSize: size * 4, pooled: null, lazy, refs: 1, exprRefs: 0 };
    this.lazyLive.add(s);
    return s;
  }

  /** @internal fusion.ts: the storage is no longer lazy. */
  lazyDone(s: GpuStorage): void {
    this.lazyLive.delete(s);
  }

  /**
   * Materialises the lazy storages a tensor still references and that hold other
   * storages, newest first, so that a consumer's kernel writes the producers it
   * inlined as extra outputs.
   */
  materializeAll(): void {
    const list = [...this.lazyLive];
    for (let k = list.length - 1; k >= 0; k--) {
      const s = list[k];
      // Constants (Fill) hold nothing: they stay lazy at no cost.
      if (s.lazy && s.lazy.held.length && s.refs > s.exprRefs) this.bufferOf(s);
    }
  }

  /** The GPU buffer of a storage (materialising a lazy one), stamped as used by the pending batch. */
  bufferOf(s: GpuStorage): GPUBuffer {
    if (s.refs <= 0) throw new HeadsplatError('webgpu: storage used after it was freed (disposed tensor)');
    if (s.lazy) materializeLazy(this, s);
    const p = s.pooled!;
    p.lastUse = this.batch;
    return p.buffer;
  }

  /** Records one compute dispatch into the pending batch (see the header for the conventions). */
  dispatch(spec: DispatchSpec): void {
    const [x, y = 1, z = 1] = spec.workgroups;
    const buffers = [...spec.inputs, ...spec.outputs].map((s) => this.bufferOf(s));
    if (x === 0 || y === 0 || z === 0) return;
    const layoutKey = `${spec.inputs.length}r${spec.outputs.length}w${spec.params ? 'p' : ''}`;
    const structSrc = spec.params?.wgsl() ?? '';
    const key = `${spec.key}|${structSrc}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.createPipeline(key, spec, layoutKey);
      this.pipelines.set(key, pipeline);
    }
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, i) => ({ binding: i, resource: { buffer } }));
    if (spec.params) {
      const words = Math.max(spec.params.wordCount, 1);
      let off = this.paramsUsed;
      if (off + words * 4 > PARAMS_ARENA_BYTES) {
        this.submit();
        off = 0;
      }
      spec.params.pack(this.paramsU, this.paramsI, this.paramsF, off / 4);
      this.paramsUsed = Math.ceil((off + words * 4) / this.paramAlign) * this.paramAlign;
      entries.push({ binding: buffers.length, resource: { buffer: this.paramsBuffer, offset: off, size: words * 4 } });
    }
    // Stamp after any flush above (materialising inputs or a full arena may have submitted).
    for (const s of spec.inputs) s.pooled!.lastUse = this.batch;
    for (const s of spec.outputs) s.pooled!.lastUse = this.batch;
    const bindGroup = this.device.createBindGroup({ layout: this.getLayout(layoutKey, spec), entries });
    const pass = this.getPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    if (++this.batchDispatches >= this.maxDispatchesPerBatch) this.submit();
  }

  /** Records a buffer-to-buffer copy (ordered with the dispatches). */
  copy(src: GpuStorage, srcElem: number, dst: GpuStorage, dstElem: number, count: number): void {
    if (count === 0) return;
    const a = this.bufferOf(src);
    const b = this.bufferOf(dst);
    this.endPass();
    this.getEncoder().copyBufferToBuffer(a, srcElem * 4, b, dstElem * 4, count * 4);
  }

  stats(): WebGPUStats {
    return { ...this.pool.getStats(), live: this.live, ...this.counters, pipelines: this.pipelines.size };
  }

  /** Destroys pooled free buffers (e.g. between unrelated workloads). */
  trimPool(): void {
    this.flush();
    this.pool.trim();
    this.flush();
  }

  /** Waits for all submitted work; rejects with the first validation error seen. */
  async sync(): Promise<void> {
    this.flush();
    await gpuWait(this.device, this.device.queue.onSubmittedWorkDone());
    this.throwErrors('sync');
  }

  // ---- internals -----------------------------------------------------------------

  private hostArray(dtype: DType, words: Uint32Array): TypedArray {
    switch (dtype) {
      case 'float32': return new Float32Array(words.buffer, words.byteOffset, words.length);
      case 'int32': return new Int32Array(words.buffer, words.byteOffset, words.length);
      case 'uint32': return words;
      case 'bool': return Uint8Array.from(words, (w) => (w ? 1 : 0));
      default: throw new HeadsplatError(`read: unsupported dtype ${dtype} on device 'webgpu'`);
    }
  }

  private throwErrors(op: string): void {
    if (!this.errors.length) return;
    const all = this.errors;
    this.errors = [];
    throw new HeadsplatError(`${op}: WebGPU reported ${all.length} error(s): ${all.slice(0, 3).join(' | ')}`);
  }

  private getEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private getPass(): GPUComputePassEncoder {
    this.pass ??= this.getEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private newParamsBuffer(): GPUBuffer {
    return this.device.createBuffer({ size: PARAMS_ARENA_BYTES, usage: 0x80 | 0x8, label: 'headsplat-params-arena' });
  }

  private getLayout(layoutKey: string, spec: DispatchSpec): GPUBindGroupLayout {
    let l = this.layouts.get(layoutKey);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      const n = spec.inputs.length + spec.outputs.length + (spec.params ? 1 : 0);
      for (let i = 0; i < n; i++) {
        const writable = i >= spec.inputs.length && i < spec.inputs.length + spec.outputs.length;
        entries.push({ binding: i, visibility: 0x4 /* COMPUTE */, buffer: { type: writable ? 'storage' : 'read-only-storage' } });
      }
      l = this.device.createBindGroupLayout({ entries });
      this.layouts.set(layoutKey, l);
    }
    return l;
  }

  private createPipeline(key: string, spec: DispatchSpec, layoutKey: string): GPUComputePipeline {
    // WGSL wants its directives (`enable subgroups;`, `requires ...;`) before any declaration:
    // the kernel's leading directives go first, then the Params struct, then the rest.
    const src = spec.source();
    const directives = /^(?:\s*(?:enable|requires)\b[^;]*;)*\s*/.exec(src)![0];
    const code = directives + (spec.params ? spec.params.wgsl() + '\n' : '') + src.slice(directives.length);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label: spec.key });
    const pipeline = this.device.createComputePipeline({
      label: spec.key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.getLayout(layoutKey, spec)] }),
      compute: { module, entryPoint: 'main' },
    });
    void this.device.popErrorScope().then((e) => {
      if (!e) return;
      const numbered = code.split('\n').map((l, i) => `${String(i + 1).padStart(4)}: ${l}`).join('\n');
      this.errors.push(`pipeline '${key}': ${e.message}`);
      console.error(`[webgpu] pipeline '${spec.key}' failed: ${e.message}\n${numbered}`);
    });
    return pipeline;
  }
}

/** The GPU storage behind a WebGPU tensor (for kernels). */
export function st(t: Tensor): GpuStorage {
  return t.storage as GpuStorage;
}
