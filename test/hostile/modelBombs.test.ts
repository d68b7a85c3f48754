import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCliMeasured, temporaryDirectory } from '../helpers.js';
import { compactMetadata, craftedSafetensors, fixedHugeInterpNcnn, fixedHugeResizeOnnx, strideBombCheckpoint, zipBombCheckpoint } from './craftedFiles.js';
import { expectBounded, expectOneLineRefusal } from './expectations.js';

const picture = join(repoRoot, 'samples/chelsea.png');

/** `enhance upscale` of the sample with `model`: refused in one line, in bounded time and memory. */
async function expectModelRefused(model: string, seconds = 5): Promise<string> {
  const dir = await temporaryDirectory();
  const output = join(dir, 'out.png');
  const result = await runCliMeasured(['upscale', picture, '--model', model, '-o', output], { timeoutSeconds: 30 });
  const line = expectOneLineRefusal(result, model, output);
  expectBounded(result, seconds);
  return line;
}

describe('tiny model files that claim gigabytes are refused in bounded memory', () => {
  it('a 6 MB zip-bomb .pth (six 1 GiB entries its pickle never names) is never inflated', async () => {
    const dir = await temporaryDirectory();
    const bomb = await zipBombCheckpoint(dir);
    expect((await stat(bomb)).size).toBeLessThan(8 * 1024 ** 2);
    expect(await expectModelRefused(bomb)).toContain('holds no tensors');
  });

  it('a .pth tensor of 1.6 billion elements over one stored float (strides 0) is refused', async () => {
    const line = await expectModelRefused(await strideBombCheckpoint(await temporaryDirectory()));
    expect(line).toContain("tensor 'conv_first.weight'");
    expect(line).toContain('[40000, 40000]');
  });

  it('a 300-byte safetensors whose options ask for 6000-feature convs builds nothing', async () => {
    const dir = await temporaryDirectory();
    const file = await craftedSafetensors(dir, 'options', { __metadata__: compactMetadata({ features: 6000, convs: 12 }), a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(await expectModelRefused(file)).toContain("has no tensor 'body.0.weight'");
  });

  it('an ONNX model with a fixed 30000x30000 output is refused before onnxruntime runs it', async () => {
    const line = await expectModelRefused(await fixedHugeResizeOnnx(await temporaryDirectory()));
    expect(line).toContain('30000x30000');
  });

  it('an ncnn Interp to a fixed 30000x30000 is refused the same way', async () => {
    const line = await expectModelRefused(await fixedHugeInterpNcnn(await temporaryDirectory()));
    expect(line).toContain('30000x30000');
  });
});
