/**
 * The WebGPU rasterizer on GPUBuffers: forward (projection, depth sort, tile binning,
 * tile sort, rasterization) and backward (per-pixel gradients, then per-Gaussian
 * projection gradients and the view-matrix gradient).
 *
 * @example
 *   const r = createRasterizer(device);
 *   const fwd = await r.forward(gaussians, camera, { background: [1, 1, 1] });
 *   // fwd.outputs.rgb: GPUBuffer (H, W, 3) f32 ...
 *   const grads = r.backward(fwd.state, { rgb: dLdRgb });
 *   // grads.means: GPUBuffer (N, 3) f32 ...
 *   grads.destroy(); fwd.destroy();
 *
 * A forward records its dispatches into two command buffers: (projection, depth sort,
 * tile counts and their scan) then, after reading back the number of tile
 * intersections to allocate exactly, (pair emission, tile sort, ranges, rasterization).
 * `forwardSync` records both into one command buffer with pair buffers of a given
 * capacity (the tile sort and ranges read the emitted count on the GPU and ignore the
 * unused slots); if the count exceeds the
 * capacity, a fallback kernel points every tile at the whole depth-sorted list, which
 * renders the same image (see intersect.ts), so nothing waits for the CPU.
 * A backward is one command buffer. Temporaries come from a per-device pool and go back
 * to it once their commands are submitted; pipelines are compiled once per device.
 *
 * Ownership: output / gradient buffers belong to the caller (`destroy()` them, or call
 * the result's `destroy()`); `state.release()` returns the forward's saved buffers to the
 * pool (call it once the backward is done, or right away when no backward follows). The
 * state keeps references to the input buffers: do not overwrite them before the backward.
 */

import { gpuWait, isCpuAdapter } from '@headsplat/gpu';
import { validateCamera, validateRenderOptions } from '../validate.js';
import type { Camera, RenderOptions } from '../types.js';
import { encodeProjectBackward, encodeRasterizeBackward, gradOutLayout, RASTER_GRAD_STRIDE } from './backward.js';
import { Frame, GpuContext, USAGE } from './gpu-context.js';
import { encodeDepthKeys, encodeEmitPairs, encodeOverflowFallback, encodeTileCounts, encodeTileRanges } from './intersect.js';
import { encodeMeans2dVjp } from './means2d-vjp.js';
import { packParams, paramsByteLength, type RenderSetup } from './params.js';
import { encodeProject } from './project.js';
import { encodeRasterize } from './rasterize.js';
import { encodeRadixSort } from './sort/radix-sort.js';
import { encodeExclusiveScan } from './sort/scan.js';

const MAP_READ = 0x1;
const COPY_DST = 0x8;

/** Per-Gaussian inputs on the GPU, f32, same layouts as `GaussianScene`. */
export interface GaussianBuffers {
  /** N */
  count: number;
  /** (N, 3) */
  means: GPUBuffer;
  /** (N, 4) (w, x, y, z), any non-zero norm */
  quats: GPUBuffer;
  /** (N, 3) activated (> 0) */
  scales: GPUBuffer;
  /** (N) activated, in [0, 1] */
  opacities: GPUBuffer;
  /** (N, 3) RGB when shDegree is undefined, else (N, (shDegree + 1)^2, 3) SH coefficients */
  colors: GPUBuffer;
  shDegree?: 0 | 1 | 2 | 3;
  /** (N, F) */
  features?: GPUBuffer;
  featureDim?: number;
}

/** Forward outputs (f32 unless stated), owned by the caller. */
export interface ForwardOutputs {
  /** (H, W, 3) */
  rgb: GPUBuffer;
  /** (H, W, F) when features were given */
  features?: GPUBuffer;
  /** (H, W) 1 - T_final */
  alpha: GPUBuffer;
  /** (H, W) expected depth, not normalised */
  depth: GPUBuffer;
  /** (N) i32 pixel radius, 0 = culled */
  radii: GPUBuffer;
  /** (N, 2) projected means in pixels */
  means2d: GPUBuffer;
}

