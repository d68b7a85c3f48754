import { Command } from 'commander';
import { modelCard } from '../../models/modelCard.js';
import { resolveModelPath } from '../../models/modelFile.js';
import { listShippedModels } from '../../models/shippedModels.js';

function inspectCommand(): Command {
  return new Command('inspect')
    .description("what a model file is: architecture and hyper-parameters read from its weights, scale, size, and its licence when the file, an OpenModelDB JSON beside it or its name says it")
    .argument('<model>', 'a model file (.pth, .safetensors, .onnx, ncnn .param, TF.js model.json) or a shipped model name')
    .option('--json', 'print the card as JSON')
    .action(async (model: string, options: { json?: boolean }) => {
      const card = await modelCard(resolveModelPath(model));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
        return;
      }
      const lines: [string, string | undefined][] = [
        ['file', card.file],
        ['name', card.name],
        ['architecture', card.architecture],
        ['scale', card.scale === undefined ? undefined : `x${card.scale}`],
        ['options', card.options && JSON.stringify(card.options)],
        ['parameters', card.parameters?.toLocaleString('en')],
        ['author', card.author],
        ['licence', card.licence ? `${card.licence}${card.source ? ` (from ${card.source})` : ''}` : 'not stated: check where the file came from before using it commercially'],
      ];
      for (const [key, value] of lines) if (value !== undefined) process.stdout.write(`${`${key}:`.padEnd(14)}${value}\n`);
    });
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('list the shipped models; `enhance models inspect <file>` tells what a model file is')
    .addCommand(inspectCommand())
    .action(async () => {
      const models = await listShippedModels();
      if (models.length === 0) {
        process.stdout.write('no shipped models\n');
        return;
      }
      for (const m of models) {
        const quality = m.psnrY !== undefined ? `, ${m.validationSet} PSNR-Y ${m.psnrY} dB` : '';
        process.stdout.write(`${m.name}  x${m.scale}  ${m.arch} ${JSON.stringify(m.options)}  ${m.parameters.toLocaleString('en')} parameters${m.isDefault ? ', the default' : ''}${quality}\n`);
      }
    });
}
