/**
 * Camera rigs of the synthetic generator, all aimed at the head's vertex bounds (the template
 * above the lower neck), in FLAME's frame (y up, the face looking along +z).
 */
import { flameForwardCpu, type FlameModel } from '@headsplat/flame';
import { lookAtViewMatrix, type Vec3 } from '../camera-math.js';
import type { CaptureCamera } from '../types.js';

const DEG = Math.PI / 180;

export interface HeadFrame {
  /** Centre of the head's bounding box (template, above the lower neck). */
  center: Vec3;
  /** Radius of the smallest sphere around `center` holding those vertices. */
  radius: number;
}

/**
 * Bounds of the neutral template, keeping vertices above 45% of its height (the head and the
 * upper neck: the neck's bottom cap would shrink the head in the frame).
 */
export function headFrame(model: FlameModel): HeadFrame {
  const v = flameForwardCpu(model, {}).vertices;
  let yMin = Infinity, yMax = -Infinity;
  for (let i = 1; i < v.length; i += 3) { yMin = Math.min(yMin, v[i]); yMax = Math.max(yMax, v[i]); }
  const cut = yMin + 0.45 * (yMax - yMin);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < v.length; i += 3) {
    if (v[i + 1] < cut) continue;
    for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], v[i + k]); hi[k] = Math.max(hi[k], v[i + k]); }
  }
  const center: Vec3 = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  let radius = 0;
  for (let i = 0; i < v.length; i += 3) if (v[i + 1] >= cut) radius = Math.max(radius, Math.hypot(v[i] - center[0], v[i + 1] - center[1], v[i + 2] - center[2]));
  return { center, radius };
}

/** Direction (unit) from the head towards a camera at azimuth `az` (about +y, 0 = front) and elevation `el`. */
export function viewDirection(az: number, el: number): Vec3 {
  return [Math.cos(el) * Math.sin(az), Math.sin(el), Math.cos(el) * Math.cos(az)];
}

/**
 * A camera at (azimuth, elevation) around the head whose bounding sphere fills `fill` of the
 * smaller image side with focal length `focal` (pixels).
 */
export function framingCamera(head: HeadFrame, az: number, el: number, focal: number, width: number, height: number, fill = 0.9): CaptureCamera {
  const half = Math.atan((fill * Math.min(width, height)) / (2 * focal));
  const dist = head.radius / Math.sin(half);
  const d = viewDirection(az, el);
  const eye: Vec3 = [head.center[0] + d[0] * dist, head.center[1] + d[1] * dist, head.center[2] + d[2] * dist];
  return { viewMatrix: lookAtViewMatrix(eye, head.center), fx: focal, fy: focal, cx: width / 2, cy: height / 2, width, height, near: 0.01, far: 100 };
}

/**
 * Dome positions (NeRSemble-like: cameras spread over the front of the head): a Fibonacci
 * spiral in the unit disk mapped to azimuth ±`maxAzimuth` and elevation `elevation` ±
 * `elevationSpan`; camera 0 is the most frontal. Returns [azimuth, elevation] pairs (radians).
 */
export function domePositions(count: number, maxAzimuth = 70 * DEG, elevation = 8 * DEG, elevationSpan = 25 * DEG): [number, number][] {
  if (count === 1) return [[0, elevation]];
  const golden = Math.PI * (3 - Math.sqrt(5));
  return Array.from({ length: count }, (_, i) => {
    const r = Math.sqrt((i + 0.5) / count);
    const a = i * golden;
    return [r * Math.cos(a) * maxAzimuth, elevation + r * Math.sin(a) * elevationSpan] as [number, number];
  });
}
