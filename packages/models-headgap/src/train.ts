/**
 * Optimisation loops: prior learning over many identities, evaluation, and the shared step.
 */
import { HeadsplatError, noGrad, tidy, type Tensor } from '@headsplat/core';
import { Adam, ExponentialLR, type Parameter } from '@headsplat/nn';
import { psnr, ssim } from '@headsplat/data';
import type { HeadGapLossWeights } from './config.js';
import type { HeadGapModel } from './headgap-model.js';
import { headgapLoss } from './losses.js';
import { toHostImage, type PreparedFrame } from './frames.js';

/** What a step callback is told. */
export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  /** 'prior', 'inversion' or 'finetune'. */
  phase: string;
  /** Evaluates the model as it is now on frames (personalisation phases: with the current code). */
  evaluate?: (frames: readonly PreparedFrame[]) => Promise<ImageMetrics>;
}

/** Progress of a loop: called (and awaited) after every step; return false to stop early. */
export type StepCallback = (info: StepInfo) => void | boolean | Promise<void | boolean>;

/** A deterministic stream of frame indices (xorshift), so runs are reproducible. */
export function frameSampler(count: number, seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s % count;
  };
}

/**
 * One optimisation step on one frame: forward, loss, backward. Returns the loss value.
 * `code` maps the frame to its identity code (P, c2).
 */
export async function lossStep(model: HeadGapModel, frame: PreparedFrame, code: (f: PreparedFrame) => Tensor, weights: HeadGapLossWeights, extra?: () => Tensor): Promise<number> {
  const loss = tidy(() => {
    const r = model.render(frame.geom, code(frame), frame.camera);
    let total = headgapLoss(r, frame, weights, model.neighbours, model.cloud.neighbourCount, model.perceptual).total;
    if (extra) total = total.add(extra());
    total.backward();
    return total.detach();
  });
  const v = (await loss.data())[0];
  loss.dispose();
  return v;
}

export interface PriorTrainingOptions {
  steps: number;
  /** Learning rate of the MLPs, features and codebook (default 5e-3); the refiner gets half. */
  lr?: number;
  /** Factor the learning rate decays to (exponentially) over the steps (default 0.1). */
  lrDecay?: number;
  seed?: number;
  onStep?: StepCallback;
}

export interface TrainingHistory {
  loss: number[];
}

/** Prior learning: jointly optimises f, the codebook, every part MLP and the refiner on multi-identity frames. */
export async function trainPrior(model: HeadGapModel, frames: readonly PreparedFrame[], opts: PriorTrainingOptions): Promise<TrainingHistory> {
  if (frames.length === 0) throw new HeadsplatError('trainPrior: frames must hold at least one prepared frame, got 0');
  const bad = frames.findIndex((f) => f.identity < 0);
  if (bad >= 0) throw new HeadsplatError(`trainPrior: frames[${bad}].identity must be a codebook row >= 0 (pass identity to prepareFrames), got ${frames[bad].identity}`);
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new HeadsplatError(`trainPrior: options.steps must be an integer >= 0, got ${String(opts.steps)}`);
  for (const f of frames) {
    if (f.flame.shape && !model.identityShapes[f.identity]) model.identityShapes[f.identity] = Float32Array.from(f.flame.shape);
  }
  const lr = opts.lr ?? 5e-3;
  const refinerParams = new Set<Parameter>(model.refiner.parameters());
  const opt = new Adam([
    { params: model.parameters().filter((p) => !refinerParams.has(p)), lr },
    { params: [...refinerParams], lr: lr / 2 },
  ]);
  const sched = new ExponentialLR(opt, (opts.lrDecay ?? 0.1) ** (1 / Math.max(1, opts.steps)));
  const next = frameSampler(frames.length, opts.seed ?? 0);
  const history: TrainingHistory = { loss: [] };
  for (let step = 0; step < opts.steps; step++) {
    opt.zeroGrad();
    const loss = await lossStep(model, frames[next()], (f) => model.identityCode(f.identity), model.config.loss);
    opt.step();
    sched.step();
    history.loss.push(loss);
    if ((await opts.onStep?.({ step, steps: opts.steps, loss, phase: 'prior' })) === false) break;
  }
  opt.zeroGrad();
  return history;
}

export interface ImageMetrics {
  psnr: number;
  ssim: number;
}

/** Mean PSNR / SSIM of the refined renders of `frames` against their targets. */
export async function evaluate(model: HeadGapModel, frames: readonly PreparedFrame[], code: (f: PreparedFrame) => Tensor): Promise<ImageMetrics> {
  if (frames.length === 0) throw new HeadsplatError('evaluate: frames must hold at least one prepared frame, got 0');
  let p = 0, s = 0;
  for (const f of frames) {
    const img = noGrad(() => tidy(() => model.render(f.geom, code(f), f.camera).image));
    const host = await toHostImage(img);
    img.dispose();
    p += psnr(host, f.hostRgb);
    s += ssim(host, f.hostRgb, { width: f.camera.width, height: f.camera.height });
  }
  return { psnr: p / frames.length, ssim: s / frames.length };
}

/** Renders a frame to a host (H, W, 3) image in [0, 1]. */
export async function renderImage(model: HeadGapModel, frame: { geom: PreparedFrame['geom']; camera: PreparedFrame['camera'] }, code: Tensor): Promise<Float32Array> {
  const img = noGrad(() => tidy(() => model.render(frame.geom, code, frame.camera).image));
  const host = await toHostImage(img);
  img.dispose();
  return host;
}
