/**
 * The /tensor binding: `rasterize` on core tensors agrees with the CPU reference forward
 * and backward, passes core's gradcheck on every output (smoothCutoff, float64), and can
 * drive a small optimisation written with core ops.
 */

import { Tensor, fullLike, gradcheck, liveTensors, mul, noGrad, sub, tensor, tidy } from '@headsplat/core';
import { describe, expect, it } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import { type GaussianTensors, type Means2dGradInfo, rasterize } from '../src/tensor.js';
import type { GaussianScene, RenderOptions } from '../src/types.js';
import { makeRng, randomScene, randomUpstream, randomView, relativeMaxError, smallCamera } from './cpu-util.js';

type Dt = 'float32' | 'float64';

function toTensors(scene: GaussianScene, dtype: Dt, requiresGrad = true): GaussianTensors {
  const n = scene.means.length / 3;
  const K = scene.shDegree === undefined ? 0 : (scene.shDegree + 1) ** 2;
  const t = (a: ArrayLike<number>, shape: number[]): Tensor =>
    tensor(dtype === 'float64' ? Float64Array.from(a) : Float32Array.from(a), { shape, dtype, requiresGrad });
  const g: GaussianTensors = {
    means: t(scene.means, [n, 3]),
    quats: t(scene.quats, [n, 4]),
    scales: t(scene.scales, [n, 3]),
    opacities: t(scene.opacities, [n]),
    colors: t(scene.colors, K ? [n, K, 3] : [n, 3]),
  };
  if (scene.features) g.features = t(scene.features, [n, scene.featureDim!]);
  return g;
}

const SMOOTH: RenderOptions = { smoothCutoff: true, tileSize: 8, background: [0.2, 0.5, 0.7] };

