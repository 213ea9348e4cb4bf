/**
 * Exploration of matmul kernel shapes on a raw GPUDevice (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/explore-matmul.ts [size] [variant...]
 * Prints GFLOP/s of each candidate WGSL kernel for an n^3 product.
 */
import { writeFileSync } from 'node:fs';
import { getSharedDevice } from '@headsplat/gpu';

interface Variant {
  name: string;
  code: string;
  wg: (n: number) => [number, number, number];
}

const vars = (prefix: string, r: number, c: number) =>
  Array.from({ length: r * c }, (_, i) => `${prefix}${Math.floor(i / c)}_${i % c}`);

/** Naive baseline: 4 rows x 8 cols per thread (two vec4), direct global loads, 8x8 threads. */
function simple48(): Variant {
  const acc = vars('c', 4, 2);
  const lines: string[] = [];
  lines.push(`@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> A4: array<vec4<f32>>;
const N: u32 = NN; const K: u32 = NN; const N4: u32 = NN / 4u;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let row = g.y * 4u; let col4 = g.x * 2u;
  ${acc.map((a) => `var ${a} = vec4<f32>(0.0);`).join(' ')}
  for (var k = 0u; k < K; k++) {
    let b0 = B[k * N4 + col4]; let b1 = B[k * N4 + col4 + 1u];
    ${[0, 1, 2, 3].map((r) => `{ let a = A[(row + ${r}u) * K + k]; c${r}_0 += a * b0; c${r}_1 += a * b1; }`).join('\n    ')}
  }
  ${[0, 1, 2, 3].map((r) => `C[(row + ${r}u) * N4 + col4] = c${r}_0; C[(row + ${r}u) * N4 + col4 + 1u] = c${r}_1;`).join('\n  ')}
}`);
  return { name: 'simple4x8', code: lines.join('\n'), wg: (n) => [n / 8 / 8, n / 4 / 8, 1] };
}

/**
 * Rows uniform per workgroup (A loads are non-divergent: one scalar load + broadcast on
 * llvmpipe), columns per lane as vec4 (C4 vec4 per lane, interleaved so lanes read
 * adjacent vec4). kUnroll: A read as vec4 along k.
 */
function uniformRows(R: number, C4: number, WG: number, kvec: boolean, mode = ''): Variant {
  const acc = vars('c', R, C4);
  const body: string[] = [];
  if (kvec) {
    body.push(`for (var k = 0u; k < K; k += 4u) {`);
    for (let r = 0; r < R; r++) body.push(`  let a${r} = A4[((row + ${r}u) * K + k) / 4u];`);
    for (let kk = 0; kk < 4; kk++) {
      for (let c = 0; c < C4; c++) body.push(`  let b${kk}_${c} = B[(k + ${kk}u) * N4 + col4 + ${c * WG}u];`);
    }
    for (let kk = 0; kk < 4; kk++) {
      const comp = 'xyzw'[kk];
      for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) body.push(`  c${r}_${c} = fma(vec4<f32>(a${r}.${comp}), b${kk}_${c}, c${r}_${c});`);
    }
    body.push('}');
  } else {
    body.push(`for (var k = 0u; k < K; k++) {`);
    for (let c = 0; c < C4; c++) body.push(mode === 'noB' ? `  let b${c} = vec4<f32>(f32(k + ${c}u), 1.0, 2.0, f32(col4));` : `  let b${c} = B[k * N4 + col4 + ${c * WG}u];`);
    for (let r = 0; r < R; r++) {
      body.push(mode === 'noA' ? `  { let a = f32(k + ${r}u);` : `  { let a = A[(row + ${r}u) * K + k];`);
      for (let c = 0; c < C4; c++) body.push(`    c${r}_${c} = fma(vec4<f32>(a), b${c}, c${r}_${c});`);
      body.push('  }');
    }
    body.push('}');
  }
  const code = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> A4: array<vec4<f32>>;
