import { HeadsplatError } from '@headsplat/core';

/** Throws a HeadsplatError naming the function, the argument, what was expected and what was given. */
export function dataFail(fn: string, arg: string, expected: string, actual: unknown): never {
  throw new HeadsplatError(`${fn}: ${arg} must be ${expected}, got ${describe(actual)}`);
}

/** Text shown as is (not quoted) as the actual value of an error. */
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
  if (v && typeof v === 'object') {
    try {
      const s = JSON.stringify(v);
      return s.length > 120 ? `${s.slice(0, 117)}...` : s;
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** An integer option in [lo, hi] (default `def`). */
export function intOption(fn: string, arg: string, v: unknown, def: number, lo: number, hi: number): number {
  const x = v ?? def;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) dataFail(fn, arg, `an integer in [${lo}, ${hi}]`, x);
  return x;
}

/** A finite number option in [lo, hi] (default `def`). */
export function numOption(fn: string, arg: string, v: unknown, def: number, lo: number, hi: number): number {
  const x = v ?? def;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi) dataFail(fn, arg, `a finite number in [${lo}, ${hi}]`, x);
  return x;
}
