/**
 * Forward behaviour of the CPU reference against hand-computed values.
 * Tolerances: 1e-6 absolute on float32 outputs unless stated.
 */

import { describe, expect, it } from 'vitest';
import {
  accumulateMeans2dGradNorms,
  createDensificationStats,
  meanMeans2dGradNorms,
  renderCpu,
  renderCpuBackward,
} from '../src/cpu/index.js';
import { SH_C0 } from '../src/sh.js';
import type { Camera, GaussianScene } from '../src/types.js';
import { IDENTITY_VIEW, makeRng, randomScene, randomView, smallCamera } from './cpu-util.js';

const W = 40;
const H = 32;
/** Identity pose, principal point on the centre of pixel (16, 16). */
const CAMERA: Camera = { viewMatrix: IDENTITY_VIEW, fx: 100, fy: 100, cx: 16.5, cy: 16.5, width: W, height: H };

function gaussians(list: { mean: number[]; scale: number; opacity: number; rgb: number[] }[]): GaussianScene {
  return {
    means: Float64Array.from(list.flatMap((g) => g.mean)),
    quats: Float64Array.from(list.flatMap(() => [1, 0, 0, 0])),
    scales: Float64Array.from(list.flatMap((g) => [g.scale, g.scale, g.scale])),
    opacities: Float64Array.from(list.map((g) => g.opacity)),
    colors: Float64Array.from(list.flatMap((g) => g.rgb)),
  };
}

const px = (x: number, y: number, c = 0, channels = 3): number => (y * W + x) * channels + c;

