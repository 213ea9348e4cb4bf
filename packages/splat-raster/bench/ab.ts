/**
 * A/B timing of two copies of the WebGPU rasterizer on one device, robust to a shared,
 * fluctuating machine: the two alternate run by run (A B A B ...), and the minimum and the
 * median of each are printed, for the wall time of whole forward and backward calls and, with
 * `timestamp-query`, the GPU time of each stage. Outputs and gradient buffers are reused.
 *   pnpm exec tsx packages/splat-raster/bench/ab.ts DIR [--runs 4] [N:size:F ...]
 * DIR holds the other copy's `src` (e.g. an older commit's packages/splat-raster/src).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDevice, gpuWait } from '@headsplat/gpu';
import { createRasterizer, type GaussianBuffers, type Rasterizer } from '../src/webgpu/index.js';
import { instrumentStages } from './stage-timer.js';
import { benchCamera, benchScene, rng } from './workload.js';

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) throw new Error('ab.ts: DIR: expected the directory of the baseline copy (DIR/src/webgpu/index.ts)');
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 4;
const specs = args.filter((a) => /^\d+:\d+:\d+$/.test(a));
const h = await getDevice();
const device = h.device;
const timer = instrumentStages(device);
const base = (await import(pathToFileURL(resolve(dir, 'src/webgpu/index.ts')).href)) as { createRasterizer: typeof createRasterizer };
const impls: [string, Rasterizer][] = [
  ['baseline', base.createRasterizer(device)],
  ['current', createRasterizer(device)],
];
const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const make = (floats: number): GPUBuffer => device.createBuffer({ size: Math.max(4, 4 * floats), usage: STORAGE });
const upload = (a: ArrayLike<number>): GPUBuffer => {
  const f = Float32Array.from(a);
  const b = make(f.length);
  device.queue.writeBuffer(b, 0, f.buffer, f.byteOffset, f.byteLength);
  return b;
};
const stat = (a: number[]): string => {
  const s = [...a].sort((x, y) => x - y);
  return `min ${s[0].toFixed(0).padStart(6)}  median ${s[s.length >> 1].toFixed(0).padStart(6)} ms`;
};
for (const spec of specs.length ? specs : ['100000:512:0', '100000:512:32']) {
  const [n, size, F] = spec.split(':').map(Number);
  const scene = benchScene(n, F);
  const cam = benchCamera(size);
  const P = size * size;
  const g: GaussianBuffers = { count: n, means: upload(scene.means), quats: upload(scene.quats), scales: upload(scene.scales), opacities: upload(scene.opacities), colors: upload(scene.colors) };
  if (F > 0) {
    g.features = upload(scene.features!);
    g.featureDim = F;
  }
  const r = rng(7);
  const up = { rgb: upload(Float32Array.from({ length: 3 * P }, () => r() - 0.5)), features: F > 0 ? upload(Float32Array.from({ length: F * P }, () => r() - 0.5)) : undefined };
  const outputs = { rgb: make(3 * P), alpha: make(P), depth: make(P), radii: make(n), means2d: make(2 * n), ...(F ? { features: make(F * P) } : {}) };
  const into = { means: make(3 * n), quats: make(4 * n), scales: make(3 * n), opacities: make(n), colors: make(3 * n), means2d: make(2 * n), means2dAbs: make(2 * n), viewMatrix: make(16), ...(F ? { features: make(F * n) } : {}) };
  const times = new Map<string, { fwd: number[]; bwd: number[] }>(impls.map(([k]) => [k, { fwd: [], bwd: [] }]));
  const stages = new Map<string, Map<string, number[]>>(impls.map(([k]) => [k, new Map()]));
  for (let k = 0; k <= RUNS; k++) {
    // ABBA order: whichever runs first in an iteration is not favoured.
    for (const [name, rast] of k % 2 ? [...impls].reverse() : impls) {
      let t0 = performance.now();
      const res = await rast.forward(g, cam, undefined, { outputs });
      await gpuWait(device, device.queue.onSubmittedWorkDone());
      const tf = performance.now() - t0;
      t0 = performance.now();
      rast.backward(res.state, up, { into });
      await gpuWait(device, device.queue.onSubmittedWorkDone());
      const tb = performance.now() - t0;
      await rast.checkErrors();
      res.state.release();
      const st = await timer.collect();
      if (k > 0) {
        times.get(name)!.fwd.push(tf);
        times.get(name)!.bwd.push(tb);
        const mine = stages.get(name)!;
        for (const [stage, ms] of st) mine.set(stage, [...(mine.get(stage) ?? []), ms]);
      }
    }
    process.stdout.write(k === 0 ? `${spec}: warm-up done` : ` ${k}`);
  }
  console.log('');
  for (const [name, t] of times) console.log(`  ${name.padEnd(9)} forward ${stat(t.fwd)} | backward ${stat(t.bwd)}`);
  // GPU time per stage (timestamp-query), the same two statistics.
  for (const stage of stages.get('current')!.keys()) {
    const row = impls.map(([name]) => {
      const v = stages.get(name)!.get(stage);
      return v ? `${name} ${stat(v)}` : `${name} -`;
    });
    console.log(`    ${stage.padEnd(18)} ${row.join(' | ')}`);
  }
  for (const b of [g.means, g.quats, g.scales, g.opacities, g.colors, g.features, up.rgb, up.features, ...Object.values(outputs), ...Object.values(into)]) b?.destroy();
}
h.destroy();
process.exit(0);