const N: u32 = NN; const K: u32 = NN; const N4: u32 = NN / 4u;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = wg.y * ${R}u; let col4 = wg.x * ${WG * C4}u + l.x;
  ${acc.map((a) => `var ${a} = vec4<f32>(0.0);`).join(' ')}
  ${body.join('\n  ')}
  ${acc.map((a, i) => `C[(row + ${Math.floor(i / C4)}u) * N4 + col4 + ${(i % C4) * WG}u] = ${a};`).join('\n  ')}
}`;
  return { name: `uniformRows R${R} C4${C4} WG${WG}${kvec ? ' kvec' : ''} ${mode}`, code, wg: (n) => [n / 4 / WG / C4, n / R, 1] };
}

/** Uniform rows (R per workgroup), C scalar columns per lane (lane-interleaved), k unrolled by U. */
function uniformScalar(R: number, C: number, WG: number, U: number): Variant {
  const acc = vars('c', R, C);
  const body: string[] = [];
  body.push(`for (var k = 0u; k < K; k += ${U}u) {`);
  for (let u = 0; u < U; u++) {
    for (let c = 0; c < C; c++) body.push(`  let b${u}_${c} = B1[(k + ${u}u) * N + col + ${c * WG}u];`);
  }
  for (let r = 0; r < R; r++) {
    if (U === 4) body.push(`  { let a = A4[((row + ${r}u) * K + k) / 4u];`);
    else body.push(`  { let a = A[(row + ${r}u) * K + k];`);
    for (let u = 0; u < U; u++) for (let c = 0; c < C; c++) body.push(`    c${r}_${c} = fma(a${U === 4 ? '.' + 'xyzw'[u] : ''}, b${u}_${c}, c${r}_${c});`);
    body.push('  }');
  }
  body.push('}');
  const code = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B1: array<f32>;
@group(0) @binding(2) var<storage, read_write> C1: array<f32>;
@group(0) @binding(3) var<storage, read> A4: array<vec4<f32>>;
const N: u32 = NN; const K: u32 = NN;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = wg.y * ${R}u; let col = wg.x * ${WG * C}u + l.x;
  ${acc.map((a) => `var ${a} = 0.0;`).join(' ')}
  ${body.join('\n  ')}
  ${acc.map((a, i) => `C1[(row + ${Math.floor(i / C)}u) * N + col + ${(i % C) * WG}u] = ${a};`).join('\n  ')}
}`;
  return { name: `uScalar R${R} C${C} WG${WG} U${U}`, code, wg: (n) => [n / WG / C, n / R, 1] };
}

/** uniformRows with the k loop unrolled U times (one register write per accumulator per iteration). */
function unrolled(R: number, C4: number, WG: number, U: number, mode = ''): Variant {
  const acc = vars('c', R, C4);
  const body: string[] = [];
  body.push(`for (var k = 0u; k < K; k += ${U}u) {`);
  for (let u = 0; u < U; u++) for (let c = 0; c < C4; c++) body.push(mode === 'noB' ? `  let b${u}_${c} = vec4<f32>(f32(k + ${c}u), 1.0, 2.0, f32(col4));` : `  let b${u}_${c} = B[(k + ${u}u) * N4 + col4 + ${c * WG}u];`);
  for (let r = 0; r < R; r++) {
    if (mode === 'noA') body.push(`  let a${r} = vec4<f32>(f32(k + ${r}u));`);
    else if (U === 4) body.push(`  let a${r} = A4[((row + ${r}u) * K + k) / 4u];`);
    else body.push(`  let a${r} = vec4<f32>(${Array.from({ length: 4 }, (_, u) => (u < U ? `A[(row + ${r}u) * K + k + ${u}u]` : '0.0')).join(', ')});`);
    for (let c = 0; c < C4; c++) {
      let e = `c${r}_${c}`;
      for (let u = 0; u < U; u++) e = `fma(vec4<f32>(a${r}.${'xyzw'[u]}), b${u}_${c}, ${e})`;
      body.push(`  c${r}_${c} = ${e};`);
    }
  }
  body.push('}');
  const code = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> A4: array<vec4<f32>>;
const N: u32 = NN; const K: u32 = NN; const N4: u32 = NN / 4u;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = wg.y * ${R}u; let col4 = wg.x * ${WG * C4}u + l.x;
  ${acc.map((a) => `var ${a} = vec4<f32>(0.0);`).join(' ')}
  ${body.join('\n  ')}
  ${acc.map((a, i) => `C[(row + ${Math.floor(i / C4)}u) * N4 + col4 + ${(i % C4) * WG}u] = ${a};`).join('\n  ')}
}`;
  return { name: `unrolled R${R} C4${C4} WG${WG} U${U} ${mode}`, code, wg: (n) => [n / 4 / WG / C4, n / R, 1] };
}

/** Classic shared-memory tiling: TMxTN tile per workgroup, RxC4*4 per thread, BK k-slab. */
function shared(R: number, C4: number, WX: number, WY: number, BK: number): Variant {
  const TM = R * WY;
  const TN4 = C4 * WX;
  const acc = vars('c', R, C4);
  const code = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> A4: array<vec4<f32>>;
const N: u32 = NN; const K: u32 = NN; const N4: u32 = NN / 4u;
var<workgroup> sA: array<f32, ${TM * BK}>;
var<workgroup> sB: array<vec4<f32>, ${BK * TN4}>;
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32, @builtin(local_invocation_id) l: vec3<u32>) {
  let row0 = wg.y * ${TM}u; let col40 = wg.x * ${TN4}u;
  ${acc.map((a) => `var ${a} = vec4<f32>(0.0);`).join(' ')}
  for (var k0 = 0u; k0 < K; k0 += ${BK}u) {
    for (var i = li; i < ${TM * BK}u; i += ${WX * WY}u) {
      let r = i / ${BK}u; let kk = i % ${BK}u;
      sA[kk * ${TM}u + r] = A[(row0 + r) * K + k0 + kk];
    }
    for (var i = li; i < ${BK * TN4}u; i += ${WX * WY}u) {
      let kk = i / ${TN4}u; let c = i % ${TN4}u;
      sB[i] = B[(k0 + kk) * N4 + col40 + c];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      ${Array.from({ length: C4 }, (_, c) => `let b${c} = sB[kk * ${TN4}u + l.x + ${c * WX}u];`).join(' ')}
      ${Array.from({ length: R }, (_, r) => `{ let a = sA[kk * ${TM}u + l.y * ${R}u + ${r}u]; ${Array.from({ length: C4 }, (_, c) => `c${r}_${c} = fma(vec4<f32>(a), b${c}, c${r}_${c});`).join(' ')} }`).join('\n      ')}
    }
    workgroupBarrier();
  }
  ${acc.map((a, i) => `C[(row0 + l.y * ${R}u + ${Math.floor(i / C4)}u) * N4 + col40 + l.x + ${(i % C4) * WX}u] = ${a};`).join('\n  ')}
}`;
  return { name: `shared R${R} C4${C4} ${WX}x${WY} BK${BK}`, code, wg: (n) => [n / 4 / TN4, n / TM, 1] };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1024);
  const only = process.argv.slice(3);
  const h = await getSharedDevice();
  const device = h.device;
  console.log(h.driver, h.description);
  const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const mk = (data: Float32Array<ArrayBuffer> | null, size: number) => {
    const buf = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    if (data) device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const bufA = mk(a, n * n * 4);
  const bufB = mk(b, n * n * 4);
  const bufC = mk(null, n * n * 4);
  const stage = device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  // reference for a few entries
  const check = [[0, 0], [n - 1, n - 1], [7, n - 3], [n / 2, 5]];
  const ref = check.map(([i, j]) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    return s;
  });
  const bgl = device.createBindGroupLayout({
    entries: [0, 1, 2, 3].map((binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: binding === 2 ? 'storage' : 'read-only-storage' } as GPUBufferBindingLayout })),
  });
  const variants: Variant[] = [
    simple48(),
    uniformScalar(16, 1, 64, 1),
    uniformScalar(16, 2, 32, 1),
    uniformScalar(32, 1, 64, 1),
    uniformScalar(16, 1, 64, 4),
    uniformScalar(32, 1, 64, 4),
    uniformScalar(24, 1, 64, 4),
    uniformScalar(16, 2, 32, 4),
    uniformScalar(32, 1, 8, 4),
    uniformRows(12, 2, 8, false),
    uniformRows(24, 2, 8, false),
    uniformRows(32, 2, 8, false),
    uniformRows(16, 3, 8, false),
    uniformRows(32, 1, 8, false),
    uniformRows(16, 2, 16, false),
    uniformRows(16, 2, 64, false),
    uniformRows(8, 2, 8, false),
    uniformRows(16, 4, 8, false),
    uniformRows(16, 2, 8, false),
    uniformRows(8, 4, 8, false),
    uniformRows(16, 8, 8, false),
    uniformRows(32, 4, 8, false),
    unrolled(8, 2, 32, 4, 'noA'),
    unrolled(8, 2, 32, 4, 'noB'),
    unrolled(8, 2, 32, 4),
    unrolled(8, 2, 32, 2),
    unrolled(8, 2, 8, 4),
    unrolled(8, 1, 32, 4),
    unrolled(4, 2, 32, 4),
    unrolled(4, 1, 32, 4),
    unrolled(16, 1, 32, 4),
    uniformRows(8, 2, 32, false, 'noA'),
    uniformRows(8, 2, 32, false, 'noB'),
    uniformRows(8, 1, 32, false, 'noA'),
    uniformRows(8, 1, 32, false, 'noB'),
    uniformRows(8, 1, 64, false),
    uniformRows(8, 2, 32, false),
    uniformRows(16, 1, 64, false),
    uniformRows(8, 1, 64, true),
    uniformRows(4, 2, 64, true),
    uniformRows(16, 1, 32, true),
    shared(4, 1, 16, 16, 16),
    shared(8, 1, 16, 8, 16),
    shared(4, 2, 8, 16, 16),
  ];
  for (const v of variants) {
    if (only.length && !only.some((o) => v.name.includes(o))) continue;
    const code = v.code.replaceAll('NN', `${n}u`);
    if (process.env.DUMP_WGSL) {
      writeFileSync(`${process.env.DUMP_WGSL}/${v.name.trim().replaceAll(' ', '_')}.wgsl`, code);
      continue;
    }
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }), compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    if (err) {
      console.log(v.name, 'ERROR', err.message);
      continue;
    }
    const bg = device.createBindGroup({
      layout: bgl,
      entries: [
        { binding: 0, resource: { buffer: bufA } },
        { binding: 1, resource: { buffer: bufB } },
        { binding: 2, resource: { buffer: bufC } },
        { binding: 3, resource: { buffer: bufA } },
      ],
    });
    const run = async (reps: number) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bg);
      for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...v.wg(n));
      pass.end();
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    await run(1);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await run(2) / 2);
    times.sort((x, y) => x - y);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(bufC, 0, stage, 0, n * n * 4);
    device.queue.submit([enc.finish()]);
    await stage.mapAsync(GPUMapMode.READ);
    const c = new Float32Array(stage.getMappedRange().slice(0));
    stage.unmap();
    const maxErr = Math.max(...check.map(([i, j], q) => Math.abs(c[i * n + j] - ref[q])));
    const gf = (2 * n ** 3) / (times[0] * 1e6);
    console.log(`${v.name.padEnd(36)} ${times[0].toFixed(1).padStart(8)} ms ${gf.toFixed(2).padStart(7)} GFLOP/s  err ${maxErr.toExponential(1)}`);
  }
  h.destroy();
}

void main();
