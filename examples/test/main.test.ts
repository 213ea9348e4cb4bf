import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('main example', () => {
  it('writes a PNG with the shaded sphere in the middle and background in the corners', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'headsplat-main-')), 'main.png');
    execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--out', out, '--size', '64'], { cwd: root, stdio: 'pipe' });
    const png = decode(readFileSync(out));
    expect([png.width, png.height, png.channels]).toEqual([64, 64, 4]);
    const px = (x: number, y: number) => Array.from(png.data.slice((y * 64 + x) * 4, (y * 64 + x) * 4 + 3));
    const [r, g, b] = px(32, 32);
    // Lit skin tone: red > green > blue, bright.
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
    expect(r).toBeGreaterThan(120);
    // Background: dark blue-grey.
    for (const [x, y] of [[0, 0], [63, 0], [0, 63], [63, 63]]) {
      const [br, , bb] = px(x, y);
      expect(br).toBeLessThan(40);
      expect(bb).toBeGreaterThanOrEqual(br);
    }
  });

  it('rejects a bad --size with a message naming the flag', () => {
    expect(() =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--size', 'abc'], { cwd: root, stdio: 'pipe' }),
    ).toThrow(/--size must be an integer in \[8, 4096\], got 'abc'/);
  });
});
