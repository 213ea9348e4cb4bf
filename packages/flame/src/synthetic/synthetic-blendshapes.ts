import { bump, DEG, HEAD, smoothstep } from './head-surface.js';
import type { HeadMesh } from './head-mesh.js';
import { jawRegion } from './synthetic-rig.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * Blendshape bases of the synthetic model, (V, 3, K) row-major like FLAME's shapedirs.
 * Eyeballs move rigidly: their vertices take the field's value at the eyeball centre, so
 * shape never deforms an eye.
 */

/** Semantic expression components (indices into the expression coefficients). */
export const SYNTHETIC_EXPRESSIONS = { jawOpen: 0, smile: 1, blink: 2, browRaise: 3, pucker: 4 } as const;

type Field = (p: Float64Array | number[], theta: number, phi: number) => [number, number, number];

function fill(mesh: HeadMesh, out: Float32Array, K: number, k: number, f: Field, rigidEyes = true): void {
  const V = mesh.positions.length / 3;
  const P = mesh.positions;
  for (let v = 0; v < mesh.numHeadVertices; v++) {
    const d = f([P[v * 3], P[v * 3 + 1], P[v * 3 + 2]], mesh.angles[v * 2], mesh.angles[v * 2 + 1]);
    for (let c = 0; c < 3; c++) out[(v * 3 + c) * K + k] = d[c];
  }
  for (let e = 0; e < 2; e++) {
    const c0 = mesh.eyeCenters[e];
    const dc = rigidEyes ? f(c0, HEAD.eyeTheta, (e === 0 ? 1 : -1) * HEAD.eyePhi) : [0, 0, 0];
    for (let i = 0; i < mesh.eyeVertexCount; i++) {
      const v = mesh.eyeStart[e] + i;
      for (let c = 0; c < 3; c++) out[(v * 3 + c) * K + k] = dc[c];
    }
  }
  void V;
}

/** Smooth random vector field: a quadratic polynomial in p / 0.1 m with normal coefficients. */
function randomPolyField(rng: SeededRandom): (p: ArrayLike<number>) => [number, number, number] {
  const c = Array.from({ length: 30 }, () => rng.normal());
  return (p) => {
    const x = p[0] / 0.1, y = p[1] / 0.1, z = p[2] / 0.1;
    const m = [1, x, y, z, x * x, y * y, z * z, x * y, y * z, z * x];
    const out: [number, number, number] = [0, 0, 0];
    for (let a = 0; a < 3; a++) for (let i = 0; i < 10; i++) out[a] += c[a * 10 + i] * m[i];
    return out;
  };
}

/** Rescales column k so that its RMS displacement over head vertices is `rms`. */
function normalizeColumn(mesh: HeadMesh, out: Float32Array, K: number, k: number, rms: number): void {
  const V = mesh.positions.length / 3;
  let s = 0;
  for (let i = 0; i < mesh.numHeadVertices * 3; i++) s += out[i * K + k] ** 2;
  const cur = Math.sqrt(s / mesh.numHeadVertices);
  if (cur === 0) return;
  for (let i = 0; i < V * 3; i++) out[i * K + k] *= rms / cur;
}

/**
 * Shape bases: components 0-2 scale width, height and depth; the rest are smooth random
 * quadratic fields. Strength decays like PCA variances, RMS 5 mm / (1 + 0.25 k) per unit, and
 * fades to a third at the bottom of the neck.
 */
export function buildShapeBasis(mesh: HeadMesh, S: number, rng: SeededRandom): Float32Array {
  const out = new Float32Array((mesh.positions.length / 3) * 3 * S);
  const neckFade = (y: number) => 0.35 + 0.65 * smoothstep(-0.16, -0.06, y);
  for (let k = 0; k < S; k++) {
    const poly = k >= 3 ? randomPolyField(rng) : null;
    fill(mesh, out, S, k, (p) => {
      const w = neckFade(p[1]);
      if (poly) {
        const d = poly(p);
        return [w * d[0], w * d[1], w * d[2]];
      }
      const d: [number, number, number] = [0, 0, 0];
      d[k] = w * p[k];
      return d;
    });
    normalizeColumn(mesh, out, S, k, 0.005 / (1 + 0.25 * k));
  }
  return out;
}

/**
 * Expression bases: 0 opens the mouth (lower face down), 1 smiles (lip corners up and out),
 * 2 closes both eyelids (socket skin pulled onto a sphere 1.5 mm outside each eyeball),
 * 3 raises the brows, 4 purses the lips; the rest are random localised face deformations
 * with decaying strength. Eyeballs do not move.
 */
