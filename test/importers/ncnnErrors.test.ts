import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { defaultBinPath, importNcnnModel } from '../../src/importers/ncnn/ncnnToOnnx.js';
import { parseNcnnParam } from '../../src/importers/ncnn/paramFile.js';
import { float32Weights, NcnnModelWriter, rawFloats, seededWeights, weightsWithTag } from '../fixtures/ncnn/ncnnModelWriter.js';
import { temporaryDirectory } from '../helpers.js';

/** Input, a 3 -> 3 convolution with bias, and whatever `more` adds. */
function convolutionModel(weights = float32Weights(seededWeights(81, 1)), more = (w: NcnnModelWriter) => w): NcnnModelWriter {
  const writer = new NcnnModelWriter()
    .layer('Input', 'input', [], ['data'])
    .layer('Convolution', 'conv', ['data'], ['c'], '0=3 1=3 4=1 5=1 6=81', weights, rawFloats([0.1, 0.2, 0.3]));
  return more(writer);
}

/** The error importing the model gives: always an EnhanceError with a one-line message. */
async function importError(paramPath: string, binPath?: string): Promise<string> {
  const error = await importNcnnModel(paramPath, binPath).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnhanceError);
  const message = (error as EnhanceError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('ncnn models the importer refuses, with one-line errors', () => {
  it('an unsupported layer type names the type, the layer and the .param file', async () => {
    const paramPath = await convolutionModel(undefined, (w) => w.layer('Softmax', 'probabilities', ['c'], ['output'], '0=0')).write(await temporaryDirectory());
    const message = await importError(paramPath);
    expect(message.startsWith(`${paramPath}: `)).toBe(true);
    expect(message).toContain('Softmax');
    expect(message).toContain('probabilities');
  });

  it('a truncated .bin names the .bin and says it is truncated', async () => {
    const writer = convolutionModel();
    const dir = await temporaryDirectory();
    const paramPath = await writer.write(dir);
    await writeFile(join(dir, 'model.bin'), writer.binBytes().subarray(0, 4 + 80 * 4));
    const message = await importError(paramPath);
    expect(message.startsWith(`${join(dir, 'model.bin')}: `)).toBe(true);
    expect(message).toContain('truncated');
    expect(message).toContain('conv');
  });

  it('a missing .bin is "no such file"', async () => {
    const paramPath = await convolutionModel().write(await temporaryDirectory());
    const missing = join(await temporaryDirectory(), 'other.bin');
    expect(await importError(paramPath, missing)).toBe(`${missing}: no such file`);
  });

  it('a file without the magic number 7767517 is not an ncnn .param', async () => {
    const dir = await temporaryDirectory();
    const paramPath = join(dir, 'model.param');
    await writeFile(paramPath, convolutionModel().paramText().replace('7767517', '7767518'));
    await writeFile(join(dir, 'model.bin'), convolutionModel().binBytes());
    const message = await importError(paramPath);
    expect(message).toContain(paramPath);
    expect(message).toContain('not an ncnn .param file');
  });

  it('int8-quantized weights are refused rather than read as floats', async () => {
    const paramPath = await convolutionModel(weightsWithTag(0x000d4b38, new Uint8Array(84))).write(await temporaryDirectory());
    expect(await importError(paramPath)).toContain('int8');
  });

  it('a layer that reads a blob no earlier layer writes names the layer and the blob', async () => {
    const paramPath = await convolutionModel(undefined, (w) => w.layer('ReLU', 'relu', ['missing'], ['output'])).write(await temporaryDirectory());
    const message = await importError(paramPath);
    expect(message).toContain('relu');
    expect(message).toContain("'missing'");
  });

  it('a weight_data_size that does not fit num_output, the input channels and the kernel is refused', async () => {
    const dir = await temporaryDirectory();
    const paramPath = await convolutionModel().write(dir);
    await writeFile(paramPath, convolutionModel().paramText().replace('6=81', '6=80'));
    expect(await importError(paramPath)).toContain('weight_data_size is 80');
  });

  it('blobs whose shapes do not fit together (a Concat along columns of 3 and 1 channels) name the layer', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Split', 'split', ['data'], ['a', 'b'])
      .layer('Crop', 'first_channel', ['b'], ['one'], '-23309=1,0 -23310=1,1 -23311=1,0')
      .layer('Concat', 'columns', ['a', 'one'], ['output'], '0=2');
    expect(await importError(await writer.write(await temporaryDirectory()))).toContain('layer columns (Concat): ');
  });
});

describe('the .param text', () => {
  it('holds counted arrays (-23310=2,a,b), plain lists (10=a,b), floats, integers and quoted strings', () => {
    const text = ['7767517', '1 2', 'Convolution conv 1 1 in out 0=64 1=3 -23310=2,0.2,1.5e+00 11=-1,2 9="a b" 12=name'].join('\n');
    const [layer] = parseNcnnParam(text, 'model.param');
    expect(layer).toMatchObject({ type: 'Convolution', name: 'conv', inputs: ['in'], outputs: ['out'] });
    expect(Object.fromEntries(layer.params)).toEqual({ 0: 64, 1: 3, 10: [0.2, 1.5], 11: [-1, 2], 9: 'a b', 12: 'name' });
  });

  it('must announce as many layers as it has', () => {
    expect(() => parseNcnnParam(['7767517', '2 1', 'Input input 0 1 data'].join('\n'), 'model.param')).toThrow('model.param: announces 2 layers but has 1 layer lines');
  });

  it('gives the line of a malformed parameter', () => {
    expect(() => parseNcnnParam(['7767517', '1 1', 'Input input 0 1 data 0=1,x'].join('\n'), 'model.param')).toThrow(/model\.param: line 3: layer input: '0=1,x'/);
  });

  it('names its weights file after itself', () => {
    expect(defaultBinPath('/models/realesrgan-x4plus.param')).toBe('/models/realesrgan-x4plus.bin');
    expect(defaultBinPath('models.v2/net')).toBe('models.v2/net.bin');
  });
});
