/**
 * The benchmark scene: N random Gaussians in front of an identity camera (depth 2..5,
 * spread over the view, sigma 0.005..0.035 world units, i.e. about 0.5..9 px at 512x512),
 * random rotations, opacities 0.1..0.9, RGB colours and F feature channels.
 */
import type { Camera, GaussianScene } from '../src/types.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function benchScene(n: number, featureDim: number, seed = 1): GaussianScene & { means: Float32Array } {
  const r = rng(seed);
  const f32 = (len: number, f: () => number): Float32Array => Float32Array.from({ length: len }, f);
  const means = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const z = 2 + 3 * r();
    means.set([(r() - 0.5) * 0.9 * z, (r() - 0.5) * 0.9 * z, z], 3 * i);
  }
  const scene: GaussianScene & { means: Float32Array } = {
    means,
    quats: f32(4 * n, () => r() - 0.5),
    scales: f32(3 * n, () => 0.005 + 0.03 * r()),
    opacities: f32(n, () => 0.1 + 0.8 * r()),
    colors: f32(3 * n, () => r()),
  };
  if (featureDim > 0) {
    scene.features = f32(featureDim * n, () => r() - 0.5);
    scene.featureDim = featureDim;
  }
  return scene;
}

export function benchCamera(size: number): Camera {
  return { viewMatrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], fx: size, fy: size, cx: size / 2, cy: size / 2, width: size, height: size };
}
