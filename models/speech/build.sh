#!/usr/bin/env bash
# Builds the speech model from scratch: installs Debian deps (models/setup.sh), then runs the pipeline
# (synthesis -> teacher labels -> distillation -> ONNX -> int8 -> eval) and checks the ONNX in onnxruntime-node.
#   models/speech/build.sh          full build, writes models/speech/artifacts/ (the committed model)
#   models/speech/build.sh --quick  a few minutes, writes models/.work/speech-quick/artifacts/
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
models="$(dirname "$here")"
"$models/setup.sh"
cd "$models"
nice -n 15 /usr/bin/python3 -m speech.pipeline "$@"
if [[ "${1:-}" == "--quick" ]]; then
  node "$models/scripts/check-onnx.mjs" "$models/.work/speech-quick/artifacts" --fp32 "$models/.work/speech-quick/student.fp32.onnx"
else
  node "$models/scripts/check-onnx.mjs" "$here/artifacts" --fp32 "$models/.work/speech-full/student.fp32.onnx"
fi
