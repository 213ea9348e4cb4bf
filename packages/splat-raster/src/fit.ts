/**
 * `fitGaussians`: fits Gaussians to one target image with Adam on typed arrays, no tensor
 * library needed (the standalone counterpart of the `/tensor` binding). Parameters live in
 * unconstrained space (see optim/gaussian-params.ts); the loss is the mean squared error
 * over all pixels and channels, PSNR = -10 log10(MSE) for images in [0, 1].
 *
 * @example
 * const { scene, lossHistory } = await fitGaussians({ target, camera, count: 200, iterations: 300 });
 *
 * No densification or pruning: the number of Gaussians stays fixed.
 */

import { renderCpu, renderCpuBackward } from './cpu/index.js';
import { Adam } from './optim/adam.js';
import { type GaussianParams, type ParamGroup, PARAM_GROUPS, activateGaussianParams, paramGradients, toGaussianParams } from './optim/gaussian-params.js';
import { type RandomInitOptions, randomGaussiansInView } from './optim/random-init.js';
import { splitViewMatrix } from './cpu/mat3.js';
import type { Camera, GaussianScene, RenderGradients, RenderOptions } from './types.js';
import { SplatRasterInputError, checkFiniteArray, validateCamera, validateScene } from './validate.js';
import { fitGaussiansWebGPU } from './optim/fit-webgpu.js';

/** One rendered image plus the closure that backpropagates an upstream rgb gradient. */
export interface FitRenderPass {
  /** (H, W, 3) */
  rgb: ArrayLike<number>;
  backward(gradRgb: Float64Array): RenderGradients | Promise<RenderGradients>;
}

/** The rasterizer a fit uses: CPU reference, WebGPU, or your own. */
export interface FitRenderer {
  render(scene: GaussianScene, camera: Camera, options: RenderOptions): FitRenderPass | Promise<FitRenderPass>;
  dispose?(): void;
}

/** Learning rate per parameter group (see optim/gaussian-params.ts). */
export type FitLearningRates = Record<ParamGroup, number>;

/**
 * Default rates, tuned on the 32x32 test fit (test/fit-cpu.test.ts). The means rate is
 * relative: it is multiplied by the median camera-space depth of the initial Gaussians,
 * so that the fit does not depend on the scene's units.
 */
export const DEFAULT_FIT_LEARNING_RATES: Readonly<FitLearningRates> = {
  means: 0.006,
  quats: 0.01,
  logScales: 0.03,
  opacityLogits: 0.05,
  colors: 0.02,
  features: 0.02,
};

export interface FitStepInfo {
  /** 0-based. */
  iteration: number;
  /** MSE of the render before this step's update. */
  loss: number;
  psnr: number;
  elapsedMs: number;
}

export interface FitOptions {
  /** (H, W, 3) target image, values in [0, 1], row-major channel-last. */
  target: Float32Array | Float64Array;
  camera: Camera;
  /** Starting scene (activated values: scales > 0, opacities in (0, 1)); copied, not modified. */
  init?: GaussianScene;
  /** With no `init`: this many random Gaussians over the view (see `randomGaussiansInView`). */
  count?: number;
  /** Options of the random init. */
  initOptions?: RandomInitOptions;
  /** Default 300. */
  iterations?: number;
  /** A number multiplies every default rate; an object overrides rates per group. */
  lr?: number | Partial<FitLearningRates>;
  /**
   * The means rate decays exponentially to `meansLrFinal` times its start over the run
   * (3DGS's position schedule). Default 0.1.
   */
  meansLrFinal?: number;
  /** Default 'cpu'. 'webgpu' needs `device`. */
  backend?: 'cpu' | 'webgpu' | FitRenderer;
  device?: GPUDevice;
  renderOptions?: RenderOptions;
  /** Called after every step; return `false` to stop early. */
  onStep?: (info: FitStepInfo) => void | boolean;
}

