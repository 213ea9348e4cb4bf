/**
 * Camera helpers: orbiting a splat-raster camera around a point (reference views of the
 * personalisation's view regulariser, novel views and turntables of the example).
 */
import type { Camera } from '@headsplat/splat-raster';

/** Column-major 4x4 product a · b. */
function mul4(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const out = new Float32Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
    out[c * 4 + r] = s;
  }
  return out;
}

/**
 * The camera that sees the scene turned by `yaw` about the world y axis (FLAME's up) and
 * then by `pitch` about the world x axis, both through `center`: M' = M · T(c) · R · T(-c).
 * Equivalent to orbiting the camera by the inverse rotation; intrinsics are kept.
 */
export function orbitCamera(camera: Camera, center: ArrayLike<number>, yaw: number, pitch = 0): Camera {
  const [cx, cy, cz] = [center[0], center[1], center[2]];
  const T = (x: number, y: number, z: number) => new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1]);
  const cyw = Math.cos(yaw), syw = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
  // Column-major rotation matrices.
  const Ry = new Float32Array([cyw, 0, -syw, 0, 0, 1, 0, 0, syw, 0, cyw, 0, 0, 0, 0, 1]);
  const Rx = new Float32Array([1, 0, 0, 0, 0, cp, sp, 0, 0, -sp, cp, 0, 0, 0, 0, 1]);
  const M = mul4(mul4(mul4(mul4(camera.viewMatrix, T(cx, cy, cz)), Rx), Ry), T(-cx, -cy, -cz));
  return { ...camera, viewMatrix: M };
}

/** Mean of (V, 3) vertices. */
export function centroid(vertices: ArrayLike<number>): [number, number, number] {
  const n = vertices.length / 3;
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) c[d] += vertices[i * 3 + d] / n;
  return c;
}
