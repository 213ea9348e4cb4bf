/**
 * The prior this package ships (assets/headgap-prior.safetensors, ~0.5 MB): trained by
 * scripts/evaluate.ts on the synthetic capture set below (identities 0-3; identity 4 is never
 * seen, so examples can personalise to it). Regenerate with
 * `pnpm exec tsx packages/models-headgap/scripts/evaluate.ts --save-prior packages/models-headgap/assets/headgap-prior.safetensors`.
 */
import type { HeadGapConfig } from './config.js';

/** 5 identities (the last held out), 4 expressions (the last held out), 5 dome views (view 1 held out), 64x64, seed 0. */
export const SHIPPED_PRIOR_CAPTURES = { identities: 5, expressions: 4, views: 5, size: 64, seed: 0, heldOutIdentities: [4] };

/** Model config of the shipped prior (defaults elsewhere; the codebook holds the 4 training identities). */
export const SHIPPED_PRIOR_CONFIG: Partial<HeadGapConfig> = { uvResolution: 40, identities: 4 };

/** Location of the shipped prior's safetensors file (read it with fs in Node or fetch in a browser). */
export function shippedPriorUrl(): URL {
  return new URL('../assets/headgap-prior.safetensors', import.meta.url);
}
