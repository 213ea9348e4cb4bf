/**
 * Small image helpers for the main example: PNG writing, contact sheets and a line plot
 * (no text rendering: axes, grid and curves only; the numbers go to summary.json).
 */
import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

export interface RgbImage {
  width: number;
  height: number;
  /** (H, W, 3) in [0, 1]. */
  data: Float32Array;
}

/** Writes an RGB float image as an 8-bit PNG, upscaled by an integer factor (nearest). */
export function writePng(path: string, img: RgbImage, scale = 1): void {
  const W = img.width * scale, H = img.height * scale;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const s = (Math.floor(y / scale) * img.width + Math.floor(x / scale)) * 3;
    for (let c = 0; c < 3; c++) out[(y * W + x) * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, img.data[s + c])));
  }
  writeFileSync(path, encode({ width: W, height: H, data: out, channels: 3 }));
}

/** Tiles equally sized images row by row (null = empty cell) with a 2 px grey gap. */
export function contactSheet(rows: (RgbImage | null)[][]): RgbImage {
  const first = rows.flat().find((x): x is RgbImage => x !== null);
  if (!first) throw new Error('contactSheet: rows must hold at least one image');
  const w = first.width, h = first.height, gap = 2;
  const cols = Math.max(...rows.map((r) => r.length));
  const W = cols * w + (cols + 1) * gap, H = rows.length * h + (rows.length + 1) * gap;
  const data = new Float32Array(W * H * 3).fill(0.35);
  rows.forEach((row, r) => row.forEach((img, c) => {
    if (!img) return;
    const x0 = gap + c * (w + gap), y0 = gap + r * (h + gap);
    for (let y = 0; y < h; y++) data.set(img.data.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * W + x0) * 3);
  }));
  return { width: W, height: H, data };
}

export interface Series {
  /** x values (step index across phases) and y values. */
  x: number[];
  y: number[];
  color: [number, number, number];
}

/** A W x H line plot of the series over their joint range, white background, light grid. */
export function linePlot(series: Series[], W: number, H: number, opts: { logY?: boolean } = {}): RgbImage {
  const data = new Float32Array(W * H * 3).fill(1);
  const put = (x: number, y: number, c: readonly number[]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    data.set(c, (y * W + x) * 3);
  };
  const m = 8;
  const tf = (v: number) => (opts.logY ? Math.log10(Math.max(v, 1e-6)) : v);
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y.map(tf));
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-6);
  for (let i = 0; i <= 4; i++) {
    const gy = Math.round(m + (i * (H - 2 * m)) / 4), gx = Math.round(m + (i * (W - 2 * m)) / 4);
    for (let x = m; x < W - m; x++) put(x, gy, [0.88, 0.88, 0.88]);
    for (let y = m; y < H - m; y++) put(gx, y, [0.88, 0.88, 0.88]);
  }
  for (let x = m; x < W - m; x++) put(x, H - m, [0, 0, 0]);
  for (let y = m; y <= H - m; y++) put(m, y, [0, 0, 0]);
  const px = (v: number) => Math.round(m + ((v - x0) / (x1 - x0)) * (W - 2 * m));
  const py = (v: number) => Math.round(H - m - ((tf(v) - y0) / (y1 - y0)) * (H - 2 * m));
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const ax = px(s.x[i]), ay = py(s.y[i]);
      if (i > 0) line(px(s.x[i - 1]), py(s.y[i - 1]), ax, ay, (x, y) => put(x, y, s.color));
      if (s.x.length < 40) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) put(ax + dx, ay + dy, s.color);
    }
  }
  return { width: W, height: H, data };
}

function line(x0: number, y0: number, x1: number, y1: number, plot: (x: number, y: number) => void): void {
  const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    plot(x0, y0);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

/** A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise. */
export function progressBar(label: string, total: number): (done: number, note?: string) => void {
  const t0 = performance.now();
  let lastDecile = -1;
  return (done, note = '') => {
    const frac = total > 0 ? done / total : 1;
    const width = 24, fill = Math.round(frac * width);
    const el = (performance.now() - t0) / 1000;
    const eta = frac > 0 ? (el / frac) * (1 - frac) : 0;
    const text = `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${el.toFixed(0)}s eta ${eta.toFixed(0)}s ${note}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K${done >= total ? '\n' : ''}`);
    else {
      const dec = Math.floor(frac * 10);
      if (dec !== lastDecile || done >= total) {
        lastDecile = dec;
        process.stderr.write(`${text}\n`);
      }
    }
  };
}
