#!/usr/bin/env bash
# Installs what the speech model pipeline needs from Debian (bookworm): torch/onnx/torchaudio for
# /usr/bin/python3, the offline TTS voices used to synthesize training audio, and PocketSphinx's
# en-us acoustic model + cmudict (the distillation teacher and lexicon). Idempotent: does nothing
# when everything is already installed. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  python3-torch python3-torchaudio python3-onnx python3-numpy
  espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
  pocketsphinx pocketsphinx-en-us python3-pocketsphinx
  sox wamerican
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "setup.sh: installing ${missing[*]}"
  # Refresh the package lists only when apt cannot see a candidate for a missing package.
  if ! apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: [0-9]' ||
     apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: (none)'; then
    $SUDO apt-get update
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup.sh: all packages already installed"
fi

/usr/bin/python3 -c "import torch, torchaudio, onnx, numpy; print('setup.sh: torch', torch.__version__, 'torchaudio', torchaudio.__version__, 'onnx', onnx.__version__)"
test -f /usr/share/pocketsphinx/model/en-us/en-us/mdef || { echo "setup.sh: pocketsphinx en-us model missing" >&2; exit 1; }
