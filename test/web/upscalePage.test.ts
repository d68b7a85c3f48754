import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type RunningServer } from '../../src/serve/webServer.js';
import { maxAbsDifference, repoRoot, runCli, temporaryDirectory } from '../helpers.js';
import { hasChromium, launchChromium } from './browser.js';

/** The value of a <progress> element (evaluated in the page). */
const progressValue = (element: unknown) => (element as { value: number }).value;

/**
 * The upscale page in headless Chromium, driven as a user would: pick a picture, wait, download. The
 * model runs in the page (onnxruntime-web, WebAssembly); its result must match the CLI's.
 */
describe.skipIf(!hasChromium)('upscale page', () => {
  let server: RunningServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await temporaryDirectory();
    server = await startWebServer({ port: 0, host: '127.0.0.1', runsDir: join(dir, 'runs') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.locator('#model option').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    return page;
  }

  /** A test picture: the sample photo cropped or enlarged to `width` x `height`, RGB. */
  async function picture(name: string, width: number, height: number): Promise<string> {
    const path = join(dir, name);
    await sharp(join(repoRoot, 'samples/chelsea.png')).resize(width, height, { fit: 'cover' }).png().toFile(path);
    return path;
  }

  it('upscales a PNG x4 with the default model in a worker, tiled, and the download equals the CLI output within 2/255', async () => {
    const input = await picture('small.png', 230, 150);
    const cli = await runCli(['upscale', input, '-o', join(dir, 'cli_x4.png')]);
    expect(cli.code).toBe(0);

    const page = await openPage();
    expect(await page.evaluate('crossOriginIsolated')).toBe(true); // the server's COOP/COEP headers: threads allowed
    await page.selectOption('#tile', '128'); // 2 x 2 tiles, blended as the CLI blends them
    await page.setInputFiles('#file-input', input);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    expect(await page.locator('#model-status').textContent()).toContain('WebAssembly');

    const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download PNG' }).click()]);
    expect(download.suggestedFilename()).toBe('small_x4.png');
    const downloaded = join(dir, 'page_x4.png');
    await download.saveAs(downloaded);

    const fromPage = await sharp(downloaded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const fromCli = await sharp(join(dir, 'cli_x4.png')).raw().toBuffer({ resolveWithObject: true });
    expect([fromPage.info.width, fromPage.info.height]).toEqual([920, 600]);
    expect([fromCli.info.width, fromCli.info.height, fromCli.info.channels]).toEqual([920, 600, 3]);
    expect(maxAbsDifference(fromCli.data, fromPage.data)).toBeLessThanOrEqual(2);
    const rgba = await sharp(downloaded).ensureAlpha().raw().toBuffer();
    expect(rgba.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true); // an opaque picture stays opaque

    const [webp] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download WebP' }).click()]);
    expect(webp.suggestedFilename()).toBe('small_x4.webp');
    await webp.saveAs(join(dir, 'page_x4.webp'));
    const webpInfo = await sharp(join(dir, 'page_x4.webp')).metadata();
    expect([webpInfo.format, webpInfo.width, webpInfo.height]).toEqual(['webp', 920, 600]);
    await page.close();
  }, 240_000);

  it('makes the size asked, as the CLI does: x3 with the x4 model, a width, a box it covers; a bad factor is named', async () => {
    const input = await picture('sized.png', 96, 64);
    const cases = [
      { mode: 'scale', fields: { '#factor': '3' }, cli: ['--scale', '3'], file: 'sized_x3.png', size: [288, 192] },
      { mode: 'width', fields: { '#out-width': '250' }, cli: ['--width', '250'], file: 'sized_w250.png', size: [250, 167] },
      { mode: 'box', fields: { '#out-width': '200', '#out-height': '150' }, fit: 'cover', cli: ['--width', '200', '--height', '150', '--fit', 'cover'], file: 'sized_200x150.png', size: [200, 150] },
    ];
    const page = await openPage();
    for (const [i, c] of cases.entries()) {
      const cliOutput = join(dir, `cli_${c.file}`);
      expect((await runCli(['upscale', input, '--model', 'default-x4', ...c.cli, '-o', cliOutput])).code).toBe(0);
      await page.selectOption('#size-mode', c.mode);
      for (const [selector, value] of Object.entries(c.fields)) await page.fill(selector, value);
      if (c.fit) await page.selectOption('#fit', c.fit);
      await page.setInputFiles('#file-input', input);
      const job = page.locator('li.job').nth(i);
      await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
      const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download PNG' }).click()]);
      expect(download.suggestedFilename()).toBe(c.file);
      const saved = join(dir, `page_${c.file}`);
      await download.saveAs(saved);
      const fromPage = await sharp(saved).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const fromCli = await sharp(cliOutput).raw().toBuffer({ resolveWithObject: true });
      expect([fromPage.info.width, fromPage.info.height], c.mode).toEqual(c.size);
      expect([fromCli.info.width, fromCli.info.height], c.mode).toEqual(c.size);
      expect(maxAbsDifference(fromCli.data, fromPage.data), c.mode).toBeLessThanOrEqual(2);
    }
    await page.selectOption('#size-mode', 'scale');
    await page.fill('#factor', '20');
    await page.setInputFiles('#file-input', input);
    const bad = page.locator('li.job').nth(cases.length);
    await expect.poll(() => bad.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
    expect(await bad.textContent()).toContain('output size: factor must be a number from 1 to 16');
    await page.close();
  }, 300_000);

  /** Upscale `input` in the page with a model file the user picks; the downloaded PNG's RGB samples. */
  async function upscaleWithOwnModel(input: string, model: string, expectedInStatus: string): Promise<Buffer> {
    const page = await openPage();
    await page.selectOption('#model', 'file');
    await page.setInputFiles('#model-file', model);
    await expect.poll(() => page.locator('#model-status').textContent(), { timeout: 60_000 }).toContain(expectedInStatus);
    await page.setInputFiles('#file-input', input);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download PNG' }).click()]);
    const saved = join(dir, `page_${Date.now()}.png`);
    await download.saveAs(saved);
    await page.close();
    return sharp(saved).removeAlpha().raw().toBuffer();
  }

  it('reads an ONNX model file in the page (one the CLI exported) and matches the CLI with that file', async () => {
    const input = await picture('onnx.png', 64, 40);
    const model = join(dir, 'compact.onnx');
    expect((await runCli(['export', '--model', join(repoRoot, 'test/fixtures/models/realesrgan-compact-x4.pth'), '-o', model])).code).toBe(0);
    expect((await runCli(['upscale', input, '--model', model, '-o', join(dir, 'onnx_cli.png')])).code).toBe(0);
    const fromPage = await upscaleWithOwnModel(input, model, 'ONNX model compact.onnx');
    const fromCli = await sharp(join(dir, 'onnx_cli.png')).raw().toBuffer();
    expect(fromPage.length).toBe(256 * 160 * 3);
    expect(maxAbsDifference(fromCli, fromPage)).toBeLessThanOrEqual(2);
  }, 240_000);

  it("reads the user's own model file in the page (a Real-ESRGAN compact .pth) and matches the CLI with that file", async () => {
    const input = await picture('own.png', 64, 40);
    const model = join(repoRoot, 'test/fixtures/models/realesrgan-compact-x4.pth');
    const cli = await runCli(['upscale', input, '--model', model, '-o', join(dir, 'own_cli.png')]);
    expect(cli.code).toBe(0);
    const fromPage = await upscaleWithOwnModel(input, model, 'SRVGGNetCompact');
    const fromCli = await sharp(join(dir, 'own_cli.png')).raw().toBuffer();
    expect(fromPage.length).toBe(256 * 160 * 3);
    expect(fromPage.length).toBe(fromCli.length);
    expect(maxAbsDifference(fromCli, fromPage)).toBeLessThanOrEqual(2);
  }, 240_000);

  it('names the file and the problem when a dropped model file is not a model', async () => {
    const notAModel = join(dir, 'notes.pth');
    await writeFile(notAModel, 'these are not weights');
    const page = await openPage();
    await page.selectOption('#model', 'file');
    await page.setInputFiles('#model-file', notAModel);
    await expect.poll(() => page.locator('#model-status').textContent(), { timeout: 60_000 }).toContain('notes.pth: is not a model file enhance can read');
    await page.close();
  }, 120_000);

  it('works from the keyboard: Tab reaches the picture button, Enter opens the file input, the result has focusable controls', async () => {
    const input = await picture('keys.png', 48, 32);
    const page = await openPage();
    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement && document.activeElement.id')) === 'choose-pictures';
    }
    expect(reached).toBe(true);
    // Enter on the button must open the file input (its click is recorded and the native dialog
    // suppressed: headless Chromium's chooser event races with the key press).
    await page.evaluate(`document.querySelector('#file-input').addEventListener('click', (event) => { window.fileInputOpened = true; event.preventDefault(); })`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('window.fileInputOpened === true'), { timeout: 10_000 }).toBe(true);
    expect(await page.evaluate("document.querySelector('#file-input').multiple")).toBe(true);
    await page.setInputFiles('#file-input', input);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    await job.getByRole('button', { name: 'Download PNG' }).focus();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Download PNG');
    expect(await job.locator('input[type="range"]').count()).toBe(2); // divider and zoom, as sliders
    await page.close();
  }, 120_000);

  it('keeps alpha: a picture with a transparency gradient comes back with the alpha the CLI gives, within 2/255', async () => {
    const path = join(dir, 'alpha.png');
    const { data, info } = await sharp(join(repoRoot, 'samples/chelsea.png')).resize(96, 64).raw().toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(info.width * info.height * 4);
    for (let p = 0; p < info.width * info.height; p++) {
      for (let c = 0; c < 3; c++) rgba[4 * p + c] = data[3 * p + c];
      rgba[4 * p + 3] = Math.round((255 * (p % info.width)) / (info.width - 1)); // transparent left, opaque right
    }
    await sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toFile(path);
    expect((await runCli(['upscale', path, '-o', join(dir, 'alpha_cli.png')])).code).toBe(0);
    const page = await openPage();
    await page.setInputFiles('#file-input', path);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download PNG' }).click()]);
    await download.saveAs(join(dir, 'alpha_page.png'));
    const fromPage = await sharp(join(dir, 'alpha_page.png')).extractChannel(3).raw().toBuffer();
    const fromCli = await sharp(join(dir, 'alpha_cli.png')).extractChannel(3).raw().toBuffer();
    expect(fromPage.length).toBe(384 * 256);
    expect(maxAbsDifference(fromCli, fromPage)).toBeLessThanOrEqual(2);
    expect(fromPage[0]).toBeLessThan(8); // still transparent on the left...
    expect(fromPage[383]).toBeGreaterThan(247); // ...and opaque on the right
    await page.close();
  }, 120_000);

  it('upscales an animated GIF frame by frame into an animated WebP: its delays and loop count, x4, each frame the CLI result of that frame within 2/255', async () => {
    // Three opaque 24x16 frames: the sample photo panned 2 px a frame.
    const wide = await sharp(join(repoRoot, 'samples/chelsea.png')).resize(28, 16, { fit: 'cover' }).ensureAlpha().raw().toBuffer();
    const frames = [0, 2, 4].map((left) => sharp(wide, { raw: { width: 28, height: 16, channels: 4 } }).extract({ left, top: 0, width: 24, height: 16 }).raw().toBuffer());
    const gif = join(dir, 'animated.gif');
    await sharp(Buffer.concat(await Promise.all(frames)), { raw: { width: 24, height: 48, channels: 4, pageHeight: 16 } }).gif({ delay: [100, 200, 300], loop: 2 }).toFile(gif);
    const cliFrames: Buffer[] = [];
    for (let page = 0; page < 3; page++) {
      const still = join(dir, `animated_frame${page}.png`);
      await sharp(gif, { page }).png().toFile(still); // the GIF's own frame (palette colours), as the page decodes it
      expect((await runCli(['upscale', still, '-o', join(dir, `animated_frame${page}_cli.png`)])).code).toBe(0);
      cliFrames.push(await sharp(join(dir, `animated_frame${page}_cli.png`)).removeAlpha().raw().toBuffer());
    }

    const page = await openPage();
    await page.setInputFiles('#file-input', gif);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 180_000 }).toBe('done');
    expect(await job.textContent()).toContain('done: 3 frames of 96×64');
    expect(await job.textContent()).toContain('The comparison shows the first frame');
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByRole('button', { name: 'Download animated WebP' }).click()]);
    expect(download.suggestedFilename()).toBe('animated_x4.webp');
    const saved = join(dir, 'animated_page.webp');
    await download.saveAs(saved);
    await page.close();

    const metadata = await sharp(saved, { animated: true }).metadata();
    expect([metadata.format, metadata.width, metadata.pageHeight, metadata.pages]).toEqual(['webp', 96, 64, 3]);
    expect(metadata.delay).toEqual([100, 200, 300]);
    expect(metadata.loop).toBe(2);
    const pages = await sharp(saved, { animated: true }).removeAlpha().raw().toBuffer();
    const frameBytes = 96 * 64 * 3;
    for (const [i, fromCli] of cliFrames.entries()) {
      expect(fromCli.length, `frame ${i}`).toBe(frameBytes);
      expect(maxAbsDifference(fromCli, pages.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${i}`).toBeLessThanOrEqual(2);
    }
  }, 300_000);

  it('cancels a picture mid-way, and the next picture still upscales', async () => {
    const big = await picture('big.png', 1600, 1200);
    const small = await picture('next.png', 64, 48);
    const page = await openPage();
    await page.selectOption('#tile', '128'); // 130 tiles: plenty of time to cancel between two
    await page.setInputFiles('#file-input', big);
    const job = page.locator('li.job').first();
    await expect.poll(() => job.locator('progress').evaluate(progressValue), { timeout: 120_000 }).toBeGreaterThan(0);
    await job.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('cancelled');
    const progressAtCancel = await job.locator('progress').evaluate(progressValue);
    expect(progressAtCancel).toBeLessThan(1);
    expect(await job.getByRole('button', { name: 'Download PNG' }).count()).toBe(0);

    await page.setInputFiles('#file-input', small);
    const next = page.locator('li.job').nth(1);
    await expect.poll(() => next.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    expect(await next.textContent()).toContain('256×192');
    await page.close();
  }, 300_000);

  it('upscales a 2048x2048 picture to 8192x8192 without the tab crashing, the page responsive meanwhile', async () => {
    const input = await picture('huge.png', 2048, 2048);
    const page = await openPage();
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.selectOption('#tile', '512');
    await page.setInputFiles('#file-input', input);
    const job = page.locator('li.job').first();
    // The page stays usable while the worker computes: a click is handled before the picture is done.
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('running');
    const theme = await page.evaluate('document.documentElement.dataset.theme');
    await page.click('#theme-toggle');
    expect(await page.evaluate('document.documentElement.dataset.theme')).not.toBe(theme);
    expect(await job.getAttribute('data-state')).toBe('running');
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 1_200_000, interval: 2000 }).toMatch(/done|failed/);
    expect(await job.textContent()).toContain('8192×8192');
    expect(crashed).toBe(false);
    // The result is on the page: its canvas holds the enlarged picture.
    expect(await job.locator('canvas').nth(0).evaluate((canvas) => [(canvas as unknown as { width: number }).width, (canvas as unknown as { height: number }).height])).toEqual([8192, 8192]);
    await page.close();
  }, 1_500_000);
});
