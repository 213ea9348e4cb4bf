/**
 * Analytic gradients of the CPU reference against central finite differences of its own
 * float64 forward, with random upstream gradients of rgb, features, alpha and depth.
 *
 * smoothCutoff mode (no 1/255 skip, 0.99 clamp, transmittance stop or SH clamp) makes the
 * forward smooth, so the comparison is tight.
 * Tolerance: max_j |analytic_j - fd_j| <= 1e-6 * max_j |fd_j| per input array
 * (central differences, step 1e-6, float64).
 */

import { describe, expect, it } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import { rasterizeForward } from '../src/cpu/rasterize.js';
import type { Camera, GaussianScene, RenderOptions } from '../src/types.js';
import {
  IDENTITY_VIEW,
  type SceneKey,
  finiteDifferences,
  makeRng,
  randomScene,
  randomUpstream,
  randomView,
  relativeMaxError,
  smallCamera,
} from './cpu-util.js';

const TOL = 1e-6;

function checkAll(
  scene: GaussianScene,
  camera: Camera,
  options: RenderOptions,
  seed: number,
  keys: (SceneKey | 'viewMatrix')[],
): Record<string, number> {
  const rng = makeRng(seed);
  const v = randomUpstream(rng, camera.width, camera.height, scene.featureDim ?? 0);
  if (!scene.featureDim) delete (v as { features?: unknown }).features;
  const { state } = renderCpu(scene, camera, options);
  const grads = renderCpuBackward(state, v);
  const errors: Record<string, number> = {};
  for (const key of keys) {
    const fd = finiteDifferences(scene, camera, options, v, key);
    const analytic = key === 'viewMatrix' ? grads.viewMatrix : grads[key]!;
    // The finite differences must be non-trivial for the check to mean anything.
    expect(Math.max(...Array.from(fd, Math.abs)), key).toBeGreaterThan(1e-3);
    errors[key] = relativeMaxError(analytic, fd);
  }
  return errors;
}

const SMOOTH: RenderOptions = { smoothCutoff: true, tileSize: 8, background: [0.2, 0.5, 0.7] };
const GEOMETRY: (SceneKey | 'viewMatrix')[] = ['means', 'quats', 'scales', 'opacities', 'colors', 'viewMatrix'];

describe('renderCpuBackward matches finite differences (smoothCutoff, rel 1e-6)', () => {
  it('with precomputed RGB colours, features, alpha and depth losses', () => {
    const rng = makeRng(1);
    const scene = randomScene(rng, { n: 8, featureDim: 5 });
    const errors = checkAll(scene, smallCamera(randomView(rng)), { ...SMOOTH, featureBackground: [0.1, -0.2, 0.3, 0, 1] }, 11, [
      ...GEOMETRY,
      'features',
    ]);
    for (const [k, e] of Object.entries(errors)) expect(e, k).toBeLessThan(TOL);
  });

  for (const shDegree of [0, 1, 2, 3] as const) {
    it(`with SH degree ${shDegree} colours (through the view direction and camera centre)`, () => {
      const rng = makeRng(100 + shDegree);
      const scene = randomScene(rng, { n: 6, shDegree });
      const errors = checkAll(scene, smallCamera(randomView(rng)), { ...SMOOTH, tileSize: 4 }, 20 + shDegree, GEOMETRY);
      for (const [k, e] of Object.entries(errors)) expect(e, k).toBeLessThan(TOL);
    });
  }

  it('in antialiased mode (opacity compensation)', () => {
    const rng = makeRng(7);
    const scene = randomScene(rng, { n: 8, shDegree: 1 });
    // Small scales make the compensation far from 1, so its gradient matters.
    scene.scales = scene.scales.map((s) => s * 0.3);
    const errors = checkAll(scene, smallCamera(randomView(rng)), { ...SMOOTH, antialiased: true }, 31, GEOMETRY);
    for (const [k, e] of Object.entries(errors)) expect(e, k).toBeLessThan(TOL);
  });

  it('through the 1.3x-frustum clamp of the projection Jacobian', () => {
    // Two large Gaussians left of / below the view (x/z, y/z beyond the clamp limits
    // 0.76 / 0.62 of smallCamera) whose tails still reach the image.
    const scene: GaussianScene = {
      means: Float64Array.from([-2.6, 0.1, 2.0, 0.2, 2.2, 2.5]),
      quats: Float64Array.from([0.9, 0.2, -0.3, 0.1, 0.5, -0.4, 0.2, 0.7]),
      scales: Float64Array.from([1.2, 1.0, 0.8, 1.1, 1.3, 0.9]),
      opacities: Float64Array.from([0.8, 0.7]),
      colors: Float64Array.from([0.9, 0.2, 0.1, 0.1, 0.4, 0.8]),
    };
    const { state } = renderCpu(scene, smallCamera(), SMOOTH);
    expect(state.projections.map((p) => [p.xInside, p.yInside])).toEqual([
      [false, true],
      [true, false],
    ]);
    const errors = checkAll(scene, smallCamera(), SMOOTH, 41, ['means', 'scales', 'quats', 'viewMatrix']);
    for (const [k, e] of Object.entries(errors)) expect(e, k).toBeLessThan(TOL);
  });

  for (const loss of ['rgb', 'features', 'alpha', 'depth'] as const) {
    it(`with only the ${loss} image in the loss`, () => {
      const rng = makeRng(50);
      const scene = randomScene(rng, { n: 6, shDegree: 2, featureDim: 3 });
      const camera = smallCamera(randomView(rng));
      const all = randomUpstream(makeRng(51), camera.width, camera.height, 3);
      const v = { [loss]: all[loss] };
      const { state } = renderCpu(scene, camera, SMOOTH);
      const grads = renderCpuBackward(state, v);
      const keys = loss === 'features' ? (['features', 'means'] as const) : (['means', 'quats', 'scales', 'opacities'] as const);
      for (const key of keys) {
        const fd = finiteDifferences(scene, camera, SMOOTH, v, key);
        expect(relativeMaxError(grads[key]!, fd), key).toBeLessThan(TOL);
      }
    });
  }
});

