/**
 * Analytic antialiasing of silhouette edges, after nvdiffrast's `antialias` (Laine et
 * al., "Modular Primitives for High-Performance Differentiable Rendering", SIGGRAPH Asia
 * 2020, section 4.3), so that vertex positions get gradients from coverage.
 *
 * Formula (ours; order-independent, so it is deterministic on every backend): for each
 * horizontally or vertically adjacent pixel pair (p, q) with different face ids,
 * - the occluder T is the face of the pair's nearer pixel (a background pixel is
 *   farthest; exact depth ties go to the lower id); call its pixel a, the other b;
 * - among T's three edges whose screen-space line separates the centres of a and b, take
 *   the one crossed first on the segment a -> b, at fraction
 *   t = f(a) / (f(a) - f(b)), f(x) = cross(s_j - s_i, x - s_i), t in (0, 1];
 * - if that edge is a silhouette edge (see topology.ts), the pixel whose area the edge
 *   cuts gets the other pixel's colour in proportion to the covered length:
 *     t > 1/2:  out_b += (t - 1/2) (c_a - c_b)   (T spills into b's pixel)
 *     t < 1/2:  out_a += (1/2 - t) (c_b - c_a)   (T covers only part of a's pixel)
 *   Every pair contributes independently from the input colours (a pixel may receive up
 *   to four contributions). The result is continuous when an edge sweeps across a pixel
 *   centre, and its derivative in t moves the edge's two vertices through s_i, s_j.
 *
 * Gradients flow to the colours and, through t, to the positions of the edge's vertices
 * (camera projection included). The choice of pairs and edges is piecewise constant.
 */

import { addScreenVjp, cameraToWorldGrad, projectToScreen, toCameraSpace } from '../camera.js';
import { type EdgeTopology, buildEdgeTopology } from '../topology.js';
import type { Camera, Mesh, RasterOutput } from '../types.js';
import { type CameraInfo, MeshRasterInputError, checkFiniteArray, checkPositiveInteger, validateCamera, validateMesh, validateRaster } from '../validate.js';

export interface AntialiasOptions {
  /** Edge adjacency of `mesh.faces`; built on each call when omitted. */
  topology?: EdgeTopology;
}

export interface AntialiasGradients {
  /** (H, W, C) */
  color: Float64Array;
  /** (V, 3) */
  positions: Float64Array;
}

/** One silhouette crossing between two neighbouring pixels. */
interface Crossing {
  /** Pixel covered by the occluder, and the other pixel. */
  a: number;
  b: number;
  /** Edge vertices (indices into the mesh) and the crossing fraction. */
  vi: number;
  vj: number;
  t: number;
  fa: number;
  fb: number;
  /** Pixel centres of a and b. */
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

interface Prepared {
  cam: CameraInfo;
  pc: Float64Array;
  s: Float64Array;
  topology: EdgeTopology;
  C: number;
}

function prepare(fn: string, color: ArrayLike<number>, channels: number, rast: RasterOutput, mesh: Mesh, camera: Camera, options: AntialiasOptions): Prepared {
  const { V, F } = validateMesh(fn, mesh);
  const cam = validateCamera(fn, camera);
  validateRaster(fn, rast, cam.width, cam.height, F);
  const C = checkPositiveInteger(fn, 'channels', channels);
  checkFiniteArray(fn, 'color', color, cam.width * cam.height * C, 'H * W * C = ');
  const topology = options.topology ?? buildEdgeTopology(mesh.faces, V);
  if (topology.faceCount !== F) throw new MeshRasterInputError(fn, 'options.topology', `a topology of F = ${F} faces`, `${topology.faceCount} faces`);
  const pc = toCameraSpace(mesh.positions, cam);
  return { cam, pc, s: projectToScreen(pc, cam), topology, C };
}

/** Finds the silhouette crossing between pixels p and q, or undefined. */
function crossing(p: number, q: number, rast: RasterOutput, faces: ArrayLike<number>, s: Float64Array, topology: EdgeTopology): Crossing | undefined {
  const idp = rast.triId[p];
  const idq = rast.triId[q];
  if (idp === idq) return undefined;
  let a: number;
  if (idq < 0) a = p;
  else if (idp < 0) a = q;
  else if (rast.depth[p] !== rast.depth[q]) a = rast.depth[p] < rast.depth[q] ? p : q;
  else a = idp < idq ? p : q;
  const b = a === p ? q : p;
  const T = rast.triId[a];
  const W = rast.width;
  const ax = (a % W) + 0.5, ay = Math.floor(a / W) + 0.5;
  const bx = (b % W) + 0.5, by = Math.floor(b / W) + 0.5;
  let best = -1;
  let bt = Infinity, bfa = 0, bfb = 0;
  for (let k = 0; k < 3; k++) {
    const vi = faces[3 * T + k];
    const vj = faces[3 * T + ((k + 1) % 3)];
    const ex = s[2 * vj] - s[2 * vi], ey = s[2 * vj + 1] - s[2 * vi + 1];
    const fa = ex * (ay - s[2 * vi + 1]) - ey * (ax - s[2 * vi]);
    const fb = ex * (by - s[2 * vi + 1]) - ey * (bx - s[2 * vi]);
    if (fa === 0 || fa * fb > 0) continue;
    const t = fa / (fa - fb);
    if (t < bt) {
      bt = t; best = k; bfa = fa; bfb = fb;
    }
  }
  if (best < 0) return undefined;
  const vi = faces[3 * T + best];
  const vj = faces[3 * T + ((best + 1) % 3)];
  const o = topology.opposite[3 * T + best];
  if (o >= 0) {
    // Interior edge: a silhouette only if both faces lie on the same side of it on screen.
    const vk = faces[3 * T + ((best + 2) % 3)];
    const ex = s[2 * vj] - s[2 * vi], ey = s[2 * vj + 1] - s[2 * vi + 1];
    const fk = ex * (s[2 * vk + 1] - s[2 * vi + 1]) - ey * (s[2 * vk] - s[2 * vi]);
    const fo = ex * (s[2 * o + 1] - s[2 * vi + 1]) - ey * (s[2 * o] - s[2 * vi]);
    if (!(fk * fo > 0)) return undefined;
  }
  return { a, b, vi, vj, t: bt, fa: bfa, fb: bfb, ax, ay, bx, by };
}

function forEachCrossing(rast: RasterOutput, faces: ArrayLike<number>, s: Float64Array, topology: EdgeTopology, fn: (c: Crossing) => void): void {
  const { width: W, height: H } = rast;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (x + 1 < W) {
        const c = crossing(p, p + 1, rast, faces, s, topology);
        if (c) fn(c);
      }
      if (y + 1 < H) {
        const c = crossing(p, p + W, rast, faces, s, topology);
        if (c) fn(c);
      }
    }
  }
}

