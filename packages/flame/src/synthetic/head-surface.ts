/**
 * The synthetic head's surface as a radius over directions from the head centre: a star-shaped
 * union of an ellipsoid (skull and face) and a capped cylinder (neck), joined by smooth
 * min/max, plus Gaussian bumps and dents for the nose, brows, eye sockets, lips, chin, cheeks
 * and ears. Angles: θ is the polar angle from +y (up), φ the azimuth from +z (the face looks
 * along +z, +x is the subject's left), as FLAME's frame.
 */
export const DEG = Math.PI / 180;

export const HEAD = {
  /** Ellipsoid half-axes (m). */
  ax: 0.078, ay: 0.104, az: 0.095,
  /** Neck cylinder radius and the depth of its bottom cap below the centre (m). */
  neckRadius: 0.052, neckBottom: 0.2,
  /** Eye socket direction and eyeball radius. */
  eyeTheta: 76 * DEG, eyePhi: 24 * DEG, eyeRadius: 0.0125,
  /** How far the eyeball centre sits behind the socket skin (m). */
  eyeInset: 0.006,
  /** Polar angle of the line between the lips. */
  mouthTheta: 106.5 * DEG,
} as const;

export function direction(theta: number, phi: number): [number, number, number] {
  const s = Math.sin(theta);
  return [s * Math.sin(phi), Math.cos(theta), s * Math.cos(phi)];
}

/** Polynomial smooth minimum (Quilez), C1 with blend width k. */
export function smin(a: number, b: number, k: number): number {
  const h = Math.min(Math.max(0.5 + (0.5 * (b - a)) / k, 0), 1);
  return b + (a - b) * h - k * h * (1 - h);
}

export const smax = (a: number, b: number, k: number): number => -smin(-a, -b, k);

/** Hermite smoothstep from 0 at e0 to 1 at e1. */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
}

/** Wraps an angle difference into (-π, π]. */
export function wrapAngle(a: number): number {
  let x = a % (2 * Math.PI);
  if (x > Math.PI) x -= 2 * Math.PI;
  if (x <= -Math.PI) x += 2 * Math.PI;
  return x;
}

/** Separable Gaussian bump in (θ, φ), 1 at the centre. Angles in radians. */
export function bump(theta: number, phi: number, t0: number, p0: number, st: number, sp: number): number {
  const dt = (theta - t0) / st;
  const dp = wrapAngle(phi - p0) / sp;
  return Math.exp(-0.5 * (dt * dt + dp * dp));
}

/** Distance from the centre to the base surface (ellipsoid ∪ neck) along direction (θ, φ). */
function baseRadius(theta: number, phi: number): number {
  const [x, y, z] = direction(theta, phi);
  const te = 1 / Math.hypot(x / HEAD.ax, y / HEAD.ay, z / HEAD.az);
  if (y >= 0) return te;
  const h = Math.hypot(x, z);
  const tc = h > 1e-9 ? HEAD.neckRadius / h : Infinity;
  const tcap = HEAD.neckBottom / -y;
  const tn = Number.isFinite(tc) ? smin(tc, tcap, 0.012) : tcap;
  return smax(te, tn, 0.014);
}

/** Radial offsets of the facial features (m). */
function features(theta: number, phi: number): number {
  const d = DEG;
  let r = 0;
  r += 0.009 * bump(theta, phi, 84 * d, 0, 6 * d, 4 * d); // nose bridge
  r += 0.02 * bump(theta, phi, 94 * d, 0, 4.5 * d, 6 * d); // nose tip
  r += 0.005 * bump(theta, phi, 67 * d, 0, 4 * d, 30 * d); // brow ridge
  for (const s of [-1, 1]) {
    r -= 0.01 * bump(theta, phi, HEAD.eyeTheta, s * HEAD.eyePhi, 5.5 * d, 7 * d); // eye socket
    r += 0.006 * bump(theta, phi, 88 * d, s * 45 * d, 8 * d, 12 * d); // cheekbone
    r += 0.006 * bump(theta, phi, 115 * d, s * 55 * d, 10 * d, 15 * d); // jaw angle
    r += 0.018 * bump(theta, phi, 92 * d, s * 90 * d, 6 * d, 5 * d); // ear
  }
  r += 0.006 * bump(theta, phi, HEAD.mouthTheta, 0, 4 * d, 13 * d); // lips
  r += 0.014 * bump(theta, phi, 126 * d, 0, 7 * d, 14 * d); // chin
  r += 0.01 * bump(theta, phi, 60 * d, Math.PI, 30 * d, 60 * d); // back of the skull
  return r;
}

/** The head surface point in direction (θ, φ). */
export function headPoint(theta: number, phi: number): [number, number, number] {
  const d = direction(theta, phi);
  const t = baseRadius(theta, phi) + features(theta, phi);
  return [d[0] * t, d[1] * t, d[2] * t];
}

/** Centre of the eyeball on side s (+1: left, +x; -1: right). */
export function eyeCenter(side: 1 | -1): [number, number, number] {
  const d = direction(HEAD.eyeTheta, side * HEAD.eyePhi);
  const p = headPoint(HEAD.eyeTheta, side * HEAD.eyePhi);
  return [p[0] - d[0] * HEAD.eyeInset, p[1] - d[1] * HEAD.eyeInset, p[2] - d[2] * HEAD.eyeInset];
}
