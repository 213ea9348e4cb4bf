/**
 * The scene shown at first open: a stylised head of flat Gaussians (skin, hair, eyes,
 * nose, mouth, ears) generated procedurally, so the viewer ships no data file.
 * World frame: y up, the face looks towards +z, the head is about 2 units tall.
 */
import { mulberry32, type GaussianScene } from '@headsplat/splat-raster';

type Rgb = [number, number, number];

interface SceneBuilder {
  means: number[];
  quats: number[];
  scales: number[];
  opacities: number[];
  colors: number[];
}

/** Quaternion (w, x, y, z) rotating +z onto the unit vector n (the disk's normal). */
function quatFromZ(n: [number, number, number]): [number, number, number, number] {
  const w = 1 + n[2];
  if (w < 1e-6) return [0, 1, 0, 0];
  const len = Math.hypot(w, n[1], n[0]);
  return [w / len, -n[1] / len, n[0] / len, 0];
}

function push(b: SceneBuilder, p: [number, number, number], n: [number, number, number], size: number, flat: number, color: Rgb, opacity = 0.95): void {
  b.means.push(...p);
  b.quats.push(...quatFromZ(n));
  b.scales.push(size, size, size * flat);
  b.opacities.push(opacity);
  b.colors.push(...color);
}

/** Unit ellipsoid point and its normal at spherical angles (theta from +y, phi about y from +z). */
function ellipsoid(radii: Rgb, theta: number, phi: number): { p: [number, number, number]; n: [number, number, number] } {
  const s = Math.sin(theta);
  const u: Rgb = [s * Math.sin(phi), Math.cos(theta), s * Math.cos(phi)];
  const p: [number, number, number] = [radii[0] * u[0], radii[1] * u[1], radii[2] * u[2]];
  const g = [u[0] / radii[0], u[1] / radii[1], u[2] / radii[2]];
  const gl = Math.hypot(g[0], g[1], g[2]);
  return { p, n: [g[0] / gl, g[1] / gl, g[2] / gl] };
}

function jitter(c: Rgb, rand: () => number, amount: number): Rgb {
  return c.map((v) => Math.min(1, Math.max(0, v + (rand() - 0.5) * amount))) as Rgb;
}

/**
 * Builds the default head.
 * @param count number of Gaussians on the head surface (features add about 150 more)
 */
export function createDefaultScene(count = 2500, seed = 7): GaussianScene {
  const rand = mulberry32(seed);
  const b: SceneBuilder = { means: [], quats: [], scales: [], opacities: [], colors: [] };
  const head: Rgb = [0.78, 1.0, 0.88];
  const skin: Rgb = [0.91, 0.71, 0.58];
  const hair: Rgb = [0.32, 0.2, 0.12];
  // Disk radius (1 sigma) of about 0.6 times the spacing of the points: overlapping, not blurry.
  const size = 0.6 * Math.sqrt((4 * Math.PI * 0.85) / count);
  // Fibonacci sphere: an even cover of the head surface.
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < count; i++) {
    const y = 1 - (2 * (i + 0.5)) / count;
    const theta = Math.acos(y);
    const phi = i * golden;
    const { p, n } = ellipsoid(head, theta, phi);
    // Hair: the top and the back of the head.
    const isHair = p[1] > 0.45 - 0.35 * Math.max(0, -n[2]) || (n[2] < -0.2 && p[1] > -0.3);
    push(b, p, n, size * (0.9 + 0.3 * rand()), 0.25, jitter(isHair ? hair : skin, rand, isHair ? 0.08 : 0.05));
  }
  const front = (x: number, y: number, lift: number): { p: [number, number, number]; n: [number, number, number] } => {
    // Point on the face surface at (x, y), pushed out along the normal by `lift`.
    const z = head[2] * Math.sqrt(Math.max(0, 1 - (x / head[0]) ** 2 - (y / head[1]) ** 2));
    const g = [x / head[0] ** 2, y / head[1] ** 2, z / head[2] ** 2];
    const gl = Math.hypot(g[0], g[1], g[2]);
    const n: [number, number, number] = [g[0] / gl, g[1] / gl, g[2] / gl];
    return { p: [x + n[0] * lift, y + n[1] * lift, z + n[2] * lift], n };
  };
  for (const side of [-1, 1]) {
    const eye = front(0.3 * side, 0.15, 0.02);
    push(b, eye.p, eye.n, 0.11, 0.3, [0.97, 0.97, 0.95], 0.99);
    const pupil = front(0.3 * side, 0.15, 0.05);
    push(b, pupil.p, pupil.n, 0.05, 0.3, [0.12, 0.25, 0.45], 1);
    const brow = front(0.3 * side, 0.33, 0.03);
    for (let k = -2; k <= 2; k++) {
      const q = front(0.3 * side + 0.045 * k, 0.33 + 0.012 * (2 - Math.abs(k)), 0.03);
      push(b, q.p, brow.n, 0.04, 0.4, hair, 0.98);
    }
    // Ears: a few disks on each side.
    for (let k = 0; k < 12; k++) {
      const a = (k / 12) * Math.PI * 2;
      const p: [number, number, number] = [side * (head[0] + 0.03), 0.05 + 0.14 * Math.sin(a), -0.05 + 0.07 * Math.cos(a)];
      push(b, p, [side, 0, 0], 0.06, 0.3, jitter(skin, rand, 0.06), 0.97);
    }
  }
  // Nose: a ridge of Gaussians growing out of the face.
  for (let k = 0; k < 14; k++) {
    const t = k / 13;
    const base = front(0, 0.12 - 0.3 * t, 0);
    const out = 0.04 + 0.12 * t * t;
    push(b, [base.p[0], base.p[1], base.p[2] + out], [0, 0.2, 1], 0.05 + 0.03 * t, 0.6, [0.9, 0.62, 0.5], 0.97);
  }
  // Mouth: an arc of red disks.
  for (let k = -8; k <= 8; k++) {
    const x = 0.03 * k;
    const m = front(x, -0.42 + 0.0016 * k * k, 0.02);
    push(b, m.p, m.n, 0.045, 0.4, [0.78, 0.18, 0.2], 0.98);
  }
  // Neck: a short cylinder below the head.
  for (let k = 0; k < 160; k++) {
    const a = rand() * Math.PI * 2;
    const y = -0.85 - rand() * 0.55;
    const n: [number, number, number] = [Math.sin(a), 0, Math.cos(a)];
    push(b, [0.42 * n[0], y, 0.42 * n[2] - 0.1], n, 0.09, 0.3, jitter([0.86, 0.66, 0.54], rand, 0.05), 0.95);
  }
  return {
    means: new Float32Array(b.means),
    quats: new Float32Array(b.quats),
    scales: new Float32Array(b.scales),
    opacities: new Float32Array(b.opacities),
    colors: new Float32Array(b.colors),
  };
}
