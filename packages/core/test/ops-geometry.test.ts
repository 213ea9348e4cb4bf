import { describe, expect, it } from 'vitest';
import { applyMatrix, axisAngleToMatrix, cross, matmul3x3, normalize, quaternionToMatrix, rand, tensor, zeros } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

const refCross = (a: number[], b: number[]): number[] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

function refMat3(a: number[], b: number[]): number[] {
  const c: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) c.push(a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j]);
  return c;
}

/** Rotation of angle θ about a unit axis via the quaternion (cos θ/2, sin θ/2 · axis), written out. */
function refAxisAngle(v: number[]): number[] {
  const t = Math.hypot(v[0], v[1], v[2]);
  if (t === 0) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [x, y, z] = v.map((c) => c / t);
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  return [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ];
}

describeBackends('geometry', ({ device, tol }) => {
  it('cross matches the component formula with broadcasting', async () => {
    const a = rand([4, 3], { seed: 1, device, low: -1, high: 1 });
    const b = rand([3], { seed: 2, device, low: -1, high: 1 });
    const [av, bv] = [await values(a), await values(b)];
    const want = [0, 1, 2, 3].flatMap((i) => refCross(av.slice(i * 3, i * 3 + 3), bv));
    expectClose(await values(cross(a, b)), want, tol * 4, tol * 4);
    expect(await values(cross(tensor([1, 0, 0], { device }), tensor([0, 1, 0], { device })))).toEqual([0, 0, 1]);
  });

  it('normalize divides by the L2 norm along an axis and maps 0 to 0', async () => {
    const x = tensor([[3, 4], [0, 0]], { device });
    expectClose(await values(normalize(x)), [0.6, 0.8, 0, 0], tol);
    expectClose(await values(normalize(tensor([[3, 1], [4, 0]], { device }), { axis: 0 })), [0.6, 1, 0.8, 0], tol);
    // Below eps the divisor is eps (F.normalize): 1e-3 / 1e-2.
    expectClose(await values(normalize(tensor([1e-3, 0], { device }), { eps: 1e-2 })), [0.1, 0], tol);
  });

  it('quaternionToMatrix: identity, 90° about z, and any norm', async () => {
    expectClose(await values(quaternionToMatrix(tensor([1, 0, 0, 0], { device }))), [1, 0, 0, 0, 1, 0, 0, 0, 1], tol);
    const h = Math.SQRT1_2;
    const rz = [0, -1, 0, 1, 0, 0, 0, 0, 1];
    expectClose(await values(quaternionToMatrix(tensor([[h, 0, 0, h], [3 * h, 0, 0, 3 * h]], { device }))), [...rz, ...rz], tol * 4);
  });

  it('axisAngleToMatrix matches the closed form, including θ = 0 and the Taylor region', async () => {
    const vs = [[0, 0, 0], [1e-3, -2e-3, 5e-4], [0.3, -0.2, 0.9], [0, 0, Math.PI / 2], [2, 1, -1]];
    const R = axisAngleToMatrix(tensor(vs, { device }));
    expect(R.shape).toEqual([5, 3, 3]);
    expectClose(await values(R), vs.flatMap(refAxisAngle), tol * 4, tol * 4);
  });

  it('axis-angle and quaternion agree; rotations are orthonormal', async () => {
    const v = rand([6, 3], { seed: 3, device, low: -2, high: 2 });
    const vv = await values(v);
    const q: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [x, y, z] = vv.slice(i * 3, i * 3 + 3);
      const t = Math.hypot(x, y, z);
      const s = Math.sin(t / 2) / t;
      q.push(2 * Math.cos(t / 2), 2 * s * x, 2 * s * y, 2 * s * z); // norm 2 on purpose
    }
    const R = await values(axisAngleToMatrix(v));
    expectClose(await values(quaternionToMatrix(tensor(q, { shape: [6, 4], device }))), R, tol * 10, tol * 10);
    for (let i = 0; i < 6; i++) {
      const m = R.slice(i * 9, i * 9 + 9);
      const mt = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
      expectClose(refMat3(m, mt), [1, 0, 0, 0, 1, 0, 0, 0, 1], tol * 10, tol * 10);
    }
  });

  it('matmul3x3 and applyMatrix match the 3x3 loops with broadcasting', async () => {
    const a = rand([5, 3, 3], { seed: 4, device });
    const b = rand([3, 3], { seed: 5, device });
    const v = rand([5, 3], { seed: 6, device });
    const [av, bv, vv] = [await values(a), await values(b), await values(v)];
    expectClose(await values(matmul3x3(a, b)), [0, 1, 2, 3, 4].flatMap((i) => refMat3(av.slice(i * 9, i * 9 + 9), bv)), tol * 4, tol * 4);
    const want = [0, 1, 2, 3, 4].flatMap((i) => [0, 1, 2].map((r) => av[i * 9 + r * 3] * vv[i * 3] + av[i * 9 + r * 3 + 1] * vv[i * 3 + 1] + av[i * 9 + r * 3 + 2] * vv[i * 3 + 2]));
    expectClose(await values(applyMatrix(a, v)), want, tol * 4, tol * 4);
  });

  it('rejects wrong last dimensions', () => {
    expect(() => cross(zeros([2, 4], { device }), zeros([2, 3], { device }))).toThrow(/cross: a must be a tensor of shape \[\.\.\., 3\]/);
    expect(() => quaternionToMatrix(zeros([3], { device }))).toThrow(/q must be a tensor of shape \[\.\.\., 4\]/);
    expect(() => axisAngleToMatrix(zeros([2, 2], { device }))).toThrow(/v must be a tensor of shape \[\.\.\., 3\]/);
    expect(() => matmul3x3(zeros([2, 3], { device }), zeros([3, 3], { device }))).toThrow(/matmul3x3: a must be a tensor of shape \[\.\.\., 3, 3\]/);
    expect(() => normalize(zeros([2, 3], { device }), { axis: 2 })).toThrow(/options.axis/);
  });
});