export function buildExpressionBasis(mesh: HeadMesh, E: number, rng: SeededRandom): Float32Array {
  const out = new Float32Array((mesh.positions.length / 3) * 3 * E);
  const d = DEG;
  const lidRadius = HEAD.eyeRadius + 0.0015;
  const fields: Field[] = [
    (_p, t, ph) => {
      const w = jawRegion(t, ph);
      return [0, -0.012 * w, -0.003 * w];
    },
    (_p, t, ph) => {
      const out3: [number, number, number] = [0, 0, 0];
      for (const s of [-1, 1]) {
        const b = bump(t, ph, HEAD.mouthTheta, s * 17 * d, 5 * d, 7 * d);
        const c = bump(t, ph, 95 * d, s * 35 * d, 8 * d, 10 * d);
        out3[0] += s * 0.004 * b;
        out3[1] += 0.005 * b + 0.002 * c;
        out3[2] += -0.002 * b + 0.001 * c;
      }
      return out3;
    },
    (p, t, ph) => {
      const out3: [number, number, number] = [0, 0, 0];
      for (let e = 0; e < 2; e++) {
        const s = e === 0 ? 1 : -1;
        const c0 = mesh.eyeCenters[e];
        // The whole socket moves: 1 within 7 degrees of the socket centre, 0 beyond 11.
        const ang = Math.hypot(t - HEAD.eyeTheta, ph - s * HEAD.eyePhi);
        const m = 1 - smoothstep(7 * d, 11 * d, ang);
        if (m === 0) continue;
        const r = [p[0] - c0[0], p[1] - c0[1], p[2] - c0[2]];
        const n = Math.hypot(r[0], r[1], r[2]);
        for (let c = 0; c < 3; c++) out3[c] += m * (c0[c] + (lidRadius * r[c]) / n - p[c]);
      }
      return out3;
    },
    (_p, t, ph) => {
      const b = bump(t, ph, 66 * d, 0, 6 * d, 35 * d);
      return [0, 0.006 * b, 0.001 * b];
    },
    (_p, t, ph) => {
      const b = bump(t, ph, HEAD.mouthTheta, 0, 4 * d, 12 * d);
      return [0, 0, 0.006 * b];
    },
  ];
  for (let k = 0; k < E; k++) {
    let f = fields[k];
    if (!f) {
      const t0 = rng.uniform(70, 125) * d, p0 = rng.uniform(-50, 50) * d;
      const st = rng.uniform(6, 15) * d, sp = rng.uniform(6, 15) * d;
      const amp = 0.003 / (1 + 0.2 * k);
      const dir = [rng.normal(), rng.normal(), rng.normal()];
      const n = Math.hypot(dir[0], dir[1], dir[2]);
      f = (_p, t, ph) => {
        const b = (amp * bump(t, ph, t0, p0, st, sp)) / n;
        return [b * dir[0], b * dir[1], b * dir[2]];
      };
    }
    fill(mesh, out, E, k, f, false);
  }
  return out;
}

/**
 * Pose correctives (V, 3, 36): neck features (0-8) bulge the neck, jaw features (9-17) move the
 * chin and cheeks, and each eye's pitch feature (entry [2][1] = sin of the rotation about x)
 * moves that eye's upper lid with the gaze. Other eye features are zero.
 */
export function buildPoseCorrectives(mesh: HeadMesh, joints: Float64Array, rng: SeededRandom): Float32Array {
  const K = 36;
  const out = new Float32Array((mesh.positions.length / 3) * 3 * K);
  const yN = joints[4];
  for (let k = 0; k < 18; k++) {
    const poly = randomPolyField(rng);
    const neck = k < 9;
    fill(mesh, out, K, k, (p, t, ph) => {
      const m = neck ? Math.exp(-0.5 * ((p[1] - yN) / 0.035) ** 2) * smoothstep(120 * DEG, 140 * DEG, t) : jawRegion(t, ph);
      const f = poly(p);
      return [m * f[0], m * f[1], m * f[2]];
    }, false);
    normalizeColumn(mesh, out, K, k, 0.0015);
  }
  for (let e = 0; e < 2; e++) {
    const s = e === 0 ? 1 : -1;
    fill(mesh, out, K, 18 + e * 9 + 7, (_p, t, ph) => {
      const m = bump(t, ph, HEAD.eyeTheta - 4 * DEG, s * HEAD.eyePhi, 4 * DEG, 7 * DEG);
      return [0, -0.008 * m, 0];
    }, false);
  }
  return out;
}
