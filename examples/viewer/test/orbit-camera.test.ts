/**
 * The orbit camera against the rasterizer's conventions (CPU reference, no browser): a
 * small Gaussian renders where `project` says, the target stays at the image centre when
 * orbiting, and pan / zoom move the view as the controls promise.
 */
import { renderCpu } from '@headsplat/splat-raster';
import { describe, expect, it } from 'vitest';
import { OrbitCamera } from '../src/orbit-camera.js';
import { sceneBounds } from '../src/scene-bounds.js';

/** Pixel (x, y) of the brightest red value in an (H, W, 3) image. */
function peak(rgb: Float32Array, width: number): { x: number; y: number } {
  let best = -1;
  let at = 0;
  for (let i = 0; i < rgb.length / 3; i++) {
    if (rgb[3 * i] > best) {
      best = rgb[3 * i];
      at = i;
    }
  }
  return { x: at % width, y: Math.floor(at / width) };
}

function dot(p: number[], width: number, height: number, cam: OrbitCamera): { x: number; y: number } {
  const scene = {
    means: new Float32Array(p),
    quats: new Float32Array([1, 0, 0, 0]),
    scales: new Float32Array([0.02, 0.02, 0.02]),
    opacities: new Float32Array([0.9]),
    colors: new Float32Array([1, 0, 0]),
  };
  return peak(renderCpu(scene, cam.camera(width, height)).output.rgb, width);
}

describe('OrbitCamera', () => {
  it('projects points where the rasterizer draws them, with +x right and +y up', () => {
    const cam = new OrbitCamera({ target: [0.2, -0.1, 0.3], distance: 3, yaw: 0.4, pitch: 0.3 });
    const [w, h] = [64, 48];
    for (const p of [[0.2, -0.1, 0.3], [0.6, 0.1, 0.2], [-0.3, 0.4, -0.2]]) {
      const q = cam.project(p, w, h);
      const d = dot(p, w, h, cam);
      // Pixel centres sit at (x + 0.5, y + 0.5); the peak pixel is the one nearest the projection (ties at a border).
      expect(Math.abs(d.x + 0.5 - q.x)).toBeLessThanOrEqual(0.5 + 1e-4);
      expect(Math.abs(d.y + 0.5 - q.y)).toBeLessThanOrEqual(0.5 + 1e-4);
    }
    const front = new OrbitCamera({ distance: 4 });
    const c = front.project([0, 0, 0], w, h);
    expect(c.x).toBeCloseTo(w / 2, 4);
    expect(c.y).toBeCloseTo(h / 2, 4);
    expect(c.depth).toBeCloseTo(4, 4);
    expect(front.project([1, 0, 0], w, h).x).toBeGreaterThan(w / 2);
    expect(front.project([0, 1, 0], w, h).y).toBeLessThan(h / 2);
    // A y-down world flips which way is up on screen.
    const down = new OrbitCamera({ distance: 4, upSign: -1 });
    expect(down.project([0, 1, 0], w, h).y).toBeGreaterThan(h / 2);
  });

  it('keeps the target at the image centre while orbiting, and at the same distance', () => {
    const cam = new OrbitCamera({ target: [1, 2, 3], distance: 5 });
    for (const [dx, dy] of [[40, 0], [0, -70], [-500, 200], [0, 10_000]]) {
      cam.orbit(dx, dy);
      const q = cam.project([1, 2, 3], 100, 80);
      expect(q.x).toBeCloseTo(50, 4);
      expect(q.y).toBeCloseTo(40, 4);
      expect(q.depth).toBeCloseTo(5, 4);
      expect(Math.abs(cam.state.pitch)).toBeLessThan(Math.PI / 2);
    }
  });

  it('pans so that the scene follows the pointer, and zooms by the factor', () => {
    const cam = new OrbitCamera({ distance: 2, yaw: 0.7, pitch: -0.2 });
    const [w, h] = [120, 90];
    const before = cam.project([0, 0, 0], w, h);
    cam.pan(10, -6, h);
    const after = cam.project([0, 0, 0], w, h);
    expect(after.x - before.x).toBeCloseTo(10, 4);
    expect(after.y - before.y).toBeCloseTo(-6, 4);
    cam.zoom(1.5);
    expect(cam.state.distance).toBeCloseTo(3, 12);
  });

  it('frames a scene by its median and a robust radius, ignoring a far outlier', () => {
    const n = 101;
    const means = new Float32Array(3 * n);
    for (let i = 0; i < 100; i++) means.set([Math.cos(i), Math.sin(i), 0.5], 3 * i);
    means.set([1000, 1000, 1000], 300);
    const scales = new Float32Array(3 * n).fill(0.01);
    const b = sceneBounds({ means, scales, quats: new Float32Array(4 * n), opacities: new Float32Array(n), colors: new Float32Array(3 * n) });
    expect(b.radius).toBeGreaterThan(0.9);
    expect(b.radius).toBeLessThan(1.2);
    expect(b.center[2]).toBeCloseTo(0.5, 6);
    const cam = new OrbitCamera();
    cam.frame(b.center, b.radius);
    // The unit circle fits in the view: its extreme points project inside the image.
    for (const p of [[1, 0, 0.5], [-1, 0, 0.5], [0, 1, 0.5], [0, -1, 0.5]]) {
      const q = cam.project(p, 100, 100);
      expect(q.x).toBeGreaterThan(0);
      expect(q.x).toBeLessThan(100);
      expect(q.y).toBeGreaterThan(0);
      expect(q.y).toBeLessThan(100);
    }
  });
});