describe('renderCpu forward', () => {
  // Isotropic Gaussian of scale 0.1 at depth 2: 2D variance (100 * 0.1 / 2)^2 + 0.3 = 25.3 px^2.
  const VAR = 25.3;
  const single = gaussians([{ mean: [0, 0, 2], scale: 0.1, opacity: 0.8, rgb: [1, 0.5, 0.25] }]);

  it('renders an isotropic Gaussian with the analytic alpha at its centre and at an offset', () => {
    const { output } = renderCpu(single, CAMERA, { background: [0, 0, 1], tileSize: 8 });
    expect(output.alpha[16 * W + 16]).toBeCloseTo(0.8, 6);
    expect(output.rgb[px(16, 16, 0)]).toBeCloseTo(0.8, 6);
    expect(output.rgb[px(16, 16, 1)]).toBeCloseTo(0.4, 6);
    expect(output.rgb[px(16, 16, 2)]).toBeCloseTo(0.2 + 0.2, 6);
    expect(output.depth[16 * W + 16]).toBeCloseTo(1.6, 6);
    // Offset (3, -2) pixels: q = (9 + 4) / 25.3.
    const a = 0.8 * Math.exp((-0.5 * 13) / VAR);
    expect(output.alpha[14 * W + 19]).toBeCloseTo(a, 6);
    expect(output.rgb[px(19, 14, 0)]).toBeCloseTo(a, 6);
    expect(output.rgb[px(19, 14, 2)]).toBeCloseTo(0.25 * a + (1 - a), 6);
    expect(output.means2d[0]).toBeCloseTo(16.5, 6);
    expect(output.means2d[1]).toBeCloseTo(16.5, 6);
  });

  it('bounds the splat tightly by the 1/255 ellipse and reports radius ceil(sqrt(2 ln(255 o) var))', () => {
    const { output } = renderCpu(single, CAMERA, { tileSize: 8 });
    const d2 = 2 * Math.log(255 * 0.8);
    expect(output.radii[0]).toBe(Math.ceil(Math.sqrt(d2 * VAR)));
    expect(output.radii[0]).toBe(17);
    // dx = -16 (pixel 0, another tile): q = 256 / 25.3 < d2 -> alpha 0.8 e^{-q/2} >= 1/255 is drawn.
    expect(output.alpha[16 * W + 0]).toBeCloseTo(0.8 * Math.exp(-128 / VAR), 7);
    expect(output.alpha[16 * W + 0]).toBeGreaterThan(1 / 255);
    // dx = 17 (pixel 33): alpha would be 0.8 e^{-144.5/25.3} = 0.0026 < 1/255 -> skipped.
    expect(output.alpha[16 * W + 33]).toBe(0);
  });

  it('renders the same image for every tile size (tile lists are complete)', () => {
    const rng = makeRng(3);
    const scene = randomScene(rng, { n: 20, shDegree: 2 });
    const camera = smallCamera(randomView(rng));
    for (const antialiased of [false, true]) {
      const ref = renderCpu(scene, camera, { tileSize: 1, antialiased }).state.images;
      expect(Math.max(...ref.alpha)).toBeGreaterThan(0.5);
      for (const tileSize of [3, 4, 8, 16, 64]) {
        const img = renderCpu(scene, camera, { tileSize, antialiased }).state.images;
        expect(img.rgb).toEqual(ref.rgb);
        expect(img.depth).toEqual(ref.depth);
      }
    }
  });

  it('caps the radius of a splat wider than int32 range instead of wrapping', () => {
    const scene = gaussians([{ mean: [0, 0, 0.02], scale: 1e8, opacity: 0.9, rgb: [1, 1, 1] }]);
    const { output } = renderCpu(scene, CAMERA);
    expect(output.radii[0]).toBe(2 ** 31 - 1);
    expect(output.alpha[0]).toBeCloseTo(0.9, 6);
  });

  it('renders a Gaussian behind the camera as nothing (radius 0)', () => {
    const scene = gaussians([{ mean: [0, 0, -2], scale: 0.5, opacity: 0.9, rgb: [1, 1, 1] }]);
    const { output } = renderCpu(scene, CAMERA, { background: [0.1, 0.2, 0.3] });
    expect(output.radii[0]).toBe(0);
    expect(Math.max(...output.alpha)).toBe(0);
    expect(output.rgb[px(16, 16, 2)]).toBeCloseTo(0.3, 7);
  });

  it('culls Gaussians at or before the near plane and beyond the far plane', () => {
    const scene = gaussians([
      { mean: [0, 0, 0.5], scale: 0.1, opacity: 0.9, rgb: [1, 1, 1] },
      { mean: [0, 0, 20], scale: 0.1, opacity: 0.9, rgb: [1, 1, 1] },
      { mean: [0, 0, 5], scale: 0.1, opacity: 0.9, rgb: [1, 1, 1] },
    ]);
    const { output } = renderCpu(scene, { ...CAMERA, near: 0.5, far: 10 });
    expect(Array.from(output.radii).map((r) => r > 0)).toEqual([false, false, true]);
  });

  it('culls splats off screen and splats with opacity below 1/255', () => {
    const scene = gaussians([
      { mean: [3, 0, 2], scale: 0.05, opacity: 0.9, rgb: [1, 1, 1] }, // u = 166.5, far right
      { mean: [0, 0, 2], scale: 0.1, opacity: 0.003, rgb: [1, 1, 1] },
    ]);
    const { output } = renderCpu(scene, CAMERA);
    expect(Array.from(output.radii)).toEqual([0, 0]);
    expect(Math.max(...output.alpha)).toBe(0);
  });

  it('composites two overlapping Gaussians front to back by depth, not by array order', () => {
    const red = { scale: 0.1, opacity: 0.6, rgb: [1, 0, 0] };
    const blue = { scale: 0.1, opacity: 0.7, rgb: [0, 0, 1] };
    const redFront = gaussians([
      { ...red, mean: [0, 0, 2] },
      { ...blue, mean: [0, 0, 3] },
    ]);
    const blueFront = gaussians([
      { ...red, mean: [0, 0, 3] },
      { ...blue, mean: [0, 0, 2] },
    ]);
    // Centre pixel: both Gaussians have g = 1 there.
    const a = renderCpu(redFront, CAMERA).output;
    expect(a.rgb[px(16, 16, 0)]).toBeCloseTo(0.6, 6);
    expect(a.rgb[px(16, 16, 2)]).toBeCloseTo(0.4 * 0.7, 6);
    expect(a.depth[16 * W + 16]).toBeCloseTo(0.6 * 2 + 0.4 * 0.7 * 3, 6);
    const b = renderCpu(blueFront, CAMERA).output;
    expect(b.rgb[px(16, 16, 0)]).toBeCloseTo(0.3 * 0.6, 6);
    expect(b.rgb[px(16, 16, 2)]).toBeCloseTo(0.7, 6);
    expect(a.alpha[16 * W + 16]).toBeCloseTo(1 - 0.4 * 0.3, 6);
    expect(b.alpha[16 * W + 16]).toBeCloseTo(1 - 0.4 * 0.3, 6);
  });

  it('composites the background with the final transmittance (alpha + T = 1)', () => {
    const rng = makeRng(5);
    const scene = randomScene(rng, { n: 12 });
    scene.colors.fill(0);
    const bg: [number, number, number] = [0.3, 0.6, 0.9];
    const camera = smallCamera();
    const { output } = renderCpu(scene, camera, { background: bg });
    let covered = 0;
    for (let p = 0; p < camera.width * camera.height; p++) {
      const T = 1 - output.alpha[p];
      for (let c = 0; c < 3; c++) expect(output.rgb[3 * p + c]).toBeCloseTo(T * bg[c], 6);
      if (output.alpha[p] > 0.1) covered++;
    }
    expect(covered).toBeGreaterThan(20);
  });

  it('clamps alpha at 0.99 and stops when transmittance would fall below 1e-4', () => {
    // Three opaque splats: T = 0.01 after one, 1e-4 after two; the third is not drawn.
    const opaque = (z: number, rgb: number[]) => ({ mean: [0, 0, z], scale: 0.3, opacity: 1, rgb });
    const scene = gaussians([opaque(2, [1, 0, 0]), opaque(3, [0, 1, 0]), opaque(4, [0, 0, 1])]);
    const { output } = renderCpu(scene, CAMERA);
    const p = 16 * W + 16;
    expect(output.alpha[p]).toBeCloseTo(1 - 1e-4, 7);
    expect(output.rgb[3 * p]).toBeCloseTo(0.99, 6);
    expect(output.rgb[3 * p + 1]).toBeCloseTo(0.0099, 6);
    expect(output.rgb[3 * p + 2]).toBe(0);
  });

  it('evaluates SH colours with +0.5 and clamps negative colours at 0', () => {
    const scene: GaussianScene = {
      ...gaussians([{ mean: [0, 0, 2], scale: 0.1, opacity: 0.5, rgb: [] }]),
      colors: Float64Array.from([1, -3, 0]),
      shDegree: 0,
    };
    const { output } = renderCpu(scene, CAMERA);
    expect(output.rgb[px(16, 16, 0)]).toBeCloseTo(0.5 * (SH_C0 + 0.5), 6);
    expect(output.rgb[px(16, 16, 1)]).toBe(0);
    expect(output.rgb[px(16, 16, 2)]).toBeCloseTo(0.25, 6);
  });

  it('evaluates degree-1 SH in the direction from the camera centre to the mean', () => {
    // Camera at world (0, 0, -1) looking down +z; Gaussian at (0, 0, 1): direction +z,
    // so only the z basis function C1 * z counts (coefficient 2, channel 0 -> 0.5 + 2 C1).
    const view = IDENTITY_VIEW.slice();
    view[14] = 1;
    const scene: GaussianScene = {
      ...gaussians([{ mean: [0, 0, 1], scale: 0.1, opacity: 0.5, rgb: [] }]),
      colors: Float64Array.from([0, 0, 0, 5, 5, 5, 2, 0, 0, 5, 5, 5]),
      shDegree: 1,
    };
    const { output } = renderCpu(scene, { ...CAMERA, viewMatrix: view });
    expect(output.rgb[px(16, 16, 0)]).toBeCloseTo(0.5 * (0.5 + 2 * 0.4886025119029199), 6);
    expect(output.rgb[px(16, 16, 1)]).toBeCloseTo(0.25, 6);
  });

  it('multiplies opacity by sqrt(det(S) / det(S + 0.3 I)) in antialiased mode', () => {
    const { output } = renderCpu(single, CAMERA, { antialiased: true });
    const comp = Math.sqrt((25 * 25) / (VAR * VAR));
    expect(output.alpha[16 * W + 16]).toBeCloseTo(0.8 * comp, 6);
  });

  it('blends feature channels like colour, over the feature background', () => {
    const scene: GaussianScene = { ...single, features: Float64Array.from([2, -1, 0.5, 7]), featureDim: 4 };
    const { output } = renderCpu(scene, CAMERA, { featureBackground: [1, 1, 0, -2] });
    const f = (c: number): number => output.features![(16 * W + 16) * 4 + c];
    expect(output.features!.length).toBe(W * H * 4);
    expect([f(0), f(1), f(2), f(3)].map((x) => Number(x.toFixed(5)))).toEqual([1.8, -0.6, 0.4, 5.2]);
  });
});

