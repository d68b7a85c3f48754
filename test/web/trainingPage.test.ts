import { appendFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type RunningServer } from '../../src/serve/webServer.js';
import { temporaryDirectory } from '../helpers.js';
import { hasChromium, launchChromium } from './browser.js';

const POLL = { timeout: 10_000 };

function trainingLine(step: number, loss: number): string {
  return `${JSON.stringify({ step, loss, lr: 0.0001, seconds: step * 2, terms: { d_real: 0.5, d_fake: -0.1, g_l1: loss / 3, g_adversarial: 4 } })}\n`;
}

function validationLine(step: number, psnrY: number): string {
  return `${JSON.stringify({ step, val: { psnrY, ssimY: 0.83, niqe: 7.5 } })}\n`;
}

/**
 * A runs folder with `gan-run` (a GAN run: 3 training lines, a validation, a sample grid) and an older
 * `plain-run`, as `enhance train` leaves them.
 */
async function makeRunsDir(): Promise<string> {
  const runsDir = join(await temporaryDirectory(), 'runs');
  const gan = join(runsDir, 'gan-run');
  await mkdir(join(gan, 'samples'), { recursive: true });
  await writeFile(join(gan, 'config.json'), JSON.stringify({ name: 'gan-run', scale: 4, model: { arch: 'srvgg-compact' }, steps: 100, gan: { loss: 'ragan' } }, null, 2));
  await writeFile(join(gan, 'log.jsonl'), trainingLine(10, 0.12) + trainingLine(20, 0.11) + validationLine(20, 29.1) + trainingLine(30, 0.1));
  await sharp({ create: { width: 48, height: 16, channels: 3, background: { r: 90, g: 140, b: 200 } } })
    .png()
    .toFile(join(gan, 'samples', 'step_0000020.png'));
  const plain = join(runsDir, 'plain-run');
  await mkdir(plain, { recursive: true });
  await writeFile(join(plain, 'config.json'), JSON.stringify({ name: 'plain-run', scale: 2, steps: 50 }));
  await writeFile(join(plain, 'log.jsonl'), '{"step":25,"loss":0.02,"lr":0.0002,"seconds":21}\n');
  const old = new Date('2024-01-01T00:00:00Z');
  for (const path of [plain, join(plain, 'config.json'), join(plain, 'log.jsonl')]) await utimes(path, old, old);
  return runsDir;
}

/** The training page in headless Chromium, following runs that a training process writes to. */
describe.skipIf(!hasChromium)('training page', () => {
  let browser: Browser;
  let server: RunningServer;
  let runsDir: string;

  beforeAll(async () => {
    runsDir = await makeRunsDir();
    server = await startWebServer({ port: 0, host: '127.0.0.1', runsDir });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    // The browser first: its open event streams would keep the server from closing.
    await browser?.close();
    await server?.close();
  });

  async function openPage(path: string, errors: string[]): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  const points = (page: Page, chart: string, series: string) => page.locator(`[data-chart="${chart}"] path[data-series="${series}"]`).getAttribute('data-points');

  it('shows the newest run and redraws its charts as the log grows, without reloading', async () => {
    const errors: string[] = [];
    const page = await openPage('/training', errors);

    await expect.poll(() => page.locator('#run-list a').allTextContents(), POLL).toEqual([expect.stringContaining('gan-run'), expect.stringContaining('plain-run')]);
    await expect.poll(() => page.locator('#run-list a[aria-current="true"]').textContent(), POLL).toContain('gan-run');
    expect(new URL(page.url()).hash).toBe('#run=gan-run');
    await expect.poll(() => points(page, 'loss', 'loss'), POLL).toBe('3');
    expect(await points(page, 'loss', 'g_l1')).toBe('3');
    expect(await points(page, 'discriminator', 'd_real')).toBe('3');
    expect(await points(page, 'psnr', 'PSNR-Y')).toBe('1');
    expect(await points(page, 'niqe', 'NIQE')).toBe('1');
    expect(await page.locator('[data-chart="psnr"] svg').getAttribute('aria-label')).toBe('Validation PSNR-Y (dB): PSNR-Y 29.10 dB at step 20');
    expect(await page.locator('[data-chart="psnr"] svg title').textContent()).toBe('Validation PSNR-Y (dB)');
    expect(await page.locator('#sample-image').getAttribute('src')).toBe('/api/runs/gan-run/samples/step_0000020.png');
    await expect.poll(() => page.locator('#sample-image').evaluate((image) => (image as { naturalWidth: number }).naturalWidth), POLL).toBe(48);
    expect(await page.locator('#run-config').textContent()).toContain('"arch": "srvgg-compact"');
    await expect.poll(() => page.locator('#live').textContent(), POLL).toBe('Live');

    await page.evaluate('window.notReloaded = true');
    await appendFile(join(runsDir, 'gan-run', 'log.jsonl'), trainingLine(40, 0.09) + validationLine(40, 29.6));

    await expect.poll(() => points(page, 'loss', 'loss'), POLL).toBe('4');
    await expect.poll(() => points(page, 'psnr', 'PSNR-Y'), POLL).toBe('2');
    expect(await points(page, 'discriminator', 'd_fake')).toBe('4');
    expect(await page.locator('[data-chart="loss"] .legend li[data-series="loss"]').textContent()).toContain('0.09 at step 40');
    await expect.poll(() => page.locator('#run-validation').textContent(), POLL).toContain('PSNR-Y 29.60 dB');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('opens the run named in the address and switches runs from the list', async () => {
    const errors: string[] = [];
    const page = await openPage('/training#run=plain-run', errors);

    await expect.poll(() => page.locator('#run-title').textContent(), POLL).toBe('plain-run');
    await expect.poll(() => points(page, 'loss', 'loss'), POLL).toBe('1');
    expect(await page.locator('[data-chart="discriminator"]').isHidden()).toBe(true);
    expect(await page.locator('#samples-empty').isVisible()).toBe(true);

    await page.locator('#run-list a', { hasText: 'gan-run' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#run-title').textContent(), POLL).toBe('gan-run');
    expect(new URL(page.url()).hash).toBe('#run=gan-run');
    expect(await page.locator('#run-list a[aria-current="true"]').count()).toBe(1);
    expect(await page.locator('#run-list a[aria-current="true"]').textContent()).toContain('gan-run');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('tells how to start a run when the runs folder is empty', async () => {
    const emptyDir = join(await temporaryDirectory(), 'runs');
    const emptyServer = await startWebServer({ port: 0, host: '127.0.0.1', runsDir: emptyDir });
    try {
      const page = await browser.newPage();
      await page.goto(`${emptyServer.url}/training`);
      await expect.poll(() => page.locator('#runs-status').textContent(), POLL).toBe(`No runs in ${emptyDir}. Start one with npx enhance train --config presets/compact-x4.yaml.`);
      expect(await page.locator('#run').isHidden()).toBe(true);
      await page.close();
    } finally {
      await emptyServer.close();
    }
  }, 60_000);
});
