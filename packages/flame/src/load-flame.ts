import { readNpz, type NamedArray } from '@headsplat/core';
import { flameFail, raw } from './errors.js';
import { FLAME_NUM_JOINTS, FLAME_POSE_FEATURES, type FlameLandmarkEmbedding, type FlameModel } from './flame-model.js';
import { floatData, intData, matchShape, shapeText, squeezeLeading } from './npz-arrays.js';

export interface LoadFlameOptions {
  /** Shape components to keep (the first S of the file's; default all). */
  shapeComponents?: number;
  /** Expression components to keep (the first E of the file's; default all). */
  expressionComponents?: number;
  /**
   * How many of shapedirs' last-axis components are shape (the rest are expression). Default:
   * the file's `shape_components` scalar if present (written by `writeFlameNpz`), else 300 (the
   * official FLAME 2020/2023 layout, 300 shape + 100 expression).
   */
  fileShapeComponents?: number;
}

const REQUIRED = ['v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights', 'kintree_table', 'f'] as const;

/**
 * Loads a FLAME model from an .npz with the official release's keys (see the README for the
 * one-line conversion from `generic_model.pkl`): v_template (V, 3), shapedirs (V, 3, S+E),
 * posedirs (V, 3, 36) or (V*3, 36) or (36, V*3), J_regressor (5, V), weights (V, 5),
 * kintree_table (2, 5), f (F, 3); optional landmark embeddings (lmk_faces_idx /
 * static_lmk_faces_idx (L), lmk_bary_coords / static_lmk_bary_coords (L, 3),
 * dynamic_lmk_faces_idx (Y, K), dynamic_lmk_bary_coords (Y, K, 3), full_lmk_faces_idx (68),
 * full_lmk_bary_coords (68, 3)), a UV layout (vt (T, 2), ft (F, 3)) and vertex masks
 * (mask_<name>: vertex indices).
 */
export function loadFlameNpz(bytes: Uint8Array | ArrayBuffer, options: LoadFlameOptions = {}): FlameModel {
  return flameFromArrays(readNpz(bytes), options, 'loadFlameNpz');
}

