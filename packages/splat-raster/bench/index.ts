/**
 * @headsplat/splat-raster benchmarks: forward and forward+backward of the WebGPU rasterizer
 * beside the float64 CPU reference, for 10k and 100k Gaussians at 256x256 and 512x512 with
 * 3 (RGB) and 3 + 32 channels. Run through `pnpm bench` (scripts/bench.ts: one process per
 * Vulkan driver; later drivers get --gpu-only), or alone:
 *   pnpm exec tsx packages/splat-raster/bench/index.ts [--quick] [--gpu-only] [--out result.json]
 *     [--only 100k/512] [--baseline DIR]
 * `--only` keeps the workloads whose name contains each given fragment ('100k', '512x512', '3+32').
 * `--baseline DIR` also times another copy of the rasterizer (DIR/src/webgpu/index.ts, e.g. an
 * older commit's src copied there), interleaved with this one, as impl `webgpu-<driver>-baseline`.
 *
 * Timings: wall time from the call to the GPU queue being idle (`onSubmittedWorkDone`, awaited
 * through `gpuWait` of @headsplat/gpu, as the rasterizer awaits its own read-back: on a CPU
 * adapter a plain `await` leaves Dawn's busy polling on, and that thread takes a core from the
 * driver; at 100k / 512x512 / 3 ch the impl `webgpu-<driver>-spin-wait` repeats the rows that way),
 * median of repeated runs after a warm-up (the first run compiles the pipelines); the CPU
 * reference at 100k Gaussians is timed once (tens of seconds per run). Forward = `forward`
 * (the exact variant, with its one 4-byte read back); forward+backward adds the backward
 * for upstream gradients of RGB (and the features). Inputs stay on the GPU; nothing is
 * read back. Output and gradient buffers are created once per workload and reused by every run
 * (fresh buffers would add Dawn's lazy zero-fill on first use: ~0.1 s for 32 channels at
 * 512x512 on lavapipe). Each row's note gives Gaussians x pixels per second and, for WebGPU, the GPU
 * buffer bytes: inputs + outputs (+ gradients) + the rasterizer's pool (its peak of
 * temporaries and saved state).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getSharedDevice, gpuWait, isCpuAdapter, setGpuWaitMode } from '@headsplat/gpu';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import type { GaussianScene } from '../src/types.js';
import { createRasterizer, type GaussianBuffers, type Rasterizer } from '../src/webgpu/index.js';
import { benchCamera, benchScene, rng } from './workload.js';

/** One result row of the root bench runner's contract (scripts/bench.ts). */
interface BenchRow {
  workload: string;
  impl: string;
  ms: number | null;
  runs?: number;
  note?: string;
}

interface MeasureOptions {
  /** Stop repeating once this much time (ms) has been spent measuring. */
  budgetMs: number;
  maxRuns: number;
  /** A first run slower than this counts as measured (no separate warm-up). */
  slowMs?: number;
}

