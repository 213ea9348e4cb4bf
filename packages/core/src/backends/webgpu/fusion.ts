/**
 * Lazy elementwise fusion. Unary, Binary, Cast, Where and Fill on WebGPU do not
 * dispatch: they return a *lazy* storage holding an expression DAG over their operands.
 * An operand that is itself lazy (same shape) is inlined; a scalar Fill becomes a
 * constant in Params. The DAG is compiled into ONE kernel when the storage is needed
 * (a read, a non-elementwise kernel, `bufferOf`). Inlined lazy storages that are still
 * referenced elsewhere are written as extra outputs of that same kernel, so nothing is
 * computed twice; one materialised meanwhile is read back as a plain input.
 *
 * Leaves are read as `full` (offset i), `scalar` (offset 0) or `strided` (broadcast:
 * its own shape/strides in Params). Expressions are capped (MAX_NODES, MAX_LEAVES)
 * to bound registers and bindings; past the cap the operand is materialised first.
 * Pipelines are keyed by the DAG's structure, never by values or sizes.
 *
 * The kernel is a grid-stride loop (wgsl.ts `mainGridStride`, ~16 elements per invocation:
 * fewer llvmpipe workgroups). A rank-2 strided leaf (a bias row or column broadcast over a
 * matrix, after axis merging) carries its (row, column) index from one step to the next
 * instead of dividing per element and reading its shape from Params per element: in the MLP
 * step's bias + ReLU kernel (65,536 x 256) that took its device time from 1.6-2.1x to
 * 1.06-1.14x that of the ReLU-backward kernel (which has no broadcast operand) in the same
 * bench/profile-mlp.ts runs.
 */
import type { DType } from '../../dtype.js';
import type { BinaryOpName, KernelAttrs, UnaryOpName } from '../../kernel-names.js';
import type { KernelOutput } from '../../op.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { binaryExpr, binaryOutDType, castExpr, ELEMENTWISE_PRELUDE, unaryExpr, unaryOutDType } from './elementwise-ops.js';
import type { GpuStorage } from './gpu-storage.js';
import { Params } from './params.js';
import type { WebGPUBackend } from './webgpu-backend.js';
import { broadcastStrides, declareBindings, gridStrideWorkgroups, mainGridStride, simplifyStrided, stridedOffsetFn, wgslType } from './wgsl.js';

type Node =
  | { k: 'leaf'; dtype: DType; s: GpuStorage; mode: 'full' | 'scalar' | 'strided'; shape?: number[]; strides?: number[] }
  | { k: 'const'; dtype: DType; v: number }
  | { k: 'un'; dtype: DType; op: UnaryOpName; x: Node; attrs: KernelAttrs['Unary'] }
  | { k: 'bin'; dtype: DType; op: BinaryOpName; a: Node; b: Node }
  | { k: 'cast'; dtype: DType; x: Node }
  | { k: 'where'; dtype: DType; c: Node; a: Node; b: Node }
  | { k: 'sub'; dtype: DType; s: GpuStorage; x: Node };

export interface LazyExpr {
  root: Node;
  /** Storages this expression holds a reference on (leaves and inlined subs). */
  held: GpuStorage[];
  nodes: number;
}

const MAX_NODES = 40;
const MAX_LEAVES = 5;

// ---- building ----------------------------------------------------------------------

function leafStorages(n: Node, out: Set<GpuStorage>): Set<GpuStorage> {
  switch (n.k) {
    case 'leaf': out.add(n.s); break;
    case 'const': break;
    case 'un': case 'cast': leafStorages(n.x, out); break;
    case 'sub': if (n.s.lazy) leafStorages(n.x, out); else out.add(n.s); break;
    case 'bin': leafStorages(n.a, out); leafStorages(n.b, out); break;
    case 'where': leafStorages(n.c, out); leafStorages(n.a, out); leafStorages(n.b, out); break;
  }
  return out;
}

function nodeCount(n: Node): number {
  if (n.k === 'sub') return n.s.lazy ? n.s.lazy.nodes : 1;
  return 1;
}

class Builder {
  held: GpuStorage[] = [];
  constructor(private readonly backend: WebGPUBackend, private readonly outShape: number[]) {}