/** `loadFlameNpz` on arrays already read (e.g. from `readNpz`, or built in memory). */
export function flameFromArrays(arrays: Record<string, NamedArray>, options: LoadFlameOptions = {}, fn = 'flameFromArrays'): FlameModel {
  for (const k of REQUIRED) {
    if (!Object.prototype.hasOwnProperty.call(arrays, k)) {
      flameFail(fn, `key '${k}'`, `present (the file has [${Object.keys(arrays).join(', ')}])`, undefined);
    }
  }
  const get = (k: string) => arrays[k];
  const { V } = matchShape(fn, 'v_template', get('v_template').shape, ['V', 3]);
  const vTemplate = floatData(fn, 'v_template', get('v_template'));

  const sd = get('shapedirs');
  const { K } = matchShape(fn, 'shapedirs', sd.shape, [V, 3, 'K'], ' with V from v_template');
  const fileS = options.fileShapeComponents ?? scalarOf(fn, arrays, 'shape_components') ?? 300;
  if (!Number.isInteger(fileS) || fileS < 0 || fileS > K) {
    flameFail(fn, 'options.fileShapeComponents', `an integer in [0, ${K}] (shapedirs has ${K} components; official files hold 300 shape + 100 expression, others must say how many are shape)`, fileS);
  }
  const fileE = K - fileS;
  const S = pickCount(fn, 'options.shapeComponents', options.shapeComponents, fileS);
  const E = pickCount(fn, 'options.expressionComponents', options.expressionComponents, fileE);
  const sdData = floatData(fn, 'shapedirs', sd);
  const shapedirs = new Float32Array(V * 3 * S);
  const exprdirs = new Float32Array(V * 3 * E);
  for (let i = 0; i < V * 3; i++) {
    for (let k = 0; k < S; k++) shapedirs[i * S + k] = sdData[i * K + k];
    for (let k = 0; k < E; k++) exprdirs[i * E + k] = sdData[i * K + fileS + k];
  }

  const pd = get('posedirs');
  const pdData = floatData(fn, 'posedirs', pd);
  let posedirs: Float32Array;
  const P = FLAME_POSE_FEATURES;
  const ps = pd.shape;
  if ((ps.length === 3 && ps[0] === V && ps[1] === 3 && ps[2] === P) || (ps.length === 2 && ps[0] === V * 3 && ps[1] === P)) {
    posedirs = pdData;
  } else if (ps.length === 2 && ps[0] === P && ps[1] === V * 3) {
    posedirs = new Float32Array(V * 3 * P);
    for (let k = 0; k < P; k++) for (let i = 0; i < V * 3; i++) posedirs[i * P + k] = pdData[k * V * 3 + i];
  } else {
    flameFail(fn, "key 'posedirs'", `of shape ${shapeText([V, 3, P])}, ${shapeText([V * 3, P])} or ${shapeText([P, V * 3])}`, raw(`shape ${shapeText(ps)}`));
  }

  matchShape(fn, 'J_regressor', get('J_regressor').shape, [FLAME_NUM_JOINTS, V], ' with V from v_template');
  const jRegressor = floatData(fn, 'J_regressor', get('J_regressor'));
  matchShape(fn, 'weights', get('weights').shape, [V, FLAME_NUM_JOINTS], ' with V from v_template');
  const weights = floatData(fn, 'weights', get('weights'));
  matchShape(fn, 'kintree_table', get('kintree_table').shape, [2, FLAME_NUM_JOINTS]);
  const kt = intData(fn, 'kintree_table', get('kintree_table'), true);
  const parents = new Int32Array(FLAME_NUM_JOINTS);
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
    if (kt[FLAME_NUM_JOINTS + j] !== j) flameFail(fn, "key 'kintree_table'", 'a table whose row 1 is [0, 1, 2, 3, 4]', Array.from(kt.subarray(5)));
    const p = kt[j];
    parents[j] = p < 0 || p >= FLAME_NUM_JOINTS ? -1 : p;
    if (j === 0 ? parents[j] !== -1 : parents[j] < 0 || parents[j] >= j) {
      flameFail(fn, "key 'kintree_table'", 'row 0 with the root first (-1 or 2^32-1) and each parent before its child', Array.from(kt.subarray(0, 5)));
    }
  }
  const { F } = matchShape(fn, 'f', get('f').shape, ['F', 3]);
  const faces = intData(fn, 'f', get('f'));
  checkIndices(fn, 'f', faces, V);

  const model: FlameModel = {
    numVertices: V, numFaces: F, numShape: S, numExpression: E,
    vTemplate, shapedirs, exprdirs, posedirs, jRegressor, weights, parents, faces,
  };
  const landmarks = loadLandmarks(fn, arrays, F);
  if (landmarks) model.landmarks = landmarks;
  if (arrays.vt || arrays.ft) {
    if (!arrays.vt || !arrays.ft) flameFail(fn, `key '${arrays.vt ? 'ft' : 'vt'}'`, "present when the other UV key ('vt' or 'ft') is", undefined);
    const { T } = matchShape(fn, 'vt', arrays.vt.shape, ['T', 2]);
    matchShape(fn, 'ft', arrays.ft.shape, [F, 3], ' with F from f');
    const faceUvs = intData(fn, 'ft', arrays.ft);
    checkIndices(fn, 'ft', faceUvs, T);
    model.uv = { uvs: floatData(fn, 'vt', arrays.vt), faceUvs };
  }
  const maskKeys = Object.keys(arrays).filter((k) => k.startsWith('mask_'));
  if (maskKeys.length) {
    model.masks = {};
    for (const k of maskKeys) {
      const idx = intData(fn, k, arrays[k]);
      if (arrays[k].shape.length !== 1) flameFail(fn, `key '${k}'`, 'a 1-D array of vertex indices', raw(`shape ${shapeText(arrays[k].shape)}`));
      checkIndices(fn, k, idx, V);
      model.masks[k.slice(5)] = idx;
    }
  }
  return model;
}

