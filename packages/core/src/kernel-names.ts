/**
 * The kernel catalog: every primitive a backend implements, with its attributes.
 * Ops (src/ops/*) are declared once on top of these and differentiate through other
 * ops; backends register one implementation per name (src/backends/<b>/kernels/*).
 * Shapes are validated by the op before a kernel runs: kernels may assume valid input.
 * All tensors are contiguous row-major. Output storage is allocated by the kernel.
 */
export type UnaryOpName =
  | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid'
  | 'relu' | 'leakyRelu' | 'softplus' | 'gelu' | 'square' | 'sign' | 'floor' | 'ceil' | 'round'
  | 'reciprocal' | 'clamp' | 'powScalar' | 'logicalNot' | 'step' | 'erf';

export type BinaryOpName =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr';

export type ReduceOpName = 'sum' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin';

export interface KernelAttrs {
  /** Identity copy into new storage. inputs [x]. */
  Copy: Record<string, never>;
  /**
   * inputs [target, source] of one shape and dtype: writes source's elements INTO
   * target's existing storage (in place) and returns no output. Kernels must order the
   * write after every pending read of target (WebGPU: lazy fused expressions).
   */
  Assign: Record<string, never>;
  /** inputs [x] -> same shape, dtype `dtype` (float->int truncates toward zero, bool = x != 0). */
  Cast: { dtype: import('./dtype.js').DType };
  /** No inputs. attrs.shape, dtype, value. */
  Fill: { shape: number[]; dtype: import('./dtype.js').DType; value: number };
  /** No inputs: host data to upload. */
  Upload: { shape: number[]; dtype: import('./dtype.js').DType; data: import('./dtype.js').TypedArray };
  /**
   * inputs [x] elementwise, same shape. alpha: leakyRelu slope; min/max: clamp bounds
   * (either may be -Infinity/Infinity); p: powScalar exponent. gelu is the exact erf
   * form. step(x) = x > 0 ? 1 : 0. Output dtype = input dtype except logicalNot -> bool.
   */
  Unary: { op: UnaryOpName; alpha?: number; min?: number; max?: number; p?: number };
  /** inputs [a, b] broadcast (NumPy rules); comparisons/logical output bool, others a.dtype. */
  Binary: { op: BinaryOpName };
  /** inputs [cond(bool), a, b], broadcast to one shape. */
  Where: Record<string, never>;
  /**
   * inputs [x]; reduces `axes` (sorted, unique, non-empty) and REMOVES them from the
   * shape (keepdim is a reshape in the op). argmax/argmin: exactly one axis, int32
   * output, first index on ties.
   */
  Reduce: { op: ReduceOpName; axes: number[] };
  /** inputs [x]; inclusive prefix sum along axis (reverse: from the end). */
  Cumsum: { axis: number; reverse: boolean };
  /** inputs [x]; output[i_0..] = x[i_perm[0]..] i.e. out.shape[k] = x.shape[perm[k]]. */
  Transpose: { perm: number[] };
  /** inputs [x]; out = x materialised to `shape` (NumPy broadcast of x to shape). */
  BroadcastTo: { shape: number[] };
  /**
   * inputs [x]; per axis start, step (non-zero, may be negative) and output size;
   * out[j] = x[start + j * step].
   */
  Slice: { start: number[]; step: number[]; size: number[] };
  /** inputs [...xs]; concatenation along axis. */
  Concat: { axis: number };
  /** inputs [x]; constant padding, pads[axis] = [before, after] (non-negative). */
  Pad: { pads: [number, number][]; value: number };
  /** inputs [x, indices(int32, 1-D)]; out = x selected along axis (torch.index_select). */
  IndexSelect: { axis: number };
  /**
   * inputs [src, indices(int32, 1-D)]; out has x's shape with out.shape[axis] = dimSize,
   * out[.., indices[j], ..] += src[.., j, ..] (torch.index_add onto zeros).
   */
  IndexAdd: { axis: number; dimSize: number };
  /** inputs [x, index(int32, same rank)]; torch.gather along axis. */
  GatherElements: { axis: number };
  /** inputs [src, index(int32, same rank as src)]; zeros(shape) then torch.scatter_add_ along axis. */
  ScatterAddElements: { axis: number; shape: number[] };
  /**
   * inputs [a, b]; batched matmul, a: (...batchA, M, K) (or (..., K, M) if transposeA),
   * b: (...batchB, K, N) (or (..., N, K) if transposeB); batch dims broadcast; both rank >= 2
   * (the op reshapes vectors).
   */
  MatMul: { transposeA: boolean; transposeB: boolean };
  /** inputs [x (N,C,H,W), w (O, C/groups, kh, kw)] (+ optional bias (O)) -> (N,O,Ho,Wo). */
  Conv2d: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };
  /** inputs [dy (N,O,Ho,Wo), w] -> dx (N,C,H,W) with H, W = inputShape. Also convTranspose2d's forward. */
  Conv2dBackpropInput: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number; inputShape: [number, number, number, number] };
  /** inputs [x, dy] -> dw (O, C/groups, kh, kw). */
  Conv2dBackpropFilter: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number; filterShape: [number, number, number, number] };
  /**
   * inputs [x (N,C,H,W)] -> pooled; max also returns int32 argmax flat index within (H*W) as a second output.
   * Ho = floor((H + 2p - k)/s) + 1 (floor mode). Window rows [o*s - p, o*s - p + k) clipped to the
   * input; avg divisor = window clipped to [-p, H + p) when countIncludePad, else the clipped count
   * (PyTorch). max: first maximum in row-major window order; NaN wins (propagates).
   */
  Pool2d: { kind: 'avg' | 'max'; kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean };
  /** inputs [dy, (argmax for max)] -> dx of inputShape. */
  Pool2dBackward: { kind: 'avg' | 'max'; kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean; inputShape: [number, number, number, number] };
  /**
   * inputs [x (N,C,H,W)] -> (N,C,outH,outW). nearest: src = min(floor(dst * in/out), in-1) (PyTorch
   * 'nearest'). bilinear, per axis: src = alignCorners ? dst*(in-1)/(out-1) (0 when out = 1) :
   * max(0, (dst + 0.5)*in/out - 0.5); lo = floor(src), hi = min(lo+1, in-1), weight of hi = src - lo.
   */
  Upsample: { mode: 'nearest' | 'bilinear'; size: [number, number]; alignCorners: boolean };
  UpsampleBackward: { mode: 'nearest' | 'bilinear'; inputShape: [number, number, number, number]; alignCorners: boolean };
  /**
   * inputs [x (N,C,H,W), grid (N,Ho,Wo,2) in [-1,1], (x, y) order] -> (N,C,Ho,Wo); bilinear (PyTorch semantics):
   * pixel = alignCorners ? (g+1)/2*(size-1) : ((g+1)*size-1)/2; 'border' clamps the pixel coordinate to
   * [0, size-1]; 'zeros' reads 0 for taps outside the input.
   */
  GridSample: { alignCorners: boolean; padding: 'zeros' | 'border' };
  /**
   * inputs [x, grid, dy] -> [dx, dgrid]. dgrid sums over channels; with 'border' its component is 0
   * where the coordinate was clamped (pixel <= 0 or >= size-1), as PyTorch's clip_coordinates_set_grad.
   */
  GridSampleBackward: { alignCorners: boolean; padding: 'zeros' | 'border' };
}

export type KernelName = keyof KernelAttrs;
