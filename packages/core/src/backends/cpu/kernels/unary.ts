import { isFloat, type TypedArray } from '../../../dtype.js';
import { HeadsplatError } from '../../../errors.js';
import type { KernelAttrs, UnaryOpName } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { cpuBackend } from '../cpu-backend.js';
import { erf } from '../erf.js';

const SQRT1_2 = Math.SQRT1_2;

/** Round half to even, as WGSL `round` and torch.round (Math.round rounds half up). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Ops defined on integer tensors (the others need float input), as on WebGPU. */
const INT_OPS = new Set<UnaryOpName>(['neg', 'abs', 'square', 'sign', 'floor', 'ceil', 'round', 'relu', 'step', 'clamp', 'powScalar', 'logicalNot']);

/**
 * Elementwise unary ops. One tight loop per op (no per-element closure). NaN propagates
 * through relu/clamp (as on WebGPU and in PyTorch).
 */
registerKernel<KernelAttrs['Unary']>('cpu', 'Unary', ([x], attrs) => {
  const { op } = attrs;
  if (!isFloat(x.dtype) && !INT_OPS.has(op)) {
    throw new HeadsplatError(`Unary: op '${op}' needs a float tensor, got dtype ${x.dtype}`);
  }
  const n = x.size;
  const X = x.storage as TypedArray;
  const dtype = op === 'logicalNot' ? 'bool' : x.dtype;
  const out = cpuBackend.alloc(dtype, n);
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -X[i]; break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(X[i]); break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(X[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(X[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(X[i]); break;
    case 'rsqrt': for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(X[i]); break;
    case 'sin': for (let i = 0; i < n; i++) out[i] = Math.sin(X[i]); break;
    case 'cos': for (let i = 0; i < n; i++) out[i] = Math.cos(X[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(X[i]); break;
    case 'sigmoid':
      // Two branches so that exp never overflows: σ(x) = e^x / (1 + e^x) for x < 0.
      for (let i = 0; i < n; i++) {
        const v = X[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = X[i] > 0 || Number.isNaN(X[i]) ? X[i] : 0; break;
    case 'leakyRelu': {
      const a = attrs.alpha ?? 0.01;
      for (let i = 0; i < n; i++) out[i] = X[i] > 0 ? X[i] : X[i] * a;
      break;
    }
    // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, no loss of small values.
    case 'softplus': for (let i = 0; i < n; i++) out[i] = Math.max(X[i], 0) + Math.log1p(Math.exp(-Math.abs(X[i]))); break;
    case 'gelu': for (let i = 0; i < n; i++) out[i] = 0.5 * X[i] * (1 + erf(X[i] * SQRT1_2)); break;
    case 'erf': for (let i = 0; i < n; i++) out[i] = erf(X[i]); break;
    case 'square': for (let i = 0; i < n; i++) out[i] = X[i] * X[i]; break;
    case 'sign': for (let i = 0; i < n; i++) out[i] = Math.sign(X[i]); break;
    case 'floor': for (let i = 0; i < n; i++) out[i] = Math.floor(X[i]); break;
    case 'ceil': for (let i = 0; i < n; i++) out[i] = Math.ceil(X[i]); break;
    case 'round': for (let i = 0; i < n; i++) out[i] = roundEven(X[i]); break;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / X[i]; break;
    case 'clamp': {
      const lo = attrs.min ?? -Infinity;
      const hi = attrs.max ?? Infinity;
      for (let i = 0; i < n; i++) {
        const v = X[i];
        out[i] = v < lo ? lo : v > hi ? hi : v;
      }
      break;
    }
    case 'powScalar': {
      const p = attrs.p ?? 1;
      if (p === 2) for (let i = 0; i < n; i++) out[i] = X[i] * X[i];
      else for (let i = 0; i < n; i++) out[i] = Math.pow(X[i], p);
      break;
    }
    case 'logicalNot': for (let i = 0; i < n; i++) out[i] = X[i] === 0 ? 1 : 0; break;
    case 'step': for (let i = 0; i < n; i++) out[i] = X[i] > 0 ? 1 : 0; break;
    default: throw new HeadsplatError(`Unary: unknown op '${op as string}'`);
  }
  return { storage: out, shape: x.shape, dtype };
});
