import { axisAngleToMatrix, defineOp, matmul, tensor, type Tensor } from '@headsplat/core';
import { reshape } from './core-shims.js';

/**
 * Axis-angle -> rotation matrix, (..., 3) -> (..., 3, 3): core's `axisAngleToMatrix` wherever
 * it runs; on a device without the Unary (sin/cos) kernel yet (the CPU backend while core's
 * unary ops are being written) a host implementation of the same formula whose backward is
 * the analytic Jacobian applied with a matmul (first-order only). Remove the fallback once
 * core's CPU backend registers Unary.
 */
export function axisAngleToRotation(v: Tensor): Tensor {
  try {
    return axisAngleToMatrix(v);
  } catch (e) {
    if (!(e instanceof Error && /no kernel registered/.test(e.message)) || v.device !== 'cpu') throw e;
  }
  return hostRodrigues(v);
}

function hostRodrigues(v: Tensor): Tensor {
  const lead = v.shape.slice(0, -1);
  const n = v.size / 3;
  const src = v.dataSync();
  const R = new Float64Array(n * 9);
  const Jac = new Float64Array(n * 27);
  for (let i = 0; i < n; i++) rodriguesWithJacobian(src[i * 3], src[i * 3 + 1], src[i * 3 + 2], R, Jac, i);
  const cast = (a: Float64Array) => (v.dtype === 'float64' ? a : Float32Array.from(a));
  const jacT = tensor(cast(Jac), { shape: [n, 9, 3], dtype: v.dtype, device: v.device });
  const op = defineOp({
    name: 'flame.rodrigues',
    forward: (_ctx, _x: Tensor) => tensor(cast(R), { shape: [...lead, 3, 3], dtype: v.dtype, device: v.device }),
    backward: (_ctx, g) => [reshape(matmul(reshape(g!, [n, 1, 9]), jacT), [...lead, 3])],
  });
  return op(v) as Tensor;
}

/**
 * R = I + A K + B (v vᵀ − θ² I) (K = [v]×, A = sin θ/θ, B = (1 − cos θ)/θ²) and dR/dv, written
 * to R[i*9..] and J[i*27..] (row-major (9, 3)); Taylor series of A and B below θ² = 1e-6.
 */
function rodriguesWithJacobian(x: number, y: number, z: number, R: Float64Array, J: Float64Array, i: number): void {
  const v = [x, y, z];
  const t2 = x * x + y * y + z * z;
  let A: number, B: number, dA: number, dB: number; // dA, dB: d/dv_k = dA * v_k
  if (t2 < 1e-6) {
    A = 1 - t2 / 6 + (t2 * t2) / 120;
    B = 0.5 - t2 / 24 + (t2 * t2) / 720;
    dA = -1 / 3 + t2 / 30;
    dB = -1 / 12 + t2 / 180;
  } else {
    const t = Math.sqrt(t2), s = Math.sin(t), c = Math.cos(t);
    A = s / t;
    B = (1 - c) / t2;
    dA = (t * c - s) / (t2 * t);
    dB = (t * s - 2 * (1 - c)) / (t2 * t2);
  }
  const K = [0, -z, y, z, 0, -x, -y, x, 0];
  // dK/dv_k as 9-vectors.
  const dK = [
    [0, 0, 0, 0, 0, -1, 0, 1, 0],
    [0, 0, 1, 0, 0, 0, -1, 0, 0],
    [0, -1, 0, 1, 0, 0, 0, 0, 0],
  ];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const e = r * 3 + c;
      const d = r === c ? 1 : 0;
      const q = v[r] * v[c] - t2 * d;
      R[i * 9 + e] = d + A * K[e] + B * q;
      for (let k = 0; k < 3; k++) {
        const dq = (r === k ? v[c] : 0) + (c === k ? v[r] : 0) - 2 * v[k] * d;
        J[i * 27 + e * 3 + k] = dA * v[k] * K[e] + A * dK[k][e] + dB * v[k] * q + B * dq;
      }
    }
  }
}
