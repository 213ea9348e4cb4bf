import { readNpz, writeNpz, type NamedArray } from '@headsplat/core';
import { flameFail, raw } from '../errors.js';
import { floatData, shapeText } from '../npz-arrays.js';
import type { FlameTrackingSequence } from './tracking-sequence.js';

/**
 * Tracking parameters as .npz with the keys GaussianAvatars/VHAP write per sequence: shape
 * (S) or (1, S) or (T, S) (first row used), expr (T, E), rotation (T, 3), neck_pose (T, 3),
 * jaw_pose (T, 3), eyes_pose (T, 6), translation (T, 3). Missing pose keys read as zeros;
 * expr is required (it fixes T).
 */
export function readTrackingNpz(bytes: Uint8Array | ArrayBuffer): FlameTrackingSequence {
  return trackingFromArrays(readNpz(bytes), 'readTrackingNpz');
}

export function trackingFromArrays(a: Record<string, NamedArray>, fn = 'trackingFromArrays'): FlameTrackingSequence {
  if (!a.expr) flameFail(fn, "key 'expr'", `present (the file has [${Object.keys(a).join(', ')}])`, undefined);
  if (a.expr.shape.length !== 2) flameFail(fn, "key 'expr'", 'of shape (T, E)', raw(`shape ${shapeText(a.expr.shape)}`));
  const [T, E] = a.expr.shape;
  const rows = (key: string, n: number): Float32Array => {
    const x = a[key];
    if (!x) return new Float32Array(T * n);
    if (x.shape.length !== 2 || x.shape[0] !== T || x.shape[1] !== n) flameFail(fn, `key '${key}'`, `of shape (${T}, ${n}) with T from expr`, raw(`shape ${shapeText(x.shape)}`));
    return floatData(fn, key, x);
  };
  let shape: Float32Array = new Float32Array(0);
  if (a.shape) {
    const s = a.shape.shape;
    if (s.length === 1) shape = floatData(fn, 'shape', a.shape);
    else if (s.length === 2 && (s[0] === 1 || s[0] === T)) shape = floatData(fn, 'shape', a.shape).slice(0, s[1]);
    else flameFail(fn, "key 'shape'", `of shape (S), (1, S) or (${T}, S)`, raw(`shape ${shapeText(s)}`));
  }
  return {
    numFrames: T, numExpression: E, shape, expr: floatData(fn, 'expr', a.expr),
    rotation: rows('rotation', 3), neckPose: rows('neck_pose', 3), jawPose: rows('jaw_pose', 3),
    eyesPose: rows('eyes_pose', 6), translation: rows('translation', 3),
  };
}

export function writeTrackingNpz(seq: FlameTrackingSequence): Uint8Array {
  const T = seq.numFrames;
  const f = (data: Float32Array, shape: number[]): NamedArray => ({ dtype: 'float32', shape, data });
  return writeNpz({
    shape: f(seq.shape, [seq.shape.length]),
    expr: f(seq.expr, [T, seq.numExpression]),
    rotation: f(seq.rotation, [T, 3]),
    neck_pose: f(seq.neckPose, [T, 3]),
    jaw_pose: f(seq.jawPose, [T, 3]),
    eyes_pose: f(seq.eyesPose, [T, 6]),
    translation: f(seq.translation, [T, 3]),
  });
}
