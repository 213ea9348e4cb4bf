/**
 * Exploration of subgroup-broadcast GEMM kernels on a raw GPUDevice (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/explore-subgroup.ts [size] [variant-substring...]
 * One workgroup = one subgroup of S lanes. Per 4-step k block each lane loads TM/S rows of A as
 * vec4 along k and C4 vec4 of B per k; A values reach every lane through subgroupBroadcast.
 * Times are process CPU time / 2 (see below); ROUNDS=n repeats the list, DUMP_WGSL=dir writes
 * the shaders instead (for explore-asm.ts under GALLIVM_DEBUG=asm). On lavapipe, 8..32 rows x
 * 2 vec4 per lane measured alike (about 1.3-1.5x the uniform-row kernel `ur`); 1 or 3-4 vec4
 * per lane and fewer than 8 rows were slower.
 */
import { writeFileSync } from 'node:fs';
import { getSharedDevice } from '@headsplat/gpu';

interface Variant {
  name: string;
  code: string;
  wg: (n: number) => [number, number, number];
}

function sg(TM: number, C4: number, S: number, mode = ''): Variant {
  const L: string[] = [];
  L.push('enable subgroups;');
  L.push('@group(0) @binding(0) var<storage, read> A4: array<vec4<f32>>;');
  L.push('@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;');
  L.push('@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;');
  L.push('const K: u32 = NN; const N4: u32 = NN / 4u; const K4: u32 = NN / 4u;');
  L.push(`@compute @workgroup_size(${S})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {');
  L.push(`  let row = wg.y * ${TM}u; let col4 = wg.x * ${S * C4}u + l.x;`);
  const H = TM / S;
  for (let h = 0; h < H; h++) L.push(`  let ar${h} = (row + ${h * S}u + l.x) * K4;`);
  for (let r = 0; r < TM; r++) for (let c = 0; c < C4; c++) L.push(`  var c${r}_${c} = vec4<f32>(0.0);`);
  L.push('  for (var k4 = 0u; k4 < K4; k4++) {');
  for (let h = 0; h < H; h++) L.push(`    let a${h} = A4[ar${h} + k4];`);
  for (let kk = 0; kk < 4; kk++) {
    for (let c = 0; c < C4; c++) L.push(`    let b${kk}_${c} = B[(k4 * 4u + ${kk}u) * N4 + col4 + ${c * S}u];`);
  }
  for (let kk = 0; kk < 4; kk++) {
    for (let r = 0; r < TM; r++) {
      L.push(`    { let a = subgroupBroadcast(a${Math.floor(r / S)}.${'xyzw'[kk]}, ${r % S}u);`);
      for (let c = 0; c < C4; c++) L.push(`      c${r}_${c} = fma(vec4<f32>(a), b${kk}_${c}, c${r}_${c});`);
      L.push('    }');
    }
  }
  L.push('  }');
  for (let r = 0; r < TM; r++) for (let c = 0; c < C4; c++) L.push(`  C[(row + ${r}u) * N4 + col4 + ${c * S}u] = c${r}_${c};`);
  L.push('}');
  return { name: `sg TM${TM} C4${C4} S${S}${mode}`, code: L.join('\n'), wg: (n) => [n / 4 / S / C4, n / TM, 1] };
}

/** The previous production tiling (uniform rows, no subgroups) for comparison. */
function ur(R: number, C4: number, WG: number): Variant {
  const L: string[] = [];
  L.push('@group(0) @binding(3) var<storage, read> A: array<f32>;');
  L.push('@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;');
  L.push('@group(0) @binding(2) var<storage, read_write> C: array<vec4<f32>>;');
  L.push('const K: u32 = NN; const N4: u32 = NN / 4u;');
  L.push(`@compute @workgroup_size(${WG})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {');
  L.push(`  let row = wg.y * ${R}u; let col4 = wg.x * ${WG * C4}u + l.x;`);
  for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) L.push(`  var c${r}_${c} = vec4<f32>(0.0);`);
  L.push('  for (var k = 0u; k < K; k++) {');
  for (let c = 0; c < C4; c++) L.push(`    let b${c} = B[k * N4 + col4 + ${c * WG}u];`);
  for (let r = 0; r < R; r++) {
    L.push(`    { let a = A[(row + ${r}u) * K + k];`);
    for (let c = 0; c < C4; c++) L.push(`      c${r}_${c} = fma(vec4<f32>(a), b${c}, c${r}_${c});`);
    L.push('    }');
  }
  L.push('  }');
  for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) L.push(`  C[(row + ${r}u) * N4 + col4 + ${c * WG}u] = c${r}_${c};`);
  L.push('}');
  return { name: `ur R${R} C4${C4} WG${WG}`, code: L.join('\n'), wg: (n) => [n / 4 / WG / C4, n / R, 1] };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1024);
  const only = process.argv.slice(3);
  const h = await getSharedDevice();
  const device = h.device;
  console.log(h.driver, h.description, [...device.features].join(' '));
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
  const check = [[0, 0], [n - 1, n - 1], [7, n - 3], [n / 2, 5]];
  const ref = check.map(([i, j]) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    return s;
  });
  const variants: Variant[] = [];
  for (const [TM, C4] of [[8, 1], [8, 2], [16, 1], [16, 2], [24, 1], [24, 2], [32, 1], [32, 2], [48, 1], [64, 1], [48, 2], [64, 2]]) variants.push(sg(TM, C4, 8));
  variants.push(ur(16, 2, 16));
  const rounds = Number(process.env.ROUNDS ?? 1);
  const base = [...variants];
  for (let r = 1; r < rounds; r++) variants.push(...base);
  for (const v of variants) {
    if (only.length && !only.some((o) => v.name.includes(o))) continue;
    const code = v.code.replaceAll('NN', `${n}u`);
    if (process.env.DUMP_WGSL) {
      writeFileSync(`${process.env.DUMP_WGSL}/${v.name.replaceAll(' ', '_')}.wgsl`, code);
      continue;
    }
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const t0 = performance.now();
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    if (err) {
      console.log(v.name, 'ERROR', err.message);
      continue;
    }
    const bg = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: bufA } },
        { binding: 1, resource: { buffer: bufB } },
        { binding: 2, resource: { buffer: bufC } },
        ...(code.includes('binding(3)') ? [{ binding: 3, resource: { buffer: bufA } }] : []),
      ].filter((e) => e.binding !== 0 || code.includes('A4[')),
    });
    const run = async (reps: number) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bg);
      for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...v.wg(n));
      pass.end();
      const t = process.cpuUsage();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      const d = process.cpuUsage(t);
      // CPU time of all the process's threads, halved: the wall time on an idle 2-core machine
      // (the machine is shared, so wall time measures the neighbours too).
      return (d.user + d.system) / 1000 / 2;
    };
    await run(1);
    const compileMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await run(1)));
    times.sort((x, y) => x - y);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(bufC, 0, stage, 0, n * n * 4);
    device.queue.submit([enc.finish()]);
    await stage.mapAsync(GPUMapMode.READ);
    const c = new Float32Array(stage.getMappedRange().slice(0));
    stage.unmap();
    const maxErr = Math.max(...check.map(([i, j], q) => Math.abs(c[i * n + j] - ref[q])));
    const gf = (2 * n ** 3) / (times[0] * 1e6);
    console.log(`${v.name.padEnd(28)} ${times[0].toFixed(1).padStart(8)} ms ${gf.toFixed(2).padStart(7)} GFLOP/s  err ${maxErr.toExponential(1)}  (first run incl. compile ${compileMs.toFixed(0)} ms)`);
  }
  h.destroy();
  process.exit(0);
}

void main();
