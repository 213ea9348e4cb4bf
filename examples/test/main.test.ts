import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, stdio: 'pipe' });

/** Standard deviation of a PNG's 8-bit values (0 for a constant image). */
function pngSpread(path: string): { width: number; height: number; std: number } {
  const png = decode(readFileSync(path));
  const d = png.data as Uint8Array;
  let s = 0, s2 = 0;
  for (const v of d) { s += v; s2 += v * v; }
  const m = s / d.length;
  return { width: png.width, height: png.height, std: Math.sqrt(Math.max(0, s2 / d.length - m * m)) };
}

describe('main example (HeadGAP end to end, tiny settings)', () => {
  it('personalises the shipped prior to an unseen identity and writes novel views, an expression sequence and curves', () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-main-'));
    run(['--out', out, '--inv-steps', '2', '--steps', '6', '--shots', '1', '--frames', '3', '--eval-frames', '6']);
    for (const f of ['novel-views.png', 'expressions.png', 'curve.png', 'frames/expr_000.png', 'frames/expr_002.png']) {
      expect(existsSync(join(out, f)), f).toBe(true);
      expect(pngSpread(join(out, f)).std, `${f} is not constant`).toBeGreaterThan(10);
    }
    const frame = pngSpread(join(out, 'frames/expr_001.png'));
    expect([frame.width, frame.height]).toEqual([64, 64]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.loss.length).toBe(8);
    expect(Number.isFinite(summary.before.psnr)).toBe(true);
    // Personalisation improves the unseen identity's held-out views over the prior's mean code.
    expect(summary.after.psnr).toBeGreaterThan(summary.before.psnr);
  });

  it('rejects bad flags with a message naming the flag and the expected value', () => {
    expect(() => run(['--steps', 'abc'])).toThrow(/--steps must be an integer in \[0, 100000\], got 'abc'/);
    expect(() => run(['--shots', '9'])).toThrow(/--shots must be an integer in \[1, 5\], got '9'/);
  });
});