describe('geometry gradients, float64 finite differences [cpu]', () => {
  const r64 = (shape: number[], seed: number, low = -1, high = 1) => rand(shape, { seed, dtype: 'float64', low, high }).requiresGrad_();
  it('cross, normalize (last and inner axis), matmul3x3, applyMatrix', () => {
    expect(gradcheck((a, b) => cross(a, b), [r64([4, 3], 1), r64([4, 3], 2)])).toBe(true);
    expect(gradcheck((a) => normalize(a), [r64([3, 4], 3)])).toBe(true);
    expect(gradcheck((a) => normalize(a, { axis: 0 }), [r64([3, 4], 4)])).toBe(true);
    expect(gradcheck((a, b) => matmul3x3(a, b), [r64([2, 3, 3], 5), r64([3, 3], 6)])).toBe(true);
    expect(gradcheck((m, v) => applyMatrix(m, v), [r64([2, 3, 3], 7), r64([2, 3], 8)])).toBe(true);
  });

  it('quaternionToMatrix at arbitrary norms', () => {
    expect(gradcheck((q) => quaternionToMatrix(q), [r64([3, 4], 9, 0.2, 1.5)])).toBe(true);
  });

  it('axisAngleToMatrix: generic, near zero (Taylor) and exactly at zero', () => {
    expect(gradcheck((v) => axisAngleToMatrix(v), [r64([3, 3], 10, -2, 2)])).toBe(true);
    expect(gradcheck((v) => axisAngleToMatrix(v), [tensor([[1e-3, -2e-3, 4e-3], [0.009, 0.001, 0.002]], { dtype: 'float64' }).requiresGrad_()])).toBe(true);
    const v0 = tensor([0, 0, 0], { dtype: 'float64' }).requiresGrad_();
    expect(gradcheck((v) => axisAngleToMatrix(v), [v0])).toBe(true);
    // At 0, dR/dv_k = [e_k]× exactly: check the finite gradient against it.
    const g = tensor([0, 1, 0, 0, 0, 0, 0, 0, 0], { shape: [3, 3], dtype: 'float64' }); // picks R[0][1] = -v_z + O(θ²)
    const v = tensor([0, 0, 0], { dtype: 'float64' }).requiresGrad_();
    axisAngleToMatrix(v).backward(g);
    expect(Array.from(v.grad!.dataSync())).toEqual([0, 0, -1]);
  });
});
