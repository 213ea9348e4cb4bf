/**
 * Kernel parameters (shapes, strides, scalars) packed into one small read-only storage
 * binding per dispatch, declared in WGSL as `struct Params` and read as `P.<field>`.
 *
 * Every field is 4-byte scalars or arrays of them, so the WGSL storage layout is just
 * the fields' words in order (no uniform-buffer padding rules to get wrong).
 * @example
 * const p = new Params().u32('n', n).f32('alpha', 0.2).i32s('strides', [4, 1]);
 * // WGSL: p.wgsl() === 'struct Params { n: u32, alpha: f32, strides: array<i32, 2>, }'
 */
export type ScalarType = 'u32' | 'i32' | 'f32';

interface Field {
  name: string;
  type: ScalarType;
  /** Array length, or 0 for a scalar. */
  count: number;
  values: number[];
}

export class Params {
  private readonly fields: Field[] = [];
  private words = 0;

  u32(name: string, v: number): this {
    return this.add(name, 'u32', 0, [v]);
  }
  i32(name: string, v: number): this {
    return this.add(name, 'i32', 0, [v]);
  }
  f32(name: string, v: number): this {
    return this.add(name, 'f32', 0, [v]);
  }
  /** An array field; WGSL arrays cannot be empty, so a length-0 array holds one unused 0. */
  u32s(name: string, v: readonly number[]): this {
    return this.add(name, 'u32', Math.max(v.length, 1), v.length ? [...v] : [0]);
  }
  i32s(name: string, v: readonly number[]): this {
    return this.add(name, 'i32', Math.max(v.length, 1), v.length ? [...v] : [0]);
  }
  f32s(name: string, v: readonly number[]): this {
    return this.add(name, 'f32', Math.max(v.length, 1), v.length ? [...v] : [0]);
  }

  /** Number of 32-bit words. */
  get wordCount(): number {
    return this.words;
  }

  /** The WGSL struct declaration; also the layout part of the pipeline cache key. */
  wgsl(): string {
    const body = this.fields.map((f) => `${f.name}: ${f.count ? `array<${f.type}, ${f.count}>` : f.type},`).join(' ');
    return `struct Params { ${body || '_unused: u32,'} }`;
  }

  /** Writes the words at `wordOffset` of the three views (which share one ArrayBuffer). */
  pack(u: Uint32Array, i: Int32Array, f: Float32Array, wordOffset: number): void {
    let o = wordOffset;
    for (const fld of this.fields) {
      for (const v of fld.values) {
        if (fld.type === 'f32') f[o] = v;
        else if (fld.type === 'i32') i[o] = v;
        else u[o] = v;
        o++;
      }
    }
  }

  private add(name: string, type: ScalarType, count: number, values: number[]): this {
    this.fields.push({ name, type, count, values });
    this.words += values.length;
    return this;
  }
}
