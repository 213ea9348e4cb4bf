/**
 * Writes the subgroup GEMM's WGSL as the backend compiles it (directives, Params struct, kernel)
 * so that explore-asm.ts can show llvmpipe's machine code of its k loop (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/dump-gemm-wgsl.ts outDir p4|p1 q4|q1 TMxC4[kKB] ...
 *   MESA_SHADER_CACHE_DISABLE=true GALLIVM_DEBUG=asm pnpm exec tsx packages/core/bench/explore-asm.ts outDir/sg_p4_q4_16x1.wgsl
 * (without MESA_SHADER_CACHE_DISABLE a shader compiled before comes from Mesa's disk cache and
 * prints nothing). Counting the instructions between the k loop's backward jump and its target,
 * with the FMAs step by step (before sgFmaBlock): 16 x 2 ran 6,168 per 4,096 lane-FMAs, 16 x 1
 * 3,711 per 2,048, 32 x 1 5,744 per 4,096; row by row (sgFmaBlock) 16 x 2 runs 6,057 and 16 x 1
 * 3,102. Every FMA is a vmulps + vaddps (llvmpipe lowers ffma), each per-lane load element is
 * ~10 instructions (exec-mask test, buffer-size reload, bounds check, load, blend), and a load
 * whose address is the same in every lane is no cheaper inside a loop (a 4-line test kernel:
 * `for (k < 64) { s += Qm[k * 3 + wg.x]; }` compiles to the per-lane sequence).
 */
import { writeFileSync } from 'node:fs';
import { Params } from '../src/backends/webgpu/params.js';
import { sgGemmSource } from '../src/backends/webgpu/kernels/matmul-gemm-sg.js';

const [dir, pv, qv, ...tiles] = process.argv.slice(2);
const params = new Params().u32('M', 0).u32('N', 0).u32('K', 0).u32('sPi', 0).u32('sPk', 0).u32('sQk', 0).u32('sQj', 0).u32('sDi', 0).u32('sDj', 0).u32('b0', 0).u32s('bs', []).u32s('bp', []).u32s('bq', []).u32s('bd', []);
for (const t of tiles) {
  const [TM, C4, KB] = t.split(/[xk]/).map(Number);
  const src = sgGemmSource({ TM, C4, S: 8, ...(KB ? { KB: KB as 2 | 4 } : {}) }, 0, pv === 'p4' && KB !== 2, qv === 'q4', true);
  const m = /^(?:\s*enable[^;]*;)*\s*/.exec(src)![0];
  writeFileSync(`${dir}/sg_${pv}_${qv}_${t}.wgsl`, m + params.wgsl() + '\n' + src.slice(m.length));
}
