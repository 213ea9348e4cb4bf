/**
 * Spherical-harmonic constants and basis (src/sh.ts), shared by the CPU and WebGPU paths.
 */

import { describe, expect, it } from 'vitest';
import { SH_C0, SH_C1, SH_C2, SH_C3, evalSh, shBasis, shBasisVjp, shConstantsWgsl } from '../src/sh.js';

describe('spherical harmonics', () => {
  it('uses the closed-form normalisation constants', () => {
    const pi = Math.PI;
    expect(SH_C0).toBeCloseTo(1 / (2 * Math.sqrt(pi)), 15);
    expect(SH_C1).toBeCloseTo(Math.sqrt(3) / (2 * Math.sqrt(pi)), 15);
    expect(SH_C2[0]).toBeCloseTo(Math.sqrt(15) / (2 * Math.sqrt(pi)), 14);
    expect(SH_C2[2]).toBeCloseTo(Math.sqrt(5) / (4 * Math.sqrt(pi)), 14);
    expect(SH_C2[4]).toBeCloseTo(Math.sqrt(15) / (4 * Math.sqrt(pi)), 14);
    expect(SH_C3[1]).toBeCloseTo(Math.sqrt(105) / (2 * Math.sqrt(pi)), 14);
    expect(SH_C3[3]).toBeCloseTo(Math.sqrt(7) / (4 * Math.sqrt(pi)), 14);
  });

  it('has an orthonormal degree-3 basis on the sphere (Fibonacci quadrature, abs 2e-3)', () => {
    const m = 20000;
    const gram = new Float64Array(256);
    const y = new Float64Array(16);
    for (let k = 0; k < m; k++) {
      const z = 1 - (2 * (k + 0.5)) / m;
      const r = Math.sqrt(1 - z * z);
      const phi = k * Math.PI * (3 - Math.sqrt(5));
      shBasis(3, r * Math.cos(phi), r * Math.sin(phi), z, y);
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) gram[i * 16 + j] += (y[i] * y[j] * 4 * Math.PI) / m;
    }
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) expect(Math.abs(gram[i * 16 + j] - (i === j ? 1 : 0))).toBeLessThan(2e-3);
    }
  });

  it('differentiates the basis w.r.t. the direction (central differences, abs 1e-8)', () => {
    const dir = [0.3, -0.5, 0.7];
    const v = Array.from({ length: 16 }, (_, k) => Math.sin(k + 1));
    const analytic = new Float64Array(3);
    shBasisVjp(3, dir[0], dir[1], dir[2], v, analytic);
    const y = new Float64Array(16);
    const f = (d: number[]): number => {
      shBasis(3, d[0], d[1], d[2], y);
      return y.reduce((s, b, k) => s + b * v[k], 0);
    };
    for (let a = 0; a < 3; a++) {
      const p = dir.slice();
      const q = dir.slice();
      p[a] += 1e-6;
      q[a] -= 1e-6;
      expect(Math.abs(analytic[a] - (f(p) - f(q)) / 2e-6)).toBeLessThan(1e-8);
    }
  });

  it('evaluates the 3DGS colour of a degree-1 coefficient set', () => {
    // Direction +x: only basis 3 (-C1 x) among the degree-1 terms is non-zero.
    const coeffs = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0];
    const out = new Float64Array(3);
    evalSh(1, coeffs, 0, 1, 0, 0, out);
    expect(out[0]).toBeCloseTo(SH_C0 - 2 * SH_C1, 15);
  });

  it('emits the same constants as WGSL', () => {
    const wgsl = shConstantsWgsl();
    expect(wgsl).toContain(`const SH_C0: f32 = ${SH_C0.toPrecision(17)};`);
    expect(wgsl).toContain('const SH_C3 = array<f32, 7>(');
  });
});
