/**
 * The FLAME mode's Gaussians (Node, no browser): the binding reproduces the samples at rest,
 * the Gaussians stay in their posed triangles' planes and follow the jaw and the head pose,
 * and rotations convert exactly to quaternions.
 */
import { flameForwardCpu, rodrigues, sampleSurface } from '@headsplat/flame';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindFlameGaussians, NEUTRAL_CONTROLS, poseFlameGaussians, quatFromMatrix, type FlameGaussians } from '../src/flame-scene.js';

/** Row-major rotation of a (w, x, y, z) quaternion. */
function matFromQuat([w, x, y, z]: number[]): number[] {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

describe('FLAME-bound Gaussians', () => {
  let g: FlameGaussians;
  beforeAll(() => {
    g = bindFlameGaussians(3000, 5);
  });

  it('converts rotation matrices to unit quaternions that rebuild them (all four branches of Shepperd)', () => {
    const axes = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.3, -0.5, 0.8]];
    for (const axis of axes) {
      for (const angle of [0.1, 1.5, 3.1, -2.9]) {
        const n = Math.hypot(...axis);
        const R = Array.from(rodrigues(axis.map((a) => (a / n) * angle)));
        const q = quatFromMatrix(R);
        expect(Math.hypot(...q)).toBeCloseTo(1, 9);
        const back = matFromQuat(q);
        for (let k = 0; k < 9; k++) expect(back[k]).toBeCloseTo(R[k], 9);
      }
    }
  });

  it('puts every Gaussian back on its sample at rest, as a disk in its triangle', () => {
    const rest = flameForwardCpu(g.model, {}).vertices;
    const samples = sampleSurface(rest, g.model.faces, 3000, 5);
    const posed = poseFlameGaussians(g, NEUTRAL_CONTROLS);
    let worst = 0;
    for (let i = 0; i < 3 * 3000; i++) worst = Math.max(worst, Math.abs(posed.means[i] - samples.points[i]));
    expect(worst).toBeLessThan(1e-5);
    // The thin axis of each disk (local y) is its triangle's normal.
    for (let i = 0; i < 3000; i += 97) {
      const f = g.binding[i];
      const R = matFromQuat(Array.from(posed.quats.subarray(4 * i, 4 * i + 4)));
      for (let r = 0; r < 3; r++) expect(R[3 * r + 1]).toBeCloseTo(posed.frames.rotations[9 * f + 3 * r + 1], 5);
      expect(posed.scales[3 * i + 1]).toBeLessThan(0.2 * posed.scales[3 * i]);
    }
  });

  it('keeps the Gaussians in their posed triangles when the jaw opens, and moves the chin down, not the forehead', () => {
    const rest = poseFlameGaussians(g, NEUTRAL_CONTROLS);
    const open = poseFlameGaussians(g, { ...NEUTRAL_CONTROLS, jawOpen: 1, jawPose: 0.25 });
    let worstPlane = 0;
    let lowest = 0;
    let highest = 0;
    for (let i = 1; i < 3000; i++) {
      if (rest.means[3 * i + 1] < rest.means[3 * lowest + 1] && rest.means[3 * i + 2] > 0) lowest = i;
      if (rest.means[3 * i + 1] > rest.means[3 * highest + 1]) highest = i;
    }
    for (let i = 0; i < 3000; i++) {
      const f = g.binding[i];
      // Distance of the mean from its posed triangle's plane (normal = second frame axis).
      let d = 0;
      for (let r = 0; r < 3; r++) d += (open.means[3 * i + r] - open.frames.centroids[3 * f + r]) * open.frames.rotations[9 * f + 3 * r + 1];
      worstPlane = Math.max(worstPlane, Math.abs(d));
    }
    expect(worstPlane).toBeLessThan(1e-5);
    // Front-facing Gaussians of the lower face go down on average; the top of the head stays.
    const chinIdx = [...Array(3000).keys()]
      .filter((i) => rest.means[3 * i + 2] > 0)
      .sort((a, b) => rest.means[3 * a + 1] - rest.means[3 * b + 1]);
    const moved = (i: number): number => Math.hypot(...[0, 1, 2].map((c) => open.means[3 * i + c] - rest.means[3 * i + c]));
    const yDrop = (i: number): number => rest.means[3 * i + 1] - open.means[3 * i + 1];
    const headTop = rest.means[3 * highest + 1];
    const headBottom = rest.means[3 * lowest + 1];
    const lowerFace = chinIdx.filter((i) => rest.means[3 * i + 1] < headBottom + 0.45 * (headTop - headBottom) && rest.means[3 * i + 1] > headBottom + 0.2 * (headTop - headBottom));
    const drop = lowerFace.reduce((a, i) => a + yDrop(i), 0) / lowerFace.length;
    expect(lowerFace.length).toBeGreaterThan(20);
    expect(drop).toBeGreaterThan(0);
    expect(moved(highest)).toBeLessThan(0.05 * drop + 1e-6);
  });

  it('turns the head with the yaw control: the face moves towards +x for a positive yaw', () => {
    const rest = poseFlameGaussians(g, NEUTRAL_CONTROLS);
    const turned = poseFlameGaussians(g, { ...NEUTRAL_CONTROLS, headYaw: 0.5 });
    let front = 0;
    for (let i = 1; i < 3000; i++) if (rest.means[3 * i + 2] > rest.means[3 * front + 2]) front = i;
    expect(turned.means[3 * front]).toBeGreaterThan(rest.means[3 * front] + 0.2 * Math.abs(rest.means[3 * front + 2]));
  });
});