describe('renderCpuBackward with the real cut-offs', () => {
  it('matches finite differences away from the 1/255, 0.99 and 1e-4 thresholds (98% of entries within rel 1e-5)', () => {
    // Dense, opaque scene: some alphas hit the 0.99 clamp and some pixels stop early.
    // Finite differences are only meaningful where no threshold is crossed within +-h,
    // so at most 2% of entries may differ (a crossing shows up as a huge outlier).
    const rng = makeRng(60);
    const scene = randomScene(rng, { n: 14, shDegree: 1 });
    scene.opacities = scene.opacities.map((o, i) => (i % 3 === 0 ? 0.999 : o));
    scene.scales = scene.scales.map((s) => s * 1.5);
    // Three opaque splats on the optical axis: the third would take T below 1e-4.
    for (let k = 0; k < 3; k++) {
      scene.means.set([0.01 * k, 0.005 * k, 0.5 + 0.1 * k], 3 * k);
      scene.scales.set([0.3, 0.3, 0.3], 3 * k);
      scene.opacities[k] = 0.9995;
    }
    const camera = smallCamera(IDENTITY_VIEW);
    const options: RenderOptions = { tileSize: 4 };
    const v = randomUpstream(makeRng(61), camera.width, camera.height, 0);
    delete (v as { features?: unknown }).features;
    const { state, output } = renderCpu(scene, camera, options);
    expect(Math.min(...output.alpha)).toBeLessThan(0.9);
    // Two clamped alphas leave T = 0.01^2 = 1e-4; the third splat is not composited.
    expect(output.alpha[5 * 16 + 8]).toBeCloseTo(0.9999, 6);
    const grads = renderCpuBackward(state, v);
    for (const key of ['means', 'quats', 'scales', 'opacities', 'colors', 'viewMatrix'] as const) {
      const fd = finiteDifferences(scene, camera, options, v, key, 1e-7);
      const analytic = key === 'viewMatrix' ? grads.viewMatrix : grads[key];
      const scale = Math.max(...Array.from(fd, Math.abs));
      let bad = 0;
      for (let j = 0; j < fd.length; j++) if (Math.abs(analytic[j] - fd[j]) > 1e-5 * scale) bad++;
      expect(bad / fd.length, key).toBeLessThanOrEqual(0.02);
    }
  });
});

describe('means2d gradient (densification signal)', () => {
  it('equals finite differences of the blended image w.r.t. the projected 2D means (rel 1e-6)', () => {
    const rng = makeRng(70);
    const scene = randomScene(rng, { n: 7, featureDim: 2 });
    const camera = smallCamera(randomView(rng));
    const v = randomUpstream(makeRng(71), camera.width, camera.height, 2);
    const { state } = renderCpu(scene, camera, SMOOTH);
    const grads = renderCpuBackward(state, v);
    const { splats, bins, channels } = state;
    const C = channels.count;
    // The same linear loss, taken on the raw (H, W, C) blend: [rgb, features, alpha, depth].
    const upstream = new Float64Array(camera.width * camera.height * C);
    for (let p = 0; p < camera.width * camera.height; p++) {
      upstream.set([v.rgb[3 * p], v.rgb[3 * p + 1], v.rgb[3 * p + 2], v.features[2 * p], v.features[2 * p + 1], v.alpha[p], v.depth[p]], p * C);
    }
    const loss = (means2d: Float64Array): number => {
      const img = rasterizeForward({ ...splats, means2d }, bins, camera.width, camera.height, channels, true);
      return img.reduce((s, x, j) => s + x * upstream[j], 0);
    };
    const fd = new Float64Array(splats.means2d.length);
    const h = 1e-6;
    for (let j = 0; j < fd.length; j++) {
      const plus = splats.means2d.slice();
      const minus = splats.means2d.slice();
      plus[j] += h;
      minus[j] -= h;
      fd[j] = (loss(plus) - loss(minus)) / (2 * h);
    }
    expect(relativeMaxError(grads.means2d, fd)).toBeLessThan(TOL);
  });
});
