/**
 * WebGPU rasterizer timings on the selected driver (default lavapipe):
 * forward, and backward with the per-tile workgroup reduction vs per-pixel global
 * float atomics (CAS loops) — the choice documented in src/webgpu/backward.ts.
 *   pnpm exec tsx packages/splat-raster/bench/rasterizer-bench.ts [N] [size] [F]
 * Prints the median of 5 runs after 1 warm-up (pipeline compiles excluded).
 */
import { getDevice, gpuWait } from '@headsplat/gpu';
import { createRasterizer, type GaussianBuffers } from '../src/webgpu/index.js';
import { rng } from './workload.js';

const N = Number(process.argv[2] ?? 20000);
const S = Number(process.argv[3] ?? 256);
const F = Number(process.argv[4] ?? 0);

const h = await getDevice();
const device = h.device;
const r = rng(1);
const f32 = (n: number, f: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(i));
const up = (a: Float32Array): GPUBuffer => {
  const b = device.createBuffer({ size: Math.max(4, a.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, a.buffer, a.byteOffset, a.byteLength);
  return b;
};
const means = new Float32Array(3 * N);
for (let i = 0; i < N; i++) {
  const z = 2 + 3 * r();
  means.set([(r() - 0.5) * 0.9 * z, (r() - 0.5) * 0.9 * z, z], 3 * i);
}
const g: GaussianBuffers = {
  count: N,
  means: up(means),
  quats: up(f32(4 * N, () => r() - 0.5)),
  scales: up(f32(3 * N, () => 0.005 + 0.03 * r())),
  opacities: up(f32(N, () => 0.1 + 0.8 * r())),
  colors: up(f32(3 * N, () => r())),
};
if (F > 0) {
  g.features = up(f32(F * N, () => r() - 0.5));
  g.featureDim = F;
}
const cam = { viewMatrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], fx: S, fy: S, cx: S / 2, cy: S / 2, width: S, height: S };
const P = S * S;
const grads = { rgb: up(f32(3 * P, () => r() - 0.5)), alpha: up(f32(P, () => r() - 0.5)), features: F > 0 ? up(f32(F * P, () => r() - 0.5)) : undefined };
// The tiled kernels: their per-tile reduction is what this compares with per-pixel atomics.
const rast = createRasterizer(device, { kernels: 'tiled' });

async function time(fn: () => Promise<void>): Promise<number> {
  const ts: number[] = [];
  for (let k = 0; k < 6; k++) {
    const t0 = performance.now();
    await fn();
    await gpuWait(device, device.queue.onSubmittedWorkDone());
    if (k > 0) ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

let inter = 0;
const fwd = await time(async () => {
  const res = await rast.forward(g, cam);
  inter = res.state.intersections;
  res.destroy();
});
const res = await rast.forward(g, cam);
const bwd = async (naiveAtomics: boolean): Promise<number> =>
  time(async () => {
    rast.backward(res.state, grads, { naiveAtomics }).destroy();
    await rast.checkErrors();
  });
const reduced = await bwd(false);
const naive = await bwd(true);
res.destroy();
console.log(`${h.description}`);
console.log(`N=${N} image=${S}x${S} F=${F} intersections=${inter}`);
console.log(`forward                     ${fwd.toFixed(1)} ms`);
console.log(`backward (tile reduction)   ${reduced.toFixed(1)} ms`);
console.log(`backward (naive atomics)    ${naive.toFixed(1)} ms`);
h.destroy();
