/**
 * WebGPU forward vs the float64 CPU reference (renderCpu) on random scenes.
 *
 * Tolerances (float32 kernels vs float64 reference):
 * - images (rgb, features, alpha, depth): |gpu - cpu| <= 2e-4 + 2e-4 |cpu| per entry;
 *   depth scales with z (2..5 here), hence the relative term.
 * - means2d: 1e-3 px + 1e-5 relative; radii: exact, except +-1 where ceil() sits on an
 *   integer boundary in float32 (counted, at most 0.5% of Gaussians).
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { renderCpu } from '../src/cpu/index.js';
import type { Camera, GaussianScene, RenderOptions, RenderOutput } from '../src/types.js';
import { renderWebGPU } from '../src/webgpu/index.js';
import { makeRng, randomScene, randomView } from './cpu-util.js';
import { compare } from './webgpu-util.js';

const IMG_ATOL = 2e-4;
const IMG_RTOL = 2e-4;

function camera(view: Float64Array, w = 67, h = 45): Camera {
  return { viewMatrix: view, fx: 60, fy: 58, cx: w / 2 + 0.3, cy: h / 2 - 0.2, width: w, height: h };
}

function expectClose(name: string, gpu: ArrayLike<number>, cpu: ArrayLike<number>, atol: number, rtol: number): void {
  const m = compare(gpu, cpu, atol, rtol);
  if (m.bad > 0) {
    throw new Error(`${name}: ${m.bad} of ${cpu.length} entries off; worst at ${m.at}: gpu ${gpu[m.at]} cpu ${cpu[m.at]} (|d| ${m.maxAbs})`);
  }
}

function expectMatches(gpu: RenderOutput, cpu: RenderOutput, n: number): void {
  expectClose('rgb', gpu.rgb, cpu.rgb, IMG_ATOL, IMG_RTOL);
  expectClose('alpha', gpu.alpha, cpu.alpha, IMG_ATOL, IMG_RTOL);
  expectClose('depth', gpu.depth, cpu.depth, IMG_ATOL, IMG_RTOL);
  if (cpu.features) expectClose('features', gpu.features!, cpu.features, IMG_ATOL, IMG_RTOL);
  else expect(gpu.features).toBeUndefined();
  expectClose('means2d', gpu.means2d, cpu.means2d, 1e-3, 1e-5);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(gpu.radii[i] - cpu.radii[i]);
    if (d > 1 || (d === 1 && (gpu.radii[i] === 0 || cpu.radii[i] === 0))) {
      throw new Error(`radii[${i}]: gpu ${gpu.radii[i]} cpu ${cpu.radii[i]}`);
    }
    off += d;
  }
  expect(off).toBeLessThanOrEqual(Math.max(1, 0.005 * n));
}

for (const kernels of ['direct', 'tiled'] as const) webgpuSuite(`renderWebGPU forward (${kernels} kernels)`, (ctx, test) => {
  async function check(scene: GaussianScene, cam: Camera, options: RenderOptions = {}): Promise<RenderOutput> {
    const want = renderCpu(scene, cam, options).output;
    const { output, state } = await renderWebGPU(ctx.device, scene, cam, { ...options, keepState: false, kernels });
    void state;
    expectMatches(output, want, scene.opacities.length);
    return output;
  }

  test('matches the CPU reference on a random RGB scene with a background', async () => {
    const rng = makeRng(1);
    await check(randomScene(rng, { n: 300 }), camera(randomView(rng)), { background: [0.2, 0.4, 0.6] });
  }, 60_000);

  test('matches for SH degrees 0 to 3 (view-dependent colour, clamp at 0)', async () => {
    for (const shDegree of [0, 1, 2, 3] as const) {
      const rng = makeRng(10 + shDegree);
      await check(randomScene(rng, { n: 200, shDegree }), camera(randomView(rng, 0.5)));
    }
  }, 60_000);

  test('matches with 3, 32 and 64 feature channels and a per-channel feature background', async () => {
    for (const featureDim of [3, 32, 64]) {
      const rng = makeRng(20 + featureDim);
      const fbg = Array.from({ length: featureDim }, (_, i) => Math.sin(i));
      const out = await check(randomScene(rng, { n: 150, featureDim, shDegree: 1 }), camera(randomView(rng)), {
        featureBackground: fbg,
      });
      expect(out.features!.length).toBe(67 * 45 * featureDim);
    }
  }, 60_000);

  test('culls Gaussians behind the camera, before near and beyond far', async () => {
    const rng = makeRng(3);
    const scene = randomScene(rng, { n: 200 });
    for (let i = 0; i < 200; i += 4) scene.means[3 * i + 2] = -scene.means[3 * i + 2]; // behind
    for (let i = 1; i < 200; i += 8) scene.means[3 * i + 2] = 0.005; // in front of near = 0.01
    const cam = { ...camera(randomView(rng, 0.05)), far: 4 };
    const out = await check(scene, cam);
    expect(out.radii[0]).toBe(0);
  }, 60_000);

  test('matches with degenerate (zero and needle-thin) scales and huge splats crossing many tiles', async () => {
    const rng = makeRng(4);
    const scene = randomScene(rng, { n: 120 });
    for (let i = 0; i < 120; i += 3) scene.scales[3 * i] = 0;
    for (let i = 1; i < 120; i += 3) {
      scene.scales[3 * i] = 1e-6;
      scene.scales[3 * i + 1] = 1e-6;
    }
    for (let i = 2; i < 120; i += 10) scene.scales.set([1.5, 0.8, 1.2], 3 * i);
    await check(scene, camera(randomView(rng)));
  }, 60_000);

  test('matches with many Gaussians per pixel (early stop at T < 1e-4)', async () => {
    const rng = makeRng(5);
    const scene = randomScene(rng, { n: 1500, shDegree: 2 });
    for (let i = 0; i < 1500; i++) scene.opacities[i] = 0.5 + 0.5 * rng();
    await check(scene, camera(randomView(rng), 40, 29), { background: [1, 1, 1] });
  }, 60_000);

  test('matches in antialiased mode, with tile size 8 and with a custom eps2d', async () => {
    const rng = makeRng(6);
    const scene = randomScene(rng, { n: 250 });
    const cam = camera(randomView(rng));
    await check(scene, cam, { antialiased: true });
    await check(scene, cam, { tileSize: 8, eps2d: 0.1 });
  }, 60_000);

  test('matches in smoothCutoff mode (every splat everywhere, no clamps)', async () => {
    const rng = makeRng(7);
    await check(randomScene(rng, { n: 40, shDegree: 1 }), camera(randomView(rng), 20, 14), { smoothCutoff: true });
  }, 60_000);

  test('renders an empty scene and a fully culled scene as the background', async () => {
    const empty: GaussianScene = {
      means: new Float32Array(0),
      quats: new Float32Array(0),
      scales: new Float32Array(0),
      opacities: new Float32Array(0),
      colors: new Float32Array(0),
    };
    const cam = camera(randomView(makeRng(8)), 20, 17);
    const out = await check(empty, cam, { background: [0.1, 0.2, 0.3] });
    expect(out.rgb[3 * 7 + 2]).toBeCloseTo(0.3, 6);
    const rng = makeRng(9);
    const behind = randomScene(rng, { n: 10 });
    for (let i = 0; i < 10; i++) behind.means[3 * i + 2] = -3;
    const out2 = await check(behind, cam, { background: [0.1, 0.2, 0.3] });
    expect(Array.from(out2.radii)).toEqual(new Array(10).fill(0));
  }, 60_000);

  test('produces no NaN for huge, fully opaque splats and a camera inside a Gaussian', async () => {
    const rng = makeRng(11);
    const scene = randomScene(rng, { n: 50, shDegree: 3 });
    for (let i = 0; i < 50; i++) {
      scene.opacities[i] = 1;
      if (i % 2 === 0) scene.scales.set([300 * rng() + 1, 200, 500], 3 * i);
    }
    scene.means.set([0, 0, 0.02], 0);
    scene.scales.set([5, 5, 5], 0);
    const { output } = await renderWebGPU(ctx.device, scene, camera(randomView(rng)), { keepState: false, kernels });
    for (const a of [output.rgb, output.alpha, output.depth, output.means2d]) {
      expect(Array.from(a).every(Number.isFinite)).toBe(true);
    }
  }, 60_000);
});
