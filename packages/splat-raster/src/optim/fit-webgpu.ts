/**
 * `fitGaussiansWebGPU`: the standalone fit of fit.ts with every step on the GPU. Per step:
 * activation kernel, `forwardSync` (no CPU read of the intersection count), MSE loss and
 * its image gradient, backward, one Adam kernel per parameter group; the parameters,
 * Adam moments, gradients and the per-step losses stay in GPU buffers. The CPU reads the
 * losses (and the intersection count, to grow the pair capacity) every `lossEvery` steps
 * only, which also keeps the CPU from running ahead of the GPU.
 *
 * @example
 * const { scene, finalPsnr } = await fitGaussiansWebGPU({ device, target, camera, count: 200, iterations: 300 });
 *
 * Same options, parametrisation, learning rates and schedule as `fitGaussians` (fit.ts);
 * float32 throughout. No densification: the count is fixed.
 *
 * Also here: `webgpuFitRenderer(device)`, the WebGPU rasterizer as a `FitRenderer` on
 * typed arrays (reads every image back; for custom loops on the CPU).
 */

import { gpuWait } from '@headsplat/gpu';
import {
  type FitOptions,
  type FitRenderer,
  type FitResult,
  meanSquaredError,
  medianDepth,
  prepareFit,
  psnrFromMse,
  resolveRates,
  toFloat32Scene,
} from '../fit.js';
import type { GaussianScene } from '../types.js';
import { SplatRasterInputError, validateRenderOptions } from '../validate.js';
import { Frame, GpuContext, USAGE } from '../webgpu/gpu-context.js';
import { type ForwardOutputs, type GaussianBuffers, createRasterizer } from '../webgpu/rasterizer.js';
import { renderWebGPU, renderWebGPUBackward } from '../webgpu/render.js';
import { ADAM_KIND, encodeActivate, encodeAdam, encodeMseLoss } from './fit-kernels.js';
import { type ParamGroup, PARAM_GROUPS, toGaussianParams } from './gaussian-params.js';

/** The WebGPU rasterizer as a `FitRenderer` on typed arrays (one read back per render and backward). */
export function webgpuFitRenderer(device: GPUDevice): FitRenderer {
  return {
    async render(scene, camera, options) {
      const { output, state } = await renderWebGPU(device, scene, camera, options);
      return {
        rgb: output.rgb,
        async backward(gradRgb) {
          try {
            return await renderWebGPUBackward(state, { rgb: gradRgb });
          } finally {
            state.release();
          }
        },
      };
    },
  };
}

export interface WebGPUFitOptions extends Omit<FitOptions, 'backend' | 'device'> {
  device: GPUDevice;
  /** Read the losses back (and call `onStep` for those steps) every this many steps. Default 25. */
  lossEvery?: number;
  /** Adam betas and epsilon (defaults 0.9, 0.999, 1e-15 as the CPU `Adam`). */
  adam?: { beta1?: number; beta2?: number; eps?: number };
}

export interface WebGPUFitResult extends FitResult {
  /** (tile, Gaussian) pair slots the forward used at the end (grown when a count exceeded it). */
  intersectionCapacity: number;
}

const KIND: Record<ParamGroup, number> = {
  means: ADAM_KIND.plain,
  quats: ADAM_KIND.plain,
  logScales: ADAM_KIND.exp,
  opacityLogits: ADAM_KIND.sigmoid,
  colors: ADAM_KIND.plain,
  features: ADAM_KIND.plain,
};

function f32Buffer(device: GPUDevice, data: ArrayLike<number> | number, label: string): GPUBuffer {
  const words = typeof data === 'number' ? data : data.length;
  const buf = device.createBuffer({ size: Math.max(4, words * 4), usage: USAGE.storage, label });
  if (typeof data !== 'number' && words > 0) {
    const f = Float32Array.from(data);
    device.queue.writeBuffer(buf, 0, f.buffer, f.byteOffset, f.byteLength);
  }
  return buf;
}

