import { Command } from 'commander';
import { listShippedModels } from '../../models/shippedModels.js';

export function modelsCommand(): Command {
  return new Command('models').description('list the shipped models').action(async () => {
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
