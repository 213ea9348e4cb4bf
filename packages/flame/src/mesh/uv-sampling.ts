import { flameFail } from '../errors.js';

export interface UvTexelSamples {
  /** (N,) triangle of each sample. */
  faceIndex: Int32Array;
  /** (N, 3) barycentric coordinates of the texel centre in the triangle's UV corners. */
  bary: Float32Array;
  /** (N, 2) texel column and row. */
  texel: Int32Array;
  /** (N, 2) the texel centre's UV. */
  uv: Float32Array;
}

/**
 * One sample per covered texel of a width x height raster of the UV layout: texel (x, y) has
 * its centre at uv = ((x + 0.5) / width, (y + 0.5) / height) (row y grows with v), and belongs
 * to the triangle whose UV image contains that centre. Texel centres on an edge shared by two
 * triangles belong to exactly one of them (the top-left rule, with each edge's function
 * evaluated in one canonical direction so that the two sides agree exactly), so a layout
 * without overlaps gives every texel inside a chart exactly one sample, and chart sample
 * counts follow chart areas. Used for even Gaussian initialisation in UV space (GGHead).
 */
export function sampleUvTexels(uvs: ArrayLike<number>, faceUvs: ArrayLike<number>, width: number, height: number): UvTexelSamples {
  const fn = 'sampleUvTexels';
  if (!Number.isInteger(width) || width < 1) flameFail(fn, 'width', 'a positive integer', width);
  if (!Number.isInteger(height) || height < 1) flameFail(fn, 'height', 'a positive integer', height);
  if (faceUvs.length % 3 !== 0) flameFail(fn, 'faceUvs', 'a multiple of 3 long ((F, 3) indices)', faceUvs.length);
  const T = uvs.length / 2;
  const faces: number[] = [], bary: number[] = [], texel: number[] = [], uvOut: number[] = [];
  const F = faceUvs.length / 3;
  const P = new Float64Array(6);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < 3; k++) {
      const t = faceUvs[f * 3 + k];
      if (!(t >= 0 && t < T)) flameFail(fn, 'faceUvs', `indices in [0, ${T})`, t);
      P[k * 2] = uvs[t * 2] * width;
      P[k * 2 + 1] = uvs[t * 2 + 1] * height;
    }
    const area = (P[2] - P[0]) * (P[5] - P[1]) - (P[4] - P[0]) * (P[3] - P[1]);
    if (area === 0) continue;
    // Counter-clockwise corner order (k0, k1, k2) so that inside means all edge functions >= 0.
    const order = area > 0 ? [0, 1, 2] : [0, 2, 1];
    const ax = P[order[0] * 2], ay = P[order[0] * 2 + 1];
    const bx = P[order[1] * 2], by = P[order[1] * 2 + 1];
    const cx = P[order[2] * 2], cy = P[order[2] * 2 + 1];
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx) - 0.5)), x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx) - 0.5));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy) - 0.5)), y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy) - 0.5));
    const A = Math.abs(area);
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const wa = edge(bx, by, cx, cy, px, py);
        if (!inside(wa, bx, by, cx, cy)) continue;
        const wb = edge(cx, cy, ax, ay, px, py);
        if (!inside(wb, cx, cy, ax, ay)) continue;
        const wc = edge(ax, ay, bx, by, px, py);
        if (!inside(wc, ax, ay, bx, by)) continue;
        const w = [0, 0, 0];
        w[order[0]] = wa / A; w[order[1]] = wb / A; w[order[2]] = wc / A;
        faces.push(f);
        bary.push(w[0], w[1], w[2]);
        texel.push(x, y);
        uvOut.push(px / width, py / height);
      }
    }
  }
  return { faceIndex: Int32Array.from(faces), bary: Float32Array.from(bary), texel: Int32Array.from(texel), uv: Float32Array.from(uvOut) };
}

/**
 * Edge function of the directed edge p→q at point s (positive on the left, i.e. inside a
 * counter-clockwise triangle), computed in a canonical direction (lexicographically smaller
 * endpoint first) and negated when reversed, so it is exactly antisymmetric.
 */
function edge(px: number, py: number, qx: number, qy: number, sx: number, sy: number): number {
  if (px < qx || (px === qx && py < qy)) return (qx - px) * (sy - py) - (qy - py) * (sx - px);
  return -((px - qx) * (sy - qy) - (py - qy) * (sx - qx));
}

/** Inside test with the top-left rule for points exactly on the edge p→q. */
function inside(w: number, px: number, py: number, qx: number, qy: number): boolean {
  if (w > 0) return true;
  if (w < 0) return false;
  // On the edge: own it when it is a "left" edge (going down, dy < 0 in a y-up CCW frame) or a
  // horizontal "top" edge (going left): exactly one of the two triangles sharing it qualifies.
  const dy = qy - py, dx = qx - px;
  return dy < 0 || (dy === 0 && dx < 0);
}
