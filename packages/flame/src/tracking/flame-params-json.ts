import { flameFail } from '../errors.js';
import type { FlameTrackingSequence } from './tracking-sequence.js';

/**
 * IMavatar / PointAvatar `flame_params.json`: { frames: [{ file_path, world_mat (3x4 or 4x4,
 * world-to-camera), expression (E), pose (15: global 3, neck 3, jaw 3, eyes 6), bbox?,
 * flame_keypoints? }], shape_params (S), intrinsics ([fx, fy, cx, cy], normalised by the image
 * size when below 1) }. Some converters write `transform_matrix` (4x4) instead of world_mat;
 * it is kept as given.
 * @see https://github.com/zhengyuf/IMavatar (code/datasets/real_dataset.py documents the layout)
 */
export interface FlameParamsJsonFrame {
  filePath?: string;
  /** 4x4 row-major world-to-camera matrix (a 3x4 world_mat gains [0, 0, 0, 1]), when present. */
  worldMat?: Float64Array;
  /** 4x4 row-major `transform_matrix`, when present. */
  transformMatrix?: Float64Array;
  bbox?: number[];
}

export interface FlameParamsJson {
  sequence: FlameTrackingSequence;
  frames: FlameParamsJsonFrame[];
  intrinsics?: number[];
}

const FN = 'parseFlameParamsJson';

function numbers(arg: string, v: unknown, n?: number): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || (n !== undefined && v.length !== n)) {
    flameFail(FN, arg, n === undefined ? 'an array of finite numbers' : `an array of ${n} finite numbers`, v);
  }
  return v as number[];
}

function matrix(arg: string, v: unknown): Float64Array {
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 4)) flameFail(FN, arg, 'a 3x4 or 4x4 nested array', v);
  const rows = (v as unknown[]).map((r, i) => numbers(`${arg}[${i}]`, r, 4));
  if (rows.length === 3) rows.push([0, 0, 0, 1]);
  return Float64Array.from(rows.flat());
}

/** Parses `flame_params.json` text (or the parsed object) into a tracking sequence and per-frame cameras. */
export function parseFlameParamsJson(input: string | unknown): FlameParamsJson {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      flameFail(FN, 'input', 'valid JSON', (e as Error).message);
    }
  }
  if (!doc || typeof doc !== 'object') flameFail(FN, 'input', 'a JSON object', doc);
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.frames) || d.frames.length === 0) flameFail(FN, 'frames', 'a non-empty array', d.frames);
  const T = d.frames.length;
  const first = d.frames[0] as Record<string, unknown>;
  const E = numbers('frames[0].expression', first?.expression).length;
  const seq: FlameTrackingSequence = {
    numFrames: T, numExpression: E,
    shape: Float32Array.from(d.shape_params === undefined ? [] : numbers('shape_params', d.shape_params)),
    expr: new Float32Array(T * E), rotation: new Float32Array(T * 3), neckPose: new Float32Array(T * 3),
    jawPose: new Float32Array(T * 3), eyesPose: new Float32Array(T * 6), translation: new Float32Array(T * 3),
  };
  const frames: FlameParamsJsonFrame[] = [];
  d.frames.forEach((raw, t) => {
    if (!raw || typeof raw !== 'object') flameFail(FN, `frames[${t}]`, 'an object', raw);
    const fr = raw as Record<string, unknown>;
    seq.expr.set(numbers(`frames[${t}].expression`, fr.expression, E), t * E);
    const pose = numbers(`frames[${t}].pose`, fr.pose, 15);
    seq.rotation.set(pose.slice(0, 3), t * 3);
    seq.neckPose.set(pose.slice(3, 6), t * 3);
    seq.jawPose.set(pose.slice(6, 9), t * 3);
    seq.eyesPose.set(pose.slice(9, 15), t * 6);
    const out: FlameParamsJsonFrame = {};
    if (typeof fr.file_path === 'string') out.filePath = fr.file_path;
    if (fr.world_mat !== undefined) out.worldMat = matrix(`frames[${t}].world_mat`, fr.world_mat);
    if (fr.transform_matrix !== undefined) out.transformMatrix = matrix(`frames[${t}].transform_matrix`, fr.transform_matrix);
    if (fr.bbox !== undefined) out.bbox = numbers(`frames[${t}].bbox`, fr.bbox);
    frames.push(out);
  });
  const res: FlameParamsJson = { sequence: seq, frames };
  if (d.intrinsics !== undefined) res.intrinsics = numbers('intrinsics', d.intrinsics, 4);
  return res;
}

/** Writes a sequence (and optional per-frame cameras) in the same layout. */
export function writeFlameParamsJson(seq: FlameTrackingSequence, frames: FlameParamsJsonFrame[] = [], intrinsics?: number[]): string {
  const E = seq.numExpression;
  const mat = (m: Float64Array, rows: number) => Array.from({ length: rows }, (_, r) => Array.from(m.subarray(r * 4, r * 4 + 4)));
  const doc = {
    frames: Array.from({ length: seq.numFrames }, (_, t) => {
      const f = frames[t] ?? {};
      return {
        file_path: f.filePath ?? `./image/${t + 1}`,
        ...(f.worldMat ? { world_mat: mat(f.worldMat, 3) } : {}),
        ...(f.transformMatrix ? { transform_matrix: mat(f.transformMatrix, 4) } : {}),
        expression: Array.from(seq.expr.subarray(t * E, (t + 1) * E)),
        pose: [...seq.rotation.subarray(t * 3, t * 3 + 3), ...seq.neckPose.subarray(t * 3, t * 3 + 3), ...seq.jawPose.subarray(t * 3, t * 3 + 3), ...seq.eyesPose.subarray(t * 6, t * 6 + 6)],
        ...(f.bbox ? { bbox: f.bbox } : {}),
      };
    }),
    shape_params: Array.from(seq.shape),
    ...(intrinsics ? { intrinsics } : {}),
  };
  return JSON.stringify(doc);
}
