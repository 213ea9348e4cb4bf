/**
 * CPU reference rasterizer (float64): per-pixel visible face, perspective-correct
 * barycentrics and depth, with a z-buffer.
 *
 * Coverage: pixel centre c = (x + 0.5, y + 0.5) is inside a face when its three
 * screen-space barycentrics beta_k = cross(s_{k+1} - c, s_{k+2} - c) / area are all >= 0
 * (edges inclusive, either winding). Perspective correction (the hyperbolic
 * interpolation of Blinn, "Hyperbolic interpolation", IEEE CG&A 1992):
 * q_k = beta_k / Z_k, z = 1 / sum q_k, b_k = q_k z. The nearest z wins; exact depth ties
 * go to the lower face id (the WebGPU kernel resolves ties the same way).
 */

import { projectToScreen, toCameraSpace } from '../camera.js';
import type { Camera, Mesh, RasterOutput } from '../types.js';
import { type CameraInfo, validateCamera, validateMesh } from '../validate.js';

export function rasterizeCpu(mesh: Mesh, camera: Camera): RasterOutput {
  const { F } = validateMesh('rasterizeCpu', mesh);
  const cam = validateCamera('rasterizeCpu', camera);
  return rasterizeResolved(mesh, F, cam);
}

export function rasterizeResolved(mesh: Mesh, F: number, cam: CameraInfo): RasterOutput {
  const { width: W, height: H, near, far } = cam;
  const pc = toCameraSpace(mesh.positions, cam);
  const s = projectToScreen(pc, cam);
  const faces = mesh.faces;
  const triId = new Int32Array(W * H).fill(-1);
  const bary = new Float64Array(2 * W * H);
  const depth = new Float64Array(W * H).fill(Infinity);
  for (let f = 0; f < F; f++) {
    const i0 = faces[3 * f];
    const i1 = faces[3 * f + 1];
    const i2 = faces[3 * f + 2];
    const z0 = pc[3 * i0 + 2];
    const z1 = pc[3 * i1 + 2];
    const z2 = pc[3 * i2 + 2];
    if (!(z0 > near && z1 > near && z2 > near && z0 <= far && z1 <= far && z2 <= far)) continue;
    const x0 = s[2 * i0], y0 = s[2 * i0 + 1];
    const x1 = s[2 * i1], y1 = s[2 * i1 + 1];
    const x2 = s[2 * i2], y2 = s[2 * i2 + 1];
    const area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (area === 0) continue;
    const xa = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const xb = Math.min(W - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const ya = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const yb = Math.min(H - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    for (let y = ya; y <= yb; y++) {
      const py = y + 0.5;
      for (let x = xa; x <= xb; x++) {
        const px = x + 0.5;
        const b0 = ((x1 - px) * (y2 - py) - (y1 - py) * (x2 - px)) / area;
        const b1 = ((x2 - px) * (y0 - py) - (y2 - py) * (x0 - px)) / area;
        const b2 = ((x0 - px) * (y1 - py) - (y0 - py) * (x1 - px)) / area;
        if (b0 < 0 || b1 < 0 || b2 < 0) continue;
        const q0 = b0 / z0;
        const q1 = b1 / z1;
        const z = 1 / (q0 + q1 + b2 / z2);
        const p = y * W + x;
        if (z < depth[p]) {
          depth[p] = z;
          triId[p] = f;
          bary[2 * p] = q0 * z;
          bary[2 * p + 1] = q1 * z;
        }
      }
    }
  }
  for (let p = 0; p < W * H; p++) if (triId[p] < 0) depth[p] = 0;
  return { width: W, height: H, triId, bary, depth };
}
