/**
 * The generator's expression list, shared by every identity of a set (as a capture script
 * is): 0 neutral, 1 jaw open, 2 smile, 3 blink + brow raise, 4 pucker, then random mixtures
 * of the semantic and random components with a random jaw opening (deterministic per seed).
 */
import { SYNTHETIC_EXPRESSIONS as X } from '@headsplat/flame';
import type { SeededRandom } from '../random.js';

export interface SyntheticExpression {
  expression: Float32Array;
  /** Jaw pose (axis-angle, radians). */
  jawPose: [number, number, number];
}

export function buildExpressions(count: number, numExpression: number, rng: SeededRandom): SyntheticExpression[] {
  const out: SyntheticExpression[] = [];
  const set = (e: Float32Array, k: number, v: number) => { if (k < numExpression) e[k] = v; };
  for (let i = 0; i < count; i++) {
    const e = new Float32Array(numExpression);
    let jaw = 0;
    switch (i) {
      case 0: break;
      case 1: set(e, X.jawOpen, 1); jaw = 0.28; break;
      case 2: set(e, X.smile, 1.6); break;
      case 3: set(e, X.blink, 1); set(e, X.browRaise, 1.2); break;
      case 4: set(e, X.pucker, 1.5); break;
      default: {
        set(e, X.jawOpen, rng.uniform(0, 0.8));
        set(e, X.smile, rng.uniform(-0.5, 1.5));
        set(e, X.blink, rng.uniform() < 0.3 ? rng.uniform(0.5, 1) : 0);
        set(e, X.browRaise, rng.uniform(-0.5, 1.2));
        set(e, X.pucker, rng.uniform(0, 1));
        for (let k = 5; k < numExpression; k++) e[k] = 0.6 * rng.normal();
        jaw = rng.uniform(0, 0.25);
      }
    }
    out.push({ expression: e, jawPose: [jaw, 0, 0] });
  }
  return out;
}
