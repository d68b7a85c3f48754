import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { importTfjsModel } from '../../src/importers/tfjs/importTfjsModel.js';
import { repoRoot, temporaryDirectory } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures/tfjs');

/** A private copy of a fixture model, its model.json passed through `edit`; returns the model.json path. */
async function brokenCopy(name: string, edit: (json: any) => void = () => {}): Promise<string> {
  const dir = join(await temporaryDirectory(), name);
  await cp(join(fixtures, name), dir, { recursive: true });
  const modelJson = join(dir, 'model.json');
  const json = JSON.parse(await readFile(modelJson, 'utf8'));
  edit(json);
  await writeFile(modelJson, JSON.stringify(json));
  return modelJson;
}

/** The import fails with one line naming `file` first, then the problem. */
async function importError(modelJson: string): Promise<EnhanceError> {
  const error = await importTfjsModel(modelJson).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnhanceError);
  expect((error as EnhanceError).message).not.toContain('\n');
  return error as EnhanceError;
}

const sequentialLayers = (json: any) => json.modelTopology.model_config.config.layers;
const functionalLayer = (json: any, name: string) => json.modelTopology.config.layers.find((layer: any) => layer.name === name);

describe('importTfjsModel errors', () => {
  it('names the layer, its unknown class and the file', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (sequentialLayers(json)[1].class_name = 'SubPixelConv'));
    const error = await importError(modelJson);
    expect(error.file).toBe(modelJson);
    expect(error.message).toMatch(new RegExp(`^${modelJson}: layer 'pixel_shuffle' \\(SubPixelConv\\): unknown layer class; enhance imports Conv2D, .*PixelShuffle<r>x$`));
  });

  it('names a shard file that is missing', async () => {
    const modelJson = await brokenCopy('every-layer');
    const shard = join(modelJson, '..', 'group1-shard2of3.bin');
    await rm(shard);
    const error = await importError(modelJson);
    expect(error.file).toBe(modelJson);
    expect(error.message).toBe(`${modelJson}: weight shard 'group1-shard2of3.bin' is missing`);
  });

  it('names a shard of the wrong size with the bytes needed and held', async () => {
    const modelJson = await brokenCopy('shuffle3-float32');
    const shard = join(modelJson, '..', 'group1-shard1of1.bin');
    await truncate(shard, 3000);
    const error = await importError(modelJson);
    expect(error.file).toBe(modelJson);
    expect(error.message).toBe(`${modelJson}: the weights of group 1 need 3024 bytes but the shard holds 3000 (group1-shard1of1.bin: 3000 bytes)`);
  });

  it('lists every shard size when a group of several shards does not add up', async () => {
    const modelJson = await brokenCopy('every-layer');
    await truncate(join(modelJson, '..', 'group1-shard3of3.bin'), 4000);
    const error = await importError(modelJson);
    expect(error.file).toBe(modelJson);
    expect(error.message).toContain('need 24112 bytes but the shards hold 24000 (group1-shard1of3.bin: 10000 bytes, group1-shard2of3.bin: 10000 bytes, group1-shard3of3.bin: 4000 bytes)');
  });

  it('reports a model.json that is not JSON', async () => {
    const modelJson = await brokenCopy('shuffle3-float32');
    await writeFile(modelJson, '{"format": "layers-model", ');
    const error = await importError(modelJson);
    expect(error.message).toMatch(new RegExp(`^${modelJson}: is not valid JSON \\(.+\\)$`));
  });

  it('reports a model.json that does not exist', async () => {
    const modelJson = join(await temporaryDirectory(), 'model.json');
    expect((await importError(modelJson)).message).toBe(`${modelJson}: no such file`);
  });

  it('reports JSON that is not a layers model, naming the field', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => delete json.weightsManifest);
    expect((await importError(modelJson)).message).toMatch(new RegExp(`^${modelJson}: is not a TF.js layers model: 'weightsManifest': `));
  });

  it('refuses a graph model (the converter\'s other format)', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (json.format = 'graph-model'));
    expect((await importError(modelJson)).message).toContain("is a TF.js graph model; only layers models (format 'layers-model') can be imported");
  });

  it('names a layer option it cannot honour', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (sequentialLayers(json)[0].config.data_format = 'channels_first'));
    expect((await importError(modelJson)).message).toBe(`${modelJson}: layer 'conv' (Conv2D): config 'data_format': only data_format 'channels_last' (TF.js's layout) is supported`);
  });

  it('names an unknown activation', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (sequentialLayers(json)[0].config.activation = 'softmax'));
    expect((await importError(modelJson)).message).toMatch(new RegExp(`^${modelJson}: layer 'conv' \\(Conv2D\\): activation 'softmax' is not supported \\(known: linear, relu, `));
  });

  it('names a weight the manifest lacks', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (json.weightsManifest[0].weights[1].name = 'conv/beta'));
    const error = await importError(modelJson);
    expect(error.message).toBe(`${modelJson}: layer 'conv' (Conv2D): needs weight 'conv/bias', which weightsManifest does not list`);
  });

  it('reports layers wired to tensors of different shapes as a problem of the file', async () => {
    // 'sum' adds 8-channel tensors; wire it to the 16-channel 'joined' instead.
    const modelJson = await brokenCopy('every-layer', (json) => {
      functionalLayer(json, 'sum').inbound_nodes[0][1][0] = 'joined';
      // 'joined' is made from 'sum' through 'product'; feed 'product' from 'leaky' to keep the wiring acyclic.
      functionalLayer(json, 'product').inbound_nodes[0][0][0] = 'leaky';
    });
    expect((await importError(modelJson)).message).toMatch(new RegExp(`^${modelJson}: layer 'sum' \\(Add\\): Add: shapes \\[.*\\] and \\[.*\\] do not broadcast$`));
  });

  it('refuses a model that does not take RGB images', async () => {
    const modelJson = await brokenCopy('shuffle3-float32', (json) => (sequentialLayers(json)[0].config.batch_input_shape = [null, null, null, 1]));
    expect((await importError(modelJson)).message).toBe(`${modelJson}: takes input of shape [null, null, null, 1]; only RGB images [batch, height, width, 3] are supported`);
  });
});