async function readF32(device: GPUDevice, buf: GPUBuffer, offsetWords: number, words: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: Math.max(4, words * 4), usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
  const enc = device.createCommandEncoder({ label: 'fit-read' });
  if (words > 0) enc.copyBufferToBuffer(buf, offsetWords * 4, staging, 0, words * 4);
  device.queue.submit([enc.finish()]);
  await gpuWait(device, staging.mapAsync(0x1));
  const out = new Float32Array(staging.getMappedRange(0, words * 4).slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Fits Gaussians to one image with every step on the GPU; see the file header. */
export async function fitGaussiansWebGPU(opts: WebGPUFitOptions): Promise<WebGPUFitResult> {
  const fn = 'fitGaussiansWebGPU';
  const t0 = performance.now();
  const device = opts.device;
  if (!device || typeof device.createBuffer !== 'function') {
    throw new SplatRasterInputError(fn, 'options.device', 'a GPUDevice', String(device));
  }
  const { cam, pixels: P, iterations, meansLrFinal, init } = prepareFit(fn, opts);
  const lossEvery = opts.lossEvery ?? 25;
  if (!Number.isInteger(lossEvery) || lossEvery < 1) throw new SplatRasterInputError(fn, 'options.lossEvery', 'a positive integer', String(lossEvery));
  const renderOptions = opts.renderOptions ?? {};
  validateRenderOptions(fn, renderOptions, init.featureDim ?? 0);
  const beta1 = opts.adam?.beta1 ?? 0.9;
  const beta2 = opts.adam?.beta2 ?? 0.999;
  const eps = opts.adam?.eps ?? 1e-15;

  const params = toGaussianParams(init);
  const n = params.opacityLogits.length;
  const F = params.featureDim ?? 0;
  const rates = resolveRates(fn, opts.lr);
  rates.means *= medianDepth(params.means, cam.viewMatrix);
  const groups = PARAM_GROUPS.filter((g) => params[g] !== undefined);

  const ctx = GpuContext.for(device);
  const r = createRasterizer(device);
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer): GPUBuffer => (owned.push(b), b);
  const p: Record<string, { param: GPUBuffer; m: GPUBuffer; v: GPUBuffer; grad: GPUBuffer; size: number }> = {};
  for (const g of groups) {
    const data = params[g]!;
    p[g] = {
      param: own(f32Buffer(device, data, `fit-${g}`)),
      m: own(f32Buffer(device, data.length, `fit-${g}-m`)),
      v: own(f32Buffer(device, data.length, `fit-${g}-v`)),
      grad: own(f32Buffer(device, data.length, `fit-${g}-grad`)),
      size: data.length,
    };
  }
  const scales = own(f32Buffer(device, 3 * n, 'fit-scales'));
  const opacities = own(f32Buffer(device, n, 'fit-opacities'));
  const target = own(f32Buffer(device, opts.target, 'fit-target'));
  const gradRgb = own(f32Buffer(device, 3 * P, 'fit-grad-rgb'));
  const losses = own(f32Buffer(device, Math.max(1, iterations), 'fit-losses'));
  const outputs: ForwardOutputs = {
    rgb: own(f32Buffer(device, 3 * P, 'fit-rgb')),
    alpha: own(f32Buffer(device, P, 'fit-alpha')),
    depth: own(f32Buffer(device, P, 'fit-depth')),
    radii: own(f32Buffer(device, n, 'fit-radii')),
    means2d: own(f32Buffer(device, 2 * n, 'fit-means2d')),
  };
  if (F > 0) outputs.features = own(f32Buffer(device, F * P, 'fit-features'));
  const gaussians: GaussianBuffers = {
    count: n,
    means: p.means.param,
    quats: p.quats.param,
    scales,
    opacities,
    colors: p.colors.param,
  };
  if (params.shDegree !== undefined) gaussians.shDegree = params.shDegree;
  if (F > 0) {
    gaussians.features = p.features.param;
    gaussians.featureDim = F;
  }
  // Gradients land in the groups' grad buffers (scales and opacities are chained to
  // log-scales and logits inside the Adam kernel); the rest is scratch.
  const gradInto = {
    means: p.means.grad,
    quats: p.quats.grad,
    scales: p.logScales.grad,
    opacities: p.opacityLogits.grad,
    colors: p.colors.grad,
    features: F > 0 ? p.features.grad : undefined,
    viewMatrix: own(f32Buffer(device, 16, 'fit-grad-view')),
    means2d: own(f32Buffer(device, 2 * n, 'fit-grad-means2d')),
    means2dAbs: own(f32Buffer(device, 2 * n, 'fit-grad-means2d-abs')),
  };

  const activate = (): void => {
    const frame = new Frame(ctx);
    const enc = device.createCommandEncoder({ label: 'fit-activate' });
    const pass = enc.beginComputePass();
    encodeActivate(frame, pass, { n, logScales: p.logScales.param, logits: p.opacityLogits.param, scales, opacities });
    pass.end();
    device.queue.submit([enc.finish()]);
    frame.releaseAll();
  };

  const lossHistory: number[] = [];
  let capacity = 0;
  try {
    // One exact forward sizes the pair buffers; later counts are checked with the losses.
    activate();
    {
      const first = await r.forward(gaussians, opts.camera, renderOptions, { outputs });
      capacity = Math.ceil(first.state.intersections * 1.5) + n;
      first.state.release();
    }
    let read = 0;
    let steps = 0;
    let stop = false;
    const drain = async (upTo: number): Promise<void> => {
      if (upTo <= read) return;
      const vals = await readF32(device, losses, read, upTo - read);
      const info = await r.lastIntersections();
      if (info.overflowed) capacity = Math.ceil(info.total * 1.5);
      const elapsedMs = performance.now() - t0;
      for (let k = 0; k < vals.length; k++) {
        const loss = vals[k];
        if (!Number.isFinite(loss)) throw new Error(`${fn}: the loss became ${loss} at step ${read + k} (lower the learning rates)`);
        lossHistory.push(loss);
        if (opts.onStep?.({ iteration: read + k, loss, psnr: psnrFromMse(loss), elapsedMs }) === false) stop = true;
      }
      read = upTo;
    };

    for (let it = 0; it < iterations && !stop; it++) {
      if (it > 0) activate();
      steps = it + 1;
      const fwd = r.forwardSync(gaussians, opts.camera, renderOptions, { capacity, outputs });
      try {
        const frame = new Frame(ctx);
        const enc = device.createCommandEncoder({ label: 'fit-loss' });
        const pass = enc.beginComputePass();
        encodeMseLoss(frame, pass, { count: 3 * P, slot: it, rgb: outputs.rgb, target, grad: gradRgb, losses });
        pass.end();
        device.queue.submit([enc.finish()]);
        frame.releaseAll();
        r.backward(fwd.state, { rgb: gradRgb }, { into: gradInto });
      } finally {
        fwd.state.release();
      }
      const meansLr = rates.means * meansLrFinal ** (iterations > 1 ? it / (iterations - 1) : 0);
      const frame = new Frame(ctx);
      const enc = device.createCommandEncoder({ label: 'fit-adam' });
      const pass = enc.beginComputePass();
      for (const g of groups) {
        const b = p[g];
        encodeAdam(frame, pass, { n: b.size, kind: KIND[g], lr: g === 'means' ? meansLr : rates[g], beta1, beta2, eps, t: it + 1 }, b);
      }
      pass.end();
      device.queue.submit([enc.finish()]);
      frame.releaseAll();
      if ((it + 1) % lossEvery === 0) {
        await r.checkErrors();
        await drain(it + 1);
      }
    }
    await drain(steps);

    activate();
    const last = await r.forward(gaussians, opts.camera, renderOptions, { outputs });
    last.state.release();
    const [render, means, quats, sc, op, colors] = await Promise.all([
      readF32(device, outputs.rgb, 0, 3 * P),
      readF32(device, p.means.param, 0, 3 * n),
      readF32(device, p.quats.param, 0, 4 * n),
      readF32(device, scales, 0, 3 * n),
      readF32(device, opacities, 0, n),
      readF32(device, p.colors.param, 0, p.colors.size),
    ]);
    const fitted: GaussianScene = { means, quats, scales: sc, opacities: op, colors };
    if (params.shDegree !== undefined) fitted.shDegree = params.shDegree;
    if (F > 0) {
      fitted.features = await readF32(device, p.features.param, 0, F * n);
      fitted.featureDim = F;
    }
    const finalLoss = meanSquaredError(render, opts.target);
    return {
      scene: toFloat32Scene(fitted),
      lossHistory,
      finalLoss,
      initialPsnr: lossHistory.length ? psnrFromMse(lossHistory[0]) : psnrFromMse(finalLoss),
      finalPsnr: psnrFromMse(finalLoss),
      render,
      elapsedMs: performance.now() - t0,
      intersectionCapacity: capacity,
    };
  } finally {
    for (const b of owned) b.destroy();
  }
}
