/** Errors name the op, the argument, what was expected and what was given. */
export class HeadsplatError extends Error {
  override name = 'HeadsplatError';
}

export function fail(op: string, arg: string, expected: string, actual: unknown): never {
  throw new HeadsplatError(`${op}: ${arg} must be ${expected}, got ${fmt(actual)}`);
}

export function fmt(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (v && typeof v === 'object' && 'shape' in v && 'dtype' in v) {
    const t = v as { shape: number[]; dtype: string; device: string };
    return `tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype}, device=${t.device})`;
  }
  return String(v);
}
