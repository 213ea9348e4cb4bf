/**
 * WGSL generation helpers (in the spirit of onnxruntime-web's IndicesHelper), so that
 * kernels do not hand-write bindings, the 2-D dispatch prologue or index arithmetic.
 *
 * Conventions: rank is baked into the generated code (loops unrolled, part of the
 * cache key); shape and stride VALUES come from `P` (the Params struct), so one
 * pipeline serves every shape of a given rank.
 *
 *   declareBindings([['x', 'f32'], ['y', 'f32']], [['out', 'f32']])  // bindings + `P`
 *   mainLinear('P.n', 'out[i] = x[i] + y[i];')                      // `i` = global index
 *   stridedOffsetFn('xOff', rank, 'shape', 'xStrides', 'xBase')       // fn xOff(i) -> u32
 *   indicesOf('o', rank, 'i', 'shape')                                // let o0 = ..; let o1 = ..
 *   linearWorkgroups(n)                                               // [x, y, 1]
 *   mainGridStride('P.n', body) + gridStrideWorkgroups(n)             // ~16 elements per invocation
 */
import type { DType } from '../../dtype.js';
import { HeadsplatError } from '../../errors.js';

/** Threads per workgroup of linear kernels. */
export const WG = 256;
/** WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS_PER_DIM = 65535;

export type WgslScalar = 'f32' | 'i32' | 'u32';

/** The WGSL element type of a dtype on the GPU (bool is u32 0/1). */
export function wgslType(dtype: DType): WgslScalar {
  switch (dtype) {
    case 'float32': return 'f32';
    case 'int32': return 'i32';
    case 'uint32':
    case 'bool': return 'u32';
    default: throw new HeadsplatError(`webgpu: dtype ${dtype} is not supported on the GPU (float64 is CPU only)`);
  }
}

/**
 * Binding declarations in the backend's order: inputs read-only, then outputs
 * read_write, then `P: Params` when `withParams` (the struct itself is prepended by
 * the backend). Element types are WGSL types (`f32`, `vec4<f32>`, `atomic<u32>`, ...).
 */
export function declareBindings(inputs: [string, string][], outputs: [string, string][], withParams = true): string {
  const lines: string[] = [];
  let b = 0;
  for (const [n, t] of inputs) lines.push(`@group(0) @binding(${b++}) var<storage, read> ${n}: array<${t}>;`);
  for (const [n, t] of outputs) lines.push(`@group(0) @binding(${b++}) var<storage, read_write> ${n}: array<${t}>;`);
  if (withParams) lines.push(`@group(0) @binding(${b}) var<storage, read> P: Params;`);
  return lines.join('\n');
}

/** Workgroup counts covering `n` threads; over 65535 groups it spills into y (2-D dispatch). */
export function linearWorkgroups(n: number, wg = WG): [number, number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIM);
  if (y > MAX_GROUPS_PER_DIM) throw new HeadsplatError(`webgpu: ${n} threads exceed the dispatch limit`);
  return [Math.ceil(groups / y), y, 1];
}

/**
 * A compute entry point over a linear index `i` (u32) in [0, count): handles the 2-D
 * dispatch of `linearWorkgroups` and the bounds check.
 */
export function mainLinear(count: string, body: string, wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${wg}u;
  if (i >= ${count}) { return; }
${body}
}`;
}

/** Elements each invocation of a grid-stride kernel (`mainGridStride`) handles. */
export const GRID_STRIDE = 16;

/** Workgroup counts for `mainGridStride` over `n` elements (about GRID_STRIDE per invocation). */
export function gridStrideWorkgroups(n: number, wg = WG): [number, number, number] {
  return linearWorkgroups(Math.ceil(n / GRID_STRIDE), wg);
}

/**
 * Like `mainLinear`, but each invocation loops over `i`, `i + stride`, ... (stride = the whole
 * dispatch), so a dispatch of `gridStrideWorkgroups(n)` has GRID_STRIDE times fewer workgroups.
 * On llvmpipe every workgroup has a fixed cost (a task of the thread pool, the SIMD-chunk loop's
 * setup): a 16M-element `a * step(b)` took 0.6x the CPU time with 16 elements per invocation
 * (bench/explore-elementwise.ts). `body` must not `return`. `setup` runs once before the loop
 * (it may use `i0`, the first index, and `stride`); `step` at the end of every iteration (for
 * index arithmetic carried from one element to the next).
 */
export function mainGridStride(count: string, body: string, wg = WG, setup = '', step = ''): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let count = ${count};
  let stride = nwg.x * nwg.y * ${wg}u;
  let i0 = gid.x + gid.y * nwg.x * ${wg}u;
${setup}
  for (var i = i0; i < count; i += stride) {
${body}
${step}
  }
}`;
}

/**
 * `fn name(i: u32) -> u32`: the element offset base + sum_d idx_d * strides[d] of
 * output linear index `i`, where idx = unravel(i, P.<shape>). Strides are i32 (slices
 * with negative steps; 0 for broadcast axes). `base` names an i32 Params field or is
 * omitted (0).
 */
export function stridedOffsetFn(name: string, rank: number, shape: string, strides: string, base?: string): string {
  const lines = [`fn ${name}(i: u32) -> u32 {`, `  var r = i;`, `  var off = ${base ? `P.${base}` : '0i'};`];
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(`  off += i32(r % P.${shape}[${d}]) * P.${strides}[${d}]; r = r / P.${shape}[${d}];`);
  }
  if (rank >= 1) lines.push(`  off += i32(r) * P.${strides}[0];`);
  lines.push('  return u32(off);', '}');
  return lines.join('\n');
}

/** Statements `let <prefix>0 .. <prefix>{rank-1}` unravelling the u32 expression `linear` over P.<shape>. */
export function indicesOf(prefix: string, rank: number, linear: string, shape: string): string {
  if (rank === 0) return '';
  const lines = [`  var ${prefix}_r = ${linear};`];
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(`  let ${prefix}${d} = ${prefix}_r % P.${shape}[${d}]; ${prefix}_r = ${prefix}_r / P.${shape}[${d}];`);
  }
  lines.push(`  let ${prefix}0 = ${prefix}_r;`);
  return lines.join('\n');
}

/** Row-major strides where axes of size 1 (and missing leading axes) get stride 0 to broadcast `inShape` to `outShape`. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const off = outShape.length - inShape.length;
  const out = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    out[d + off] = inShape[d] === 1 ? 0 : acc;
    acc *= inShape[d];
  }
  return out;
}

/**
 * Merges adjacent axes where every operand is contiguous across them and drops axes of
 * size 1, so a strided loop runs at the smallest rank (fewer pipelines, less index math).
 */
export function simplifyStrided(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
      continue;
    }
    outShape.push(shape[d]);
    strides.forEach((s, k) => outStrides[k].push(s[d]));
  }
  return { shape: outShape, strides: outStrides };
}

/** WGSL literal of a number in the given type (f32 handles infinities/NaN via bitcast). */
export function literal(v: number, t: WgslScalar): string {
  if (t === 'f32') {
    // WGSL rejects non-finite constant expressions: pass those through Params instead.
    if (!Number.isFinite(v)) throw new HeadsplatError(`webgpu: ${v} cannot be a WGSL f32 literal; pass it in Params`);
    return `f32(${v.toExponential()})`;
  }
  if (t === 'i32') return `i32(${Math.trunc(v) | 0})`;
  return `${Math.trunc(v) >>> 0}u`;
}