describe('rasterize (tensor binding, cpu)', () => {
  it('returns the CPU reference images, radii and means2d with the documented shapes', () => {
    const rng = makeRng(3);
    const s64 = randomScene(rng, { n: 6, shDegree: 2, featureDim: 2 });
    // The reference sees the same float32-rounded inputs as the tensors.
    const scene: GaussianScene = { ...s64, means: Float32Array.from(s64.means), quats: Float32Array.from(s64.quats), scales: Float32Array.from(s64.scales),
      opacities: Float32Array.from(s64.opacities), colors: Float32Array.from(s64.colors), features: Float32Array.from(s64.features!) };
    const cam = smallCamera(randomView(rng));
    const ref = renderCpu(scene, cam).output;
    tidy(() => {
      const out = rasterize(toTensors(scene, 'float32', false), cam);
      expect(out.rgb.shape).toEqual([12, 16, 3]);
      expect(out.alpha.shape).toEqual([12, 16]);
      expect(out.depth.shape).toEqual([12, 16]);
      expect(out.features!.shape).toEqual([12, 16, 2]);
      expect(out.radii.dtype).toBe('int32');
      expect(out.means2d.shape).toEqual([6, 2]);
      expect(Array.from(out.rgb.dataSync())).toEqual(Array.from(ref.rgb));
      expect(Array.from(out.alpha.dataSync())).toEqual(Array.from(ref.alpha));
      expect(Array.from(out.depth.dataSync())).toEqual(Array.from(ref.depth));
      expect(Array.from(out.features!.dataSync())).toEqual(Array.from(ref.features!));
      expect(Array.from(out.radii.dataSync())).toEqual(Array.from(ref.radii));
      expect(Array.from(out.means2d.dataSync())).toEqual(Array.from(ref.means2d));
      expect(ref.rgb.some((v) => v > 0.05)).toBe(true);
    });
  });

  for (const dtype of ['float64', 'float32'] as const) {
    // float64 carries the reference's gradients exactly; float32 rounds inputs and upstreams.
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    it(`gives the CPU reference's gradients for every input (${dtype}, rel ${tol})`, () => {
      const rng = makeRng(7);
      const scene = randomScene(rng, { n: 8, shDegree: 1, featureDim: 3 });
      const cam = smallCamera(randomView(rng));
      const v = randomUpstream(rng, cam.width, cam.height, 3);
      const ref = renderCpuBackward(renderCpu(scene, cam, { tileSize: 8 }).state, v);
      const before = liveTensors();
      const g = toTensors(scene, dtype);
      let info: Means2dGradInfo | undefined;
      tidy(() => {
        const out = rasterize(g, cam, { tileSize: 8, onMeans2dGrad: (i) => (info = i) });
        const up = (a: ArrayLike<number>, t: Tensor): Tensor =>
          tensor(dtype === 'float64' ? Float64Array.from(a) : Float32Array.from(a), { shape: [...t.shape], dtype });
        // Four backward calls accumulate into the leaves' grads: the sum of the four VJPs.
        out.rgb.backward(up(v.rgb, out.rgb), { retainGraph: true });
        out.alpha.backward(up(v.alpha, out.alpha), { retainGraph: true });
        out.depth.backward(up(v.depth, out.depth), { retainGraph: true });
        out.features!.backward(up(v.features, out.features!));
      });
      const pairs: [keyof GaussianTensors, ArrayLike<number>][] = [
        ['means', ref.means], ['quats', ref.quats], ['scales', ref.scales],
        ['opacities', ref.opacities], ['colors', ref.colors], ['features', ref.features!],
      ];
      for (const [k, expected] of pairs) {
        const grad = g[k]!.grad!;
        expect(grad.shape, k).toEqual(g[k]!.shape);
        expect(grad.dtype, k).toBe(dtype);
        expect(Math.max(...Array.from(expected, Math.abs)), k).toBeGreaterThan(1e-3);
        expect(relativeMaxError(grad.dataSync(), expected), k).toBeLessThan(tol);
      }
      // The densification hook sees the last backward's screen-space gradients (features only).
      const featOnly = renderCpuBackward(renderCpu(scene, cam, { tileSize: 8 }).state, { features: v.features });
      expect(relativeMaxError(info!.means2d, featOnly.means2d)).toBeLessThan(tol);
      for (const k of Object.keys(g) as (keyof GaussianTensors)[]) {
        g[k]!.grad!.dispose();
        g[k]!.dispose();
      }
      expect(liveTensors()).toBe(before);
    });
  }

  describe('passes core gradcheck on each output (float64, smoothCutoff)', () => {
    const rng = makeRng(11);
    const scene = randomScene(rng, { n: 3, shDegree: 1, featureDim: 2 });
    const cam = smallCamera(randomView(rng));
    const inputs = Object.values(toTensors(scene, 'float64')) as Tensor[];
    const fn = (key: 'rgb' | 'alpha' | 'depth' | 'features' | 'means2d') => (...x: Tensor[]): Tensor =>
      rasterize({ means: x[0], quats: x[1], scales: x[2], opacities: x[3], colors: x[4], features: x[5] }, cam, SMOOTH)[key]!;
    for (const key of ['rgb', 'alpha', 'depth', 'features', 'means2d'] as const) {
      it(key, () => {
        expect(gradcheck(fn(key), inputs, { atol: 1e-7, rtol: 1e-5 })).toBe(true);
      });
    }
  });

  it('fits the colours of 3 Gaussians with core ops (MSE falls below 1e-4 of its start)', () => {
    const rng = makeRng(5);
    const truth = randomScene(rng, { n: 3 });
    for (let i = 0; i < 3; i++) truth.scales.fill(0.5, 3 * i, 3 * i + 3);
    const cam = smallCamera();
    const target = tensor(renderCpu(truth, cam).output.rgb, { shape: [12, 16, 3] });
    const fixed = toTensors(truth, 'float32', false);
    let colors = tensor(new Float32Array(9).fill(0.5), { shape: [3, 3], requiresGrad: true });
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const next = tidy(() => {
        const { rgb } = rasterize({ ...fixed, colors }, cam);
        const diff = sub(rgb, target);
        const sq = mul(diff, diff);
        losses.push(Array.from(sq.dataSync()).reduce((a, b) => a + b, 0) / sq.size);
        sq.backward(fullLike(sq, 1 / sq.size));
        return noGrad(() => sub(colors, mul(colors.grad!, 20)));
      });
      colors.grad?.dispose();
      colors.dispose();
      colors = next.requiresGrad_(true);
    }
    expect(losses[0]).toBeGreaterThan(1e-3);
    expect(losses[losses.length - 1]).toBeLessThan(1e-4 * losses[0]);
    expect(relativeMaxError(colors.dataSync(), truth.colors)).toBeLessThan(1e-2);
  });

  it('rejects bad shapes and mixed dtypes with the argument named', () => {
    const scene = randomScene(makeRng(1), { n: 2 });
    const g = toTensors(scene, 'float32', false);
    const cam = smallCamera();
    expect(() => rasterize({ ...g, quats: tensor(new Float32Array(6), { shape: [2, 3] }) }, cam)).toThrow(
      'rasterize: gaussians.quats: expected shape [2, 4] (N = 2 from means), got [2, 3]',
    );
    expect(() => rasterize({ ...g, colors: tensor(new Float32Array(10), { shape: [2, 5] }) }, cam)).toThrow(/gaussians\.colors: expected shape \[2, 3\]/);
    expect(() => rasterize({ ...g, colors: tensor(new Float64Array(6), { shape: [2, 3] }) }, cam)).toThrow(
      "rasterize: gaussians.colors: expected dtype 'float32' (as means), got float64",
    );
    expect(() => rasterize({ ...g, opacities: tensor(new Float32Array(2).fill(2)) }, cam)).toThrow(/opacities.*\[0, 1\]/);
  });
});
