import { createSyntheticFlame, type SyntheticFlame } from '@headsplat/flame';

let flame: SyntheticFlame | undefined;
/** The synthetic FLAME model shared by the tests (the one @headsplat/data renders with by default). */
export function testFlame(): SyntheticFlame {
  return (flame ??= createSyntheticFlame());
}

/** A small camera looking at the synthetic head from the front (OpenCV axes, head at the origin region). */
export function frontCamera(size = 32, distance = 0.6): { viewMatrix: Float32Array; fx: number; fy: number; cx: number; cy: number; width: number; height: number } {
  // World y is up, the face looks along +z: a camera on +z looking back flips y and z.
  const viewMatrix = new Float32Array([1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0.02, distance, 1]);
  return { viewMatrix, fx: size * 2, fy: size * 2, cx: size / 2, cy: size / 2, width: size, height: size };
}
