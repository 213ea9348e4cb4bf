import { eyeCenter, headPoint, HEAD } from './head-surface.js';

/**
 * The synthetic head's mesh: a latitude-longitude grid over the star-shaped head surface
 * (a pole vertex at the top of the skull and one at the bottom of the neck, seam at the back
 * of the head) and two eyeballs as separate closed spheres, each looking along +z.
 *
 * The azimuth is warped, φ(s) = π((1 − κ)s + κs³) for s in [-1, 1), so that columns are about
 * three times denser on the face than at the back.
 */
export interface HeadMeshOptions {
  rings: number;
  segments: number;
  eyeRings: number;
  eyeSegments: number;
}

export interface HeadMesh {
  positions: Float64Array;
  faces: Int32Array;
  uvs: Float32Array;
  faceUvs: Int32Array;
  /** Chart of each face: 0 head, 1 left eyeball, 2 right eyeball. */
  faceChart: Int32Array;
  /** (θ, φ) of each head vertex (NaN for eyeball vertices). */
  angles: Float64Array;
  numHeadVertices: number;
  numHeadFaces: number;
  /** First vertex of the left and right eyeballs; each has `eyeVertexCount` vertices. */
  eyeStart: [number, number];
  eyeVertexCount: number;
  eyeCenters: [number, number, number][];
  rings: number;
  segments: number;
  /** θ of ring r. */
  ringTheta(r: number): number;
  /** φ of column c. */
  colPhi(c: number): number;
  /** Head vertex at ring r, column c (c taken modulo segments). */
  vertex(r: number, c: number): number;
  /** Face and barycentrics of the head surface point at (θ, φ) (not at the poles). */
  locate(theta: number, phi: number): { face: number; bary: [number, number, number] };
}

const KAPPA = 0.4;

export function warpPhi(s: number): number {
  return Math.PI * ((1 - KAPPA) * s + KAPPA * s * s * s);
}

