import { HeadsplatError } from '@headsplat/core';

/** Throws a HeadsplatError naming the function, the argument, what was expected and what was given. */
export function flameFail(fn: string, arg: string, expected: string, actual: unknown): never {
  throw new HeadsplatError(`${fn}: ${arg} must be ${expected}, got ${describe(actual)}`);
}

/** Marks text to be shown as is (not quoted) as the actual value of an error. */
export class Raw {
  constructor(readonly text: string) {}
}

export const raw = (text: string): Raw => new Raw(text);

export function describe(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === undefined) return 'undefined (missing)';
  if (Array.isArray(v)) return v.length > 8 ? `an array of length ${v.length}` : `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (v && typeof v === 'object' && 'shape' in v) {
    const t = v as { shape: number[]; dtype?: string };
    return `shape [${t.shape.join(', ')}]${t.dtype ? ` (${t.dtype})` : ''}`;
  }
  return String(v);
}

/** Checks that `arr` has exactly `n` elements. */
export function checkLength(fn: string, arg: string, arr: ArrayLike<number>, n: number, shapeText: string): void {
  if (!arr || arr.length !== n) flameFail(fn, arg, `of shape ${shapeText} (${n} values)`, arr);
}
