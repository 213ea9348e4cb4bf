/**
 * Pinhole camera helpers shared by the CPU passes: world -> camera space and the
 * projection to pixels (u = fx X/Z + cx, v = fy Y/Z + cy), with the vector-Jacobian
 * products the backward passes need.
 */

import type { CameraInfo } from './validate.js';

/** (V, 3) camera-space positions p_c = R p + t, float64. */
export function toCameraSpace(positions: ArrayLike<number>, cam: CameraInfo): Float64Array {
  const { R, t } = cam;
  const V = positions.length / 3;
  const out = new Float64Array(3 * V);
  for (let i = 0; i < V; i++) {
    const x = positions[3 * i];
    const y = positions[3 * i + 1];
    const z = positions[3 * i + 2];
    out[3 * i] = R[0] * x + R[1] * y + R[2] * z + t[0];
    out[3 * i + 1] = R[3] * x + R[4] * y + R[5] * z + t[1];
    out[3 * i + 2] = R[6] * x + R[7] * y + R[8] * z + t[2];
  }
  return out;
}

/** (V, 2) pixel positions of camera-space points. */
export function projectToScreen(pc: Float64Array, cam: CameraInfo): Float64Array {
  const V = pc.length / 3;
  const out = new Float64Array(2 * V);
  for (let i = 0; i < V; i++) {
    const z = pc[3 * i + 2];
    out[2 * i] = (cam.fx * pc[3 * i]) / z + cam.cx;
    out[2 * i + 1] = (cam.fy * pc[3 * i + 1]) / z + cam.cy;
  }
  return out;
}

/** Adds d/dP of <g, screen(P_i)> to gPc (camera space) for vertex i. */
export function addScreenVjp(pc: Float64Array, cam: CameraInfo, i: number, gu: number, gv: number, gPc: Float64Array): void {
  const x = pc[3 * i];
  const y = pc[3 * i + 1];
  const z = pc[3 * i + 2];
  gPc[3 * i] += (cam.fx / z) * gu;
  gPc[3 * i + 1] += (cam.fy / z) * gv;
  gPc[3 * i + 2] -= (cam.fx * x * gu + cam.fy * y * gv) / (z * z);
}

/** World-space gradient R^T g of camera-space gradients (V, 3). */
export function cameraToWorldGrad(gPc: Float64Array, cam: CameraInfo): Float64Array {
  const R = cam.R;
  const V = gPc.length / 3;
  const out = new Float64Array(3 * V);
  for (let i = 0; i < V; i++) {
    const a = gPc[3 * i];
    const b = gPc[3 * i + 1];
    const c = gPc[3 * i + 2];
    out[3 * i] = R[0] * a + R[3] * b + R[6] * c;
    out[3 * i + 1] = R[1] * a + R[4] * b + R[7] * c;
    out[3 * i + 2] = R[2] * a + R[5] * b + R[8] * c;
  }
  return out;
}
