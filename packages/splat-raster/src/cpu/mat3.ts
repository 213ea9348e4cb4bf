/**
 * Tiny 3x3 / 2x2 helpers for the CPU reference. Matrices are row-major `number[]`
 * (m[r * 3 + c]); clarity over speed.
 */

export type Mat3 = number[];

export function mat3Mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
    }
  }
  return out;
}

export function mat3Transpose(a: Mat3): Mat3 {
  return [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
}

/** a * b^T */
export function mat3MulT(a: Mat3, b: Mat3): Mat3 {
  return mat3Mul(a, mat3Transpose(b));
}

/** a^T * b */
export function mat3TMul(a: Mat3, b: Mat3): Mat3 {
  return mat3Mul(mat3Transpose(a), b);
}

export function mat3Det(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

export function mat3Inverse(m: Mat3): Mat3 {
  const det = mat3Det(m);
  const inv = [
    m[4] * m[8] - m[5] * m[7],
    m[2] * m[7] - m[1] * m[8],
    m[1] * m[5] - m[2] * m[4],
    m[5] * m[6] - m[3] * m[8],
    m[0] * m[8] - m[2] * m[6],
    m[2] * m[3] - m[0] * m[5],
    m[3] * m[7] - m[4] * m[6],
    m[1] * m[6] - m[0] * m[7],
    m[0] * m[4] - m[1] * m[3],
  ];
  return inv.map((x) => x / det);
}

export function mat3Vec(m: Mat3, v: ArrayLike<number>): [number, number, number] {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** m^T v */
export function mat3TVec(m: Mat3, v: ArrayLike<number>): [number, number, number] {
  return [
    m[0] * v[0] + m[3] * v[1] + m[6] * v[2],
    m[1] * v[0] + m[4] * v[1] + m[7] * v[2],
    m[2] * v[0] + m[5] * v[1] + m[8] * v[2],
  ];
}

/** Adds s * (a b^T) (outer product) to m in place. */
export function addOuter(m: Mat3, a: ArrayLike<number>, b: ArrayLike<number>, s = 1): void {
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m[r * 3 + c] += s * a[r] * b[c];
}

/**
 * Rotation block R and translation t of a column-major 4x4 world-to-camera matrix
 * (element (r, c) at index c * 4 + r), as row-major R.
 */
export function splitViewMatrix(view: ArrayLike<number>): { R: Mat3; t: [number, number, number] } {
  const R: Mat3 = [view[0], view[4], view[8], view[1], view[5], view[9], view[2], view[6], view[10]];
  return { R, t: [view[12], view[13], view[14]] };
}

/** Inverse of `splitViewMatrix` for gradients: packs dL/dR (row-major) and dL/dt into 16 column-major entries. */
export function packViewMatrixGrad(vR: Mat3, vt: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[c * 4 + r] = vR[r * 3 + c];
    out[12 + r] = vt[r];
  }
  return out;
}
