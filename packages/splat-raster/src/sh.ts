/**
 * Real spherical harmonics up to degree 3, as used by 3DGS for view-dependent colour.
 *
 * Shared by the CPU reference and the WebGPU kernels: the WGSL side should embed the
 * exported constants (e.g. via `shConstantsWgsl()`) so both evaluate the same numbers.
 *
 * Basis order and signs follow 3DGS (`utils/sh_utils.py`, `forward.cu` computeColorFromSH),
 * which in turn follows Plenoxels / PlenOctrees.
 * @see https://github.com/graphdeco-inria/gaussian-splatting
 *
 * API
 * - `SH_C0, SH_C1, SH_C2, SH_C3`: the normalisation constants.
 * - `shCoeffCount(degree)`: (degree + 1)^2.
 * - `rgbToShDc(rgb)`, `shDcToRgb(dc)`: degree-0 conversions (3DGS RGB2SH / SH2RGB).
 * - `shConstantsWgsl()`: the constants as WGSL `const` declarations.
 * - `shBasis(degree, dx, dy, dz, out)`: basis values Y_k(d) for a UNIT direction d.
 * - `shBasisVjp(degree, dx, dy, dz, vBasis, outDir)`: adds sum_k vBasis[k] dY_k/dd to outDir.
 * - `evalSh(degree, coeffs, offset, dx, dy, dz, out)`: out[c] = sum_k Y_k(d) coeffs[offset + 3k + c]
 *   (no +0.5 and no clamp; the rasterizers add those).
 */

/** Y_0^0 = 1 / (2 sqrt(pi)). */
export const SH_C0 = 0.28209479177387814;
/** sqrt(3) / (2 sqrt(pi)); degree-1 basis is C1 * (-y, z, -x). */
export const SH_C1 = 0.4886025119029199;
export const SH_C2: readonly number[] = [
  1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792,
  0.5462742152960396,
];
export const SH_C3: readonly number[] = [
  -0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154,
  -0.4570457994644658, 1.445305721320277, -0.5900435899266435,
];

/** Number of SH coefficients per colour channel for a degree: (degree + 1)^2. */
export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}

/** RGB value -> degree-0 SH coefficient that renders the same colour (3DGS `RGB2SH`). */
export function rgbToShDc(rgb: number): number {
  return (rgb - 0.5) / SH_C0;
}

/** Degree-0 SH coefficient -> RGB value before the clamp (3DGS `SH2RGB`). */
export function shDcToRgb(dc: number): number {
  return dc * SH_C0 + 0.5;
}

/** WGSL `const` declarations of the same constants, for the WebGPU kernels. */
export function shConstantsWgsl(): string {
  const f = (x: number): string => x.toPrecision(17);
  return [
    `const SH_C0: f32 = ${f(SH_C0)};`,
    `const SH_C1: f32 = ${f(SH_C1)};`,
    `const SH_C2 = array<f32, 5>(${SH_C2.map(f).join(', ')});`,
    `const SH_C3 = array<f32, 7>(${SH_C3.map(f).join(', ')});`,
  ].join('\n');
}

/**
 * Writes the (degree+1)^2 basis values at the unit direction (x, y, z) into `out`.
 */
export function shBasis(degree: number, x: number, y: number, z: number, out: Float64Array): void {
  out[0] = SH_C0;
  if (degree < 1) return;
  out[1] = -SH_C1 * y;
  out[2] = SH_C1 * z;
  out[3] = -SH_C1 * x;
  if (degree < 2) return;
  const xx = x * x;
  const yy = y * y;
  const zz = z * z;
  out[4] = SH_C2[0] * x * y;
  out[5] = SH_C2[1] * y * z;
  out[6] = SH_C2[2] * (2 * zz - xx - yy);
  out[7] = SH_C2[3] * x * z;
  out[8] = SH_C2[4] * (xx - yy);
  if (degree < 3) return;
  out[9] = SH_C3[0] * y * (3 * xx - yy);
  out[10] = SH_C3[1] * x * y * z;
  out[11] = SH_C3[2] * y * (4 * zz - xx - yy);
  out[12] = SH_C3[3] * z * (2 * zz - 3 * xx - 3 * yy);
  out[13] = SH_C3[4] * x * (4 * zz - xx - yy);
  out[14] = SH_C3[5] * z * (xx - yy);
  out[15] = SH_C3[6] * x * (xx - 3 * yy);
}

