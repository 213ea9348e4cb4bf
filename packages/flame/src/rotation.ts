/**
 * Small float64 rotation helpers on plain arrays (row-major 3x3), used by the CPU reference
 * forward pass, the synthetic model and tests.
 */

/**
 * Rodrigues' formula R = I + A K + B K², K = [v]×, A = sin θ/θ, B = (1 − cos θ)/θ², with the
 * Taylor series below θ² = 1e-8 so that θ = 0 is exact.
 */
export function rodrigues(v: ArrayLike<number>, offset = 0): Float64Array {
  const x = v[offset], y = v[offset + 1], z = v[offset + 2];
  const t2 = x * x + y * y + z * z;
  let A: number;
  let B: number;
  if (t2 < 1e-8) {
    A = 1 - t2 / 6;
    B = 0.5 - t2 / 24;
  } else {
    const t = Math.sqrt(t2);
    A = Math.sin(t) / t;
    const s = Math.sin(t / 2) / (t / 2);
    B = 0.5 * s * s;
  }
  // K² = v vᵀ − θ² I
  return Float64Array.of(
    1 + B * (x * x - t2), -A * z + B * x * y, A * y + B * x * z,
    A * z + B * x * y, 1 + B * (y * y - t2), -A * x + B * y * z,
    -A * y + B * x * z, A * x + B * y * z, 1 + B * (z * z - t2),
  );
}

/** c = a b for row-major 3x3 matrices. */
export function mul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const c = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) c[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  }
  return c;
}

/** Rotation about the y axis by `a` radians (yaw in FLAME's frame: +a turns the face toward +x). */
export function rotationY(a: number): Float64Array {
  const c = Math.cos(a), s = Math.sin(a);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

/** Rotation about the x axis by `a` radians (+a opens FLAME's jaw). */
export function rotationX(a: number): Float64Array {
  const c = Math.cos(a), s = Math.sin(a);
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}
