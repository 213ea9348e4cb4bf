/**
 * Per-stage GPU timings of the WebGPU rasterizer (forward: project, depth sort, tile counts,
 * pair emission, pair sort, tile ranges, rasterize; backward: rasterize-backward,
 * project-backward), from `timestamp-query` writes at the start and end of every compute
 * pass the rasterizer records (the passes are labelled by stage). Without the feature it
 * falls back to wall time of whole forward / backward calls only.
 *   pnpm exec tsx packages/splat-raster/bench/profile.ts [--quick] [--runs 3] [--tile 16] [--reuse-outputs] [N:size:F ...]
 * `--reuse-outputs` renders into the same output buffers every run (else each forward creates
 * its outputs, which Dawn zero-fills lazily on first use).
 * Default workloads: 10000:256:0 10000:256:32 100000:512:0 100000:512:32. Prints, per stage,
 * the median over the runs (after one warm-up that compiles the pipelines) in ms.
 */
import { getDevice, gpuWait } from '@headsplat/gpu';
import { createRasterizer, type GaussianBuffers } from '../src/webgpu/index.js';
import { instrumentStages } from './stage-timer.js';
import { benchCamera, benchScene, rng } from './workload.js';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
const tileArg = args.indexOf('--tile');
const TILE = tileArg >= 0 ? Number(args[tileArg + 1]) : 16;
const REUSE = args.includes('--reuse-outputs');
const specs = args.filter((a) => /^\d+:\d+:\d+$/.test(a));
const workloads = (specs.length ? specs : args.includes('--quick') ? ['10000:256:0', '10000:256:32'] : ['10000:256:0', '10000:256:32', '100000:512:0', '100000:512:32']).map((s) => {
  const [n, size, f] = s.split(':').map(Number);
  return { n, size, f };
});

const h = await getDevice();
const device = h.device;
console.log(`${h.description}; timestamp-query: ${device.features.has('timestamp-query')}`);

const timer = instrumentStages(device);
const collect = (): Promise<Map<string, number>> => timer.collect();

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const upload = (a: ArrayLike<number>): GPUBuffer => {
  const f = Float32Array.from(a);
  const b = device.createBuffer({ size: Math.max(4, f.byteLength), usage: STORAGE });
  device.queue.writeBuffer(b, 0, f.buffer, f.byteOffset, f.byteLength);
  return b;
};
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rast = createRasterizer(device);
for (const w of workloads) {
  const scene = benchScene(w.n, w.f);
  const cam = benchCamera(w.size);
  const g: GaussianBuffers = { count: w.n, means: upload(scene.means), quats: upload(scene.quats), scales: upload(scene.scales), opacities: upload(scene.opacities), colors: upload(scene.colors) };
  if (w.f > 0) {
    g.features = upload(scene.features!);
    g.featureDim = w.f;
  }
  const P = w.size * w.size;
  const r = rng(7);
  const gr = { rgb: upload(Float32Array.from({ length: 3 * P }, () => r() - 0.5)), features: w.f > 0 ? upload(Float32Array.from({ length: w.f * P }, () => r() - 0.5)) : undefined };
  const stages = new Map<string, number[]>();
  const wall = { forward: [] as number[], backward: [] as number[] };
  let inter = 0;
  const featOut = REUSE && w.f > 0 ? device.createBuffer({ size: w.f * P * 4, usage: STORAGE }) : undefined;
  const rgbOut = REUSE ? device.createBuffer({ size: 3 * P * 4, usage: STORAGE }) : undefined;
  for (let k = 0; k <= RUNS; k++) {
    let t0 = performance.now();
    const fwd = await rast.forward(g, cam, { tileSize: TILE }, REUSE ? { outputs: { rgb: rgbOut, features: featOut } } : undefined);
    await gpuWait(device, device.queue.onSubmittedWorkDone());
    const tf = performance.now() - t0;
    inter = fwd.state.intersections;
    t0 = performance.now();
    const grads = rast.backward(fwd.state, gr);
    await gpuWait(device, device.queue.onSubmittedWorkDone());
    const tb = performance.now() - t0;
    await rast.checkErrors();
    grads.destroy();
    if (REUSE) fwd.state.release();
    else fwd.destroy();
    const st = await collect();
    if (k === 0) continue; // warm-up (pipeline compiles)
    wall.forward.push(tf);
    wall.backward.push(tb);
    for (const [name, ms] of st) stages.set(name, [...(stages.get(name) ?? []), ms]);
  }
  console.log(`\nN=${w.n} ${w.size}x${w.size} F=${w.f} tile=${TILE} intersections=${inter} (median of ${RUNS})`);
  for (const [name, ms] of stages) console.log(`  ${name.padEnd(20)} ${median(ms).toFixed(1).padStart(9)} ms`);
  console.log(`  ${'forward (wall)'.padEnd(20)} ${median(wall.forward).toFixed(1).padStart(9)} ms`);
  console.log(`  ${'backward (wall)'.padEnd(20)} ${median(wall.backward).toFixed(1).padStart(9)} ms`);
  for (const b of [featOut, rgbOut, g.means, g.quats, g.scales, g.opacities, g.colors, g.features, gr.rgb, gr.features]) b?.destroy();
}
h.destroy();
