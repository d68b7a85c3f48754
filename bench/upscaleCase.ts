/**
 * One in-process upscale timing, in its own process: the model is compiled, run once to warm up, then
 * timed over `runs` runs (the median is reported), as the PyTorch reference times its steps.
 * usage: tsx bench/upscaleCase.ts <model> <input.png> [runs] [tile]
 */
import { readImage } from '../src/image/readImage.js';
import { loadModelRunner } from '../src/upscale/loadModelRunner.js';
import { upscaleToRaster } from '../src/upscale/upscalePicture.js';

const [model, input, runsArg = '3', tileArg = 'auto'] = process.argv.slice(2);
const loadStarted = performance.now();
const runner = await loadModelRunner(model);
const msLoad = performance.now() - loadStarted;
const { image, bitDepth } = await readImage(input);
const tile = tileArg === 'auto' ? 'auto' : Number(tileArg);
await upscaleToRaster(image, runner, bitDepth, { tile });
const times: number[] = [];
for (let i = 0; i < Number(runsArg); i++) {
  const started = performance.now();
  await upscaleToRaster(image, runner, bitDepth, { tile });
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ msLoad: Math.round(msLoad), msMedian: Math.round(times[Math.floor(times.length / 2)]), runs: times.map(Math.round), model: runner.traits.description }));
await runner.release();