  operand(t: Tensor): Node {
    const s = t.storage as GpuStorage;
    // Constants (Fill) are inlined whatever their shape: every element has the value.
    if (s.lazy && s.lazy.root.k === 'const') return { ...s.lazy.root };
    if (this.backend.fusion && s.lazy && t.size === sizeOf(this.outShape) && shapesEqual(t.shape, this.outShape)) {
      return this.hold(s, { k: 'sub', dtype: s.dtype, s, x: s.lazy.root });
    }
    if (shapesEqual(t.shape, this.outShape)) return this.hold(s, { k: 'leaf', dtype: s.dtype, s, mode: 'full' });
    if (t.size === 1) return this.hold(s, { k: 'leaf', dtype: s.dtype, s, mode: 'scalar' });
    const simp = simplifyStrided(this.outShape, [broadcastStrides(t.shape, this.outShape)]);
    return this.hold(s, { k: 'leaf', dtype: s.dtype, s, mode: 'strided', shape: simp.shape, strides: simp.strides[0] });
  }

  /** Materialises inlined operands until the expression fits the caps. */
  fit(root: Node, children: Node[]): void {
    const tooBig = () =>
      1 + children.reduce((a, c) => a + nodeCount(c), 0) > MAX_NODES ||
      leafStorages(root, new Set()).size > MAX_LEAVES;
    for (const c of children) {
      if (!tooBig()) return;
      if (c.k === 'sub' && c.s.lazy) this.backend.bufferOf(c.s);
    }
  }

  finish(root: Node, children: Node[], dtype: DType, size: number): KernelOutput {
    this.fit(root, children);
    const nodes = 1 + children.reduce((a, c) => a + nodeCount(c), 0);
    const s = this.backend.createLazy(dtype, size, { root, held: this.held, nodes });
    if (!this.backend.fusion) this.backend.bufferOf(s);
    return { storage: s, shape: this.outShape, dtype };
  }

  private hold<N extends Node>(s: GpuStorage, n: N): N {
    s.refs++;
    s.exprRefs++;
    this.held.push(s);
    return n;
  }
}

export function lazyUnary(backend: WebGPUBackend, x: Tensor, attrs: KernelAttrs['Unary']): KernelOutput {
  const b = new Builder(backend, [...x.shape]);
  const xn = b.operand(x);
  const dtype = unaryOutDType(attrs.op, x.dtype);
  return b.finish({ k: 'un', dtype, op: attrs.op, x: xn, attrs }, [xn], dtype, x.size);
}

export function lazyBinary(backend: WebGPUBackend, a: Tensor, bT: Tensor, op: BinaryOpName): KernelOutput {
  const shape = broadcastShapes(op, a.shape, bT.shape);
  const b = new Builder(backend, shape);
  const an = b.operand(a);
  const bn = b.operand(bT);
  const dtype = binaryOutDType(op, a.dtype);
  return b.finish({ k: 'bin', dtype, op, a: an, b: bn }, [an, bn], dtype, sizeOf(shape));
}

export function lazyCast(backend: WebGPUBackend, x: Tensor, dtype: DType): KernelOutput {
  const b = new Builder(backend, [...x.shape]);
  const xn = b.operand(x);
  return b.finish({ k: 'cast', dtype, x: xn }, [xn], dtype, x.size);
}

export function lazyWhere(backend: WebGPUBackend, c: Tensor, a: Tensor, bT: Tensor): KernelOutput {
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), bT.shape);
  const b = new Builder(backend, shape);
  const cn = b.operand(c);
  const an = b.operand(a);
  const bn = b.operand(bT);
  return b.finish({ k: 'where', dtype: a.dtype, c: cn, a: an, b: bn }, [cn, an, bn], a.dtype, sizeOf(shape));
}

export function lazyFill(backend: WebGPUBackend, shape: readonly number[], dtype: DType, value: number): KernelOutput {
  const v = dtype === 'bool' ? (value ? 1 : 0) : value;
  const s = backend.createLazy(dtype, sizeOf(shape), { root: { k: 'const', dtype, v }, held: [], nodes: 1 });
  return { storage: s, shape, dtype };
}

// ---- materialising -----------------------------------------------------------------

