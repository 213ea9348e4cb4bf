/**
 * `Rasterizer.forwardSync` (capacity mode: one submit, no CPU read of the intersection
 * count) against the exact `forward`: bit-identical images, and gradients within 1e-5 of
 * the largest entry (float atomics add in a run-dependent order) with enough capacity; with too little, the overflow fallback (every tile walks the whole depth-sorted
 * list) gives the same images within 1e-6 and gradients within 1e-4 of the largest entry
 * (same float32 terms, atomics summed in another order), and reports the overflow.
 * Also the `means2d` upstream gradient against its closed form on the CPU.
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { renderCpu } from '../src/cpu/index.js';
import type { Camera } from '../src/types.js';
import { createRasterizer, type GaussianBuffers, type GradientBuffers } from '../src/webgpu/index.js';
import { makeRng, randomArray, randomScene, randomView } from './cpu-util.js';
import { compare, readF32, upload } from './webgpu-util.js';

webgpuSuite('Rasterizer.forwardSync', (ctx, test) => {
  const rng = makeRng(11);
  const F = 5;
  const n = 150;
  const scene = randomScene(rng, { n, featureDim: F });
  const camera: Camera = { viewMatrix: randomView(rng), fx: 45, fy: 45, cx: 24, cy: 20, width: 48, height: 40 };
  const P = camera.width * camera.height;
  const up = {
    rgb: Float32Array.from(randomArray(rng, 3 * P, -1, 1)),
    features: Float32Array.from(randomArray(rng, F * P, -1, 1)),
    alpha: Float32Array.from(randomArray(rng, P, -1, 1)),
    depth: Float32Array.from(randomArray(rng, P, -1, 1)),
  };

  function gaussians(): GaussianBuffers {
    const d = ctx.device;
    return {
      count: n,
      means: upload(d, Float32Array.from(scene.means)),
      quats: upload(d, Float32Array.from(scene.quats)),
      scales: upload(d, Float32Array.from(scene.scales)),
      opacities: upload(d, Float32Array.from(scene.opacities)),
      colors: upload(d, Float32Array.from(scene.colors)),
      features: upload(d, Float32Array.from(scene.features!)),
      featureDim: F,
    };
  }

  async function readGrads(g: GradientBuffers): Promise<Record<string, Float32Array>> {
    const d = ctx.device;
    return {
      means: await readF32(d, g.means, 3 * n),
      quats: await readF32(d, g.quats, 4 * n),
      scales: await readF32(d, g.scales, 3 * n),
      opacities: await readF32(d, g.opacities, n),
      colors: await readF32(d, g.colors, 3 * n),
      features: await readF32(d, g.features!, F * n),
      viewMatrix: await readF32(d, g.viewMatrix, 16),
    };
  }

  async function run(mode: 'exact' | number): Promise<{ rgb: Float32Array; feats: Float32Array; alpha: Float32Array; grads: Record<string, Float32Array> }> {
    const d = ctx.device;
    const g = gaussians();
    const r = createRasterizer(d);
    const fwd = mode === 'exact' ? await r.forward(g, camera) : r.forwardSync(g, camera, {}, { capacity: mode });
    const ups = { rgb: upload(d, up.rgb), features: upload(d, up.features), alpha: upload(d, up.alpha), depth: upload(d, up.depth) };
    const grads = r.backward(fwd.state, ups);
    await r.checkErrors();
    const out = {
      rgb: await readF32(d, fwd.outputs.rgb, 3 * P),
      feats: await readF32(d, fwd.outputs.features!, F * P),
      alpha: await readF32(d, fwd.outputs.alpha, P),
      grads: await readGrads(grads),
    };
    grads.destroy();
    fwd.destroy();
    for (const b of Object.values(ups)) b.destroy();
    return out;
  }

  test('equals the exact forward bit for bit, and its backward up to atomic order, when the capacity suffices', async () => {
    const exact = await run('exact');
    const sync = await run(100_000);
    expect(Array.from(sync.rgb)).toEqual(Array.from(exact.rgb));
    expect(Array.from(sync.feats)).toEqual(Array.from(exact.feats));
    expect(Array.from(sync.alpha)).toEqual(Array.from(exact.alpha));
    // Gradients are sums of float atomics, whose order varies from run to run.
    for (const k of Object.keys(exact.grads)) {
      const b = exact.grads[k];
      const m = compare(sync.grads[k], b, 1e-5 * compare(b, b, 0).scale + 1e-7);
      expect(m.bad, `${k}: worst |d| ${m.maxAbs} of max ${m.scale}`).toBe(0);
    }
  }, 60_000);

  test('falls back to whole-list tiles on overflow: same images and gradients, overflow reported', async () => {
    const exact = await run('exact');
    const r = createRasterizer(ctx.device);
    const g = gaussians();
    const fwd = r.forwardSync(g, camera, {}, { capacity: 10 }); // raised to n = 150, far below the count
    const info = await r.lastIntersections();
    expect(info.capacity).toBe(n);
    expect(info.total).toBeGreaterThan(n);
    expect(info.overflowed).toBe(true);
    fwd.destroy();
    const small = await run(10);
    for (const [a, b] of [[small.rgb, exact.rgb], [small.feats, exact.feats], [small.alpha, exact.alpha]]) {
      expect(compare(a, b, 1e-6).bad).toBe(0);
    }
    for (const k of Object.keys(exact.grads)) {
      const b = exact.grads[k];
      const m = compare(small.grads[k], b, 1e-4 * compare(b, b, 0).scale + 1e-7);
      expect(m.bad, `${k}: worst |d| ${m.maxAbs} of max ${m.scale}`).toBe(0);
    }
  }, 60_000);

  test('reports a capacity beyond the buffer limit with a clear error', () => {
    const r = createRasterizer(ctx.device, { maxIntersectionBytes: 4096 });
    const g = gaussians();
    expect(() => r.forwardSync(g, camera, {}, { capacity: 5000 })).toThrow(
      /Rasterizer.forwardSync: a capacity of 5000 \(tile, Gaussian\) intersections needs 20000 bytes per buffer, more than the limit of 4096 bytes/,
    );
    expect(() => r.forwardSync(g, camera, {}, { capacity: -1 })).toThrow(/target.capacity: expected a non-negative integer/);
  });

  test('propagates a means2d upstream gradient to the means (pinhole Jacobian, checked on the CPU)', async () => {
    const d = ctx.device;
    const r = createRasterizer(d);
    const g = gaussians();
    const fwd = r.forwardSync(g, camera);
    const gm = Float32Array.from(randomArray(rng, 2 * n, -1, 1));
    const gmBuf = upload(d, gm);
    const base = r.backward(fwd.state, {});
    const withM = r.backward(fwd.state, { means2d: gmBuf });
    const a = await readF32(d, base.means, 3 * n);
    const b = await readF32(d, withM.means, 3 * n);
    // Closed form on the CPU (float64).
    const cpu = renderCpu(scene, camera).state;
    const v = camera.viewMatrix;
    const expected = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const p = cpu.projections[i];
      if (!p.inDepthRange) continue;
      const [x, y, z] = p.pCam;
      const dx = (camera.fx / z) * gm[2 * i];
      const dy = (camera.fy / z) * gm[2 * i + 1];
      const dz = -(camera.fx * x * gm[2 * i] + camera.fy * y * gm[2 * i + 1]) / (z * z);
      // d mean = R^T dp; R(r, c) = v[c * 4 + r].
      for (let c = 0; c < 3; c++) expected[3 * i + c] = v[c * 4] * dx + v[c * 4 + 1] * dy + v[c * 4 + 2] * dz;
    }
    const diff = Float64Array.from(b, (x, j) => x - a[j]);
    const m = compare(diff, expected, 1e-4 * compare(expected, expected, 0).scale, 1e-4);
    expect(m.bad, `worst |d| ${m.maxAbs}`).toBe(0);
    expect(m.scale).toBeGreaterThan(0.1);
    base.destroy();
    withM.destroy();
    fwd.destroy();
    gmBuf.destroy();
  }, 60_000);
});
