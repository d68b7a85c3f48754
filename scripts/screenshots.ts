/**
 * Screenshots of the web app for docs/ and the README: both pages at desktop and phone width.
 * usage: npx tsx scripts/screenshots.ts [runs-folder] [run-name]   (after `npm run build`; needs Chromium)
 * The upscale page shows samples/chelsea.png enlarged x4 by the default model, zoomed on the divider.
 */
import { join, resolve } from 'node:path';
import { startWebServer } from '../src/serve/webServer.js';
import { launchChromium } from '../test/web/browser.js';

const repo = resolve(import.meta.dirname, '..');
const runsDir = resolve(process.argv[2] ?? join(repo, 'runs'));
const runName = process.argv[3];
const out = join(repo, 'docs/screenshots');
const server = await startWebServer({ port: 0, host: '127.0.0.1', runsDir });
const browser = await launchChromium();
const sizes = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } } as const;

for (const [device, viewport] of Object.entries(sizes)) {
  for (const theme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport, colorScheme: theme });
    await page.goto(`${server.url}/`);
    await page.locator('#model-status', { hasText: /^Model:/ }).waitFor({ timeout: 60_000 });
    await page.setInputFiles('#file-input', join(repo, 'samples/chelsea.png'));
    await page.locator('li.job[data-state="done"]').waitFor({ timeout: 120_000 });
    await page.locator('li.job input[type="range"]').nth(1).fill('35'); // zoom in a little
    await page.screenshot({ path: join(out, `upscale-${device}-${theme}.png`), fullPage: true });
    await page.goto(`${server.url}/training${runName ? `#run=${encodeURIComponent(runName)}` : ''}`);
    await page.locator('path[data-series]').first().waitFor({ timeout: 30_000 }).catch(() => {});
    await page.screenshot({ path: join(out, `training-${device}-${theme}.png`), fullPage: device === 'phone' });
    await page.close();
  }
}
await browser.close();
await server.close();
console.log(`screenshots in ${out}`);
