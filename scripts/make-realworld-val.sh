#!/usr/bin/env bash
# Rebuilds the real-world validation sets: Set5 and Set14 HR degraded by Real-ESRGAN's second-order
# model (`enhance degrade`, reference settings) at x4 and x2, each picture from a fixed seed, so the
# files are the same on every machine. Output: data/realworld/<Set>/lr_x<s>/ (HR stays in ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
DATASETS=${DATASETS:-../shared/datasets}
for set in Set5 Set14; do
  for scale in 4 2; do
    seed=$(( (scale * 1000) + ${#set} * 100 ))
    out=data/realworld/$set/lr_x$scale
    rm -rf "$out.partial" && mkdir -p "$out.partial"
    node bin/enhance.js degrade "$DATASETS/$set/hr" -o "$out.partial" --scale "$scale" --seed "$seed"
    rm -rf "$out" && mv "$out.partial" "$out"
  done
done
echo "real-world validation sets in data/realworld/"