/** Returns the antialiased (H, W, C) image. */
export function antialiasCpu(color: ArrayLike<number>, channels: number, rast: RasterOutput, mesh: Mesh, camera: Camera, options: AntialiasOptions = {}): Float64Array {
  const { s, topology, C } = prepare('antialiasCpu', color, channels, rast, mesh, camera, options);
  const out = Float64Array.from(color);
  forEachCrossing(rast, mesh.faces, s, topology, ({ a, b, t }) => {
    const [r, o, w] = t > 0.5 ? [b, a, t - 0.5] : [a, b, 0.5 - t];
    for (let c = 0; c < C; c++) out[r * C + c] += w * (color[o * C + c] - color[r * C + c]);
  });
  return out;
}

export function antialiasBackwardCpu(
  color: ArrayLike<number>,
  channels: number,
  rast: RasterOutput,
  mesh: Mesh,
  camera: Camera,
  gradOut: ArrayLike<number>,
  options: AntialiasOptions = {},
): AntialiasGradients {
  const fn = 'antialiasBackwardCpu';
  const { cam, pc, s, topology, C } = prepare(fn, color, channels, rast, mesh, camera, options);
  checkFiniteArray(fn, 'gradOut', gradOut, rast.width * rast.height * C, 'H * W * C = ');
  const gColor = Float64Array.from(gradOut);
  const gPc = new Float64Array(pc.length);
  forEachCrossing(rast, mesh.faces, s, topology, (x) => {
    const { a, b, t, fa, fb, vi, vj } = x;
    const [r, o, w, dwdt] = t > 0.5 ? [b, a, t - 0.5, 1] : [a, b, 0.5 - t, -1];
    let gw = 0;
    for (let c = 0; c < C; c++) {
      const g = gradOut[r * C + c];
      gw += g * (color[o * C + c] - color[r * C + c]);
      gColor[o * C + c] += w * g;
      gColor[r * C + c] -= w * g;
    }
    if (gw === 0) return;
    // t = fa / (fa - fb): dt/dfa = -fb / (fa - fb)^2, dt/dfb = fa / (fa - fb)^2.
    const gt = gw * dwdt;
    const den = (fa - fb) * (fa - fb);
    const gfa = (-fb / den) * gt;
    const gfb = (fa / den) * gt;
    // f(x) = (sj - si) x (x - si): df/dsj = (x_y - si_y, -(x_x - si_x)), df/dsi = (sj_y - x_y, x_x - sj_x).
    const six = s[2 * vi], siy = s[2 * vi + 1], sjx = s[2 * vj], sjy = s[2 * vj + 1];
    const gsjx = gfa * (x.ay - siy) + gfb * (x.by - siy);
    const gsjy = -gfa * (x.ax - six) - gfb * (x.bx - six);
    const gsix = gfa * (sjy - x.ay) + gfb * (sjy - x.by);
    const gsiy = gfa * (x.ax - sjx) + gfb * (x.bx - sjx);
    addScreenVjp(pc, cam, vi, gsix, gsiy, gPc);
    addScreenVjp(pc, cam, vj, gsjx, gsjy, gPc);
  });
  return { color: gColor, positions: cameraToWorldGrad(gPc, cam) };
}
