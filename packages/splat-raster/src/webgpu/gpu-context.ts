/**
 * Small WebGPU plumbing shared by the rasterizer's kernels: a per-device pipeline cache,
 * a size-bucketed buffer pool, and a `Frame` that tracks the temporaries of one call so
 * that they go back to the pool once the call's commands are submitted.
 *
 * API
 * - `GpuContext.for(device)`                     one context per device (WeakMap registry)
 * - `ctx.pipeline(key, wgsl, entryPoint?)`       compiled once per (device, key)
 * - `ctx.acquire(size, usage)` / `ctx.release(buf)`  pooled buffers (size rounded up to a bucket)
 * - `ctx.stats()`                                live / pooled buffer counts (leak tests)
 * - `new Frame(ctx)`: `temp`, `uniform`, `bind`, `dispatch1d`, `releaseAll`
 */

import { gpuWait } from '@headsplat/gpu';

/** Largest workgroup count per dimension that every WebGPU device accepts. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

const STORAGE = 0x80; // GPUBufferUsage.STORAGE (the globals are absent until a device exists in Node)
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const UNIFORM = 0x40;

export const USAGE = {
  storage: STORAGE | COPY_SRC | COPY_DST,
  uniform: UNIFORM | COPY_DST,
} as const;

function bucketSize(size: number): number {
  const s = Math.max(256, Math.ceil(size / 4) * 4);
  if (s <= 64 << 20) return 2 ** Math.ceil(Math.log2(s));
  return Math.ceil(s / (16 << 20)) * (16 << 20);
}

const contexts = new WeakMap<GPUDevice, GpuContext>();

export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly free = new Map<string, GPUBuffer[]>();
  /** Logical (requested) size of each pooled buffer, used as the binding size. */
  private readonly logical = new WeakMap<GPUBuffer, number>();
  private readonly owned = new Set<GPUBuffer>();
  private readonly pending: Promise<string | undefined>[] = [];
  private destroyed = false;

  private constructor(readonly device: GPUDevice) {}

  static for(device: GPUDevice): GpuContext {
    let c = contexts.get(device);
    if (!c) {
      c = new GpuContext(device);
      contexts.set(device, c);
    }
    return c;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  pipeline(key: string, code: () => string, entryPoint = 'main'): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code: code(), label: key });
      p = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint } });
      const pipeline = p;
      this.pending.push(
        this.device.popErrorScope().then((err) => {
          if (err) {
            this.pipelines.delete(key);
            return `splat-raster: the WebGPU kernel '${key}' failed to compile on this device: ${err.message}`;
          }
          void pipeline;
          return undefined;
        }),
      );
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Throws if a pipeline created since the last call failed to compile. */
  async checkPipelines(): Promise<void> {
    if (this.pending.length === 0) return;
    const results = await gpuWait(this.device, Promise.all(this.pending.splice(0)));
    const failed = results.filter((r): r is string => r !== undefined);
    if (failed.length > 0) throw new Error(failed.join('\n'));
  }

  acquire(size: number, usage: number = USAGE.storage, label?: string): GPUBuffer {
    if (this.destroyed) throw new Error('splat-raster: the rasterizer was destroyed');
    const bucket = bucketSize(size);
    const key = `${usage}:${bucket}`;
    const list = this.free.get(key);
    let buf = list?.pop();
    if (!buf) {
      buf = this.device.createBuffer({ size: bucket, usage, label });
      this.owned.add(buf);
    }
    this.logical.set(buf, Math.max(4, Math.ceil(size / 4) * 4));
    return buf;
  }

  release(buf: GPUBuffer | undefined): void {
    if (!buf) return;
    if (!this.owned.has(buf) || this.destroyed) return;
    const key = `${buf.usage}:${buf.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    if (!list.includes(buf)) list.push(buf);
  }

  /** Binding size of a buffer: its logical size when pooled, else the whole buffer. */
  bindingSize(buf: GPUBuffer): number {
    return this.logical.get(buf) ?? buf.size;
  }

  /** Frees the pooled (idle) buffers; buffers still handed out stay valid. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.owned.delete(b);
        b.destroy();
      }
    }
    this.free.clear();
  }

  /** Buffer counts (created = pooled + in use) and the bytes of all buffers the pool holds. */
  stats(): { created: number; pooled: number; inUse: number; bytes: number } {
    let pooled = 0;
    for (const l of this.free.values()) pooled += l.length;
    let bytes = 0;
    for (const b of this.owned) bytes += b.size;
    return { created: this.owned.size, pooled, inUse: this.owned.size - pooled, bytes };
  }
}

/** The temporaries and uniforms of one rasterizer call. */
export class Frame {
  private readonly temps: GPUBuffer[] = [];

  constructor(readonly ctx: GpuContext) {}

  get device(): GPUDevice {
    return this.ctx.device;
  }

  /** A pooled storage buffer released by `releaseAll`. */
  temp(size: number, label?: string): GPUBuffer {
    const b = this.ctx.acquire(size, USAGE.storage, label);
    this.temps.push(b);
    return b;
  }

  /** A pooled uniform buffer holding `data`, released by `releaseAll`. */
  uniform(data: ArrayBuffer | ArrayBufferView): GPUBuffer {
    const bytes = data instanceof ArrayBuffer ? data.byteLength : data.byteLength;
    const b = this.ctx.acquire(Math.max(16, bytes), USAGE.uniform);
    this.temps.push(b);
    if (data instanceof ArrayBuffer) this.device.queue.writeBuffer(b, 0, data);
    else this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  /** Keeps a pooled buffer out of `releaseAll` (it outlives the call, e.g. in a backward state). */
  keep(buf: GPUBuffer): GPUBuffer {
    const i = this.temps.indexOf(buf);
    if (i >= 0) this.temps.splice(i, 1);
    return buf;
  }

  /** Bind group of `buffers` at bindings 0, 1, ...; `undefined` entries are skipped (binding unused by the kernel). */
  bind(pipeline: GPUComputePipeline, buffers: (GPUBuffer | undefined)[], group = 0): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    buffers.forEach((buffer, binding) => {
      if (buffer) entries.push({ binding, resource: { buffer, size: this.ctx.bindingSize(buffer) } });
    });
    return this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(group), entries });
  }

  /**
   * Dispatches `groups` workgroups as (x, y) with x <= 65535; kernels linearise with
   * `wid.x + wid.y * nwg.x` (see WGSL `linearGroup`).
   */
  dispatch(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, buffers: (GPUBuffer | undefined)[], groups: number): void {
    if (groups <= 0) return;
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.bind(pipeline, buffers));
    const x = Math.min(groups, MAX_WORKGROUPS_PER_DIM);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  }

  releaseAll(): void {
    for (const b of this.temps) this.ctx.release(b);
    this.temps.length = 0;
  }
}

/**
 * The fewest lanes a subgroup of \`device\` can have (the adapter's \`subgroupMinSize\`), 0
 * without the \`subgroups\` feature: kernels that exchange values between lanes pick their
 * variant from it.
 */
export function minSubgroupLanes(device: GPUDevice): number {
  if (!device.features.has('subgroups')) return 0;
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo & { subgroupMinSize?: number } }).adapterInfo;
  return info?.subgroupMinSize ?? 0;
}

/** WGSL helper: linear workgroup index of a 2D-dispatched 1D grid. */
export const WGSL_LINEAR_GROUP = /* wgsl */ `
fn linearGroup(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }
`;
