/**
 * How the wait for the GPU changes the GPU's own time on a CPU adapter: the rasterize kernel
 * alone (one forward's saved lists, GPU timestamps), awaited three ways, interleaved:
 * - `spin`: a plain `await` of `onSubmittedWorkDone` (Dawn's Node binding polls with
 *   setImmediate while it is pending);
 * - `gpuWait`: the same promise through `gpuWait` in mode 'sleep' (see @headsplat/gpu);
 * - `idle`: a 600 ms timer first (no Dawn promise pending while the kernel runs), then the wait.
 *   pnpm exec tsx packages/splat-raster/bench/wait.ts [--runs 8] [N:size:F]
 * Prints min / median / max ms per mode.
 */
import { getDevice, gpuWait, setGpuWaitMode } from '@headsplat/gpu';
import { createRasterizer, type GaussianBuffers } from '../src/webgpu/index.js';
import { Frame, GpuContext } from '../src/webgpu/gpu-context.js';
import { encodeRasterize } from '../src/webgpu/rasterize.js';
import type { RasterizerState } from '../src/webgpu/rasterizer.js';
import { instrumentStages } from './stage-timer.js';
import { benchCamera, benchScene } from './workload.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 8;
const [n, size, F] = (args.find((a) => /^\d+:\d+:\d+$/.test(a)) ?? '100000:512:0').split(':').map(Number);

const h = await getDevice();
const device = h.device;
console.log(`${h.description}; ${n} Gaussians, ${size}x${size}, ${F} feature channels, ${RUNS} runs per mode`);
const timer = instrumentStages(device);
const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const upload = (a: ArrayLike<number>): GPUBuffer => {
  const f = Float32Array.from(a);
  const b = device.createBuffer({ size: Math.max(16, f.byteLength), usage: STORAGE });
  device.queue.writeBuffer(b, 0, f);
  return b;
};
const scene = benchScene(n, F);
const g: GaussianBuffers = { count: n, means: upload(scene.means), quats: upload(scene.quats), scales: upload(scene.scales), opacities: upload(scene.opacities), colors: upload(scene.colors) };
if (F) {
  g.features = upload(scene.features!);
  g.featureDim = F;
}
const rast = createRasterizer(device);
const res = await rast.forward(g, benchCamera(size));
// The saved lists of that forward (internal fields of the state).
const s = res.state as RasterizerState & { params: GPUBuffer; ranges: GPUBuffer; pairVals: GPUBuffer; splats: GPUBuffer; setup: { tilesX: number; tilesY: number } };
const P = size * size;
const out = { rgb: device.createBuffer({ size: 12 * P, usage: STORAGE }), featOut: F ? device.createBuffer({ size: 4 * F * P, usage: STORAGE }) : undefined, aux: device.createBuffer({ size: 16 * P, usage: STORAGE }) };
await timer.collect();
const modes = ['spin', 'gpuWait', 'idle'] as const;
const times: Record<(typeof modes)[number], number[]> = { spin: [], gpuWait: [], idle: [] };
for (let k = 0; k <= RUNS; k++) {
  for (const mode of k % 2 ? [...modes].reverse() : modes) {
    const frame = new Frame(GpuContext.for(device));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass({ label: 'rasterize' });
    encodeRasterize(frame, pass, { params: s.params, ranges: s.ranges, pairVals: s.pairVals, splats: s.splats, features: g.features, ...out }, { tileSize: 16, featureDim: F, tilesX: s.setup.tilesX, tilesY: s.setup.tilesY, direct: true });
    pass.end();
    device.queue.submit([enc.finish()]);
    if (mode === 'idle') await new Promise((r) => setTimeout(r, 600));
    setGpuWaitMode(mode === 'spin' ? 'spin' : 'sleep');
    await gpuWait(device, device.queue.onSubmittedWorkDone());
    const st = await timer.collect();
    setGpuWaitMode('auto');
    frame.releaseAll();
    if (k > 0) times[mode].push(st.get('rasterize')!);
  }
}
const q = (a: number[], f: number): string => [...a].sort((x, y) => x - y)[Math.round(f * (a.length - 1))].toFixed(1);
for (const m of modes) console.log(`  ${m.padEnd(8)} min ${q(times[m], 0)}  median ${q(times[m], 0.5)}  max ${q(times[m], 1)} ms`);
res.destroy();
h.destroy();
process.exit(0);
