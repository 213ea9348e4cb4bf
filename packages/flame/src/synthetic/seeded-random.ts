import { Generator } from '@headsplat/core';

/** Deterministic normal and uniform draws from core's seeded Generator (Box-Muller). */
export class SeededRandom {
  private g: Generator;

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
}
