import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, temporaryDirectory, useTemporaryEnhanceHome } from '../helpers.js';

// The CLI reads its registry from $ENHANCE_HOME, which the spawned process inherits.
const home = useTemporaryEnhanceHome();

describe('enhance weights', () => {
  it('add random:<seed> registers seeded random weights, and list shows them and how to get the rest', async () => {
    const added = await runCli(['weights', 'add', 'vgg16', 'random:0']);
    expect(added).toEqual({ code: 0, stdout: 'registered vgg16: random:0 (random)\n', stderr: '' });
    expect(JSON.parse(await readFile(join(home(), 'weights.json'), 'utf8')).weights.vgg16.path).toBe('random:0');
    const listed = await runCli(['weights', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      `registry: ${join(home(), 'weights.json')}`,
      "alexnet  not registered: get alexnet-owt-7be5be79.pth from https://download.pytorch.org/models/alexnet-owt-7be5be79.pth (or an ONNX export of torchvision's alexnet, or a .safetensors with torchvision's features.N.weight/bias names) and run: enhance weights add alexnet <file>",
      'lpips-alex  not registered: get alex.pth from https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/alex.pth (or lpips/weights/v0.1/alex.pth of the lpips Python package, or a .safetensors with lin0..lin4.model.1.weight) and run: enhance weights add lpips-alex <file>',
      'lpips-vgg  not registered: get vgg.pth from https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/vgg.pth (or lpips/weights/v0.1/vgg.pth of the lpips Python package, or a .safetensors with lin0..lin4.model.1.weight) and run: enhance weights add lpips-vgg <file>',
      'vgg16  random:0 (random)',
      "vgg19  not registered: get vgg19-dcbb9e9d.pth from https://download.pytorch.org/models/vgg19-dcbb9e9d.pth (or the ONNX model zoo's vgg19-7.onnx, or a .safetensors with torchvision's features.N.weight/bias names) and run: enhance weights add vgg19 <file>",
      '',
    ]);
  });

  it('add checks the shapes of a real file: a narrowed VGG19 is refused, naming the layer', async () => {
    const file = join(home(), 'small.pth');
    await copyFile(join(repoRoot, 'test/fixtures/vgg/vgg19-narrow.pth'), file);
    const result = await runCli(['weights', 'add', 'vgg19', file]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `enhance: ${file}: features.0.weight (conv1_1 weight) is [2, 3, 3, 3], vgg19 needs [64, 3, 3, 3]\n` });
  });

  it.each([
    ['an unknown name', ['vgg11', 'random:0'], "enhance: unknown weights 'vgg11'; known weights are alexnet, lpips-alex, lpips-vgg, vgg16, vgg19\n"],
    ['a missing file', ['vgg19', '/no/such/vgg19.pth'], 'enhance: /no/such/vgg19.pth: no such file\n'],
    ['a missing argument', ['vgg19'], "enhance: missing required argument 'file'\n"],
  ])('add with %s is a one-line error', async (_, args, stderr) => {
    expect(await runCli(['weights', 'add', ...args])).toEqual({ code: 2, stdout: '', stderr });
  });

  it('add with a file that is not weights is a one-line error', async () => {
    const file = join(home(), 'photo.pth');
    await writeFile(file, 'not a checkpoint');
    expect(await runCli(['weights', 'add', 'vgg19', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: `enhance: ${file}: is not a weights file (expected a PyTorch .pth, a .safetensors or an .onnx model)\n`,
    });
  });
});