/** Inverse of warpPhi (monotonic): bisection to machine precision. */
export function unwarpPhi(phi: number): number {
  let lo = -1, hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (warpPhi(mid) < phi) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** UV rectangles of the three charts: [u0, v0, u1, v1]. */
export const CHARTS: readonly [number, number, number, number][] = [
  [0.01, 0.25, 0.99, 0.99],
  [0.52, 0.01, 0.98, 0.23],
  [0.02, 0.01, 0.48, 0.23],
];

export function buildHeadMesh(o: HeadMeshOptions): HeadMesh {
  const R = o.rings, C = o.segments;
  const nHead = R * C + 2;
  const Re = o.eyeRings, Ce = o.eyeSegments;
  const nEye = Re * Ce + 2;
  const V = nHead + 2 * nEye;
  const positions = new Float64Array(V * 3);
  const angles = new Float64Array(V * 2).fill(NaN);
  const ringTheta = (r: number) => (Math.PI * (r + 1)) / (R + 1);
  const colPhi = (c: number) => warpPhi(-1 + (2 * c) / C);
  const vertex = (r: number, c: number) => 1 + r * C + (((c % C) + C) % C);
  const set = (v: number, p: ArrayLike<number>) => {
    positions[v * 3] = p[0]; positions[v * 3 + 1] = p[1]; positions[v * 3 + 2] = p[2];
  };
  set(0, headPoint(0, 0));
  angles[0] = 0; angles[1] = 0;
  set(nHead - 1, headPoint(Math.PI, 0));
  angles[(nHead - 1) * 2] = Math.PI; angles[(nHead - 1) * 2 + 1] = 0;
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const v = vertex(r, c);
      set(v, headPoint(ringTheta(r), colPhi(c)));
      angles[v * 2] = ringTheta(r);
      angles[v * 2 + 1] = colPhi(c);
    }
  }
  const eyeCenters = [eyeCenter(1), eyeCenter(-1)];
  const eyeStart: [number, number] = [nHead, nHead + nEye];
  for (let e = 0; e < 2; e++) {
    const c0 = eyeCenters[e];
    const base = eyeStart[e];
    for (let k = 0; k < nEye; k++) {
      // Local sphere with its pole along +z: (sin α cos β, sin α sin β, cos α).
      let a: number, b: number;
      if (k === 0) { a = 0; b = 0; }
      else if (k === nEye - 1) { a = Math.PI; b = 0; }
      else { a = (Math.PI * (Math.floor((k - 1) / Ce) + 1)) / (Re + 1); b = (2 * Math.PI * ((k - 1) % Ce)) / Ce; }
      const rr = HEAD.eyeRadius;
      set(base + k, [c0[0] + rr * Math.sin(a) * Math.cos(b), c0[1] + rr * Math.sin(a) * Math.sin(b), c0[2] + rr * Math.cos(a)]);
    }
  }

  const faces: number[] = [];
  const faceUvs: number[] = [];
  const faceChart: number[] = [];
  const uvs: number[] = [];
  // One lat-long sphere's faces and UVs: vertex(r, c) and uvIndex(r, c) with c in [0, cols].
  const sphere = (rows: number, cols: number, base: number, chart: number) => {
    const [u0, v0, u1, v1] = CHARTS[chart];
    const uvBase = uvs.length / 2;
    const gridUv = (r: number, c: number) => uvBase + r * (cols + 1) + c;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c <= cols; c++) uvs.push(u0 + ((u1 - u0) * c) / cols, v1 - ((v1 - v0) * (r + 1)) / (rows + 1));
    }
    const topUv = uvs.length / 2;
    for (let c = 0; c < cols; c++) uvs.push(u0 + ((u1 - u0) * (c + 0.5)) / cols, v1);
    const botUv = uvs.length / 2;
    for (let c = 0; c < cols; c++) uvs.push(u0 + ((u1 - u0) * (c + 0.5)) / cols, v0);
    const gv = (r: number, c: number) => base + 1 + r * cols + (c % cols);
    const top = base, bottom = base + rows * cols + 1;
    const tri = (a: number, b: number, c: number, ua: number, ub: number, uc: number) => {
      faces.push(a, b, c); faceUvs.push(ua, ub, uc); faceChart.push(chart);
    };
    for (let c = 0; c < cols; c++) tri(top, gv(0, c), gv(0, c + 1), topUv + c, gridUv(0, c), gridUv(0, c + 1));
    for (let r = 0; r < rows - 1; r++) {
      for (let c = 0; c < cols; c++) {
        tri(gv(r, c), gv(r + 1, c), gv(r + 1, c + 1), gridUv(r, c), gridUv(r + 1, c), gridUv(r + 1, c + 1));
        tri(gv(r, c), gv(r + 1, c + 1), gv(r, c + 1), gridUv(r, c), gridUv(r + 1, c + 1), gridUv(r, c + 1));
      }
    }
    for (let c = 0; c < cols; c++) {
      tri(gv(rows - 1, c), bottom, gv(rows - 1, c + 1), gridUv(rows - 1, c), botUv + c, gridUv(rows - 1, c + 1));
    }
  };
  sphere(R, C, 0, 0);
  const numHeadFaces = faces.length / 3;
  sphere(Re, Ce, eyeStart[0], 1);
  sphere(Re, Ce, eyeStart[1], 2);

  const locate = (theta: number, phi: number) => {
    const q = (theta * (R + 1)) / Math.PI - 1;
    const cf = ((unwarpPhi(phi) + 1) * C) / 2;
    const r0 = Math.min(Math.max(Math.floor(q), 0), R - 2);
    const c0 = Math.floor(cf);
    const fr = q - r0;
    const fc = cf - c0;
    const cell = C + (r0 * C + (((c0 % C) + C) % C)) * 2;
    if (fr >= fc) return { face: cell, bary: [1 - fr, fr - fc, fc] as [number, number, number] };
    return { face: cell + 1, bary: [1 - fc, fr, fc - fr] as [number, number, number] };
  };

  return {
    positions, faces: Int32Array.from(faces), uvs: Float32Array.from(uvs), faceUvs: Int32Array.from(faceUvs),
    faceChart: Int32Array.from(faceChart), angles, numHeadVertices: nHead, numHeadFaces,
    eyeStart, eyeVertexCount: nEye, eyeCenters, rings: R, segments: C, ringTheta, colPhi, vertex, locate,
  };
}
