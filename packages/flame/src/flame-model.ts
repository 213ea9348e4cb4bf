/**
 * The FLAME model as plain typed arrays, in the official release's layout.
 * @see Li et al., "Learning a model of facial shape and expression from 4D scans", SIGGRAPH Asia 2017
 *   (FLAME), and https://flame.is.tue.mpg.de for the file contents.
 */

/** FLAME's five joints, in the order of `kintree_table`, `J_regressor` rows and `weights` columns. */
export const FLAME_JOINT_NAMES = ['global', 'neck', 'jaw', 'left_eye', 'right_eye'] as const;
export type FlameJointName = (typeof FLAME_JOINT_NAMES)[number];
export const FLAME_NUM_JOINTS = 5;
/** Parent of each joint (-1: root), as FLAME's kintree_table row 0 stores it (root as 2^32 - 1). */
export const FLAME_PARENTS: readonly number[] = [-1, 0, 1, 1, 1];
/** 4 non-global joints x 9 entries of (R - I): the pose-corrective feature size. */
export const FLAME_POSE_FEATURES = 36;
/** Number of yaw bins of FLAME's dynamic contour embedding (-39..39 degrees). */
export const FLAME_YAW_BINS = 79;

/**
 * Landmark embeddings: each landmark is a point inside a triangle, given by the face index
 * and barycentric coordinates with respect to the triangle's three vertices (in `f` order).
 */
export interface FlameLandmarkEmbedding {
  /** Static landmarks (L,) face indices, normally 51 (iBUG 17..67). */
  staticFaces: Int32Array;
  /** (L, 3) barycentric coordinates. */
  staticBary: Float32Array;
  /**
   * Dynamic contour (iBUG 0..16) per head-yaw bin: (Y, K) faces and (Y, K, 3) barycentrics,
   * normally Y = 79 bins and K = 17. Bin b is yaw b degrees for b <= 39 and 39 - b for b >= 40
   * (FLAME's layout; see `yawToContourBin`).
   */
  dynamicFaces?: Int32Array;
  dynamicBary?: Float32Array;
  /** Number of contour landmarks K of the dynamic embedding. */
  dynamicCount?: number;
  /** A full static 68-point embedding (DECA's `full_lmk_*`), used when the dynamic one is absent or off. */
  fullFaces?: Int32Array;
  fullBary?: Float32Array;
}

/** A UV layout as an OBJ stores it: texture coordinates and per-face indices into them. */
export interface UvLayout {
  /** (T, 2) texture coordinates in [0, 1]. */
  uvs: Float32Array;
  /** (F, 3) indices into `uvs`, one triple per mesh face. */
  faceUvs: Int32Array;
}

export interface FlameModel {
  numVertices: number;
  numFaces: number;
  /** Shape components held (S <= 300 in official files). */
  numShape: number;
  /** Expression components held (E <= 100 in official files). */
  numExpression: number;
  /** (V, 3) template vertices. */
  vTemplate: Float32Array;
  /** (V, 3, S) shape blendshapes, row-major (= (V*3, S)). */
  shapedirs: Float32Array;
  /** (V, 3, E) expression blendshapes, row-major (= (V*3, E)). */
  exprdirs: Float32Array;
  /** (V, 3, 36) pose correctives, row-major (= (V*3, 36)). */
  posedirs: Float32Array;
  /** (5, V) joint regressor. */
  jRegressor: Float32Array;
  /** (V, 5) skinning weights. */
  weights: Float32Array;
  /** (5,) parent joint of each joint, -1 for the root. */
  parents: Int32Array;
  /** (F, 3) triangle vertex indices. */
  faces: Int32Array;
  landmarks?: FlameLandmarkEmbedding;
  /** Optional UV layout (the official one ships in head_template.obj). */
  uv?: UvLayout;
  /** Optional named vertex masks, as FLAME_masks.pkl stores them (vertex indices). */
  masks?: Record<string, Int32Array>;
}