/** Drops the references a lazy storage holds (when it is freed or materialised). */
export function releaseLazy(backend: WebGPUBackend, s: GpuStorage): void {
  const lazy = s.lazy;
  if (!lazy) return;
  s.lazy = null;
  backend.lazyDone(s);
  dropHeld(backend, lazy);
}

function dropHeld(backend: WebGPUBackend, lazy: LazyExpr): void {
  for (const h of lazy.held) {
    h.exprRefs--;
    backend.free(h);
  }
}

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
const i32Bits = new Int32Array(f32Bits.buffer);

/** Compiles the storage's expression into one kernel, dispatches it and gives the storage its buffer. */
export function materializeLazy(backend: WebGPUBackend, s: GpuStorage): void {
  const lazy = s.lazy!;
  const size = s.size;
  // Inputs that are lazy but not inlined (broadcast operands) are computed first, so
  // that no storage of this DAG changes state while the kernel is generated.
  const pre = (n: Node): void => {
    switch (n.k) {
      case 'leaf': if (n.s.lazy) backend.bufferOf(n.s); break;
      case 'un': case 'cast': pre(n.x); break;
      case 'sub': if (n.s.lazy) pre(n.x); break;
      case 'bin': pre(n.a); pre(n.b); break;
      case 'where': pre(n.c); pre(n.a); pre(n.b); break;
    }
  };
  pre(lazy.root);
  if (!s.lazy) return;
  // Inputs that are lazy but not inlined (broadcast operands, or over the caps) first.
  const inputs: GpuStorage[] = [];
  const inputIndex = new Map<GpuStorage, number>();
  const outputs: GpuStorage[] = [s];
  const consts: number[] = [];
  const lines: string[] = [];
  const fns: string[] = [];
  /** Per-invocation setup before the grid-stride loop and per-step updates (rank-2 leaves). */
  const setup: string[] = [];
  const step: string[] = [];
  const keyParts: string[] = [];
  const names = new Map<Node, string>();
  const params = new Params().u32('n', size);
  const leafParams: [string, number[], number[]][] = [];

  const constSlot = (v: number, dtype: DType): string => {
    const t = wgslType(dtype);
    if (t === 'f32') f32Bits[0] = v;
    else if (t === 'i32') i32Bits[0] = v;
    else u32Bits[0] = v >>> 0;
    consts.push(u32Bits[0]);
    const ref = `P.c[${consts.length - 1}]`;
    return t === 'u32' ? ref : `bitcast<${t}>(${ref})`;
  };
  const input = (st: GpuStorage): number => {
    let k = inputIndex.get(st);
    if (k === undefined) {
      k = inputs.length;
      inputs.push(st);
      inputIndex.set(st, k);
    }
    return k;
  };

  const visit = (n: Node): string => {
    const done = names.get(n);
    if (done) return done;
    const t = wgslType(n.dtype);
    let expr: string;
    switch (n.k) {
      case 'leaf': {
        const k = input(n.s);
        if (n.mode === 'full') expr = `in${k}[i]`;
        else if (n.mode === 'scalar') expr = `in${k}[0]`;
        else {
          const j = leafParams.length;
          const rank = n.shape!.length;
          leafParams.push([`l${j}`, n.shape!, n.strides!]);
          if (rank === 2) {
            // (q, r) = (i / C, i % C), carried from one grid-stride step to the next with an
            // add and a conditional subtract (no per-element division; Params read once).
            setup.push(
              `  let c${j} = P.l${j}s[1]; let t${j}0 = P.l${j}t[0]; let t${j}1 = P.l${j}t[1];`,
              `  var q${j} = i0 / c${j}; var r${j} = i0 % c${j}; let sq${j} = stride / c${j}; let sr${j} = stride % c${j};`,
            );
            step.push(`    r${j} += sr${j}; q${j} += sq${j}; { let w = r${j} >= c${j}; r${j} = select(r${j}, r${j} - c${j}, w); q${j} += select(0u, 1u, w); }`);
            expr = `in${k}[u32(i32(q${j}) * t${j}0 + i32(r${j}) * t${j}1)]`;
          } else {
            fns.push(stridedOffsetFn(`off${j}`, rank, `l${j}s`, `l${j}t`));
            expr = `in${k}[off${j}(i)]`;
          }
          keyParts.push(`r${rank}`);
        }
        keyParts.push(`L${n.mode[0]}${k}${t}`);
        break;
      }
      case 'const': expr = constSlot(n.v, n.dtype); keyParts.push(`C${t}`); break;
      case 'un': {
        const x = visit(n.x);
        const a = n.attrs;
        const refs = {
          alpha: n.op === 'leakyRelu' ? constSlot(a.alpha ?? 0.01, 'float32') : '0.0',
          min: n.op === 'clamp' ? constSlot(a.min ?? -Infinity, 'float32') : '0.0',
          max: n.op === 'clamp' ? constSlot(a.max ?? Infinity, 'float32') : '0.0',
          p: n.op === 'powScalar' ? constSlot(a.p ?? 1, 'float32') : '0.0',
        };
        expr = unaryExpr(n.op, x, wgslType(n.x.dtype), refs);
        keyParts.push(`U${n.op}${names.get(n.x)}`);
        break;
      }
      case 'bin': {
        const a = visit(n.a);
        const b = visit(n.b);
        expr = binaryExpr(n.op, a, b, wgslType(n.a.dtype));
        keyParts.push(`B${n.op}${a}${b}`);
        break;
      }
      case 'cast': {
        const x = visit(n.x);
        expr = castExpr(x, wgslType(n.x.dtype), n.x.dtype, n.dtype);
        keyParts.push(`K${n.dtype}${x}`);
        break;
      }
      case 'where': {
        const c = visit(n.c);
        const a = visit(n.a);
        const b = visit(n.b);
        expr = `select(${b}, ${a}, ${c} != ${wgslType(n.c.dtype)}(0))`;
        keyParts.push(`W${c}${a}${b}`);
        break;
      }
      case 'sub': {
        if (!n.s.lazy) {
          // Materialised since it was inlined: read it instead of recomputing.
          expr = `in${input(n.s)}[i]`;
          keyParts.push(`Lf${inputIndex.get(n.s)}${t}`);
        } else {
          expr = visit(n.x);
          // Still referenced elsewhere: write it too, while we have it.
          if (n.s.refs > 1 && !outputs.includes(n.s)) {
            outputs.push(n.s);
            keyParts.push(`O${outputs.length - 1}`);
            lines.push(`  out${outputs.length - 1}[i] = ${expr};`);
          }
        }
        break;
      }
    }
    const v = `v${names.size}`;
    names.set(n, v);
    lines.push(`  let ${v}: ${t} = ${expr};`);
    return v;
  };
  const rootVar = visit(lazy.root);
  lines.push(`  out0[i] = ${rootVar};`);
  // Extra outputs beyond the binding budget are dropped (they stay lazy).
  const maxOut = Math.max(1, backend.maxBindings - 1 - inputs.length);
  const extra = outputs.splice(maxOut);
  const body = lines.filter((l) => !extra.some((_, j) => l.startsWith(`  out${maxOut + j}[`))).join('\n');

  params.u32s('c', consts);
  for (const [name, shape, strides] of leafParams) params.u32s(`${name}s`, shape).i32s(`${name}t`, strides);
  const key = `ew:${inputs.map((x) => wgslType(x.dtype)).join('')}>${outputs.map((x) => wgslType(x.dtype)).join('')}:${keyParts.join(',')}`;
  for (const o of outputs) o.pooled = backend.pool.acquire(Math.max(o.size * 4, 4));
  const source = () =>
    [
      ELEMENTWISE_PRELUDE,
      declareBindings(
        inputs.map((x, k) => [`in${k}`, wgslType(x.dtype)]),
        outputs.map((x, k) => [`out${k}`, wgslType(x.dtype)]),
      ),
      ...fns,
      mainGridStride('P.n', body, undefined, setup.join('\n'), step.join('\n')),
    ].join('\n');
  // The lazy trees are dropped only after the dispatch holds the buffers they reference.
  const trees = outputs.map((o) => o.lazy!);
  for (const o of outputs) {
    o.lazy = null;
    backend.lazyDone(o);
  }
  backend.dispatch({ key, source, inputs, outputs, params, workgroups: gridStrideWorkgroups(size) });
  for (const t of trees) dropHeld(backend, t);
}
