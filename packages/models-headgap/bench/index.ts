/**
 * @headsplat/models-headgap benchmarks: one prior-training step (forward, loss, backward, Adam)
 * and one forward render of the default model (1,438 Gaussians, 64x64, refiner 8 channels),
 * on the CPU backend and on WebGPU. Run through `pnpm bench` (scripts/bench.ts); alone:
 *   pnpm exec tsx packages/models-headgap/bench/index.ts [--quick] [--gpu-only] [--out result.json]
 */
import { writeFileSync } from 'node:fs';
import { initWebGPU, type Device } from '@headsplat/core';
import { synthesizeCaptures } from '@headsplat/data';
import { HeadGapModel, SHIPPED_PRIOR_CAPTURES, SHIPPED_PRIOR_CONFIG, prepareFrames, renderImage, trainPrior } from '../src/index.js';

interface Row { workload: string; impl: string; ms: number | null; runs?: number; note?: string }

async function median(fn: () => Promise<void>, runs: number): Promise<{ ms: number; runs: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { ms: t[Math.floor(t.length / 2)], runs };
}

const args = process.argv.slice(2);
const quick = args.includes('--quick'), gpuOnly = args.includes('--gpu-only');
const outAt = args.indexOf('--out');
const runs = quick ? 3 : 10;
const rows: Row[] = [];
const skipped: string[] = [];
const driver = process.env.HEADSPLAT_VK_DRIVER ?? 'auto';
const devices: Device[] = gpuOnly ? [] : ['cpu'];
try {
  await initWebGPU();
  devices.push('webgpu');
} catch (e) {
  skipped.push(`webgpu: no adapter (${(e as Error).message.split('\n')[0]})`);
}
const set = await synthesizeCaptures({ ...SHIPPED_PRIOR_CAPTURES, identities: 2, expressions: 2, views: 2, heldOutIdentities: [] });
console.log(`[models-headgap bench] driver ${driver}${quick ? ' (quick)' : ''}`);
for (const device of devices) {
  const impl = device === 'cpu' ? 'cpu' : `webgpu-${driver}`;
  const model = new HeadGapModel(set.model, { ...SHIPPED_PRIOR_CONFIG, identities: 2 }, { device });
  const frames = await prepareFrames(model, set.frames.slice(0, 2), (f) => f.subject);
  // Mean over one trainPrior loop of `runs` steps (after a warm-up step): one optimiser, as in training.
  await trainPrior(model, frames, { steps: 1 });
  const t0 = performance.now();
  await trainPrior(model, frames, { steps: runs });
  const step = { ms: (performance.now() - t0) / runs, runs };
  rows.push({ workload: `prior training step, ${model.cloud.count} Gaussians, 64x64`, impl, ...step, note: 'mean of one loop' });
  console.log(`training step ${impl}: ${step.ms.toFixed(0)} ms`);
  const render = await median(async () => { await renderImage(model, frames[0], model.identityCode(0)); }, runs);
  rows.push({ workload: `render (forward + refiner), ${model.cloud.count} Gaussians, 64x64`, impl, ...render });
  console.log(`render ${impl}: ${render.ms.toFixed(0)} ms`);
}
const result = { package: 'models-headgap', driver, adapter: '', quick, baseline: 'cpu', rows, skipped };
if (outAt >= 0) writeFileSync(args[outAt + 1], JSON.stringify(result, null, 1));
process.exit(0);