/**
 * Vector-Jacobian product of `shBasis` w.r.t. the direction: adds
 * sum_k vBasis[k] * dY_k/d(x, y, z) to outDir[0..2]. The direction is treated as a free
 * 3-vector (the caller differentiates the normalisation).
 */
export function shBasisVjp(
  degree: number,
  x: number,
  y: number,
  z: number,
  vBasis: ArrayLike<number>,
  outDir: Float64Array,
): void {
  if (degree < 1) return;
  let gx = -SH_C1 * vBasis[3];
  let gy = -SH_C1 * vBasis[1];
  let gz = SH_C1 * vBasis[2];
  if (degree >= 2) {
    const v4 = SH_C2[0] * vBasis[4];
    const v5 = SH_C2[1] * vBasis[5];
    const v6 = SH_C2[2] * vBasis[6];
    const v7 = SH_C2[3] * vBasis[7];
    const v8 = SH_C2[4] * vBasis[8];
    gx += v4 * y - 2 * x * v6 + v7 * z + 2 * x * v8;
    gy += v4 * x + v5 * z - 2 * y * v6 - 2 * y * v8;
    gz += v5 * y + 4 * z * v6 + v7 * x;
    if (degree >= 3) {
      const xx = x * x;
      const yy = y * y;
      const zz = z * z;
      const v9 = SH_C3[0] * vBasis[9];
      const v10 = SH_C3[1] * vBasis[10];
      const v11 = SH_C3[2] * vBasis[11];
      const v12 = SH_C3[3] * vBasis[12];
      const v13 = SH_C3[4] * vBasis[13];
      const v14 = SH_C3[5] * vBasis[14];
      const v15 = SH_C3[6] * vBasis[15];
      // d/dx, d/dy, d/dz of each polynomial above.
      gx +=
        v9 * 6 * x * y +
        v10 * y * z +
        v11 * -2 * x * y +
        v12 * -6 * x * z +
        v13 * (4 * zz - 3 * xx - yy) +
        v14 * 2 * x * z +
        v15 * (3 * xx - 3 * yy);
      gy +=
        v9 * (3 * xx - 3 * yy) +
        v10 * x * z +
        v11 * (4 * zz - xx - 3 * yy) +
        v12 * -6 * y * z +
        v13 * -2 * x * y +
        v14 * -2 * y * z +
        v15 * -6 * x * y;
      gz +=
        v10 * x * y +
        v11 * 8 * y * z +
        v12 * (6 * zz - 3 * xx - 3 * yy) +
        v13 * 8 * x * z +
        v14 * (xx - yy);
    }
  }
  outDir[0] += gx;
  outDir[1] += gy;
  outDir[2] += gz;
}

/**
 * Evaluates SH colour (without the 3DGS +0.5 offset and clamp) for one Gaussian whose
 * coefficients start at `offset` in layout (K, 3): coefficient k of channel c at
 * offset + 3k + c. The direction must be unit length.
 */
export function evalSh(
  degree: number,
  coeffs: ArrayLike<number>,
  offset: number,
  x: number,
  y: number,
  z: number,
  out: Float64Array,
): void {
  const basis = new Float64Array(16);
  shBasis(degree, x, y, z, basis);
  const k = shCoeffCount(degree);
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  for (let i = 0; i < k; i++) {
    out[0] += basis[i] * coeffs[offset + 3 * i];
    out[1] += basis[i] * coeffs[offset + 3 * i + 1];
    out[2] += basis[i] * coeffs[offset + 3 * i + 2];
  }
}
