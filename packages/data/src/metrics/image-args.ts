import { dataFail } from '../errors.js';

/** Size of an interleaved (H, W, C) image pair. */
export interface ImageShape {
  width: number;
  height: number;
  /** Default 3. */
  channels?: number;
}

export function checkPair(fn: string, a: ArrayLike<number>, b: ArrayLike<number>, shape?: ImageShape): number {
  if (!a || typeof a.length !== 'number') dataFail(fn, 'a', 'an image array', a);
  if (!b || b.length !== a.length) dataFail(fn, 'b', `an image array of a's length ${a.length}`, b ? `length ${b.length}` : b);
  if (a.length === 0) dataFail(fn, 'a', 'a non-empty image', a);
  if (shape) {
    const C = shape.channels ?? 3;
    const n = shape.width * shape.height * C;
    if (!Number.isInteger(shape.width) || !Number.isInteger(shape.height) || shape.width < 1 || shape.height < 1) dataFail(fn, 'shape', 'positive integer width and height', shape);
    if (n !== a.length) dataFail(fn, 'a', `width * height * channels = ${shape.width} * ${shape.height} * ${C} = ${n} values`, `length ${a.length}`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) dataFail(fn, 'a', 'finite values', `${a[i]} at element ${i}`);
    if (!Number.isFinite(b[i])) dataFail(fn, 'b', 'finite values', `${b[i]} at element ${i}`);
  }
  return a.length;
}
