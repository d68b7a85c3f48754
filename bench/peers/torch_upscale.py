"""PyTorch reference for `npm run bench -- upscale`: what a PyTorch user runs on the CPU.

Benchmark only (the product has no Python). The networks are the test fixtures' own PyTorch
re-implementations (test/fixtures/models/make_model_fixtures.py, test/fixtures/architectures/
make_architecture_fixtures.py), with the reference implementations' key layouts.

  torch_upscale.py make rrdbnet OUT.pth              RealESRGAN_x4plus-shaped (23 blocks, 64 features), random weights
  torch_upscale.py make compact OUT.pth [NF CONVS]   SRVGGNetCompact x4 (default 48 features, 10 convs), random weights
  torch_upscale.py make span OUT.pth                 SPAN x4, 48 features (the released models' size), random weights
  torch_upscale.py make swinir-light OUT.pth         SwinIR-light x4 (60 channels, 4 groups of 6 blocks, window 8, pixelshuffledirect)
  torch_upscale.py upscale rrdbnet|compact|span|swinir-light W.pth IN.png OUT.png [--threads N] [NF CONVS]

`upscale` is one whole process as Real-ESRGAN's inference_realesrgan.py runs it without tiling: import
torch, load the .pth, read the picture, one forward pass under no_grad, clamp, round, write a PNG. It
prints one JSON line: the forward pass's time and the process's peak RSS (the caller times the process).
"""

import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../test/fixtures/models"))
sys.path.insert(0, os.path.join(HERE, "../../test/fixtures/architectures"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from make_architecture_fixtures import SPAN, SwinIR  # noqa: E402
from make_model_fixtures import BasicSRRRDBNet, SRVGGNetCompact  # noqa: E402


def network(arch, rest):
    if arch == "rrdbnet":
        return BasicSRRRDBNet(nf=64, nb=23, gc=32, scale=4), "params_ema"
    if arch == "compact":
        nf, convs = (int(rest[0]), int(rest[1])) if len(rest) >= 2 else (48, 10)
        return SRVGGNetCompact(nf=nf, convs=convs, scale=4), "params"
    if arch == "span":
        return SPAN(features=48, scale=4), "params"
    if arch == "swinir-light":
        return SwinIR(embed_dim=60, depths=(6, 6, 6, 6), heads=(6, 6, 6, 6), window=8, mlp_ratio=2.0, upscale=4, upsampler="pixelshuffledirect", img_size=64), "params"
    sys.exit(f"unknown architecture {arch}")


def make(arch, out, rest):
    torch.manual_seed(0)
    model, wrapper = network(arch, rest)
    torch.save({wrapper: model.state_dict()}, out)


def upscale(arch, weights, source, target, threads, rest):
    torch.set_num_threads(threads)
    model, wrapper = network(arch, rest)
    model.load_state_dict(torch.load(weights, map_location="cpu")[wrapper])
    model.eval()
    picture = np.asarray(Image.open(source).convert("RGB"), dtype=np.float32) / 255.0
    x = torch.from_numpy(picture.transpose(2, 0, 1).copy()).unsqueeze(0)
    started = time.perf_counter()
    with torch.no_grad():
        y = model(x)
    forward_ms = (time.perf_counter() - started) * 1000
    out = (y.squeeze(0).clamp(0, 1).numpy().transpose(1, 2, 0) * 255.0).round().astype(np.uint8)
    Image.fromarray(out).save(target)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms_forward": round(forward_ms), "peak_rss_mb_self": round(peak)}))


def main():
    args = sys.argv[1:]
    threads = 2
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        del args[i : i + 2]
    if len(args) >= 3 and args[0] == "make":
        make(args[1], args[2], args[3:])
    elif len(args) >= 5 and args[0] == "upscale":
        upscale(args[1], args[2], args[3], args[4], threads, args[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
