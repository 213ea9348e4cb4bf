import { flameFail } from './errors.js';

/**
 * One frame of FLAME parameters on plain arrays. Missing entries are zero. Names follow the
 * tracking files of GaussianAvatars / VHAP (`shape, expr, rotation, neck_pose, jaw_pose,
 * eyes_pose, translation`), camel-cased.
 */
export interface FlameFrameParams {
  /** (S') shape coefficients, S' <= the model's shape components (the rest are zero). */
  shape?: ArrayLike<number>;
  /** (E') expression coefficients, E' <= the model's expression components. */
  expression?: ArrayLike<number>;
  /** (3) global rotation, axis-angle (joint 0). */
  rotation?: ArrayLike<number>;
  /** (3) neck, axis-angle (joint 1). */
  neckPose?: ArrayLike<number>;
  /** (3) jaw, axis-angle (joint 2). */
  jawPose?: ArrayLike<number>;
  /** (6) left eye then right eye, axis-angle (joints 3, 4). */
  eyesPose?: ArrayLike<number>;
  /** (3) translation added after skinning. */
  translation?: ArrayLike<number>;
}

/** The 15 axis-angle values of the five joints, in joint order, from frame parameters. */
export function fullPose(fn: string, p: FlameFrameParams): Float64Array {
  const out = new Float64Array(15);
  const put = (arg: string, v: ArrayLike<number> | undefined, n: number, at: number) => {
    if (v === undefined) return;
    if (v.length !== n) flameFail(fn, `params.${arg}`, `${n} numbers`, v);
    for (let i = 0; i < n; i++) out[at + i] = v[i];
  };
  put('rotation', p.rotation, 3, 0);
  put('neckPose', p.neckPose, 3, 3);
  put('jawPose', p.jawPose, 3, 6);
  put('eyesPose', p.eyesPose, 6, 9);
  return out;
}
