/**
 * GridSample / GridSampleBackward on WebGPU (bilinear, 'zeros' or 'border' padding, PyTorch's
 * F.grid_sample semantics as written in kernel-names.ts and the CPU kernel).
 * The forward runs one thread per output element. The backward runs one thread per output
 * location (n, ho, wo): it loops over channels, accumulating dgrid in registers, and adds the
 * four bilinear contributions to dx with a float atomic add built from a compare-exchange loop
 * on the bits (WGSL has no atomic f32 add; two samples may land on the same input pixel).
 */
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';
import { declareBindings, linearWorkgroups, mainLinear } from '../wgsl.js';

/**
 * `fn unnorm(g, size) -> vec2<f32>`: pixel coordinate and its derivative w.r.t. g, then the
 * four corner weights/validities (the same formulas as the CPU kernel).
 */
function common(alignCorners: boolean, border: boolean): string {
  return `
fn unnorm(g: f32, size: u32) -> vec2<f32> {
  let s = f32(size);
  ${alignCorners ? 'var v = (g + 1.0) / 2.0 * (s - 1.0); var d = (s - 1.0) / 2.0;' : 'var v = ((g + 1.0) * s - 1.0) / 2.0; var d = s / 2.0;'}
  ${border ? 'if (v <= 0.0) { v = 0.0; d = 0.0; } else if (v >= s - 1.0) { v = s - 1.0; d = 0.0; }' : ''}
  return vec2<f32>(v, d);
}
struct Taps { x0: i32, y0: i32, tx: f32, ty: f32, dx: f32, dy: f32 }
fn taps(p: u32) -> Taps {
  let cx = unnorm(G[p * 2u], P.W);
  let cy = unnorm(G[p * 2u + 1u], P.H);
  let fx = floor(cx.x); let fy = floor(cy.x);
  return Taps(i32(fx), i32(fy), cx.x - fx, cy.x - fy, cx.y, cy.y);
}
fn inside(y: i32, x: i32) -> bool { return y >= 0 && y < i32(P.H) && x >= 0 && x < i32(P.W); }
fn at(base: u32, y: i32, x: i32) -> u32 { return select(0u, base + u32(y) * P.W + u32(x), inside(y, x)); }`;
}

registerWebGPUKernel('GridSample', ([x, grid], { alignCorners, padding }, backend) => {
  const [N, C, H, W] = x.shape;
  const [, Ho, Wo] = grid.shape;
  const n = N * C * Ho * Wo;
  const out = backend.createOutput(x.dtype, n);
  const border = padding === 'border';
  backend.dispatch({
    key: `grid-sample:${alignCorners}:${padding}`,
    source: () =>
      [
        declareBindings([['X', 'f32'], ['G', 'f32']], [['out', 'f32']]),
        common(alignCorners, border),
        mainLinear('P.n', `  let p = i % P.HoWo; let nc = i / P.HoWo; let nn = nc / P.C;
  let t = taps(nn * P.HoWo + p); let base = nc * P.H * P.W;
  let v00 = select(0.0, X[at(base, t.y0, t.x0)], inside(t.y0, t.x0));
  let v01 = select(0.0, X[at(base, t.y0, t.x0 + 1)], inside(t.y0, t.x0 + 1));
  let v10 = select(0.0, X[at(base, t.y0 + 1, t.x0)], inside(t.y0 + 1, t.x0));
  let v11 = select(0.0, X[at(base, t.y0 + 1, t.x0 + 1)], inside(t.y0 + 1, t.x0 + 1));
  out[i] = (1.0 - t.ty) * ((1.0 - t.tx) * v00 + t.tx * v01) + t.ty * ((1.0 - t.tx) * v10 + t.tx * v11);`),
      ].join('\n'),
    inputs: [st(x), st(grid)],
    outputs: [out],
    params: new Params().u32('n', n).u32('C', C).u32('H', H).u32('W', W).u32('HoWo', Ho * Wo),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape: [N, C, Ho, Wo], dtype: x.dtype };
});

registerWebGPUKernel('GridSampleBackward', ([x, grid, dy], { alignCorners, padding }, backend) => {
  const [N, C, H, W] = x.shape;
  const [, Ho, Wo] = grid.shape;
  const n = N * Ho * Wo;
  const dx = backend.alloc(x.dtype, x.size);
  const dgrid = backend.createOutput(grid.dtype, grid.size);
  const border = padding === 'border';
  backend.dispatch({
    key: `grid-sample-bwd:${alignCorners}:${padding}`,
    source: () =>
      [
        declareBindings([['X', 'f32'], ['G', 'f32'], ['DY', 'f32']], [['DX', 'atomic<u32>'], ['DG', 'f32']]),
        common(alignCorners, border),
        `fn addTo(idx: u32, v: f32, ok: bool) {
  if (!ok || v == 0.0) { return; }
  var old = atomicLoad(&DX[idx]);
  loop {
    let r = atomicCompareExchangeWeak(&DX[idx], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`,
        mainLinear('P.n', `  let p = i % P.HoWo; let nn = i / P.HoWo;
  let t = taps(i);
  let w00 = (1.0 - t.ty) * (1.0 - t.tx); let w01 = (1.0 - t.ty) * t.tx; let w10 = t.ty * (1.0 - t.tx); let w11 = t.ty * t.tx;
  let in00 = inside(t.y0, t.x0); let in01 = inside(t.y0, t.x0 + 1); let in10 = inside(t.y0 + 1, t.x0); let in11 = inside(t.y0 + 1, t.x0 + 1);
  var gx = 0.0; var gy = 0.0;
  for (var c = 0u; c < P.C; c++) {
    let base = (nn * P.C + c) * P.H * P.W;
    let g = DY[(nn * P.C + c) * P.HoWo + p];
    let i00 = at(base, t.y0, t.x0); let i01 = at(base, t.y0, t.x0 + 1); let i10 = at(base, t.y0 + 1, t.x0); let i11 = at(base, t.y0 + 1, t.x0 + 1);
    let v00 = select(0.0, X[i00], in00); let v01 = select(0.0, X[i01], in01);
    let v10 = select(0.0, X[i10], in10); let v11 = select(0.0, X[i11], in11);
    addTo(i00, w00 * g, in00); addTo(i01, w01 * g, in01); addTo(i10, w10 * g, in10); addTo(i11, w11 * g, in11);
    gx += g * ((v01 - v00) * (1.0 - t.ty) + (v11 - v10) * t.ty);
    gy += g * ((v10 - v00) * (1.0 - t.tx) + (v11 - v01) * t.tx);
  }
  DG[i * 2u] = gx * t.dx; DG[i * 2u + 1u] = gy * t.dy;`),
      ].join('\n'),
    inputs: [st(x), st(grid), st(dy)],
    outputs: [dx, dgrid],
    params: new Params().u32('n', n).u32('C', C).u32('H', H).u32('W', W).u32('HoWo', Ho * Wo),
    workgroups: linearWorkgroups(n),
  });
  return [
    { storage: dx, shape: x.shape, dtype: x.dtype },
    { storage: dgrid, shape: grid.shape, dtype: grid.dtype },
  ];
});