describe('densification statistics', () => {
  it('averages |dL/dmeans2d| scaled to NDC over the views where a Gaussian was visible', () => {
    const scene = gaussians([
      { mean: [0, 0, 2], scale: 0.1, opacity: 0.8, rgb: [1, 1, 1] },
      { mean: [0, 0, -2], scale: 0.1, opacity: 0.8, rgb: [1, 1, 1] },
    ]);
    const { output, state } = renderCpu(scene, CAMERA);
    const upstream = new Float64Array(W * H * 3);
    upstream[px(19, 16, 0)] = 1; // pull on one pixel right of the centre
    const grads = renderCpuBackward(state, { rgb: upstream });
    expect(grads.means2d[0]).not.toBe(0);
    const stats = createDensificationStats(2);
    accumulateMeans2dGradNorms(stats, grads, output.radii, { width: W, height: H });
    accumulateMeans2dGradNorms(stats, grads, output.radii, { width: W, height: H });
    const expected = Math.hypot(grads.means2d[0] * (W / 2), grads.means2d[1] * (H / 2));
    expect(Array.from(stats.count)).toEqual([2, 0]);
    expect(meanMeans2dGradNorms(stats)[0]).toBeCloseTo(expected, 12);
    expect(meanMeans2dGradNorms(stats)[1]).toBe(0);
    // One pixel only: the absolute per-pixel sum equals the absolute gradient.
    expect(grads.means2dAbs[0]).toBeCloseTo(Math.abs(grads.means2d[0]), 12);
  });
});
