import { writeNpz, type NamedArray } from '@headsplat/core';
import { FLAME_NUM_JOINTS, type FlameModel } from './flame-model.js';

/**
 * A FLAME model as .npz arrays with the official keys (see `loadFlameNpz`), so that it loads
 * back unchanged: shapedirs holds shape then expression components and the scalar
 * `shape_components` says where they split; kintree_table stores the root's parent as
 * 2^32 - 1 in int64, as the official pickle converted with numpy does.
 */
export function flameToArrays(model: FlameModel): Record<string, NamedArray> {
  const V = model.numVertices, S = model.numShape, E = model.numExpression, K = S + E;
  const shapedirs = new Float32Array(V * 3 * K);
  for (let i = 0; i < V * 3; i++) {
    for (let k = 0; k < S; k++) shapedirs[i * K + k] = model.shapedirs[i * S + k];
    for (let k = 0; k < E; k++) shapedirs[i * K + S + k] = model.exprdirs[i * E + k];
  }
  const kintree = new BigInt64Array(2 * FLAME_NUM_JOINTS);
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
    kintree[j] = model.parents[j] < 0 ? 4294967295n : BigInt(model.parents[j]);
    kintree[FLAME_NUM_JOINTS + j] = BigInt(j);
  }
  const out: Record<string, NamedArray> = {
    v_template: { dtype: 'float32', shape: [V, 3], data: model.vTemplate },
    shapedirs: { dtype: 'float32', shape: [V, 3, K], data: shapedirs },
    shape_components: { dtype: 'int32', shape: [], data: Int32Array.of(S) },
    posedirs: { dtype: 'float32', shape: [V, 3, 36], data: model.posedirs },
    J_regressor: { dtype: 'float32', shape: [FLAME_NUM_JOINTS, V], data: model.jRegressor },
    weights: { dtype: 'float32', shape: [V, FLAME_NUM_JOINTS], data: model.weights },
    kintree_table: { dtype: 'int64', shape: [2, FLAME_NUM_JOINTS], data: kintree },
    f: { dtype: 'int32', shape: [model.numFaces, 3], data: model.faces },
  };
  const lm = model.landmarks;
  if (lm) {
    out.lmk_faces_idx = { dtype: 'int32', shape: [lm.staticFaces.length], data: lm.staticFaces };
    out.lmk_bary_coords = { dtype: 'float32', shape: [lm.staticFaces.length, 3], data: lm.staticBary };
    if (lm.dynamicFaces && lm.dynamicBary && lm.dynamicCount) {
      const Y = lm.dynamicFaces.length / lm.dynamicCount;
      out.dynamic_lmk_faces_idx = { dtype: 'int32', shape: [Y, lm.dynamicCount], data: lm.dynamicFaces };
      out.dynamic_lmk_bary_coords = { dtype: 'float32', shape: [Y, lm.dynamicCount, 3], data: lm.dynamicBary };
    }
    if (lm.fullFaces && lm.fullBary) {
      out.full_lmk_faces_idx = { dtype: 'int32', shape: [lm.fullFaces.length], data: lm.fullFaces };
      out.full_lmk_bary_coords = { dtype: 'float32', shape: [lm.fullFaces.length, 3], data: lm.fullBary };
    }
  }
  if (model.uv) {
    out.vt = { dtype: 'float32', shape: [model.uv.uvs.length / 2, 2], data: model.uv.uvs };
    out.ft = { dtype: 'int32', shape: [model.numFaces, 3], data: model.uv.faceUvs };
  }
  for (const [name, idx] of Object.entries(model.masks ?? {})) out[`mask_${name}`] = { dtype: 'int32', shape: [idx.length], data: idx };
  return out;
}

/** Writes a FLAME model (e.g. `createSyntheticFlame()`) as an .npz that `loadFlameNpz` reads back. */
export function writeFlameNpz(model: FlameModel, options: { compress?: boolean } = {}): Uint8Array {
  return writeNpz(flameToArrays(model), options);
}
