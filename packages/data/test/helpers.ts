import type { CaptureCamera, CaptureFrame } from '../src/index.js';

/** Pixel (u, v) of a world point through a capture camera. */
export function project(cam: CaptureCamera, p: ArrayLike<number>): [number, number, number] {
  const m = cam.viewMatrix;
  const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
  const y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
  const z = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
  return [(cam.fx * x) / z + cam.cx, (cam.fy * y) / z + cam.cy, z];
}

/** The 15 + 3 pose values and the codes of a frame, missing ones as zeros. */
export function fullParams(f: CaptureFrame['flame'], E: number, S: number): number[] {
  const arr = (v: ArrayLike<number> | undefined, n: number) => Array.from({ length: n }, (_, i) => (v && i < v.length ? v[i] : 0));
  return [
    ...arr(f.shape, S), ...arr(f.expression, E), ...arr(f.rotation, 3), ...arr(f.neckPose, 3), ...arr(f.jawPose, 3),
    ...arr(f.eyesPose, 6), ...arr(f.translation, 3),
  ];
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