/** What the backward needs from a forward; opaque. */
export interface RasterizerState {
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly featureDim: number;
  /** Number of (tile, Gaussian) pairs rasterized; -1 after `forwardSync` (the count stays on the GPU: `lastIntersections()`). */
  readonly intersections: number;
  /** Pair slots allocated: the exact count after `forward`, the capacity after `forwardSync`. */
  readonly capacity: number;
  /** Returns the saved buffers to the pool; the state is unusable afterwards. */
  release(): void;
}

export interface ForwardResult {
  outputs: ForwardOutputs;
  state: RasterizerState;
  /** Destroys the outputs and releases the state. */
  destroy(): void;
}

/**
 * Upstream gradients (f32, same shapes as the outputs, usage STORAGE | COPY_SRC); omitted
 * ones count as zero.
 */
export interface GradOutputBuffers {
  rgb?: GPUBuffer;
  features?: GPUBuffer;
  alpha?: GPUBuffer;
  depth?: GPUBuffer;
  /** (N, 2) gradient of the `means2d` output; flows to the means through the pinhole projection. */
  means2d?: GPUBuffer;
}

/** Where a forward writes: caller-provided output buffers (any subset; the others are created). */
export interface ForwardTarget {
  outputs?: Partial<ForwardOutputs>;
}

/** Options of `forwardSync`. */
export interface SyncForwardTarget extends ForwardTarget {
  /**
   * (tile, Gaussian) pair slots to allocate (raised to at least N). Default: adaptive, from
   * the counts of earlier frames (read back asynchronously, 1.25 x the largest seen), at least
   * max(16 N, 1024).
   */
  capacity?: number;
}

/** Gradients w.r.t. the inputs (f32, same shapes), owned by the caller. */
export interface GradientBuffers {
  means: GPUBuffer;
  quats: GPUBuffer;
  scales: GPUBuffer;
  opacities: GPUBuffer;
  colors: GPUBuffer;
  features?: GPUBuffer;
  /** (16) column-major */
  viewMatrix: GPUBuffer;
  /** (N, 2) */
  means2d: GPUBuffer;
  /** (N, 2) sum of per-pixel |dL/dmeans2d| (absgrad) */
  means2dAbs: GPUBuffer;
  destroy(): void;
}

export interface BackwardOptions {
  /** Adds every pixel's contribution with its own global atomic instead of reducing per tile first (benchmarks). */
  naiveAtomics?: boolean;
  /** Caller-provided gradient buffers (any subset; the others are created; `destroy()` frees only those). */
  into?: Partial<Omit<GradientBuffers, 'destroy'>>;
}

export interface Rasterizer {
  readonly device: GPUDevice;
  /** Forward with an exact intersection count (one 4-byte read back between its two submits). */
  forward(gaussians: GaussianBuffers, camera: Camera, options?: RenderOptions, target?: ForwardTarget): Promise<ForwardResult>;
  /**
   * Forward that never waits for the CPU: one submit, pair buffers of a fixed capacity. When
   * the intersections exceed it, every tile walks the whole depth-sorted list instead (same
   * images, slower); `lastIntersections()` tells. For training loops and the /tensor binding.
   * Pipeline compile errors surface at the next `checkErrors()`.
   */
  forwardSync(gaussians: GaussianBuffers, camera: Camera, options?: RenderOptions, target?: SyncForwardTarget): ForwardResult;
  /** Intersection count and capacity of the latest `forwardSync` (waits for the GPU). */
  lastIntersections(): Promise<{ total: number; capacity: number; overflowed: boolean }>;
  /** Records and submits the backward; the returned buffers are ready once the queue gets there. */
  backward(state: RasterizerState, grads: GradOutputBuffers, options?: BackwardOptions): GradientBuffers;
  /** Rejects if a kernel compiled since the last check failed (forward checks on its own). */
  checkErrors(): Promise<void>;
  /** Buffer counts of the device's pool (created = pooled + in use), for leak checks, and its bytes (the peak of temporaries). */
  stats(): { created: number; pooled: number; inUse: number; bytes: number };
  /** Frees the idle pooled buffers. */
  trim(): void;
}

interface StateImpl extends RasterizerState {
  setup: RenderSetup;
  gaussians: GaussianBuffers;
  params: GPUBuffer;
  splats: GPUBuffer;
  ranges: GPUBuffer;
  pairVals: GPUBuffer;
  aux: GPUBuffer;
  released: boolean;
}

const STORAGE_BIT = 0x80;

