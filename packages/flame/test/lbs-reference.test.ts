import { describe, expect, it } from 'vitest';
import { flameForwardCpu, yawToContourBin } from '../src/index.js';
import { apply, axisRotation, rotateAbout, row, tinyModel } from './tiny-model.js';

const close = (a: number[], b: number[], tol = 1e-6) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], -Math.log10(tol)));

describe('flameForwardCpu on a hand-built model (closed form)', () => {
  const m = tinyModel();
  const T = (i: number) => row(m.vTemplate, i);

  it('returns the template at zero parameters', () => {
    const out = flameForwardCpu(m);
    for (let v = 0; v < m.numVertices; v++) close(row(out.vertices, v), T(v), 1e-7);
  });

  it('rotates the jaw vertices by exactly the jaw rotation about the jaw joint, and nothing else', () => {
    const axis = [0.6, 0.8, 0], a = 0.4;
    const out = flameForwardCpu(m, { jawPose: axis.map((x) => x * a) });
    const R = axisRotation(axis, a);
    close(row(out.vertices, 5), rotateAbout(R, T(2), T(5)));
    for (const v of [0, 1, 2, 3, 4, 6, 7]) close(row(out.vertices, v), T(v));
    close(row(out.joints, 2), T(2));
  });

  it('moves everything rigidly by the global rotation about the root plus the translation', () => {
    const axis = [0, 0.6, -0.8], a = -1.1, t = [0.1, -0.2, 0.3];
    const out = flameForwardCpu(m, { rotation: axis.map((x) => x * a), translation: t });
    const R = axisRotation(axis, a);
    for (let v = 0; v < m.numVertices; v++) {
      const p = rotateAbout(R, T(0), T(v));
      close(row(out.vertices, v), [p[0] + t[0], p[1] + t[1], p[2] + t[2]]);
    }
  });

  it('composes the chain: a jaw vertex under neck and jaw rotations is J1 + Rn (J2 - J1 + Rj (v - J2))', () => {
    const Rn = axisRotation([1, 0, 0], 0.3), Rj = axisRotation([0, 0, 1], -0.5);
    const out = flameForwardCpu(m, { neckPose: [0.3, 0, 0], jawPose: [0, 0, -0.5] });
    const J1 = T(1), J2 = T(2), v = T(5);
    const inner = apply(Rj, [v[0] - J2[0], v[1] - J2[1], v[2] - J2[2]]);
    const expected = apply(Rn, [J2[0] - J1[0] + inner[0], J2[1] - J1[1] + inner[1], J2[2] - J1[2] + inner[2]]).map((x, i) => x + J1[i]);
    close(row(out.vertices, 5), expected);
    // The posed jaw joint is the neck-rotated jaw joint.
    close(row(out.joints, 2), rotateAbout(Rn, J1, J2));
    // The eye follows the neck only.
    close(row(out.vertices, 7), rotateAbout(Rn, J1, T(7)));
  });

  it('blends transforms linearly: a half-neck, half-jaw vertex lands midway', () => {
    const R = axisRotation([1, 0, 0], 0.7);
    const out = flameForwardCpu(m, { jawPose: [0.7, 0, 0] });
    const a = T(8), b = rotateAbout(R, T(2), T(8));
    close(row(out.vertices, 8), a.map((x, i) => 0.5 * (x + b[i])));
  });

  it('rotates the left eyeball about its own centre with eyesPose[0:3]', () => {
    const R = axisRotation([0, 1, 0], 0.25);
    const out = flameForwardCpu(m, { eyesPose: [0, 0.25, 0, 0, 0, 0] });
    close(row(out.vertices, 7), rotateAbout(R, T(3), T(7)));
  });

  it('applies expression blendshapes before skinning and regresses joints from the shaped mesh', () => {
    const V = 9;
    const dir = Array.from({ length: V * 3 }, (_, i) => (i % 7) * 0.001);
    const mm = tinyModel({ expression: [dir] });
    const R = axisRotation([1, 0, 0], 0.5);
    const out = flameForwardCpu(mm, { expression: [2], jawPose: [0.5, 0, 0] });
    const shaped = (v: number) => row(mm.vTemplate, v).map((x, c) => x + 2 * dir[v * 3 + c]);
    close(row(out.vertices, 5), rotateAbout(R, shaped(2), shaped(5)));
  });

  it('adds pose correctives from (R - I) of the non-global joints before skinning', () => {
    const V = 9;
    const posedirs = new Float32Array(V * 3 * 36);
    // Vertex 6 (on the neck) moves along +z by 0.01 per unit of the jaw's R[1][2] entry (feature 9 + 5).
    posedirs[(6 * 3 + 2) * 36 + 14] = 0.01;
    const mm = tinyModel({ posedirs });
    const a = 0.3;
    const out = flameForwardCpu(mm, { jawPose: [a, 0, 0] });
    const R = axisRotation([1, 0, 0], a);
    const expected = row(mm.vTemplate, 6);
    expected[2] += 0.01 * R[5];
    close(row(out.vertices, 6), expected);
  });

  it('interpolates landmarks with their barycentric coordinates on the posed mesh', () => {
    const out = flameForwardCpu(m, { jawPose: [0.4, 0, 0] });
    close(row(out.landmarks, 0), row(out.vertices, 5));
    const p = [0, 1, 2].map((c) => 0.2 * out.vertices[5 * 3 + c] + 0.3 * out.vertices[7 * 3 + c] + 0.5 * out.vertices[8 * 3 + c]);
    close(row(out.landmarks, 1), p);
  });

  it('rejects too many coefficients and wrongly sized poses, naming the argument', () => {
    expect(() => flameForwardCpu(m, { expression: [1] })).toThrow(/params\.expression.*at most 0/);
    expect(() => flameForwardCpu(m, { eyesPose: [0, 0, 0] })).toThrow(/params\.eyesPose must be 6 numbers/);
  });
});

describe('yawToContourBin', () => {
  it("maps yaw degrees to FLAME's 79 bins", () => {
    expect([0, 0.4, 12, 39, 39.6, 60].map(yawToContourBin)).toEqual([0, 0, 12, 39, 39, 39]);
    expect([-1, -10, -39, -39.4, -40, -90].map(yawToContourBin)).toEqual([40, 49, 78, 78, 78, 78]);
  });
});
