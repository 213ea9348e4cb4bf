/**
 * Backward of the rasterizer: gradients of the barycentrics (u, v) and depth z of every
 * covered pixel with respect to the vertex positions (the face id is piecewise constant
 * and has none).
 *
 * Derivation: at pixel centre (px, py) the ray is d = ((px - cx)/fx, (py - cy)/fy, 1) in
 * camera space, and (u, v, z) solve u P0 + v P1 + (1 - u - v) P2 = z d, i.e.
 * M x = -P2 with M = [P0 - P2 | P1 - P2 | -d], x = (u, v, z) (this is exactly the
 * perspective-correct interpolation of the forward). Differentiating,
 * dx = -M^{-1} (dM x + dP2); with lambda = M^{-T} g for the upstream g = (g_u, g_v, g_z)
 * the vector-Jacobian product collapses to dL/dP_k = -b_k lambda, b = (u, v, 1 - u - v).
 * World gradients are R^T dL/dP.
 */

import { cameraToWorldGrad, toCameraSpace } from '../camera.js';
import type { Camera, Mesh, RasterGradOutputs, RasterOutput } from '../types.js';
import { type CameraInfo, checkFiniteArray, validateCamera, validateMesh, validateRaster } from '../validate.js';

/** Returns dL/d positions (V, 3) for upstream gradients of `rast.bary` and `rast.depth`. */
export function rasterizeBackwardCpu(mesh: Mesh, camera: Camera, rast: RasterOutput, grads: RasterGradOutputs): Float64Array {
  const fn = 'rasterizeBackwardCpu';
  const { F } = validateMesh(fn, mesh);
  const cam = validateCamera(fn, camera);
  validateRaster(fn, rast, cam.width, cam.height, F);
  const P = cam.width * cam.height;
  if (grads.bary !== undefined) checkFiniteArray(fn, 'grads.bary', grads.bary, 2 * P, 'H * W * 2 = ');
  if (grads.depth !== undefined) checkFiniteArray(fn, 'grads.depth', grads.depth, P, 'H * W = ');
  return rasterizeBackwardResolved(mesh, cam, rast, grads);
}

export function rasterizeBackwardResolved(mesh: Mesh, cam: CameraInfo, rast: RasterOutput, grads: RasterGradOutputs): Float64Array {
  const pc = toCameraSpace(mesh.positions, cam);
  const gPc = new Float64Array(pc.length);
  addRasterizeVjpCamera(pc, mesh.faces, cam, rast, grads, gPc);
  return cameraToWorldGrad(gPc, cam);
}

/** Adds the camera-space position gradient of the rasterizer outputs to gPc. */
export function addRasterizeVjpCamera(
  pc: Float64Array,
  faces: ArrayLike<number>,
  cam: CameraInfo,
  rast: RasterOutput,
  grads: RasterGradOutputs,
  gPc: Float64Array,
): void {
  const { width: W, height: H, fx, fy, cx, cy } = cam;
  const gB = grads.bary;
  const gZ = grads.depth;
  if (!gB && !gZ) return;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const f = rast.triId[p];
      if (f < 0) continue;
      const g0 = gB ? gB[2 * p] : 0;
      const g1 = gB ? gB[2 * p + 1] : 0;
      const g2 = gZ ? gZ[p] : 0;
      if (g0 === 0 && g1 === 0 && g2 === 0) continue;
      const i0 = faces[3 * f];
      const i1 = faces[3 * f + 1];
      const i2 = faces[3 * f + 2];
      // Columns of M: a = P0 - P2, b = P1 - P2, c = -d.
      const ax = pc[3 * i0] - pc[3 * i2], ay = pc[3 * i0 + 1] - pc[3 * i2 + 1], az = pc[3 * i0 + 2] - pc[3 * i2 + 2];
      const bx = pc[3 * i1] - pc[3 * i2], by = pc[3 * i1 + 1] - pc[3 * i2 + 1], bz = pc[3 * i1 + 2] - pc[3 * i2 + 2];
      const cxv = -(x + 0.5 - cx) / fx, cyv = -(y + 0.5 - cy) / fy, czv = -1;
      // M^T lambda = g: rows of M^T are a, b, c, so lambda = (g0 (b x c) + g1 (c x a) + g2 (a x b)) / det.
      const bcx = by * czv - bz * cyv, bcy = bz * cxv - bx * czv, bcz = bx * cyv - by * cxv;
      const cax = cyv * az - czv * ay, cay = czv * ax - cxv * az, caz = cxv * ay - cyv * ax;
      const abx = ay * bz - az * by, aby = az * bx - ax * bz, abz = ax * by - ay * bx;
      const det = ax * bcx + ay * bcy + az * bcz;
      if (det === 0) continue;
      const lx = (g0 * bcx + g1 * cax + g2 * abx) / det;
      const ly = (g0 * bcy + g1 * cay + g2 * aby) / det;
      const lz = (g0 * bcz + g1 * caz + g2 * abz) / det;
      const u = rast.bary[2 * p];
      const v = rast.bary[2 * p + 1];
      const w = 1 - u - v;
      gPc[3 * i0] -= u * lx; gPc[3 * i0 + 1] -= u * ly; gPc[3 * i0 + 2] -= u * lz;
      gPc[3 * i1] -= v * lx; gPc[3 * i1 + 1] -= v * ly; gPc[3 * i1 + 2] -= v * lz;
      gPc[3 * i2] -= w * lx; gPc[3 * i2 + 1] -= w * ly; gPc[3 * i2 + 2] -= w * lz;
    }
  }
}
