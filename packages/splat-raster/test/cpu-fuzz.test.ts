/**
 * Seeded NaN fuzz of the CPU reference: hostile but valid scenes must give finite
 * images and finite gradients (brush-style fuzz suite).
 */

import { describe, expect, it } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import type { GaussianScene, RenderOptions } from '../src/types.js';
import { allFinite, makeRng, randomScene, randomUpstream, randomView, smallCamera, uniform } from './cpu-util.js';

type Mutator = (scene: GaussianScene, rng: () => number) => void;

const CASES: Record<string, Mutator> = {
  'degenerate scales (zero and 1e-12 axes)': (s, rng) => {
    for (let j = 0; j < s.scales.length; j++) {
      const r = rng();
      if (r < 0.3) s.scales[j] = 0;
      else if (r < 0.6) s.scales[j] = 1e-12;
    }
  },
  'all-zero scales (points)': (s) => s.scales.fill(0),
  'huge splats (scale 1e3 to 1e6)': (s, rng) => {
    for (let j = 0; j < s.scales.length; j++) s.scales[j] = 10 ** uniform(rng, 3, 6);
  },
  'huge splats at the near plane': (s) => {
    for (let i = 0; i < s.opacities.length; i++) s.means[3 * i + 2] = 0.0101;
    s.scales.fill(1e6);
  },
  'needle splats (1e-8 x 1e4)': (s) => {
    for (let i = 0; i < s.scales.length / 3; i++) s.scales.set([1e-8, 1e-8, 1e4], 3 * i);
  },
  'opacity near and at 1 and 0': (s, rng) => {
    for (let i = 0; i < s.opacities.length; i++) s.opacities[i] = [1, 1 - 1e-12, 0.9999, 0, 1e-9][Math.floor(rng() * 5)];
  },
  'many Gaussians on one pixel': (s) => {
    for (let i = 0; i < s.opacities.length; i++) s.means.set([0.001 * i, -0.001 * i, 2 + 0.01 * i], 3 * i);
  },
  'Gaussians just past the near plane and far off axis': (s, rng) => {
    for (let i = 0; i < s.opacities.length; i++) {
      s.means.set([uniform(rng, -50, 50), uniform(rng, -50, 50), 0.0100001 + rng() * 1e-3], 3 * i);
    }
  },
  'identical depths': (s) => {
    for (let i = 0; i < s.opacities.length; i++) s.means[3 * i + 2] = 3;
  },
  'tiny and huge quaternion norms': (s, rng) => {
    for (let j = 0; j < s.quats.length; j++) s.quats[j] *= rng() < 0.5 ? 1e-30 : 1e30;
  },
};

describe('renderCpu / renderCpuBackward stay finite on hostile scenes', () => {
  for (const [name, mutate] of Object.entries(CASES)) {
    it(`with ${name}`, () => {
      for (let seed = 0; seed < 4; seed++) {
        const rng = makeRng(1000 + seed);
        const scene = randomScene(rng, { n: 60, shDegree: 3, featureDim: 2 });
        mutate(scene, rng);
        const camera = smallCamera(randomView(rng));
        for (const options of [{ antialiased: seed % 2 === 1, tileSize: 4 }, { smoothCutoff: true }] as RenderOptions[]) {
          const { output, state } = renderCpu(scene, camera, options);
          expect(allFinite(output.rgb, output.alpha, output.depth, output.features, output.means2d), 'forward').toBe(true);
          expect(Math.min(...output.alpha)).toBeGreaterThanOrEqual(0);
          expect(Math.min(...output.radii)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...output.alpha)).toBeLessThanOrEqual(1);
          const g = renderCpuBackward(state, randomUpstream(rng, camera.width, camera.height, 2));
          expect(
            allFinite(g.means, g.quats, g.scales, g.opacities, g.colors, g.features, g.viewMatrix, g.means2d, g.means2dAbs),
            'backward',
          ).toBe(true);
        }
      }
    });
  }
});
