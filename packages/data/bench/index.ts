/**
 * @headsplat/data benchmarks: synthesising capture sets (FLAME forward, albedo lookup, shading,
 * antialias) with mesh-raster's CPU reference and its WebGPU kernels, and the SSIM metric.
 * Run through `pnpm bench` (scripts/bench.ts, once per Vulkan driver); alone:
 *   pnpm exec tsx packages/data/bench/index.ts [--quick] [--gpu-only] [--out result.json]
 */
import { writeFileSync } from 'node:fs';
import { createSyntheticFlame } from '@headsplat/flame';
import { getSharedDevice } from '@headsplat/gpu';
import { ssim, synthesizeCaptures } from '../src/index.js';

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
const runs = quick ? 1 : 3;
const model = createSyntheticFlame();
const rows: Row[] = [];
const skipped: string[] = [];
let driver = 'none', adapter = '';
let device: GPUDevice | undefined;
try {
  const h = await getSharedDevice();
  [driver, adapter, device] = [h.driver, h.description, h.device];
} catch (e) {
  skipped.push(`webgpu: no adapter (${(e as Error).message.split('\n')[0]})`);
}
console.log(`[data bench] driver ${driver} ${adapter}${quick ? ' (quick)' : ''}`);
const sets: [string, { identities: number; expressions: number; views: number; size: number }][] = [
  ['synthesize 4 ids x 6 expr x 4 views @ 64x64 (96 frames)', { identities: 4, expressions: 6, views: 4, size: 64 }],
  ['synthesize 1 id x 2 expr x 16 views @ 256x256 (32 frames)', { identities: 1, expressions: 2, views: 16, size: 256 }],
];
for (const [workload, o] of sets) {
  for (const impl of [...(gpuOnly ? [] : ['cpu']), ...(device ? [`webgpu-${driver}`] : [])]) {
    const r = await median(async () => { await synthesizeCaptures({ ...o, model, device: impl === 'cpu' ? undefined : device }); }, runs);
    rows.push({ workload, impl, ...r });
    console.log(`${workload} ${impl}: ${r.ms.toFixed(0)} ms`);
  }
}
if (!gpuOnly) {
  const a = Float32Array.from({ length: 512 * 512 * 3 }, (_, i) => Math.sin(i) * 0.5 + 0.5), b = a.map((v) => v * 0.9);
  const r = await median(async () => { ssim(a, b, { width: 512, height: 512 }); }, runs);
  rows.push({ workload: 'ssim 512x512x3', impl: 'cpu', ...r });
  console.log(`ssim 512x512x3 cpu: ${r.ms.toFixed(0)} ms`);
}
const result = { package: 'data', driver, adapter, quick, baseline: 'cpu', rows, skipped };
if (outAt >= 0) writeFileSync(args[outAt + 1], JSON.stringify(result, null, 1));
process.exit(0);