/** Warm-up run (unless slower than slowMs), then repeats within the budget; median. */
async function measure(fn: () => Promise<void>, o: MeasureOptions): Promise<{ ms: number; runs: number }> {
  let t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  const times = first > (o.slowMs ?? Infinity) ? [first] : [];
  let spent = times.length ? first : 0;
  while (times.length < o.maxRuns && (times.length === 0 || spent < o.budgetMs)) {
    t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    times.push(dt);
    spent += dt;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { ms: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2, runs: times.length };
}

interface Workload {
  n: number;
  size: number;
  featureDim: number;
}

const STORAGE = 0x80 | 0x4 | 0x8;

function upload(device: GPUDevice, a: ArrayLike<number>): GPUBuffer {
  const f = Float32Array.from(a);
  const b = device.createBuffer({ size: Math.max(4, f.byteLength), usage: STORAGE });
  device.queue.writeBuffer(b, 0, f.buffer, f.byteOffset, f.byteLength);
  return b;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function note(w: Workload, ms: number, extra = ''): string {
  const gpx = (w.n * w.size * w.size) / (ms / 1e3) / 1e9;
  return `${gpx.toFixed(2)} G Gaussian-px/s${extra}`;
}

function name(w: Workload, pass: string): string {
  const k = w.n >= 1000 ? `${w.n / 1000}k` : `${w.n}`;
  return `${pass} ${k} Gaussians ${w.size}x${w.size} ${w.featureDim ? `3+${w.featureDim}` : '3'} ch`;
}

async function benchWebGPU(device: GPUDevice, rast: Rasterizer, impl: string, w: Workload, scene: GaussianScene, o: MeasureOptions): Promise<BenchRow[]> {
  const cam = benchCamera(w.size);
  const P = w.size * w.size;
  const g: GaussianBuffers = {
    count: w.n,
    means: upload(device, scene.means),
    quats: upload(device, scene.quats),
    scales: upload(device, scene.scales),
    opacities: upload(device, scene.opacities),
    colors: upload(device, scene.colors),
  };
  if (w.featureDim) {
    g.features = upload(device, scene.features!);
    g.featureDim = w.featureDim;
  }
  const r = rng(7);
  const up = {
    rgb: upload(device, Float32Array.from({ length: 3 * P }, () => r() - 0.5)),
    features: w.featureDim ? upload(device, Float32Array.from({ length: w.featureDim * P }, () => r() - 0.5)) : undefined,
  };
  const inputBytes = 4 * w.n * (14 + w.featureDim);
  const outputBytes = 4 * (P * (5 + w.featureDim) + 3 * w.n);
  const gradBytes = 4 * w.n * (14 + 4 + w.featureDim) + 64;
  const upBytes = 4 * P * (3 + w.featureDim);
  const rows: BenchRow[] = [];
  let intersections = 0;
  rast.trim();
  const make = (floats: number): GPUBuffer => device.createBuffer({ size: Math.max(4, 4 * floats), usage: STORAGE });
  const outputs = { rgb: make(3 * P), alpha: make(P), depth: make(P), radii: make(w.n), means2d: make(2 * w.n), ...(w.featureDim ? { features: make(w.featureDim * P) } : {}) };
  const into = { means: make(3 * w.n), quats: make(4 * w.n), scales: make(3 * w.n), opacities: make(w.n), colors: make(3 * w.n), means2d: make(2 * w.n), means2dAbs: make(2 * w.n), viewMatrix: make(16), ...(w.featureDim ? { features: make(w.featureDim * w.n) } : {}) };
  try {
    const fwd = await measure(async () => {
      const res = await rast.forward(g, cam, undefined, { outputs });
      intersections = res.state.intersections;
      await gpuWait(device, device.queue.onSubmittedWorkDone());
      res.destroy();
    }, o);
    const poolF = rast.stats().bytes;
    rows.push({
      workload: name(w, 'forward'),
      impl,
      ms: fwd.ms,
      runs: fwd.runs,
      note: note(w, fwd.ms, `; GPU ${mib(inputBytes + outputBytes + poolF)} (pool ${mib(poolF)}); ${intersections} tile pairs`),
    });
    console.log(`  ${rows[rows.length - 1].workload.padEnd(44)} ${impl.padEnd(22)} ${fwd.ms.toFixed(1).padStart(8)} ms  ${rows[rows.length - 1].note}`);
    const both = await measure(async () => {
      const res = await rast.forward(g, cam, undefined, { outputs });
      const grads = rast.backward(res.state, up, { into });
      await rast.checkErrors();
      await gpuWait(device, device.queue.onSubmittedWorkDone());
      grads.destroy();
      res.destroy();
    }, o);
    const poolB = rast.stats().bytes;
    rows.push({
      workload: name(w, 'forward+backward'),
      impl,
      ms: both.ms,
      runs: both.runs,
      note: note(w, both.ms, `; GPU ${mib(inputBytes + outputBytes + gradBytes + upBytes + poolB)} (pool ${mib(poolB)})`),
    });
    console.log(`  ${rows[rows.length - 1].workload.padEnd(44)} ${impl.padEnd(22)} ${both.ms.toFixed(1).padStart(8)} ms  ${rows[rows.length - 1].note}`);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    rows.push({ workload: name(w, 'forward'), impl, ms: null, note: `failed: ${msg}` });
  } finally {
    for (const b of [g.means, g.quats, g.scales, g.opacities, g.colors, g.features, up.rgb, up.features, ...Object.values(outputs), ...Object.values(into)]) b?.destroy();
    rast.trim();
  }
  return rows;
}

async function benchCpu(w: Workload, scene: GaussianScene, o: MeasureOptions): Promise<BenchRow[]> {
  const cam = benchCamera(w.size);
  const P = w.size * w.size;
  const r = rng(7);
  const up = {
    rgb: Float64Array.from({ length: 3 * P }, () => r() - 0.5),
    features: w.featureDim ? Float64Array.from({ length: w.featureDim * P }, () => r() - 0.5) : undefined,
  };
  const rows: BenchRow[] = [];
  const fwd = await measure(async () => void renderCpu(scene, cam), o);
  rows.push({ workload: name(w, 'forward'), impl: 'cpu-reference', ms: fwd.ms, runs: fwd.runs, note: note(w, fwd.ms) });
  console.log(`  ${name(w, 'forward').padEnd(44)} ${'cpu-reference'.padEnd(22)} ${fwd.ms.toFixed(1).padStart(8)} ms`);
  const both = await measure(async () => void renderCpuBackward(renderCpu(scene, cam).state, up), o);
  rows.push({ workload: name(w, 'forward+backward'), impl: 'cpu-reference', ms: both.ms, runs: both.runs, note: note(w, both.ms) });
  console.log(`  ${name(w, 'forward+backward').padEnd(44)} ${'cpu-reference'.padEnd(22)} ${both.ms.toFixed(1).padStart(8)} ms`);
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const gpuOnly = args.includes('--gpu-only');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1].split('/').map((f) => (/^\d+$/.test(f) ? `${f}x${f}` : f)) : [];
  const baseAt = args.indexOf('--baseline');
  const baselineDir = baseAt >= 0 ? args[baseAt + 1] : undefined;
  const workloads: Workload[] = [];
  for (const n of quick ? [10_000] : [10_000, 100_000]) {
    for (const size of quick ? [256] : [256, 512]) for (const featureDim of [0, 32]) workloads.push({ n, size, featureDim });
  }
  const gpuOpts: MeasureOptions = quick ? { budgetMs: 500, maxRuns: 3 } : { budgetMs: 3000, maxRuns: 7 };
  // The CPU reference takes seconds per run (tens at 100k): a first run that slow counts.
  const cpuOpts: MeasureOptions = quick ? { budgetMs: 1, maxRuns: 1, slowMs: 0 } : { budgetMs: 8000, maxRuns: 3, slowMs: 4000 };
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  let driver = 'none';
  let adapter = '';
  let device: GPUDevice | undefined;
  try {
    const h = await getSharedDevice();
    driver = h.driver;
    adapter = h.description;
    device = h.device;
  } catch (e) {
    skipped.push(`webgpu: no adapter (${(e as Error).message.split('\n')[0]})`);
  }
  console.log(`[splat-raster bench] driver ${driver} ${adapter}${quick ? ' (quick)' : ''}`);
  const rast = device ? createRasterizer(device) : undefined;
  let baseline: Rasterizer | undefined;
  if (device && baselineDir) {
    const mod = (await import(pathToFileURL(resolve(baselineDir, 'src/webgpu/index.ts')).href)) as { createRasterizer: typeof createRasterizer };
    baseline = mod.createRasterizer(device);
  }
  for (const w of workloads) {
    if (only.some((f) => !name(w, 'forward').includes(f))) continue;
    const scene = benchScene(w.n, w.featureDim);
    if (device && baseline) rows.push(...(await benchWebGPU(device, baseline, `webgpu-${driver}-baseline`, w, scene, gpuOpts)));
    if (device && rast) rows.push(...(await benchWebGPU(device, rast, `webgpu-${driver}`, w, scene, gpuOpts)));
    if (device && rast && isCpuAdapter(device) && w.n === 100_000 && w.size === 512 && !w.featureDim) {
      // The same workload with Dawn's busy polling left on (see gpuWait): what a plain `await` costs.
      setGpuWaitMode('spin');
      try {
        rows.push(...(await benchWebGPU(device, rast, `webgpu-${driver}-spin-wait`, w, scene, gpuOpts)));
      } finally {
        setGpuWaitMode('auto');
      }
    }
    if (!gpuOnly) rows.push(...(await benchCpu(w, scene, cpuOpts)));
  }
  for (const s of skipped) console.log(`  skipped ${s}`);
  const result = { package: 'splat-raster', driver, adapter, quick, baseline: 'cpu-reference', rows, skipped };
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result));
  // Dawn keeps the process alive while a device exists.
  process.exit(0);
}

await main();
