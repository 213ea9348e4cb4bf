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
 * A backward is one command buffer. Temporaries come from a per-device pool and go back
 * to it once their commands are submitted; pipelines are compiled once per device.
 *
 * Ownership: output / gradient buffers belong to the caller (`destroy()` them, or call
 * the result's `destroy()`); `state.release()` returns the forward's saved buffers to the
 * pool (call it once the backward is done, or right away when no backward follows). The
 * state keeps references to the input buffers: do not overwrite them before the backward.
 */

import { validateCamera, validateRenderOptions } from '../validate.js';
import type { Camera, RenderOptions } from '../types.js';
import { encodeProjectBackward, encodeRasterizeBackward, gradOutLayout, RASTER_GRAD_STRIDE } from './backward.js';
import { Frame, GpuContext, USAGE } from './gpu-context.js';
import { encodeDepthKeys, encodeEmitPairs, encodeTileCounts, encodeTileRanges } from './intersect.js';
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
  /** Number of (tile, Gaussian) pairs rasterized. */
  readonly intersections: number;
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
}

export interface Rasterizer {
  readonly device: GPUDevice;
  forward(gaussians: GaussianBuffers, camera: Camera, options?: RenderOptions): Promise<ForwardResult>;
  /** Records and submits the backward; the returned buffers are ready once the queue gets there. */
  backward(state: RasterizerState, grads: GradOutputBuffers, options?: BackwardOptions): GradientBuffers;
  /** Rejects if a kernel compiled since the last check failed (forward checks on its own). */
  checkErrors(): Promise<void>;
  /** Buffer counts of the device's pool (created = pooled + in use), for leak checks. */
  stats(): { created: number; pooled: number; inUse: number };
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

export interface RasterizerOptions {
  /**
   * Largest intersection buffer (bytes) a forward may allocate; defaults to the device's
   * maxStorageBufferBindingSize. A forward needing more throws instead of overflowing.
   */
  maxIntersectionBytes?: number;
}

/** Creates a rasterizer bound to `device` (pipelines and the buffer pool are shared per device). */
export function createRasterizer(device: GPUDevice, rasterizerOptions: RasterizerOptions = {}): Rasterizer {
  const ctx = GpuContext.for(device);
  const maxBytes = Math.min(
    device.limits.maxStorageBufferBindingSize,
    rasterizerOptions.maxIntersectionBytes ?? Number.POSITIVE_INFINITY,
  );

  async function forward(g: GaussianBuffers, camera: Camera, options?: RenderOptions): Promise<ForwardResult> {
    const fn = 'Rasterizer.forward';
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
    const W = cam.width;
    const H = cam.height;
    const P = W * H;
    const numTiles = setup.tilesX * setup.tilesY;

    const outputs: ForwardOutputs = {
      rgb: outBuffer(device, 3 * P, 'rgb'),
      alpha: outBuffer(device, P, 'alpha'),
      depth: outBuffer(device, P, 'depth'),
      radii: outBuffer(device, n, 'radii'),
      means2d: outBuffer(device, 2 * n, 'means2d'),
    };
    if (F > 0) outputs.features = outBuffer(device, F * P, 'features');

    const frame = new Frame(ctx);
    const params = ctx.acquire(paramsByteLength(F), USAGE.uniform);
    device.queue.writeBuffer(params, 0, packParams(setup));
    const splats = ctx.acquire(Math.max(1, n) * 48, USAGE.storage, 'splats');
    const ranges = ctx.acquire(numTiles * 8, USAGE.storage, 'tile-ranges');
    const aux = ctx.acquire(4 * P * 4, USAGE.storage, 'aux');
    let pairVals: GPUBuffer | undefined;
    let intersections = 0;
    try {
      const geo = frame.temp(Math.max(1, 3 * n) * 4, 'geo');
      const rects = frame.temp(Math.max(1, n) * 16, 'rects');
      const counts = frame.temp(Math.max(1, n) * 4, 'tile-counts');
      const readback = ctx.acquire(4, MAP_READ | COPY_DST);
      let order: GPUBuffer | undefined;
      {
        const enc = device.createCommandEncoder({ label: 'splat-forward-1' });
        if (n > 0) {
          let pass = enc.beginComputePass({ label: 'project' });
          encodeProject(frame, pass, { ...g, params, splats, geo, rects, n });
          const keys = frame.temp(n * 4, 'depth-keys');
          const vals = frame.temp(n * 4, 'depth-vals');
          encodeDepthKeys(frame, pass, { n, splats, rects, keys, vals });
          pass.end();
          order = encodeRadixSort(frame, enc, { keys, values: vals, count: n, bits: 32 }).values;
          pass = enc.beginComputePass({ label: 'tile-counts' });
          encodeTileCounts(frame, pass, { n, order, rects, counts });
          const total = encodeExclusiveScan(frame, pass, counts, n);
          pass.end();
          enc.copyBufferToBuffer(total.buffer, total.index * 4, readback, 0, 4);
          enc.copyBufferToBuffer(geo, 0, outputs.means2d, 0, 2 * n * 4);
          enc.copyBufferToBuffer(geo, 2 * n * 4, outputs.radii, 0, n * 4);
        }
        device.queue.submit([enc.finish()]);
      }
      if (n > 0) {
        await readback.mapAsync(MAP_READ);
        intersections = new Uint32Array(readback.getMappedRange(0, 4))[0];
        readback.unmap();
      }
      ctx.release(readback);

      const bytes = intersections * 4;
      if (bytes > maxBytes) {
        throw new Error(
          `${fn}: the scene has ${intersections} (tile, Gaussian) intersections, which need ${bytes} bytes per buffer, ` +
            `more than the limit of ${maxBytes} bytes (the device's maxStorageBufferBindingSize is ` +
            `${device.limits.maxStorageBufferBindingSize}); render fewer or smaller Gaussians, a smaller image, ` +
            `or request a device with a larger limit`,
        );
      }

      const enc = device.createCommandEncoder({ label: 'splat-forward-2' });
      enc.clearBuffer(ranges, 0, numTiles * 8);
      if (intersections > 0 && order) {
        const pairKeys = frame.temp(bytes, 'pair-keys');
        const vals = frame.temp(bytes, 'pair-vals');
        let pass = enc.beginComputePass({ label: 'emit-pairs' });
        encodeEmitPairs(frame, pass, { n, tilesX: setup.tilesX, order, rects, offsets: counts, pairKeys, pairVals: vals });
        pass.end();
        const tileBits = Math.ceil(Math.log2(numTiles));
        const sorted = encodeRadixSort(frame, enc, { keys: pairKeys, values: vals, count: intersections, bits: tileBits });
        pairVals = frame.keep(sorted.values);
        pass = enc.beginComputePass({ label: 'tile-ranges' });
        encodeTileRanges(frame, pass, { m: intersections, keys: sorted.keys, ranges });
        pass.end();
      } else {
        pairVals = ctx.acquire(4, USAGE.storage);
      }
      const pass = enc.beginComputePass({ label: 'rasterize' });
      encodeRasterize(
        frame,
        pass,
        { params, ranges, pairVals, splats, features: g.features, rgb: outputs.rgb, featOut: outputs.features, aux },
        { tileSize: ts, featureDim: F, tilesX: setup.tilesX, tilesY: setup.tilesY },
      );
      pass.end();
      enc.copyBufferToBuffer(aux, 0, outputs.alpha, 0, P * 4);
      enc.copyBufferToBuffer(aux, P * 4, outputs.depth, 0, P * 4);
      device.queue.submit([enc.finish()]);
      await ctx.checkPipelines();
    } catch (e) {
      for (const b of [params, splats, ranges, aux, pairVals]) ctx.release(b);
      for (const b of Object.values(outputs)) b.destroy();
      throw e;
    } finally {
      frame.releaseAll();
    }

    const state: StateImpl = {
      width: W,
      height: H,
      count: n,
      featureDim: F,
      intersections,
      setup,
      gaussians: { ...g },
      params,
      splats,
      ranges,
      pairVals: pairVals!,
      aux,
      released: false,
      release() {
        if (state.released) return;
        state.released = true;
        for (const b of [params, splats, ranges, aux, pairVals]) ctx.release(b);
      },
    };
    return {
      outputs,
      state,
      destroy() {
        for (const b of Object.values(outputs)) b.destroy();
        state.release();
      },
    };
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

    const layout = gradOutLayout(n, colorStride);
    const out: GradientBuffers = {
      means: outBuffer(device, 3 * n, 'grad-means'),
      quats: outBuffer(device, 4 * n, 'grad-quats'),
      scales: outBuffer(device, 3 * n, 'grad-scales'),
      opacities: outBuffer(device, n, 'grad-opacities'),
      colors: outBuffer(device, colorStride * n, 'grad-colors'),
      viewMatrix: outBuffer(device, 16, 'grad-view'),
      means2d: outBuffer(device, 2 * n, 'grad-means2d'),
      means2dAbs: outBuffer(device, 2 * n, 'grad-means2d-abs'),
      destroy() {
        for (const [k, b] of Object.entries(out)) if (k !== 'destroy') (b as GPUBuffer).destroy();
      },
    };
    if (F > 0) out.features = outBuffer(device, F * n, 'grad-features');

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
      const pass = enc.beginComputePass({ label: 'splat-backward' });
      if (n > 0) {
        encodeRasterizeBackward(
          frame,
          pass,
          { params: s.params, ranges: s.ranges, pairVals: s.pairVals, splats: s.splats, features: g.features, aux: s.aux, vOut, grads: rg },
          { tileSize: s.setup.tileSize, featureDim: F, tilesX: s.setup.tilesX, tilesY: s.setup.tilesY, naive: options?.naiveAtomics },
        );
      }
      encodeProjectBackward(frame, pass, {
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
      pass.end();
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
    backward,
    stats: () => ctx.stats(),
    checkErrors: () => ctx.checkPipelines(),
    trim: () => ctx.trim(),
  };
}
