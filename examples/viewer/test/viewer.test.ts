/**
 * End-to-end test of the viewer in a real browser: builds the app with Vite, serves it,
 * drives Debian's Chromium (headless, WebGPU on SwiftShader) with playwright-core, opens a
 * generated .ply through the file input and checks the screenshot's pixels, shows the FLAME
 * head and the shipped HeadGAP avatar; then checks
 * the message shown when the browser has no WebGPU. Screenshots go to
 * test-output/viewer/ for a person to look at.
 *
 * Needs /usr/bin/chromium: under CI=true its absence fails the test; elsewhere the test
 * is skipped with a warning. No browser is ever downloaded.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePly } from '@headsplat/splat-raster';
import { decode } from 'fast-png';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from './static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const VIEWER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = resolve(VIEWER_DIR, '../../test-output/viewer');
/** Small: SwiftShader rasterizes a few hundred thousand pixels per second at best on a busy machine. */
const VIEWPORT = { width: 320, height: 240 };
/** WebGPU in headless Chromium: Dawn on SwiftShader (CPU Vulkan), the only adapter here. */
const WEBGPU_ARGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  // Without these the WebGPU canvas cannot be presented in headless Chromium without a GPU
  // (the swap chain's shared image fails and the device is lost after the first frame).
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--use-vulkan=swiftshader',
];
/** WebGPU off: navigator.gpu still exists but requestAdapter() returns null. */
const NO_WEBGPU_ARGS = ['--headless=new', '--disable-webgpu'];

const ci = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !ci) console.warn(`[viewer] skipping the browser test: ${CHROMIUM} not found (apt-get install chromium)`);

/**
 * Four big Gaussians of known colours: red at the origin, green at +x, blue at -y, white
 * at -x. Their per-axis median is the origin, where the viewer aims the camera.
 */
const FIXTURE = [
  { name: 'red', mean: [0, 0, 0], rgb: [1, 0, 0] },
  { name: 'green', mean: [1, 0, 0], rgb: [0, 1, 0] },
  { name: 'blue', mean: [0, -1, 0], rgb: [0, 0, 1] },
  { name: 'white', mean: [-1, 0, 0], rgb: [1, 1, 1] },
] as const;
const OPACITY = 0.99;
const SCALE = 0.25;

function fixturePly(): Uint8Array {
  const n = FIXTURE.length;
  return writePly({
    means: new Float32Array(FIXTURE.flatMap((g) => g.mean)),
    quats: new Float32Array(Array.from({ length: n }, () => [1, 0, 0, 0]).flat()),
    scales: new Float32Array(n * 3).fill(SCALE),
    opacities: new Float32Array(n).fill(OPACITY),
    colors: new Float32Array(FIXTURE.flatMap((g) => g.rgb)),
  });
}

interface Png {
  width: number;
  height: number;
  pixel(x: number, y: number): [number, number, number];
}

function decodePng(bytes: Uint8Array): Png {
  const img = decode(bytes);
  const ch = img.channels;
  return {
    width: img.width,
    height: img.height,
    pixel: (x, y) => {
      const o = (Math.round(y) * img.width + Math.round(x)) * ch;
      return [img.data[o], img.data[o + 1], img.data[o + 2]];
    },
  };
}

/**
 * Waits until the viewer has drawn `frames` frames of the scene named `scene` and has no
 * frame in flight or due (so the last frame used the current camera); fails fast on a viewer error.
 */
async function waitForFrames(page: Page, scene: string, frames: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([name, n]) => {
      const v = window.__viewer;
      if (v.status === 'no-webgpu' || v.status === 'error') throw new Error(`viewer: ${v.status}: ${v.message}`);
      if (v.lastError) throw new Error(`viewer: ${v.lastError}`);
      return v.sceneName.startsWith(name as string) && (v.stats?.sceneFrames ?? 0) >= (n as number) && v.idle === true;
    },
    [scene, frames] as const,
    { timeout },
  );
}

/**
 * Screenshot once the page shows a new canvas image: the frame is done on the GPU when the
 * viewer counts it, but on a busy machine Chromium's compositor can present it seconds
 * later. Retries until the pixels at `probe` differ from `previous` (the last scene's
 * screenshot), which says only that *something* new is shown, not what.
 */
