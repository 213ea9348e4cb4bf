/**
 * Few-shot personalisation of a HeadGAP prior to an unseen identity (paper Sec. 3.3):
 * (1) inversion — only part-wise softmax weights over the codebook are optimised;
 * (2) fine-tuning — the identity code, the part MLPs and the refiner with a small learning
 *     rate, f and the mouth part frozen, plus a view regulariser keeping renders of generated
 *     reference views close to their pre-fine-tuning renders.
 * Also: the no-prior baseline (the same network fitted from scratch) and animation.
 */
import { HeadsplatError, abs, add, keep, mean, mul, noGrad, sub, tensor, tidy, zeros, type Tensor } from '@headsplat/core';
import type { FlameFrameParams } from '@headsplat/flame';
import { Adam, Parameter } from '@headsplat/nn';
import type { Camera } from '@headsplat/splat-raster';
import { centroid, orbitCamera } from './cameras.js';
import { cloneModel } from './checkpoint.js';
import type { HeadGapConfig } from './config.js';
import { disposeGeometry, type FrameGeometry } from './frame-geometry.js';
import { HeadGapModel } from './headgap-model.js';
import { prepareView, type PreparedFrame } from './frames.js';
import { evaluate, frameSampler, lossStep, renderImage, trainPrior, type StepCallback } from './train.js';

/** A personalised avatar: its own copy of the network and its identity code (P, c2). */
export interface PersonalAvatar {
  model: HeadGapModel;
  code: Tensor;
}

export interface PersonalizeOptions {
  /** Inversion steps (softmax weights only). */
  inversionSteps: number;
  /** Fine-tuning steps. */
  finetuneSteps: number;
  /** Inversion learning rate (default 0.05). */
  inversionLr?: number;
  /** Fine-tuning learning rate of code and MLPs (default 1e-3, a fifth of prior learning's); the refiner gets half. */
  finetuneLr?: number;
  /** Weight of the view regulariser (L1 to pre-fine-tuning renders; default 1). */
  viewWeight?: number;
  /** Apply the view regulariser every this many fine-tuning steps (default 2: halves its cost). */
  viewEvery?: number;
  /** Yaw angles (radians) of the generated reference views around the first image's camera (default ±0.5, ±1.0). */
  referenceYaws?: number[];
  seed?: number;
  onStep?: StepCallback;
}

export interface PersonalizeResult {
  avatar: PersonalAvatar;
  /** Loss per step of each phase. */
  history: { inversion: number[]; finetune: number[] };
}

/**
 * Personalises `prior` to the identity shown in `frames` (1 to a few images with tracked
 * FLAME parameters and cameras, prepared with `prepareFrames`). The prior is not modified.
 */
