#!/usr/bin/env bash
# Installs the Debian packages the test suite and the model pipeline need. Idempotent: apt runs only when
# something is missing. Safe to run as root on Debian 12 (the CI and developer machines).
set -euo pipefail

packages=(
  # native addon builds (sqlite3 compiles from source)
  python3 make g++
  # hmi-web browser tests and screenshots (driven by playwright-core; never a downloaded browser build)
  chromium fonts-noto-cjk
  # a spoken command for the HMI's fake microphone; the assistant's spoken answers (en-US, zh-CN via -v cmn)
  espeak-ng
)
# the model pipeline's own packages (torch, TTS voices, pocketsphinx baseline) come from models/setup.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then echo "missing Debian packages: ${missing[*]} (run as root to install)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ -x models/setup.sh ] || [ -f models/setup.sh ]; then bash models/setup.sh; fi
