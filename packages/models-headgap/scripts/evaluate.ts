/**
 * HeadGAP evaluation on synthetic captures (numbers for the README):
 *   1. prior learning on 4 identities (multi-view, multi-expression), PSNR/SSIM on their held-out views;
 *   2. personalisation of an unseen 5th identity from 1 and from 3 images (inversion + fine-tuning),
 *      PSNR/SSIM on its other views and expressions, against the same network fitted from scratch
 *      on the same images for the same number of steps.
 * Also writes the prior (the one the main example loads) with --save-prior.
 *
 *   pnpm exec tsx packages/models-headgap/scripts/evaluate.ts [--prior-steps 500] [--inv-steps 30]
 *     [--ft-steps 90] [--seed 0 (capture set: identities, expressions)] [--save-prior packages/models-headgap/assets/headgap-prior.safetensors]
 *     [--out packages/models-headgap/results/evaluate.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesizeCaptures, type CaptureFrame } from '@headsplat/data';
import {
  HeadGapModel, evaluate, fitFromScratch, personalize, prepareFrames, savePrior, trainPrior, type ImageMetrics, type StepCallback,
} from '../src/index.js';
import { SHIPPED_PRIOR_CAPTURES as EVAL_CAPTURES, SHIPPED_PRIOR_CONFIG as PRIOR_CONFIG } from '../src/index.js';

const { values } = parseArgs({
  options: {
    'prior-steps': { type: 'string', default: '500' },
    'inv-steps': { type: 'string', default: '30' },
    'ft-steps': { type: 'string', default: '90' },
    'save-prior': { type: 'string' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'packages/models-headgap/results/evaluate.json' },
  },
});
const int = (flag: string): number => {
  const v = Number(values[flag as keyof typeof values]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${flag} must be an integer >= 0, got '${String(values[flag as keyof typeof values])}'`);
  return v;
};
const priorSteps = int('prior-steps'), invSteps = int('inv-steps'), ftSteps = int('ft-steps');
const CAPTURES = { ...EVAL_CAPTURES, seed: int('seed') };

const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(0);
const progress = (label: string): StepCallback => ({ step, steps, loss, phase }) => {
  if (step % 25 === 0 || step === steps - 1) process.stderr.write(`[${secs()} s] ${label} ${phase} ${step + 1}/${steps} loss ${loss.toFixed(4)}\n`);
};

const set = await synthesizeCaptures(CAPTURES);
const K = CAPTURES.identities - 1;
const model = new HeadGapModel(set.model, { ...PRIOR_CONFIG, identities: K });
console.log(`captures: ${set.frames.length} frames ${CAPTURES.size}x${CAPTURES.size} (capture seed ${CAPTURES.seed}); ${model.cloud.count} Gaussians, ${model.partCount} parts, ${model.numParameters()} parameters`);
const frames = (split: keyof typeof set.splits) => set.splits[split].map((i) => set.frames[i]);
const train = await prepareFrames(model, frames('train'), (f) => f.subject);
const seenViews = await prepareFrames(model, frames('heldOutView'), (f) => f.subject);
const seenExpr = await prepareFrames(model, frames('heldOutExpression'), (f) => f.subject);
const unseen = frames('heldOutIdentity');
const pick = (e: number, v: number): CaptureFrame => unseen.find((f) => f.expressionIndex === e && f.viewIndex === v)!;
const shots3 = [pick(0, 0), pick(1, 2), pick(2, 4)];
const shots1 = shots3.slice(0, 1);
const evalUnseen = await prepareFrames(model, unseen.filter((f) => !shots3.includes(f)));
console.log(`train ${train.length} frames; held-out views of training identities ${seenViews.length}, held-out expression ${seenExpr.length}; unseen identity: ${evalUnseen.length} evaluation frames`);

const results: Record<string, unknown> = { captures: CAPTURES, config: model.config, priorSteps, invSteps, ftSteps, gaussians: model.cloud.count };
const byId = (f: { identity: number }) => model.identityCode(f.identity);
const fmt = (m: ImageMetrics) => `PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(4)}`;
results.priorInitial = await evaluate(model, seenViews, byId);
const h = await trainPrior(model, train, { steps: priorSteps, seed: 1, onStep: progress('prior') });
results.priorLoss = [h.loss[0], h.loss[h.loss.length - 1]];
results.priorHeldOutView = await evaluate(model, seenViews, byId);
results.priorHeldOutExpression = await evaluate(model, seenExpr, byId);
results.priorTrain = await evaluate(model, train.slice(0, 12), byId);
console.log(`prior (${priorSteps} steps, ${secs()} s): held-out views ${fmt(results.priorHeldOutView as ImageMetrics)}; held-out expression ${fmt(results.priorHeldOutExpression as ImageMetrics)}`);
if (values['save-prior']) {
  mkdirSync(dirname(values['save-prior']), { recursive: true });
  const bytes = await savePrior(model, { step: priorSteps });
  writeFileSync(values['save-prior'], bytes);
  console.log(`wrote ${values['save-prior']} (${(bytes.length / 1024).toFixed(0)} KiB)`);
}

for (const [name, shotFrames] of [['1-shot', shots1], ['3-shot', shots3]] as const) {
  const shots = await prepareFrames(model, shotFrames);
  const mean = await personalize(model, shots, { inversionSteps: 0, finetuneSteps: 0 });
  const meanCode = await evaluate(mean.avatar.model, evalUnseen, () => mean.avatar.code);
  let inverted = meanCode;
  const log = progress(`${name} prior`);
  const full = await personalize(model, shots, {
    inversionSteps: invSteps, finetuneSteps: ftSteps,
    onStep: async (info) => {
      log(info);
      // The inversion-only result: the code after the last inversion step, before fine-tuning.
      if (info.phase === 'inversion' && info.step === info.steps - 1 && info.evaluate) inverted = await info.evaluate(evalUnseen);
    },
  });
  const personalised = await evaluate(full.avatar.model, evalUnseen, () => full.avatar.code);
  const scratch = await fitFromScratch(set.model, model.config, shots, { steps: invSteps + ftSteps, seed: 2, onStep: progress(`${name} scratch`) });
  const fromScratch = await evaluate(scratch.avatar.model, evalUnseen, () => scratch.avatar.code);
  results[name] = { meanCode, inverted, personalised, fromScratch };
  console.log(`${name} (${secs()} s): mean code ${fmt(meanCode)}; inverted ${fmt(inverted)}; inverted + fine-tuned ${fmt(personalised)}; from scratch ${fmt(fromScratch)}`);
}
results.wallSeconds = Number(secs());
mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(values.out!, JSON.stringify(results, null, 2));
console.log(`wrote ${values.out} (${secs()} s)`);