export async function personalize(prior: HeadGapModel, frames: readonly PreparedFrame[], opts: PersonalizeOptions): Promise<PersonalizeResult> {
  const fn = 'personalize';
  if (frames.length === 0) throw new HeadsplatError(`${fn}: frames must hold at least one image, got 0`);
  for (const k of ['inversionSteps', 'finetuneSteps'] as const) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new HeadsplatError(`${fn}: options.${k} must be an integer >= 0, got ${String(opts[k])}`);
  }
  const model = cloneModel(prior);
  const P = model.partCount, k = model.config.identities;
  const next = frameSampler(frames.length, opts.seed ?? 0);
  const history = { inversion: [] as number[], finetune: [] as number[] };
  const weights = model.config.loss;

  // (1) Inversion: z_p = Σ_i softmax(w_p)_i z_{i,p}; w starts uniform (the mean code).
  const logits = new Parameter(zeros([P, k], { device: model.home }));
  const invOpt = new Adam([logits], { lr: opts.inversionLr ?? 0.05 });
  for (let step = 0; step < opts.inversionSteps; step++) {
    invOpt.zeroGrad();
    model.zeroGrad();
    const loss = await lossStep(model, frames[next()], () => model.mixCode(logits), weights);
    invOpt.step();
    history.inversion.push(loss);
    const evaluateNow = (fr: readonly PreparedFrame[]) => evaluate(model, fr, () => model.mixCode(logits));
    if ((await opts.onStep?.({ step, steps: opts.inversionSteps, loss, phase: 'inversion', evaluate: evaluateNow })) === false) break;
  }
  model.zeroGrad();
  const code = new Parameter(noGrad(() => tidy(() => model.mixCode(logits))));
  logits.dispose();

  // (2) Fine-tuning. Reference views: the first image's expression seen from turned cameras,
  // rendered once with the inverted model (the regulariser's targets).
  const first = frames[0];
  const center = centroid(first.geom.vertices);
  const refs: { geom: FrameGeometry; camera: Camera; target: Tensor }[] = [];
  const viewWeight = opts.viewWeight ?? 1;
  if (viewWeight > 0 && opts.finetuneSteps > 0) {
    for (const yaw of opts.referenceYaws ?? [-1, -0.5, 0.5, 1]) {
      const view = prepareView(model, first.flame, orbitCamera(first.camera, center, yaw));
      const target = keep(noGrad(() => tidy(() => model.render(view.geom, code, view.camera).image)));
      refs.push({ ...view, target });
    }
  }
  const mouth = model.cloud.mouthPart;
  // The mouth row of the code stays at its inverted value: gradient only through other rows.
  const rowMask = tensor(Array.from({ length: P }, (_, p) => (p === mouth ? 0 : 1)), { shape: [P, 1], device: model.home });
  const codeUsed = (): Tensor => add(mul(code, rowMask), mul(code.detach(), sub(1, rowMask)));
  const lr = opts.finetuneLr ?? 1e-3;
  const mlpParams = [];
  for (let p = 0; p < P; p++) if (p !== mouth) mlpParams.push(...model.partParameters(p));
  const ftOpt = new Adam([
    { params: [code, ...mlpParams], lr },
    { params: model.refiner.parameters(), lr: lr / 2 },
  ]);
  const nextRef = frameSampler(Math.max(1, refs.length), (opts.seed ?? 0) + 7);
  for (let step = 0; step < opts.finetuneSteps; step++) {
    ftOpt.zeroGrad();
    model.zeroGrad();
    const ref = refs.length > 0 && step % (opts.viewEvery ?? 2) === 0 ? refs[nextRef()] : undefined;
    const extra = ref ? () => mul(mean(abs(sub(model.render(ref.geom, codeUsed(), ref.camera).image, ref.target))), viewWeight) : undefined;
    const loss = await lossStep(model, frames[next()], codeUsed, weights, extra);
    ftOpt.step();
    history.finetune.push(loss);
    const evaluateNow = (fr: readonly PreparedFrame[]) => evaluate(model, fr, () => code);
    if ((await opts.onStep?.({ step, steps: opts.finetuneSteps, loss, phase: 'finetune', evaluate: evaluateNow })) === false) break;
  }
  model.zeroGrad();
  for (const r of refs) {
    disposeGeometry(r.geom);
    r.target.dispose();
  }
  rowMask.dispose();
  return { avatar: { model, code }, history };
}

/**
 * The no-prior baseline: the same network (fresh initialisation, one identity) fitted to
 * the few-shot frames alone, every parameter trained, for `steps` steps at prior learning's rate.
 */
export async function fitFromScratch(flame: HeadGapModel['flame'], config: Partial<HeadGapConfig>, frames: readonly PreparedFrame[], opts: { steps: number; lr?: number; seed?: number; onStep?: StepCallback }): Promise<{ avatar: PersonalAvatar; history: number[] }> {
  const model = new HeadGapModel(flame, { ...config, identities: 1 }, { device: frames[0]?.rgb.device });
  const h = await trainPrior(model, frames.map((f) => ({ ...f, identity: 0 })), { steps: opts.steps, lr: opts.lr, seed: opts.seed, onStep: opts.onStep });
  const code = new Parameter(noGrad(() => tidy(() => model.identityCode(0).clone())));
  return { avatar: { model, code }, history: h.loss };
}

/** Renders a (personalised) avatar under any FLAME parameters and camera: (H, W, 3) in [0, 1]. */
export async function animate(avatar: PersonalAvatar, flame: FlameFrameParams, camera: Camera): Promise<Float32Array> {
  const view = prepareView(avatar.model, flame, camera);
  try {
    return await renderImage(avatar.model, view, avatar.code);
  } finally {
    disposeGeometry(view.geom);
  }
}
