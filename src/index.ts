/**
 * enhance: single-image super-resolution in TypeScript.
 * Data flows one way: image file -> ImageTensor -> (interpolation or model) -> ImageTensor -> image file.
 */
export { EnhanceError } from './errors.js';
export { type ImageTensor, createImageTensor, modCrop, cropImage, quantizeImage } from './image/tensor.js';
export { readImage, type DecodedImage, type BitDepth } from './image/readImage.js';
export { writeImage, encodeImage, type EncodeOptions } from './image/writeImage.js';
export { OUTPUT_FORMATS, type OutputFormat } from './image/formats.js';
export { resizeImage, RESIZE_METHODS, type ResizeMethod, type ResizeOptions } from './resize/resizeImage.js';
export { bicubicDownsample, type BicubicDownsampleOptions } from './degradation/bicubicDownsample.js';
export { rgbToYCbCr, yCbCrToRgb } from './color/ycbcr.js';
export { type Plane } from './metrics/plane.js';
export { evaluationPlane } from './metrics/evaluationPlane.js';
export { mse } from './metrics/mse.js';
export { psnr } from './metrics/psnr.js';
export { ssim } from './metrics/ssim.js';
export { hfen } from './metrics/hfen.js';
export { measureSr, SR_METRICS, SR_METRIC_NAMES, type SrMetricName, type SrScores } from './metrics/srMetrics.js';
export { loadSrPairs, type SrPair, type SrPairSource } from './data/srPairs.js';
export { listImageFiles, type ImageFile } from './data/imageFolder.js';
export { evaluateDataset, type EvaluationOptions, type EvaluationReport } from './evaluate/evaluateDataset.js';
export { renderComparisonGrid, type GridRow, type GridPanel } from './evaluate/comparisonGrid.js';
export { upscale, UpscaleJob, UPSCALE_FACTORS, type UpscaleOptions, type OutputOptions, type RawOutput } from './upscale/upscale.js';
export { upscaleOptionsSchema, pictureOptionsSchema } from './upscale/upscaleOptions.js';
export { interpolate } from './upscale/interpolate.js';
export { type Raster, createRaster, rasterFromTensor, tensorFromRaster } from './image/raster.js';
export { writeRaster, encodeRaster } from './image/writeImage.js';
export { ModelRunner, type ModelTraits } from './upscale/modelRunner.js';
export { type InferenceBackend, type FloatTensor, type OpenInferenceBackend } from './upscale/inferenceBackend.js';
export { openThreadedBackend } from './upscale/threadedBackend.js';
export { loadModelRunner } from './upscale/loadModelRunner.js';
export { upscaleToRaster, upscaleToTensor, type PictureOptions, type AlphaMode } from './upscale/upscalePicture.js';
export { selfEnsemble } from './upscale/selfEnsemble.js';
export { type TileRunner } from './upscale/tileRunner.js';
export { readModelSource, onnxOf, modelFormatOf, type ModelSource, type ModelFormat } from './models/modelSource.js';
export { detectArchitecture, type DetectedModel } from './models/detectArchitecture.js';
export { interpolateModels } from './models/interpolateModels.js';
export { loadModel, saveModel } from './models/modelFile.js';
export { readPytorchStateDict, parsePytorchCheckpoint } from './weights/pytorchFile.js';
export { importNcnnModel } from './importers/ncnn/ncnnToOnnx.js';
export { importTfjsModel, type TfjsImportOptions } from './importers/tfjs/importTfjsModel.js';
export { niqe, loadNiqePristineModel, type NiqePristineModel } from './metrics/niqe.js';
export { LpipsMetric, loadLpipsMetric, type LpipsNet } from './metrics/lpips.js';
export { perceptualLoss, PERCEPTUAL_LOSSES } from './losses/perceptualLoss.js';
export { ADVERSARIAL_LOSSES, gradientPenalty } from './losses/adversarialLosses.js';
export { registerWeights, resolveWeights, loadWeights, listWeights } from './weights/weightsRegistry.js';
