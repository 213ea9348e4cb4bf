/**
 * Per-frame FLAME parameters of a tracked sequence, as monocular/multi-view trackers write them.
 * Arrays are row-major (T, n) Float32Arrays; `shape` is shared by all frames.
 */
export interface FlameTrackingSequence {
  numFrames: number;
  /** (S) shape, shared by all frames. */
  shape: Float32Array;
  /** (T, E) expression. */
  expr: Float32Array;
  numExpression: number;
  /** (T, 3) global rotation (axis-angle). */
  rotation: Float32Array;
  /** (T, 3). */
  neckPose: Float32Array;
  /** (T, 3). */
  jawPose: Float32Array;
  /** (T, 6): left eye then right eye. */
  eyesPose: Float32Array;
  /** (T, 3). */
  translation: Float32Array;
}

/** Frame t as `FlameFrameParams` (subarray views, no copy). */
export function trackingFrame(seq: FlameTrackingSequence, t: number) {
  const E = seq.numExpression;
  return {
    shape: seq.shape,
    expression: seq.expr.subarray(t * E, (t + 1) * E),
    rotation: seq.rotation.subarray(t * 3, t * 3 + 3),
    neckPose: seq.neckPose.subarray(t * 3, t * 3 + 3),
    jawPose: seq.jawPose.subarray(t * 3, t * 3 + 3),
    eyesPose: seq.eyesPose.subarray(t * 6, t * 6 + 6),
    translation: seq.translation.subarray(t * 3, t * 3 + 3),
  };
}