async function screenshotWhenPresented(page: Page, path: string, previous: Png, probe: [number, number][], timeout = 20_000): Promise<Png> {
  const until = Date.now() + timeout;
  for (;;) {
    const shot = decodePng(await page.screenshot({ path }));
    const changed = probe.some(([x, y]) => shot.pixel(x, y).some((c, k) => Math.abs(c - previous.pixel(x, y)[k]) > 8));
    if (changed || Date.now() > until) return shot;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!haveChromium && !ci)('viewer in Chromium', () => {
  let dist = '';
  let server: StaticServer | undefined;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true: the viewer test needs ${CHROMIUM} (apt-get install chromium); it never downloads a browser`);
    await mkdir(OUT_DIR, { recursive: true });
    dist = await mkdtemp(join(tmpdir(), 'headsplat-viewer-'));
    await build({ root: VIEWER_DIR, configFile: join(VIEWER_DIR, 'vite.config.ts'), logLevel: 'error', build: { outDir: dist, emptyOutDir: true } });
    server = await serveStatic(dist);
  });

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  async function launch(args: string[]): Promise<Page> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args });
    browsers.push(browser);
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => console.error(`[viewer page] ${e.message}`));
    return page;
  }

  it('renders the default head, a .ply opened with the file picker (splat colours where they project), the FLAME head, the HeadGAP avatar, and rejects bad files', async () => {
    const page = await launch(WEBGPU_ARGS);
    await page.goto(server!.url);
    await waitForFrames(page, 'default head', 1, 60_000);
    const bg = (await page.evaluate(() => window.__viewer.background)).map((c) => Math.round(c * 255)) as [number, number, number];
    const blank: Png = { width: VIEWPORT.width, height: VIEWPORT.height, pixel: () => bg };
    const mid: [number, number] = [VIEWPORT.width / 2, VIEWPORT.height / 2];
    const defaultShot = await screenshotWhenPresented(page, join(OUT_DIR, 'default-head.png'), blank, [mid]);
    // The head covers the centre of the view: skin, not background.
    const centre = defaultShot.pixel(...mid);
    expect(Math.abs(centre[0] - bg[0]) + Math.abs(centre[1] - bg[1]) + Math.abs(centre[2] - bg[2])).toBeGreaterThan(100);
    expect(await page.textContent('#stats')).toMatch(/(\d+ FPS|idle) · last frame [\d.]+ ms · [\d,]+ Gaussians/);

    const plyPath = join(OUT_DIR, 'fixture.ply');
    await writeFile(plyPath, fixturePly());
    await page.setInputFiles('#ply-input', plyPath);
    await waitForFrames(page, 'fixture.ply', 1);
    expect(await page.textContent('#stats')).toContain(' 4 Gaussians');
    // The camera frames the scene's median (the red Gaussian) at the canvas centre, +y up, +x right.
    const at = await page.evaluate((means) => means.map((m) => window.__viewer.projectToCanvas!(m)), FIXTURE.map((g) => [...g.mean]));
    const shot = await screenshotWhenPresented(page, join(OUT_DIR, 'fixture-ply.png'), defaultShot, at.map((p) => [p.x, p.y]));
    expect([shot.width, shot.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(at[0].x).toBeCloseTo(VIEWPORT.width / 2, 0);
    expect(at[0].y).toBeCloseTo(VIEWPORT.height / 2, 0);
    expect(at[1].x).toBeGreaterThan(at[0].x + 40); // green: right
    expect(at[2].y).toBeGreaterThan(at[0].y + 40); // blue: below
    expect(at[3].x).toBeLessThan(at[0].x - 40); // white: left
    for (let i = 0; i < FIXTURE.length; i++) {
      // Nothing of the page sits over the splat's centre.
      expect(await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.id, [at[i].x, at[i].y])).toBe('view');
      const expected = FIXTURE[i].rgb.map((c, k) => Math.round(255 * (OPACITY * c + (1 - OPACITY) * (bg[k] / 255))));
      const got = shot.pixel(at[i].x, at[i].y);
      for (let k = 0; k < 3; k++) expect(Math.abs(got[k] - expected[k]), `${FIXTURE[i].name} channel ${k}: got ${got}, expected ${expected}`).toBeLessThanOrEqual(4);
    }
    // Background in the corners the panel does not cover.
    for (const [x, y] of [[VIEWPORT.width - 2, 2], [2, VIEWPORT.height - 2], [VIEWPORT.width - 2, VIEWPORT.height - 2]]) {
      const got = shot.pixel(x, y);
      for (let k = 0; k < 3; k++) expect(Math.abs(got[k] - bg[k]), `corner (${x}, ${y}): got ${got}, background ${bg}`).toBeLessThanOrEqual(2);
    }

    // Orbit with the mouse (a drag below the splats, clear of the panel): the target stays at
    // the centre; dragging left swings the camera towards +x, so the far (-x) white splat
    // comes towards the middle, and the screenshot shows it where it now projects.
    await page.mouse.move(VIEWPORT.width * 0.85, VIEWPORT.height * 0.92);
    await page.mouse.down();
    await page.mouse.move(VIEWPORT.width * 0.85 - 150, VIEWPORT.height * 0.92, { steps: 5 });
    await page.mouse.up();
    await waitForFrames(page, 'fixture.ply', 2);
    const orbited = await page.evaluate((means) => means.map((m) => window.__viewer.projectToCanvas!(m)), FIXTURE.map((g) => [...g.mean]));
    expect(orbited[0].x).toBeCloseTo(at[0].x, 3);
    expect(orbited[0].y).toBeCloseTo(at[0].y, 3);
    expect(orbited[3].x).toBeGreaterThan(at[3].x + 10);
    const turned = await screenshotWhenPresented(page, join(OUT_DIR, 'fixture-orbited.png'), shot, [[orbited[3].x, orbited[3].y], [at[3].x, at[3].y]]);
    const white = turned.pixel(orbited[3].x, orbited[3].y);
    // Red, now nearer on screen (about 2.5 sigma away) and in front, tints it by a few percent.
    for (let k = 0; k < 3; k++) expect(white[k], `white after orbiting: got ${white}`).toBeGreaterThan(220);
    const red = turned.pixel(orbited[0].x, orbited[0].y);
    expect(red[0] - red[1], `red after orbiting: got ${red}`).toBeGreaterThan(200);

    // The synthetic FLAME head (same page: the kernels are compiled already), then an expression.
    await page.evaluate(() => window.__viewer.showFlame!());
    await waitForFrames(page, 'synthetic FLAME head', 1);
    expect(await page.textContent('#stats')).toContain('20,000 Gaussians');
    const neutral = await screenshotWhenPresented(page, join(OUT_DIR, 'flame-neutral.png'), turned, [mid]);
    const face = neutral.pixel(...mid);
    expect(face[0], `FLAME head at the centre: got ${face}`).toBeGreaterThan(face[2] + 40); // skin: red over blue
    // Band of the lower face (below the centre, right of the panel) to compare.
    const band: [number, number][] = [];
    for (let y = Math.round(VIEWPORT.height * 0.55); y < VIEWPORT.height * 0.85; y += 3) for (let x = Math.round(VIEWPORT.width * 0.3); x < VIEWPORT.width * 0.7; x += 3) band.push([x, y]);
    await page.evaluate(() => window.__viewer.setFlameControls!({ jawOpen: 1.5, jawPose: 0.3, smile: 1 }));
    await waitForFrames(page, 'synthetic FLAME head', 2);
    const talking = await screenshotWhenPresented(page, join(OUT_DIR, 'flame-jaw-open.png'), neutral, band);
    const changed = band.filter(([x, y]) => talking.pixel(x, y).some((c, k) => Math.abs(c - neutral.pixel(x, y)[k]) > 20)).length;
    expect(changed, 'pixels of the lower face that changed when the jaw opened').toBeGreaterThan(0.05 * band.length);

    // The Avatar mode: the shipped HeadGAP prior through its button; the model renders on the
    // CPU in the page (64x64, upscaled into a 2D canvas over the view, on the model's white background).
    // (The panel starts folded in this small window: unfold it to click, then fold it again.)
    await page.click('#controls > summary');
    await page.click('#avatar-prior');
    await page.click('#controls > summary');
    await page.waitForFunction(() => {
      const v = window.__viewer;
      if (v.lastError) throw new Error(`viewer: ${v.lastError}`);
      return v.sceneName.startsWith('HeadGAP avatar') && (v.avatar?.frames ?? 0) >= 1 && v.idle === true;
    }, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => window.__viewer.avatar)).toMatchObject({ width: 64, height: 64, identities: 4, gaussians: 1438 });
    expect(await page.textContent('#stats')).toMatch(/last frame \d+ ms \(model on the CPU\) · 1,438 Gaussians · 64×64/);
    const avatarShot = await screenshotWhenPresented(page, join(OUT_DIR, 'avatar.png'), talking, [mid]);
    const head = avatarShot.pixel(...mid);
    for (const [x, y] of [[VIEWPORT.width - 2, 2], [2, VIEWPORT.height - 2], [VIEWPORT.width - 2, VIEWPORT.height - 2]]) {
      const corner = avatarShot.pixel(x, y);
      expect(corner.every((c) => c > 245), `avatar background at (${x}, ${y}): got ${corner}`).toBe(true);
      expect(Math.abs(head[0] - corner[0]) + Math.abs(head[1] - corner[1]) + Math.abs(head[2] - corner[2]), `avatar centre ${head} vs corner ${corner}`).toBeGreaterThan(100);
    }
    expect(head[0], `avatar skin at the centre: got ${head}`).toBeGreaterThan(head[2] + 30);
    // The jaw slider (moved as a user does: value + input event) re-renders the mouth.
    await page.evaluate(() => {
      for (const [id, v] of [['avatar-jawOpen', '1.2'], ['avatar-jawPose', '0.3']]) {
        const input = document.getElementById(id) as HTMLInputElement;
        input.value = v;
        input.dispatchEvent(new Event('input'));
      }
    });
    await page.waitForFunction(() => (window.__viewer.avatar?.frames ?? 0) >= 2 && window.__viewer.idle === true, undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => window.__viewer.avatar!.frames)).toBe(2); // one debounced render for both sliders
    const mouthBand: [number, number][] = [];
    for (let y = Math.round(VIEWPORT.height * 0.6); y < VIEWPORT.height * 0.9; y += 3) for (let x = Math.round(VIEWPORT.width * 0.4); x < VIEWPORT.width * 0.6; x += 3) mouthBand.push([x, y]);
    const avatarOpen = await screenshotWhenPresented(page, join(OUT_DIR, 'avatar-jaw-open.png'), avatarShot, mouthBand);
    const moved = mouthBand.filter(([x, y]) => avatarOpen.pixel(x, y).some((c, k) => Math.abs(c - avatarShot.pixel(x, y)[k]) > 20)).length;
    expect(moved, 'pixels around the avatar\'s mouth that changed when the jaw opened').toBeGreaterThan(0.05 * mouthBand.length);

    // A file that is not a binary 3DGS .ply: a visible error naming it, and the view stays.
    await page.setInputFiles('#ply-input', { name: 'broken.ply', mimeType: 'application/octet-stream', buffer: Buffer.from('ply\nformat ascii 1.0\nend_header\n') });
    await page.waitForFunction(() => window.__viewer.lastError !== undefined, undefined, { timeout: 10_000 });
    expect(await page.isVisible('#toast')).toBe(true);
    expect(await page.textContent('#toast')).toMatch(/Could not open broken\.ply: readPly: .*binary_little_endian/);
    expect(await page.evaluate(() => window.__viewer.sceneName)).toMatch(/^HeadGAP avatar/);
    // A .safetensors file that is not a HeadGAP checkpoint: the error says what was expected.
    await page.setInputFiles('#avatar-input', { name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint') });
    await page.waitForFunction(() => window.__viewer.lastError?.includes('notes.safetensors') === true, undefined, { timeout: 10_000 });
    expect(await page.textContent('#toast')).toMatch(/Could not open notes\.safetensors: Not a HeadGAP checkpoint: expected a \.safetensors file written by savePrior/);
  });

  it('shows a message instead of a blank canvas when the browser has no WebGPU', async () => {
    // Chromium with WebGPU disabled: navigator.gpu exists, requestAdapter() returns null.
    const page = await launch(NO_WEBGPU_ARGS);
    await page.goto(server!.url);
    await page.waitForFunction(() => window.__viewer.status !== 'starting', undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => window.__viewer.status)).toBe('no-webgpu');
    expect(await page.isVisible('#message')).toBe(true);
    expect(await page.textContent('#message')).toMatch(/needs WebGPU.*no GPU adapter/);
    await page.screenshot({ path: join(OUT_DIR, 'no-webgpu-adapter.png') });

    // A browser without the API at all (navigator.gpu undefined).
    const bare = await browsers[browsers.length - 1].newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await bare.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
    await bare.goto(server!.url);
    await bare.waitForFunction(() => window.__viewer.status !== 'starting', undefined, { timeout: 20_000 });
    expect(await bare.evaluate(() => window.__viewer.status)).toBe('no-webgpu');
    expect(await bare.isVisible('#message')).toBe(true);
    expect(await bare.textContent('#message')).toMatch(/needs WebGPU.*navigator\.gpu is undefined/);
    const shot = decodePng(await bare.screenshot({ path: join(OUT_DIR, 'no-webgpu-api.png') }));
    // Not blank: the message's text differs from the page background somewhere in the middle row band.
    let lit = 0;
    for (let y = VIEWPORT.height / 2 - 40; y < VIEWPORT.height / 2 + 40; y++) {
      for (let x = 0; x < VIEWPORT.width; x += 2) if (shot.pixel(x, y)[0] > 120) lit++;
    }
    expect(lit).toBeGreaterThan(50);
  });
});
