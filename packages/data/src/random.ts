import { Generator } from '@headsplat/core';

/** Deterministic uniform and normal draws from core's seeded Generator (Box-Muller). */
export class SeededRandom {
  private readonly g: Generator;

  constructor(seed: number) {
    this.g = new Generator(seed);
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.g.nextFloat64();
  }

  normal(): number {
    const u = Math.max(this.g.nextFloat64(), 1e-300);
    const v = this.g.nextFloat64();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.g.nextFloat64() * n));
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
