#!/usr/bin/env bash
# Builds the driving-context model: data from can-sim, training (PyTorch), ONNX export, held-out evaluation, model card.
#   bash models/driving/build.sh           full: train seeds 1-5, held-out seeds 101-102 (~5-8 min on 2 cores)
#   bash models/driving/build.sh --quick   small data, writes to a temp dir (does not touch the committed artifacts)
set -euo pipefail
cd "$(dirname "$0")/../.."
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
PY=/usr/bin/python3
if ! $PY -c 'import torch, onnx' 2>/dev/null; then
  echo "PyTorch/onnx missing for $PY: run 'bash models/setup.sh' or 'apt-get install -y python3-torch python3-onnx'" >&2
  exit 1
fi
WORK=$(mktemp -d /tmp/auriga-driving-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
run_ts() { nice -n 15 node --import tsx "$@"; }
if [[ $QUICK == 1 ]]; then
  OUT="$WORK/artifacts"; CARD="$WORK/MODEL_CARD.md"
  run_ts models/driving/generate.ts --out "$WORK/train" --seeds 1,2 --scale 0.25
  run_ts models/driving/generate.ts --out "$WORK/test" --seeds 101 --scale 0.25
  nice -n 15 $PY models/driving/train.py --train "$WORK/train/windows.csv" --out "$OUT" --epochs 25
else
  OUT=models/driving/artifacts; CARD=models/driving/MODEL_CARD.md
  run_ts models/driving/generate.ts --out "$WORK/train" --seeds 1,2,3,4,5
  run_ts models/driving/generate.ts --out "$WORK/test" --seeds 101,102
  nice -n 15 $PY models/driving/train.py --train "$WORK/train/windows.csv" --out "$OUT" --epochs 60
fi
run_ts models/driving/evaluate.ts --test "$WORK/test/windows.csv" --model "$OUT/driving-context.onnx" --card "$CARD"
echo "model: $OUT/driving-context.onnx, card: $CARD"