export interface FitResult {
  /** The fitted scene, activated, float32. */
  scene: GaussianScene & { means: Float32Array; quats: Float32Array; scales: Float32Array; opacities: Float32Array; colors: Float32Array };
  /** MSE before each step (length = steps taken). */
  lossHistory: number[];
  /** MSE of the fitted scene (after the last update). */
  finalLoss: number;
  /** PSNR (dB) of the initial and the fitted scene. */
  initialPsnr: number;
  finalPsnr: number;
  /** (H, W, 3) render of the fitted scene. */
  render: Float32Array;
  elapsedMs: number;
}

/** PSNR in dB of an MSE for images in [0, 1]. */
export function psnrFromMse(mse: number): number {
  return -10 * Math.log10(Math.max(mse, 1e-20));
}

/** Mean squared error between two equally long arrays. */
export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`meanSquaredError: b: expected length ${a.length}, got ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** The CPU reference as a `FitRenderer` (float64 images and gradients). */
export const cpuFitRenderer: FitRenderer = {
  render(scene, camera, options) {
    const { state } = renderCpu(scene, camera, options);
    return { rgb: state.images.rgb, backward: (gradRgb) => renderCpuBackward(state, { rgb: gradRgb }) };
  },
};

/** @internal shared with the WebGPU fit */
export function resolveRates(fn: string, lr: FitOptions['lr']): FitLearningRates {
  const rates = { ...DEFAULT_FIT_LEARNING_RATES };
  if (typeof lr === 'number') {
    if (!(lr >= 0)) throw new SplatRasterInputError(fn, 'options.lr', 'a multiplier >= 0 or per-group rates', String(lr));
    for (const g of PARAM_GROUPS) rates[g] *= lr;
  } else if (lr !== undefined) {
    for (const [g, v] of Object.entries(lr)) {
      if (!(PARAM_GROUPS as readonly string[]).includes(g)) {
        throw new SplatRasterInputError(fn, 'options.lr', `keys among ${PARAM_GROUPS.join(', ')}`, JSON.stringify(g));
      }
      if (!(typeof v === 'number' && v >= 0)) throw new SplatRasterInputError(fn, `options.lr.${g}`, 'a rate >= 0', String(v));
      rates[g as ParamGroup] = v;
    }
  }
  return rates;
}

/** @internal shared with the WebGPU fit */
export function medianDepth(means: ArrayLike<number>, viewMatrix: ArrayLike<number>): number {
  const { R, t } = splitViewMatrix(viewMatrix);
  const n = means.length / 3;
  const z = Float64Array.from({ length: n }, (_, i) => R[6] * means[3 * i] + R[7] * means[3 * i + 1] + R[8] * means[3 * i + 2] + t[2]);
  z.sort();
  const m = Math.abs(z[n >> 1]);
  return m > 0 ? m : 1;
}

/** @internal shared with the WebGPU fit */
export function toFloat32Scene(scene: GaussianScene): FitResult['scene'] {
  const out: FitResult['scene'] = {
    means: Float32Array.from(scene.means),
    quats: Float32Array.from(scene.quats),
    scales: Float32Array.from(scene.scales),
    opacities: Float32Array.from(scene.opacities),
    colors: Float32Array.from(scene.colors),
  };
  if (scene.features) out.features = Float32Array.from(scene.features);
  if (scene.shDegree !== undefined) out.shDegree = scene.shDegree;
  if (scene.featureDim !== undefined) out.featureDim = scene.featureDim;
  return out;
}

function resolveRenderer(fn: string, opts: FitOptions): FitRenderer {
  const b = opts.backend ?? 'cpu';
  if (b === 'cpu') return cpuFitRenderer;
  if (b === 'webgpu') throw new Error(`${fn}: internal: backend 'webgpu' is handled by fitGaussiansWebGPU`);
  if (typeof b === 'object' && typeof b.render === 'function') return b;
  throw new SplatRasterInputError(fn, 'options.backend', "'cpu', 'webgpu' or a FitRenderer", String(b));
}

/**
 * The checks and defaults both fits (CPU and WebGPU) share: the camera, the target's length,
 * the step count, the final means learning-rate factor, and the starting scene (given, or
 * `count` random Gaussians in view).
 */
export function prepareFit(fn: string, opts: Omit<FitOptions, 'backend' | 'device'>): { cam: Camera; pixels: number; iterations: number; meansLrFinal: number; init: GaussianScene } {
  const cam = validateCamera(fn, opts.camera);
  const pixels = cam.width * cam.height;
  checkFiniteArray(fn, 'options.target', opts.target, 3 * pixels, 'H * W * 3 = ');
  const iterations = opts.iterations ?? 300;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new SplatRasterInputError(fn, 'options.iterations', 'a non-negative integer', String(iterations));
  }
  const meansLrFinal = opts.meansLrFinal ?? 0.1;
  if (!(meansLrFinal > 0)) throw new SplatRasterInputError(fn, 'options.meansLrFinal', 'a factor > 0', String(meansLrFinal));
  let init: GaussianScene;
  if (opts.init) {
    validateScene(fn, opts.init);
    init = opts.init;
  } else if (opts.count !== undefined) init = randomGaussiansInView(opts.camera, opts.count, opts.initOptions);
  else throw new SplatRasterInputError(fn, 'options.init / options.count', 'a starting scene or a Gaussian count', 'neither');
  return { cam, pixels, iterations, meansLrFinal, init };
}

/**
 * Fits Gaussians to `opts.target` with Adam. `backend: 'webgpu'` (with `device`) runs the
 * whole loop on the GPU (`fitGaussiansWebGPU`); 'cpu' (default) or a `FitRenderer` runs
 * Adam on typed arrays around that renderer.
 */
export async function fitGaussians(opts: FitOptions): Promise<FitResult> {
  const fn = 'fitGaussians';
  if (opts.backend === 'webgpu') {
    if (!opts.device) throw new SplatRasterInputError(fn, 'options.device', "a GPUDevice with backend 'webgpu'", 'undefined');
    const { backend: _b, device, ...rest } = opts;
    return fitGaussiansWebGPU({ ...rest, device });
  }
  const t0 = performance.now();
  const { cam, pixels: P, iterations, meansLrFinal, init } = prepareFit(fn, opts);

  const params: GaussianParams = toGaussianParams(init);
  const rates = resolveRates(fn, opts.lr);
  rates.means *= medianDepth(params.means, cam.viewMatrix);
  const groups = PARAM_GROUPS.filter((g) => params[g] !== undefined);
  const adams = new Map(groups.map((g) => [g, new Adam(params[g]!.length, { lr: rates[g] })]));
  const renderer = resolveRenderer(fn, opts);
  const renderOptions = opts.renderOptions ?? {};
  const target = opts.target;
  const gradRgb = new Float64Array(3 * P);

  const lossHistory: number[] = [];
  let initialPsnr = NaN;
  try {
    for (let it = 0; it < iterations; it++) {
      const scene = activateGaussianParams(params);
      const pass = await renderer.render(scene, opts.camera, renderOptions);
      let sum = 0;
      for (let j = 0; j < 3 * P; j++) {
        const d = pass.rgb[j] - target[j];
        sum += d * d;
        gradRgb[j] = (2 * d) / (3 * P);
      }
      const loss = sum / (3 * P);
      if (it === 0) initialPsnr = psnrFromMse(loss);
      lossHistory.push(loss);
      const grads = paramGradients(scene, await pass.backward(gradRgb));
      const meansLr = rates.means * meansLrFinal ** (iterations > 1 ? it / (iterations - 1) : 0);
      for (const g of groups) adams.get(g)!.step(params[g]!, grads[g]!, g === 'means' ? meansLr : rates[g]);
      const go = opts.onStep?.({ iteration: it, loss, psnr: psnrFromMse(loss), elapsedMs: performance.now() - t0 });
      if (go === false) break;
    }
    const fitted = activateGaussianParams(params);
    const last = await renderer.render(fitted, opts.camera, renderOptions);
    const finalLoss = meanSquaredError(last.rgb, target);
    return {
      scene: toFloat32Scene(fitted),
      lossHistory,
      finalLoss,
      initialPsnr: lossHistory.length ? initialPsnr : psnrFromMse(finalLoss),
      finalPsnr: psnrFromMse(finalLoss),
      render: Float32Array.from(last.rgb),
      elapsedMs: performance.now() - t0,
    };
  } finally {
    renderer.dispose?.();
  }
}
