/**
 * The arithmetic ceiling of the current WebGPU adapter for GEMM-like kernels (not part of
 * `pnpm bench`): a GEMM register tile (TM rows x 4C columns of f32 accumulators per invocation,
 * workgroups of 8 = one llvmpipe SIMD group) whose k loop has U steps per iteration, with
 *   - `none`:    no memory loads at all: the A and B values come from register arithmetic;
 *   - `storage`: the B values of each k step read from a storage buffer (C vec4 per invocation,
 *                contiguous across the SIMD group, as in the real GEMM);
 *   - `shared`:  the same reads from workgroup memory.
 * GFLOP/s count the tile's FMAs only (2 flops each) and use process CPU time / 2 (an idle
 * 2-core machine's wall time). What no GEMM on this adapter can beat is the best `none` row.
 *   pnpm exec tsx packages/core/bench/explore-ceiling.ts [TMxCxU[:none|storage|shared] ...]
 */
import { getSharedDevice } from '@headsplat/gpu';

type Loads = 'none' | 'storage' | 'shared';
const K = 1024;
const WORKGROUPS = 4096;

function kernel(TM: number, C: number, U: number, loads: Loads): string {
  const lines: string[] = [];
  lines.push('@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;');
  lines.push('@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;');
  if (loads === 'shared') lines.push('var<workgroup> tileB: array<vec4<f32>, 1024>;');
  lines.push('@compute @workgroup_size(8)');
  lines.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {');
  lines.push('  var a = vec4<f32>(f32(lid.x), 1.0, 2.0, 3.0);');
  lines.push('  var b = vec4<f32>(f32(wg.x));');
  for (let r = 0; r < TM; r++) for (let c = 0; c < C; c++) lines.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  lines.push(`  for (var k = 0u; k < ${K / U}u; k++) {`);
  for (let u = 0; u < U; u++) {
    lines.push(`    { let au = a + vec4<f32>(${(u + 1) * 1e-3});`);
    for (let c = 0; c < C; c++) {
      const at = `(k * ${U * 64}u + ${u * 64 + c * 8}u + lid.x)`;
      if (loads === 'storage') lines.push(`      let b${c} = src[${at} & 65535u];`);
      else if (loads === 'shared') lines.push(`      let b${c} = tileB[${at} & 1023u];`);
      else lines.push(`      let b${c} = b * ${(1 + c * 0.1 + u * 0.01).toFixed(2)};`);
    }
    for (let r = 0; r < TM; r++) for (let c = 0; c < C; c++) lines.push(`      acc${r}_${c} = fma(vec4<f32>(au.${'xyzw'[r % 4]}), b${c}, acc${r}_${c});`);
    lines.push('    }');
  }
  lines.push('    a += vec4<f32>(1e-2);');
  lines.push('    b += vec4<f32>(1e-3);');
  lines.push('  }');
  lines.push('  var t = vec4<f32>(0.0);');
  for (let r = 0; r < TM; r++) for (let c = 0; c < C; c++) lines.push(`  t += acc${r}_${c};`);
  // Reads `src` in every variant, so that all of them have the same bindings.
  lines.push('  dst[wg.x * 8u + lid.x] = t + src[lid.x];');
  lines.push('}');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const specs = process.argv.slice(2);
  const configs = (specs.length ? specs : ['2x1x32', '3x1x32', '4x1x32', '8x1x32', '16x2x4', '2x1x32:storage', '8x1x16:storage', '16x2x8:storage', '2x1x32:shared', '8x1x16:shared']).map((s) => {
    const m = /^(\d+)x(\d+)x(\d+)(?::(none|storage|shared))?$/.exec(s);
    if (!m) throw new Error(`explore-ceiling: '${s}': expected TMxCxU[:none|storage|shared], e.g. 8x1x16:storage`);
    return { TM: Number(m[1]), C: Number(m[2]), U: Number(m[3]), loads: (m[4] ?? 'none') as Loads };
  });
  const h = await getSharedDevice();
  const device = h.device;
  console.log(h.description);
  const src = device.createBuffer({ size: 65536 * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ size: WORKGROUPS * 8 * 16, usage: GPUBufferUsage.STORAGE });
  console.log('tile (TM x 4C), k steps per iteration, B loads   time (cpu/2)   GFLOP/s');
  for (const { TM, C, U, loads } of configs) {
    if (K % U !== 0) throw new Error(`explore-ceiling: U = ${U} must divide ${K}`);
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: kernel(TM, C, U, loads) }), entryPoint: 'main' } });
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] });
    const run = async (): Promise<void> => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(WORKGROUPS);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run();
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const c0 = process.cpuUsage();
      await run();
      const d = process.cpuUsage(c0);
      best = Math.min(best, (d.user + d.system) / 1000 / 2);
    }
    const flop = WORKGROUPS * 8 * TM * C * 4 * K * 2;
    console.log(`${`${TM} x ${4 * C}`.padEnd(9)} ${String(U).padStart(3)} ${loads.padStart(8)}   ${best.toFixed(1).padStart(8)} ms   ${(flop / best / 1e6).toFixed(1).padStart(6)}`);
  }
  h.destroy();
  process.exit(0);
}

void main();