const COPY_SRC_BIT = 0x4;

function checkBuffer(fn: string, arg: string, buf: GPUBuffer | undefined, floats: number, copySrc = false): void {
  if (!buf || typeof (buf as GPUBuffer).size !== 'number') {
    throw new Error(`${fn}: ${arg}: expected a GPUBuffer, got ${buf === undefined ? 'undefined' : typeof buf}`);
  }
  if (buf.size < floats * 4) {
    throw new Error(`${fn}: ${arg}: expected a GPUBuffer of at least ${floats * 4} bytes (${floats} f32), got ${buf.size} bytes`);
  }
  if ((buf.usage & STORAGE_BIT) === 0) throw new Error(`${fn}: ${arg}: expected a buffer with GPUBufferUsage.STORAGE`);
  if (copySrc && (buf.usage & COPY_SRC_BIT) === 0) {
    throw new Error(`${fn}: ${arg}: expected a buffer with GPUBufferUsage.COPY_SRC (upstream gradients are copied into one planar buffer)`);
  }
}

function checkGaussians(fn: string, g: GaussianBuffers): { n: number; shDegree: number; colorStride: number; featureDim: number } {
  const n = g.count;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${fn}: gaussians.count: expected a non-negative integer, got ${n}`);
  let shDegree = -1;
  if (g.shDegree !== undefined) {
    if (![0, 1, 2, 3].includes(g.shDegree)) throw new Error(`${fn}: gaussians.shDegree: expected 0, 1, 2, 3 or undefined (RGB), got ${g.shDegree}`);
    shDegree = g.shDegree;
  }
  const colorStride = shDegree < 0 ? 3 : 3 * (shDegree + 1) ** 2;
  let featureDim = 0;
  if (g.features !== undefined || g.featureDim !== undefined) {
    if (!g.features) throw new Error(`${fn}: gaussians.features: expected an (N, ${g.featureDim}) GPUBuffer since featureDim is set, got undefined`);
    if (!Number.isInteger(g.featureDim) || (g.featureDim as number) <= 0) {
      throw new Error(`${fn}: gaussians.featureDim: expected a positive integer, got ${g.featureDim}`);
    }
    featureDim = g.featureDim as number;
    checkBuffer(fn, 'gaussians.features', g.features, featureDim * n);
  }
  checkBuffer(fn, 'gaussians.means', g.means, 3 * n);
  checkBuffer(fn, 'gaussians.quats', g.quats, 4 * n);
  checkBuffer(fn, 'gaussians.scales', g.scales, 3 * n);
  checkBuffer(fn, 'gaussians.opacities', g.opacities, n);
  checkBuffer(fn, 'gaussians.colors', g.colors, colorStride * n);
  return { n, shDegree, colorStride, featureDim };
}

function outBuffer(device: GPUDevice, floats: number, label: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, floats * 4), usage: USAGE.storage, label });
}

/**
 * Which per-tile kernels rasterize (forward) and differentiate (backward):
 * - `'tiled'`: one invocation per pixel; the workgroup loads batches of the tile's splats
 *   into workgroup memory (3DGS's CUDA design) and the backward reduces each splat's
 *   gradient over the tile in workgroup memory before one atomic add per tile;
 * - `'direct'`: no workgroup memory or barriers; each invocation walks the list for 8 pixels
 *   of a column (4 above 4 feature channels, 1 above 32), reading splats from storage at an index every
 *   invocation shares, and the backward sums over the subgroup (`subgroupAdd`) before its
 *   atomics. This is 2-3.5x faster on CPU implementations of WebGPU (llvmpipe / lavapipe,
 *   see the README's benchmarks). Its backward needs the device feature `subgroups`; without
 *   it the backward uses the tiled kernel (the two share their outputs' layout).
 * - `'auto'` (default): `'direct'` on CPU adapters (llvmpipe, lavapipe, SwiftShader, as
 *   reported by `device.adapterInfo`), `'tiled'` otherwise.
 */
export type RasterizerKernels = 'auto' | 'tiled' | 'direct';

/** The kernels `kernels` selects on `device`. */
export function resolveKernels(device: GPUDevice, kernels: RasterizerKernels = 'auto'): 'tiled' | 'direct' {
  if (kernels !== 'auto') return kernels;
  return isCpuAdapter(device) ? 'direct' : 'tiled';
}

export interface RasterizerOptions {
  /** Per-tile kernels (see `RasterizerKernels`); default `'auto'`. */
  kernels?: RasterizerKernels;
  /**
   * Largest intersection buffer (bytes) a forward may allocate; defaults to the device's
   * maxStorageBufferBindingSize. A forward needing more throws instead of overflowing.
   */
  maxIntersectionBytes?: number;
}

/** Creates a rasterizer bound to `device` (pipelines and the buffer pool are shared per device). */
export function createRasterizer(device: GPUDevice, rasterizerOptions: RasterizerOptions = {}): Rasterizer {
  const ctx = GpuContext.for(device);
  const kernelsOpt = rasterizerOptions.kernels ?? 'auto';
  if (!['auto', 'tiled', 'direct'].includes(kernelsOpt as string)) {
    throw new Error(`createRasterizer: options.kernels: expected 'auto', 'tiled' or 'direct', got ${JSON.stringify(kernelsOpt)}`);
  }
  const direct = resolveKernels(device, kernelsOpt) === 'direct';
  const maxBytes = Math.min(
    device.limits.maxStorageBufferBindingSize,
    rasterizerOptions.maxIntersectionBytes ?? Number.POSITIVE_INFINITY,
  );
  // Count of the last capacity-mode forward: [total intersections, capacity].
  const status = device.createBuffer({ size: 8, usage: USAGE.storage, label: 'splat-intersection-status' });
  let capacityHint = 0;
  let hintRead: Promise<void> | undefined;

  function prepare(fn: string, g: GaussianBuffers, camera: Camera, options: RenderOptions | undefined, given?: Partial<ForwardOutputs>) {
    const scene = checkGaussians(fn, g);
    const cam = validateCamera(fn, camera);
    const opts = validateRenderOptions(fn, options, scene.featureDim);
    const maxTs = Math.floor(Math.sqrt(Math.min(256, device.limits.maxComputeInvocationsPerWorkgroup)));
    if (opts.tileSize > maxTs) {
      throw new Error(`${fn}: options.tileSize: expected at most ${maxTs} on WebGPU (one invocation per pixel of a tile), got ${opts.tileSize}`);
    }
    const ts = opts.tileSize;
    const setup: RenderSetup = {
      scene,
      camera: cam,
      options: opts,
      smoothCutoff: options?.smoothCutoff === true,
      tileSize: ts,
      tilesX: Math.ceil(cam.width / ts),
      tilesY: Math.ceil(cam.height / ts),
    };
    const { n, featureDim: F } = scene;
    const P = cam.width * cam.height;
    const sizes: Record<keyof ForwardOutputs, number> = { rgb: 3 * P, alpha: P, depth: P, radii: n, means2d: 2 * n, features: F * P };
    const created: GPUBuffer[] = [];
    const outputs = {} as ForwardOutputs;
    for (const k of Object.keys(sizes) as (keyof ForwardOutputs)[]) {
      if (k === 'features' && F === 0) continue;
      const b = given?.[k];
      if (b) {
        checkBuffer(fn, `outputs.${k}`, b, sizes[k]);
        outputs[k] = b;
      } else {
        outputs[k] = outBuffer(device, sizes[k], k);
        created.push(outputs[k]!);
      }
    }
    return { setup, outputs, created, n, F, P, numTiles: setup.tilesX * setup.tilesY };
  }

  type Prepared = ReturnType<typeof prepare>;

  /** Projection, depth sort, per-Gaussian tile counts and their scan (exclusive offsets). */
  function encodeFront(frame: Frame, enc: GPUCommandEncoder, g: GaussianBuffers, pre: Prepared, params: GPUBuffer, splats: GPUBuffer) {
    const { n, outputs } = pre;
    const geo = frame.temp(Math.max(1, 3 * n) * 4, 'geo');
    const rects = frame.temp(Math.max(1, n) * 16, 'rects');
    const counts = frame.temp(Math.max(1, n) * 4, 'tile-counts');
    let pass = enc.beginComputePass({ label: 'project' });
    encodeProject(frame, pass, { ...g, params, splats, geo, rects, n });
    const keys = frame.temp(n * 4, 'depth-keys');
    const vals = frame.temp(n * 4, 'depth-vals');
    encodeDepthKeys(frame, pass, { n, splats, rects, keys, vals });
    pass.end();
    const order = encodeRadixSort(frame, enc, { keys, values: vals, count: n, bits: 32 }).values;
    pass = enc.beginComputePass({ label: 'tile-counts' });
    encodeTileCounts(frame, pass, { n, order, rects, counts });
    const total = encodeExclusiveScan(frame, pass, counts, n);
    pass.end();
    enc.copyBufferToBuffer(geo, 0, outputs.means2d, 0, 2 * n * 4);
    enc.copyBufferToBuffer(geo, 2 * n * 4, outputs.radii, 0, n * 4);
    return { order, rects, counts, total };
  }

  /** Pair emission, tile sort, tile ranges (`m` slots), then rasterization. */
  function encodeBack(
    frame: Frame,
    enc: GPUCommandEncoder,
    g: GaussianBuffers,
    pre: Prepared,
    bufs: { params: GPUBuffer; splats: GPUBuffer; ranges: GPUBuffer; aux: GPUBuffer },
    front: ReturnType<typeof encodeFront> | undefined,
    m: number,
    capacityMode: boolean,
  ): GPUBuffer {
    const { setup, n, numTiles, F, P, outputs } = pre;
    let pairVals: GPUBuffer;
    enc.clearBuffer(bufs.ranges, 0, numTiles * 8);
    if (m > 0 && front) {
      const pairKeys = frame.temp(m * 4, 'pair-keys');
      const vals = frame.temp(m * 4, 'pair-vals');
      let pass = enc.beginComputePass({ label: 'emit-pairs' });
      encodeEmitPairs(frame, pass, { n, tilesX: setup.tilesX, cap: m, order: front.order, rects: front.rects, offsets: front.counts, pairKeys, pairVals: vals });
      pass.end();
      // Capacity mode sorts only the emitted pairs (min(status[0], m), read on the GPU).
      const tileBits = Math.max(1, Math.ceil(Math.log2(numTiles)));
      const sorted = encodeRadixSort(frame, enc, { keys: pairKeys, values: vals, count: m, bits: tileBits, countBuffer: capacityMode ? status : undefined });
      pairVals = frame.keep(sorted.values);
      pass = enc.beginComputePass({ label: 'tile-ranges' });
      encodeTileRanges(frame, pass, { m, numTiles, keys: sorted.keys, ranges: bufs.ranges, status: capacityMode ? status : undefined });
      if (capacityMode) encodeOverflowFallback(frame, pass, { n, numTiles, cap: m, status, order: front.order, pairVals, ranges: bufs.ranges });
      pass.end();
    } else {
      pairVals = ctx.acquire(4, USAGE.storage);
    }
    const pass = enc.beginComputePass({ label: 'rasterize' });
    encodeRasterize(
      frame,
      pass,
      { params: bufs.params, ranges: bufs.ranges, pairVals, splats: bufs.splats, features: g.features, rgb: outputs.rgb, featOut: outputs.features, aux: bufs.aux },
      { tileSize: setup.tileSize, featureDim: F, tilesX: setup.tilesX, tilesY: setup.tilesY, direct },
    );
    pass.end();
    enc.copyBufferToBuffer(bufs.aux, 0, outputs.alpha, 0, P * 4);
    enc.copyBufferToBuffer(bufs.aux, P * 4, outputs.depth, 0, P * 4);
    return pairVals;
  }

  function makeResult(g: GaussianBuffers, pre: Prepared, bufs: { params: GPUBuffer; splats: GPUBuffer; ranges: GPUBuffer; aux: GPUBuffer }, pairVals: GPUBuffer, intersections: number, capacity: number): ForwardResult {
    const { setup, n, F, outputs, created } = pre;
    const saved = [bufs.params, bufs.splats, bufs.ranges, bufs.aux, pairVals];
    const state: StateImpl = {
      width: setup.camera.width,
      height: setup.camera.height,
      count: n,
      featureDim: F,
      intersections,
      capacity,
      setup,
      gaussians: { ...g },
      params: bufs.params,
      splats: bufs.splats,
      ranges: bufs.ranges,
      pairVals,
      aux: bufs.aux,
      released: false,
      release() {
        if (state.released) return;
        state.released = true;
        for (const b of saved) ctx.release(b);
      },
    };
    return {
      outputs,
      state,
      destroy() {
        for (const b of created) b.destroy();
        state.release();
      },
    };
  }

  function acquireSaved(pre: Prepared) {
    const params = ctx.acquire(paramsByteLength(pre.F), USAGE.uniform);
    device.queue.writeBuffer(params, 0, packParams(pre.setup));
    return {
      params,
      splats: ctx.acquire(Math.max(1, pre.n) * 48, USAGE.storage, 'splats'),
      ranges: ctx.acquire(pre.numTiles * 8, USAGE.storage, 'tile-ranges'),
      aux: ctx.acquire(4 * pre.P * 4, USAGE.storage, 'aux'),
    };
  }

  function checkIntersectionBytes(fn: string, count: number, what: string): void {
    const bytes = count * 4;
    if (bytes > maxBytes) {
      throw new Error(
        `${fn}: ${what ? `${what} ${count} (tile, Gaussian) intersections needs` : `the scene has ${count} (tile, Gaussian) intersections, which need`} ${bytes} bytes per buffer, ` +
          `more than the limit of ${maxBytes} bytes (the device's maxStorageBufferBindingSize is ` +
          `${device.limits.maxStorageBufferBindingSize}); render fewer or smaller Gaussians, a smaller image, ` +
          `or request a device with a larger limit`,
      );
    }
  }

  /** A failed forward's cleanup: its saved buffers back to the pool, the outputs it created destroyed. */
  function discard(pre: Prepared, bufs: ReturnType<typeof acquireSaved>, pairVals: GPUBuffer | undefined): void {
    for (const b of [...Object.values(bufs), pairVals]) ctx.release(b);
    for (const b of pre.created) b.destroy();
  }

  async function forward(g: GaussianBuffers, camera: Camera, options?: RenderOptions, target?: ForwardTarget): Promise<ForwardResult> {
    const fn = 'Rasterizer.forward';
    const pre = prepare(fn, g, camera, options, target?.outputs);
    const frame = new Frame(ctx);
    const bufs = acquireSaved(pre);
    let pairVals: GPUBuffer | undefined;
    let intersections = 0;
    try {
      const readback = ctx.acquire(4, MAP_READ | COPY_DST);
      let front: ReturnType<typeof encodeFront> | undefined;
      {
        const enc = device.createCommandEncoder({ label: 'splat-forward-1' });
        if (pre.n > 0) {
          front = encodeFront(frame, enc, g, pre, bufs.params, bufs.splats);
          enc.copyBufferToBuffer(front.total.buffer, front.total.index * 4, readback, 0, 4);
        }
        device.queue.submit([enc.finish()]);
      }
      if (pre.n > 0) {
        await gpuWait(device, readback.mapAsync(MAP_READ));
        intersections = new Uint32Array(readback.getMappedRange(0, 4))[0];
        readback.unmap();
      }
      ctx.release(readback);
      checkIntersectionBytes(fn, intersections, '');
      const enc = device.createCommandEncoder({ label: 'splat-forward-2' });
      pairVals = encodeBack(frame, enc, g, pre, bufs, front, intersections, false);
      device.queue.submit([enc.finish()]);
      await ctx.checkPipelines();
    } catch (e) {
      discard(pre, bufs, pairVals);
      throw e;
    } finally {
      frame.releaseAll();
    }
    return makeResult(g, pre, bufs, pairVals!, intersections, intersections);
  }

  function forwardSync(g: GaussianBuffers, camera: Camera, options?: RenderOptions, target?: ForwardTarget & { capacity?: number }): ForwardResult {
    const fn = 'Rasterizer.forwardSync';
    const pre = prepare(fn, g, camera, options, target?.outputs);
    let cap: number;
    if (target?.capacity !== undefined) {
      if (!Number.isInteger(target.capacity) || target.capacity < 0) {
        throw new Error(`${fn}: target.capacity: expected a non-negative integer number of (tile, Gaussian) pairs, got ${target.capacity}`);
      }
      cap = target.capacity;
    } else {
      cap = Math.max(capacityHint, 16 * pre.n, 1024);
    }
    // The overflow fallback reuses the pair buffer for the depth-sorted list: cap >= n.
    cap = Math.max(cap, pre.n);
    checkIntersectionBytes(fn, cap, 'a capacity of');
    const frame = new Frame(ctx);
    const bufs = acquireSaved(pre);
    let pairVals: GPUBuffer | undefined;
    try {
      const enc = device.createCommandEncoder({ label: 'splat-forward' });
      let front: ReturnType<typeof encodeFront> | undefined;
      device.queue.writeBuffer(status, 4, new Uint32Array([cap]));
      if (pre.n > 0) {
        front = encodeFront(frame, enc, g, pre, bufs.params, bufs.splats);
        enc.copyBufferToBuffer(front.total.buffer, front.total.index * 4, status, 0, 4);
      } else {
        enc.clearBuffer(status, 0, 4);
      }
      pairVals = encodeBack(frame, enc, g, pre, bufs, front, pre.n > 0 ? cap : 0, true);
      const watch = target?.capacity === undefined && !hintRead;
      let staging: GPUBuffer | undefined;
      if (watch) {
        staging = device.createBuffer({ size: 8, usage: MAP_READ | COPY_DST });
        enc.copyBufferToBuffer(status, 0, staging, 0, 8);
      }
      device.queue.submit([enc.finish()]);
      if (staging) {
        const s = staging;
        // Adapts the automatic capacity without blocking: the count arrives when the GPU gets there.
        hintRead = s
          .mapAsync(MAP_READ)
          .then(() => {
            const total = new Uint32Array(s.getMappedRange(0, 4))[0];
            s.unmap();
            capacityHint = Math.max(capacityHint, Math.ceil(total * 1.25));
          })
          .catch(() => undefined)
          .finally(() => {
            s.destroy();
            hintRead = undefined;
          });
      }
    } catch (e) {
      discard(pre, bufs, pairVals);
      throw e;
    } finally {
      frame.releaseAll();
    }
    return makeResult(g, pre, bufs, pairVals!, -1, cap);
  }

  async function lastIntersections(): Promise<{ total: number; capacity: number; overflowed: boolean }> {
    const staging = device.createBuffer({ size: 8, usage: MAP_READ | COPY_DST });
    const enc = device.createCommandEncoder({ label: 'splat-status-read' });
    enc.copyBufferToBuffer(status, 0, staging, 0, 8);
    device.queue.submit([enc.finish()]);
    await gpuWait(device, staging.mapAsync(MAP_READ));
    const [total, capacity] = new Uint32Array(staging.getMappedRange(0, 8));
    staging.unmap();
    staging.destroy();
    return { total, capacity, overflowed: total > capacity };
  }

  function backward(stateIn: RasterizerState, grads: GradOutputBuffers, options?: BackwardOptions): GradientBuffers {
    const fn = 'Rasterizer.backward';
    const s = stateIn as StateImpl;
    if (!s || !s.setup) throw new Error(`${fn}: state: expected the state of a forward of this rasterizer`);
    if (s.released) throw new Error(`${fn}: state: already released`);
    const { n, featureDim: F, colorStride } = s.setup.scene;
    const P = s.width * s.height;
    if (grads === null || typeof grads !== 'object') throw new Error(`${fn}: grads: expected an object of GPUBuffers`);
    if (grads.rgb) checkBuffer(fn, 'grads.rgb', grads.rgb, 3 * P, true);
    if (grads.features) {
      if (F === 0) throw new Error(`${fn}: grads.features: expected undefined (the scene has no features), got a GPUBuffer`);
      checkBuffer(fn, 'grads.features', grads.features, F * P, true);
    }
    if (grads.alpha) checkBuffer(fn, 'grads.alpha', grads.alpha, P, true);
    if (grads.depth) checkBuffer(fn, 'grads.depth', grads.depth, P, true);
    if (grads.means2d) checkBuffer(fn, 'grads.means2d', grads.means2d, 2 * n);

    const layout = gradOutLayout(n, colorStride);
    const sizes: Record<Exclude<keyof GradientBuffers, 'destroy'>, number> = {
      means: 3 * n,
      quats: 4 * n,
      scales: 3 * n,
      opacities: n,
      colors: colorStride * n,
      viewMatrix: 16,
      means2d: 2 * n,
      means2dAbs: 2 * n,
      features: F * n,
    };
    const created: GPUBuffer[] = [];
    const out = {
      destroy() {
        for (const b of created) b.destroy();
      },
    } as GradientBuffers;
    for (const k of Object.keys(sizes) as (keyof typeof sizes)[]) {
      if (k === 'features' && F === 0) continue;
      const given = options?.into?.[k];
      if (given) {
        checkBuffer(fn, `options.into.${k}`, given, sizes[k]);
        out[k] = given;
      } else {
        out[k] = outBuffer(device, sizes[k], `grad-${k}`);
        created.push(out[k]!);
      }
    }

    const frame = new Frame(ctx);
    try {
      const enc = device.createCommandEncoder({ label: 'splat-backward' });
      const C = 3 + F + 2;
      const vOut = frame.temp(C * P * 4, 'v-out');
      enc.clearBuffer(vOut, 0, C * P * 4);
      if (grads.rgb) enc.copyBufferToBuffer(grads.rgb, 0, vOut, 0, 3 * P * 4);
      if (grads.features) enc.copyBufferToBuffer(grads.features, 0, vOut, 3 * P * 4, F * P * 4);
      if (grads.alpha) enc.copyBufferToBuffer(grads.alpha, 0, vOut, (3 + F) * P * 4, P * 4);
      if (grads.depth) enc.copyBufferToBuffer(grads.depth, 0, vOut, (4 + F) * P * 4, P * 4);
      const gradFloats = Math.max(1, (RASTER_GRAD_STRIDE + F) * n);
      const rg = frame.temp(gradFloats * 4, 'raster-grads');
      enc.clearBuffer(rg, 0, gradFloats * 4);
      const gradOut = frame.temp(layout.total * 4, 'grad-out');
      const g = s.gaussians;
      if (n > 0) {
        const rpass = enc.beginComputePass({ label: 'rasterize-backward' });
        encodeRasterizeBackward(
          frame,
          rpass,
          { params: s.params, ranges: s.ranges, pairVals: s.pairVals, splats: s.splats, features: g.features, aux: s.aux, vOut, grads: rg },
          { tileSize: s.setup.tileSize, featureDim: F, tilesX: s.setup.tilesX, tilesY: s.setup.tilesY, naive: options?.naiveAtomics, direct },
        );
        rpass.end();
      }
      encodeProjectBackward(frame, enc, {
        n,
        colorStride,
        params: s.params,
        means: g.means,
        quats: g.quats,
        scales: g.scales,
        opacities: g.opacities,
        colors: g.colors,
        grads: rg,
        gradOut,
      });
      if (grads.means2d && n > 0) {
        const pass = enc.beginComputePass({ label: 'means2d-vjp' });
        encodeMeans2dVjp(frame, pass, { n, params: s.params, means: g.means, quats: g.quats, scales: g.scales, opacities: g.opacities, colors: g.colors, gMeans2d: grads.means2d, gradOut });
        pass.end();
      }
      const copy = (off: number, dst: GPUBuffer, floats: number): void => {
        if (floats > 0) enc.copyBufferToBuffer(gradOut, off * 4, dst, 0, floats * 4);
      };
      copy(layout.means, out.means, 3 * n);
      copy(layout.quats, out.quats, 4 * n);
      copy(layout.scales, out.scales, 3 * n);
      copy(layout.opacities, out.opacities, n);
      copy(layout.colors, out.colors, colorStride * n);
      copy(layout.means2d, out.means2d, 2 * n);
      copy(layout.means2dAbs, out.means2dAbs, 2 * n);
      copy(layout.viewMatrix, out.viewMatrix, 16);
      if (out.features && n > 0) enc.copyBufferToBuffer(rg, RASTER_GRAD_STRIDE * n * 4, out.features, 0, F * n * 4);
      device.queue.submit([enc.finish()]);
    } catch (e) {
      out.destroy();
      throw e;
    } finally {
      frame.releaseAll();
    }
    return out;
  }

  return {
    device,
    forward,
    forwardSync,
    lastIntersections,
    backward,
    stats: () => ctx.stats(),
    checkErrors: () => ctx.checkPipelines(),
    trim: () => ctx.trim(),
  };
}
