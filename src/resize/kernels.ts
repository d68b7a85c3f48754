/**
 * Interpolation kernels as MATLAB's imresize defines them (`imresize.m`): a function of the distance in
 * input pixels and the width of its support.
 */
export interface ResamplingKernel {
  readonly name: string;
  readonly width: number;
  readonly weight: (x: number) => number;
}

/** Nearest neighbour: a box of width 1, half-open so that ties go to the right-hand pixel as in MATLAB. */
export const boxKernel: ResamplingKernel = {
  name: 'box',
  width: 1,
  weight: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0),
};

/** Linear interpolation (triangle). */
export const triangleKernel: ResamplingKernel = {
  name: 'triangle',
  width: 2,
  weight: (x) => {
    const ax = Math.abs(x);
    return ax <= 1 ? 1 - ax : 0;
  },
};

/** Keys' cubic convolution with a = -0.5 (Keys 1981), the kernel of MATLAB's 'bicubic'. */
export const cubicKernel: ResamplingKernel = {
  name: 'cubic',
  width: 4,
  weight: (x) => {
    const ax = Math.abs(x);
    const ax2 = ax * ax;
    const ax3 = ax2 * ax;
    if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
    if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
    return 0;
  },
};

/** Lanczos with three lobes, written as MATLAB writes it (the eps terms make x = 0 give 1). */
export const lanczos3Kernel: ResamplingKernel = {
  name: 'lanczos3',
  width: 6,
  weight: (x) => {
    if (Math.abs(x) >= 3) return 0;
    const eps = Number.EPSILON;
    return (Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / 3) + eps) / ((Math.PI * Math.PI * x * x) / 3 + eps);
  },
};
