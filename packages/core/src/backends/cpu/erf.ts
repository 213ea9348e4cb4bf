/**
 * The error function in float64, accurate to ~1e-15 (checked against CPython's
 * `math.erf`, which follows W. J. Cody's algorithm). The CPU backend is the oracle and
 * gradcheck differentiates gelu/erf by finite differences, so a 1e-7 approximation
 * such as Abramowitz & Stegun 7.1.26 (the WebGPU float32 kernel's choice) is not enough here.
 *
 * - |x| < 2.5: the everywhere-positive series of A&S 7.1.6,
 *   erf x = 2/√π · e^(−x²) · Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation).
 * - 2.5 ≤ |x| < 6: erfc by the continued fraction of A&S 7.1.14,
 *   erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
 * - |x| ≥ 6: ±1 (erfc 6 ≈ 2e-17 is below float64 resolution of 1).
 * @see https://personal.math.ubc.ca/~cbm/aands/page_297.htm
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return 1.1283791670955126 * Math.exp(-x2) * sum;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  let f = ax;
  for (let k = 80; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / (1.7724538509055160 * f);
  return x > 0 ? 1 - erfc : erfc - 1;
}
