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
export { upscale, UpscaleJob, UPSCALE_FACTORS, type UpscaleOptions, type OutputOptions } from './upscale/upscale.js';
export { interpolate } from './upscale/interpolate.js';
