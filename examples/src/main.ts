/**
 * The main example: HeadGAP end to end on synthetic captures.
 *   npm run example [-- --out out/headgap --steps 150 --inv-steps 50 --shots 3 --frames 16 --prior-steps 0 --eval-frames 0]
 *
 * 1. Synthesises a capture set (5 identities x 4 expressions x 5 dome views, 64x64).
 * 2. Loads the prior the project trained on identities 0-3 of that set and ships
 *    (packages/models-headgap/assets, ~0.5 MB; `--prior-steps N` learns one here instead).
 * 3. Personalises it to identity 4, never seen by the prior, from `--shots` images:
 *    inversion over the codebook, then fine-tuning with the view regulariser.
 * `--eval-frames N` limits the held-out frames scored (0 = all 17 or so).
 * 4. Writes into --out: novel-views.png (held-out views: ground truth over render, plus a
 *    turntable), expressions.png + frames/expr_XXX.png (an expression sequence),
 *    curve.png (loss per step, top; held-out PSNR, bottom) and summary.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CaptureFrame } from '@headsplat/data';
import type { HeadGapModel } from '@headsplat/models-headgap';
import { scriptArgs } from './argv.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    out: { type: 'string', default: 'out/headgap' },
    steps: { type: 'string', default: '150' },
    'inv-steps': { type: 'string', default: '50' },
    'prior-steps': { type: 'string', default: '0' },
    shots: { type: 'string', default: '3' },
    frames: { type: 'string', default: '16' },
    'eval-frames': { type: 'string', default: '0' },
  },
});
function intFlag(flag: 'steps' | 'inv-steps' | 'prior-steps' | 'shots' | 'frames' | 'eval-frames', lo: number, hi: number): number {
  const raw = values[flag]!;
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < lo || v > hi) throw new Error(`--${flag} must be an integer in [${lo}, ${hi}], got '${raw}'`);
  return v;
}
const steps = intFlag('steps', 0, 100000);
const invSteps = intFlag('inv-steps', 0, 100000);
const priorSteps = intFlag('prior-steps', 0, 1000000);
const shotCount = intFlag('shots', 1, 5);
const frameCount = intFlag('frames', 2, 240);
const evalFrames = intFlag('eval-frames', 0, 1000);
const out = values.out!;
if (out.trim() === '') throw new Error("--out must be a directory path, got ''");

// The libraries load after the flags are checked, so a bad flag fails at once.
const { zeros } = await import('@headsplat/core');
const { synthesizeCaptures } = await import('@headsplat/data');
const {
  HeadGapModel: Model, SHIPPED_PRIOR_CAPTURES, SHIPPED_PRIOR_CONFIG, animate, centroid, evaluate, loadPrior, orbitCamera, personalize,
  prepareFrames, renderImage, shippedPriorUrl, trainPrior,
} = await import('@headsplat/models-headgap');
const { contactSheet, linePlot, progressBar, writePng } = await import('./headgap/images.js');
type RgbImage = import('./headgap/images.js').RgbImage;

const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
mkdirSync(join(out, 'frames'), { recursive: true });

// 1. Captures.
const set = await synthesizeCaptures(SHIPPED_PRIOR_CAPTURES);
const { size } = SHIPPED_PRIOR_CAPTURES;
console.log(`synthesised ${set.frames.length} frames of ${set.subjects.length} identities at ${size}x${size} (${secs()} s)`);

// 2. Prior.
let prior: HeadGapModel;
if (priorSteps > 0) {
  prior = new Model(set.model, SHIPPED_PRIOR_CONFIG);
  const train = await prepareFrames(prior, set.splits.train.map((i) => set.frames[i]), (f) => f.subject);
  const bar = progressBar('prior     ', priorSteps);
  await trainPrior(prior, train, { steps: priorSteps, onStep: ({ step, loss }) => bar(step + 1, `loss ${loss.toFixed(4)}`) });
  console.log(`learned a prior on ${train.length} frames of identities 0-3 in ${priorSteps} steps (${secs()} s)`);
} else {
  const url = shippedPriorUrl();
  if (!existsSync(url)) {
    throw new Error(`the shipped prior ${url.pathname} is missing: pass --prior-steps N to learn one here, or regenerate it with ` +
      '`pnpm exec tsx packages/models-headgap/scripts/evaluate.ts --save-prior packages/models-headgap/assets/headgap-prior.safetensors`');
  }
  prior = loadPrior(readFileSync(url), set.model);
  console.log(`loaded the shipped prior (${prior.cloud.count} Gaussians, ${prior.partCount} parts, ${prior.config.identities} identities in the codebook)`);
}

// 3. Personalisation to the unseen identity.
const unseen = set.splits.heldOutIdentity.map((i) => set.frames[i]);
const pick = (e: number, v: number): CaptureFrame => unseen.find((f) => f.expressionIndex === e && f.viewIndex === v)!;
const shotFrames = [pick(0, 0), pick(1, 2), pick(2, 4), pick(0, 3), pick(1, 4)].slice(0, shotCount);
const shots = await prepareFrames(prior, shotFrames);
const notShots = unseen.filter((f) => !shotFrames.includes(f));
const heldOut = await prepareFrames(prior, evalFrames > 0 ? notShots.slice(0, evalFrames) : notShots);
const tracked = heldOut.filter((_, i) => i % 4 === 0); // the PSNR curve follows every 4th held-out frame
const curve: { step: number; psnr: number }[] = [];
const losses: { step: number; loss: number; phase: string }[] = [];
const evalEvery = Math.max(1, Math.round((invSteps + steps) / 12));
// Before personalisation: the prior with the mean code (uniform softmax weights, where the inversion starts).
const uniform = zeros([prior.partCount, prior.config.identities]);
const before = await evaluate(prior, heldOut, () => prior.mixCode(uniform));
curve.push({ step: 0, psnr: (await evaluate(prior, tracked, () => prior.mixCode(uniform))).psnr });
const bars = { inversion: progressBar('inversion ', invSteps), finetune: progressBar('fine-tune ', steps) };
const { avatar } = await personalize(prior, shots, {
  inversionSteps: invSteps,
  finetuneSteps: steps,
  onStep: async ({ step, steps: n, loss, phase, evaluate: evalNow }) => {
    const global = (phase === 'finetune' ? invSteps : 0) + step + 1;
    losses.push({ step: global, loss, phase });
    if (evalNow && (global % evalEvery === 0 || step === n - 1)) curve.push({ step: global, psnr: (await evalNow(tracked)).psnr });
    bars[phase as 'inversion' | 'finetune'](step + 1, `loss ${loss.toFixed(4)} held-out PSNR ${curve[curve.length - 1].psnr.toFixed(2)} dB`);
  },
});
const after = await evaluate(avatar.model, heldOut, () => avatar.code);
console.log(`personalised from ${shotCount} image(s): held-out PSNR ${before.psnr.toFixed(2)} -> ${after.psnr.toFixed(2)} dB, SSIM ${before.ssim.toFixed(3)} -> ${after.ssim.toFixed(3)} on ${heldOut.length} frames (${secs()} s)`);

// 4. Outputs.
const img = (data: Float32Array): RgbImage => ({ width: size, height: size, data });
const shown = heldOut.slice(0, 8);
const renders: RgbImage[] = [];
for (const f of shown) renders.push(img(await renderImage(avatar.model, f, avatar.code)));
const ref = shots[0];
const center = centroid(ref.geom.vertices);
const turntable: RgbImage[] = [];
for (let i = 0; i < 8; i++) turntable.push(img(await animate(avatar, ref.flame, orbitCamera(ref.camera, center, -1.1 + (2.2 * i) / 7))));
writePng(join(out, 'novel-views.png'), contactSheet([shots.map((s) => img(s.hostRgb)), shown.map((f) => img(f.hostRgb)), renders, turntable]), 2);

const shape = shotFrames[0].flame.shape;
const E = set.model.numExpression;
const sheetRow: RgbImage[] = [];
const bar = progressBar('animate   ', frameCount);
for (let i = 0; i < frameCount; i++) {
  // Neutral -> jaw open -> smile -> blink + brows -> neutral, with a slow head turn.
  const t = (i / (frameCount - 1)) * 4;
  const k = Math.min(3, Math.floor(t)), u = t - k, w = 0.5 - 0.5 * Math.cos(u * Math.PI);
  const keys: { e: number[]; jaw: number }[] = [
    { e: [], jaw: 0 }, { e: [1], jaw: 0.28 }, { e: [0, 0, 1.6], jaw: 0 }, { e: [0, 0, 0, 1, 1.2], jaw: 0 }, { e: [], jaw: 0 },
  ];
  const a = keys[k], b = keys[k + 1];
  const expression = new Float32Array(E);
  for (let j = 0; j < E; j++) expression[j] = (1 - w) * (a.e[j] ?? 0) + w * (b.e[j] ?? 0);
  const flame = { shape, expression, jawPose: [(1 - w) * a.jaw + w * b.jaw, 0, 0] };
  const frame = img(await animate(avatar, flame, orbitCamera(ref.camera, center, 0.5 * Math.sin((i / frameCount) * 2 * Math.PI))));
  writePng(join(out, 'frames', `expr_${String(i).padStart(3, '0')}.png`), frame);
  sheetRow.push(frame);
  bar(i + 1);
}
const perRow = 8;
writePng(join(out, 'expressions.png'), contactSheet(Array.from({ length: Math.ceil(frameCount / perRow) }, (_, r) => sheetRow.slice(r * perRow, (r + 1) * perRow))), 2);

const phaseColor = { inversion: [0.9, 0.5, 0.1], finetune: [0.1, 0.35, 0.85] } as const;
const lossPlot = linePlot((['inversion', 'finetune'] as const).map((p) => {
  const pts = losses.filter((l) => l.phase === p);
  return { x: pts.map((l) => l.step), y: pts.map((l) => l.loss), color: [...phaseColor[p]] as [number, number, number] };
}).filter((s) => s.x.length > 0), 320, 120, { logY: true });
const psnrPlot = linePlot([{ x: curve.map((c) => c.step), y: curve.map((c) => c.psnr), color: [0.8, 0.1, 0.1] }], 320, 120);
writePng(join(out, 'curve.png'), contactSheet([[lossPlot], [psnrPlot]]), 2);

const summary = {
  shots: shotCount, inversionSteps: invSteps, finetuneSteps: steps, priorSteps, heldOutFrames: heldOut.length,
  before, after, curve, loss: losses.map((l) => l.loss), wallSeconds: Number(secs()),
};
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
console.log(`wrote ${out}/novel-views.png, expressions.png, frames/expr_*.png (${frameCount}), curve.png, summary.json in ${secs()} s`);