function pickCount(fn: string, arg: string, want: number | undefined, have: number): number {
  if (want === undefined) return have;
  if (!Number.isInteger(want) || want < 0 || want > have) flameFail(fn, arg, `an integer in [0, ${have}] (the file's components)`, want);
  return want;
}

function scalarOf(fn: string, arrays: Record<string, NamedArray>, key: string): number | undefined {
  const a = arrays[key];
  if (!a) return undefined;
  if (a.shape.length > 1 || intData(fn, key, a).length !== 1) flameFail(fn, `key '${key}'`, 'a scalar', raw(`shape ${shapeText(a.shape)}`));
  return intData(fn, key, a)[0];
}

function checkIndices(fn: string, key: string, idx: Int32Array, n: number): void {
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= n) flameFail(fn, `key '${key}'`, `indices in [0, ${n})`, raw(`${idx[i]} at flat index ${i}`));
  }
}

function loadLandmarks(fn: string, arrays: Record<string, NamedArray>, F: number): FlameLandmarkEmbedding | undefined {
  const pick = (...names: string[]) => names.find((n) => arrays[n] !== undefined);
  const fk = pick('lmk_faces_idx', 'static_lmk_faces_idx');
  const bk = pick('lmk_bary_coords', 'static_lmk_bary_coords');
  if (!fk && !bk) return undefined;
  if (!fk || !bk) flameFail(fn, `key '${fk ? 'lmk_bary_coords' : 'lmk_faces_idx'}'`, 'present with its pair', undefined);
  const { L } = matchShape(fn, fk, squeezeLeading(arrays[fk].shape, 1), ['L']);
  matchShape(fn, bk, squeezeLeading(arrays[bk].shape, 2), [L, 3], ` with L from ${fk}`);
  const emb: FlameLandmarkEmbedding = { staticFaces: intData(fn, fk, arrays[fk]), staticBary: floatData(fn, bk, arrays[bk]) };
  checkIndices(fn, fk, emb.staticFaces, F);
  if (arrays.dynamic_lmk_faces_idx || arrays.dynamic_lmk_bary_coords) {
    const a = arrays.dynamic_lmk_faces_idx, b = arrays.dynamic_lmk_bary_coords;
    if (!a || !b) flameFail(fn, `key '${a ? 'dynamic_lmk_bary_coords' : 'dynamic_lmk_faces_idx'}'`, 'present with its pair', undefined);
    const { Y, K } = matchShape(fn, 'dynamic_lmk_faces_idx', a.shape, ['Y', 'K']);
    matchShape(fn, 'dynamic_lmk_bary_coords', b.shape, [Y, K, 3], ' with Y, K from dynamic_lmk_faces_idx');
    if (Y !== 79) flameFail(fn, "key 'dynamic_lmk_faces_idx'", 'of shape (79, K): one row per yaw bin -39..39 degrees', raw(`shape ${shapeText(a.shape)}`));
    emb.dynamicFaces = intData(fn, 'dynamic_lmk_faces_idx', a);
    emb.dynamicBary = floatData(fn, 'dynamic_lmk_bary_coords', b);
    emb.dynamicCount = K;
    checkIndices(fn, 'dynamic_lmk_faces_idx', emb.dynamicFaces, F);
  }
  if (arrays.full_lmk_faces_idx || arrays.full_lmk_bary_coords) {
    const a = arrays.full_lmk_faces_idx, b = arrays.full_lmk_bary_coords;
    if (!a || !b) flameFail(fn, `key '${a ? 'full_lmk_bary_coords' : 'full_lmk_faces_idx'}'`, 'present with its pair', undefined);
    const { N } = matchShape(fn, 'full_lmk_faces_idx', squeezeLeading(a.shape, 1), ['N']);
    matchShape(fn, 'full_lmk_bary_coords', squeezeLeading(b.shape, 2), [N, 3], ' with N from full_lmk_faces_idx');
    emb.fullFaces = intData(fn, 'full_lmk_faces_idx', a);
    emb.fullBary = floatData(fn, 'full_lmk_bary_coords', b);
    checkIndices(fn, 'full_lmk_faces_idx', emb.fullFaces, F);
  }
  return emb;
}
