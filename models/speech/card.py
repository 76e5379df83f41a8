"""Renders MODEL_CARD.md from artifacts/manifest.json (so the card always describes the committed model).

    cd models && /usr/bin/python3 -m speech.card [ARTIFACTS_DIR] [OUT_MD]
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NM = 'not yet measured'


def render(m: dict) -> str:
    me = m['measured']
    t, s, q = me['teacher'], me['student'], me['studentInt8']
    syn = me['heldOutSynthetic']
    conds = list(syn)
    cfg = m['config']
    lines = [
        '# Model card: Auriga speech phone model (en-US)',
        '',
        'Context-independent phone posteriors (SIL + 39 CMU phones, 50 Hz) from 16 kHz audio, for decoding against a',
        'compiled context (words -> phones via the shipped lexicon). Built by `models/speech/build.sh` '
        f'(mode `{m["mode"]}`, seed {m["seed"]}); this card is generated from `artifacts/manifest.json` by `speech.card`.',
        '',
        '## How it was made',
        '- Teacher: CMU PocketSphinx en-us PTM acoustic model (Debian `pocketsphinx-en-us`, BSD-2) evaluated in torch;',
        '  its soft phone posteriors on the clean audio (transcript-constrained forward-backward over CD senones, mixed',
        '  with its free CI-phone posteriors) are the targets.',
        '- Student: depthwise-separable TDNN on 40 log-mel, trained with KL to the teacher while hearing an augmented copy',
        '  (speed, cabin reverb' + (f' p {cfg["augment"]["p_reverb"]} RT60 {cfg["augment"]["rt60_range"][0]}-{cfg["augment"]["rt60_range"][1]} s'
                                    if 'augment' in cfg else '') + ', road/engine/fan/babble noise 0-30 dB, band-limiting, '
        + (f'VTLP alpha {cfg["vtlp"]["alpha"][0]}-{cfg["vtlp"]["alpha"][1]} (p {cfg["vtlp"]["p"]}), ' if 'vtlp' in cfg else '')
        + 'SpecAugment).',
        f'- Data: {me["nTrain"]} synthetic utterances ({me["trainAudioMin"]} min) from espeak-ng, flite and festival',
        '  training voices; half in-car commands, half random English word sequences. Held-out voices listed in NOTES.md.',
        f'- Config: `{json.dumps(cfg)}`.',
        f'- Build time: {me["totalSeconds"] / 60:.1f} min on the shared 2-core machine, one torch thread '
        f'(stages: {json.dumps(me["timings"])}).',
        '- Int8: weight-only, per-channel int8 initializers + DequantizeLinear; front end (log-mel) inside the graph.',
        '',
        '## Size and speed',
        '| model | parameters | file size | compute (MAC/s of audio) | RTF, 1 thread |',
        '| --- | --- | --- | --- | --- |',
        f'| teacher (PocketSphinx PTM, torch) | 2,387,712 (means + variances 419,328; mixture weights 1,968,384) | '
        f'{t["bytes"] / 1e6:.2f} MB (mdef, means, variances, sendump, tmat) | {t["macsPerSecond"] / 1e6:.0f} M | '
        f'{t["rtf1Thread"]} (torch, all senones, loaded machine) |',
        f'| student fp32 | {s["params"]:,} | {s["bytesFp32"] / 1e6:.3f} MB (ONNX) | {s["macsPerSecond"] / 1e6:.0f} M '
        '(incl. DFT front end) | see int8 |',
        f'| student int8 | {s["params"]:,} | {q["bytes"] / 1e6:.3f} MB (ONNX) | same | {q["rtf1Thread"]} (torch) |',
        '',
        f'Int8 student / teacher size: {q["bytes"] / t["bytes"]:.3f}; compute: {s["macsPerSecond"] / t["macsPerSecond"]:.3f} '
        'with our DFT front end (a dense matmul, faster in onnxruntime than its STFT operator)'
        + (f', {s["networkMacsPerSecond"] / t["macsPerSecond"]:.3f} network against Gaussian mixtures (neither front end '
           'counted)' if 'networkMacsPerSecond' in s else '') + '.',
        '',
        '## Accuracy on held-out synthetic voices',
        f'{me["nTest"]} utterances of voices never used in training; noise (road, engine, fan or babble, rotating) mixed',
        'at the given SNR. Frame accuracy = argmax agrees with the teacher\'s clean-audio label; PER = greedy phone',
        'error rate (runs >= 2 frames, no lexicon or grammar). The teacher row uses its free CI-phone posteriors.',
        '',
        '| condition | teacher frame acc | student frame acc | int8 frame acc | teacher PER | student PER | int8 PER |',
        '| --- | --- | --- | --- | --- | --- | --- |',
    ]
    for c in conds:
        r = syn[c]
        lines.append(f'| {c} | {r["teacher"]["frame_acc"]} | {r["student"]["frame_acc"]} | '
                     f'{r["student_int8"]["frame_acc"]} | {r["teacher"]["per"]} | {r["student"]["per"]} | '
                     f'{r["student_int8"]["per"]} |')
    lines += [
        '',
    ]
    # The command-level figures come from the TypeScript runtime (vehicle-service/src/speech), not from this
    # pipeline: they are kept by hand in RUNTIME_RESULTS.md and copied in verbatim so a rebuild keeps them.
    runtime = os.path.join(HERE, 'RUNTIME_RESULTS.md')
    if os.path.exists(runtime):
        lines += open(runtime).read().rstrip('\n').split('\n') + ['']
    else:
        lines += [
            '## Command accuracy (context decoding)',
            '| set | clean | 24 dB | 18 dB | 12 dB | 6 dB | out-of-context rejection |',
            '| --- | --- | --- | --- | --- | --- | --- |',
            f'| real voices, coffee context (shared/speech/real-dev) | {NM} | {NM} | {NM} | {NM} | {NM} | {NM} |',
            f'| held-out synthetic voices, car context | {NM} | | | | | {NM} |',
            '| PocketSphinx JSGF baseline (README of shared/) | 96.8% | 95.0% | 92.5% | 89.5% | 64.5% | - |',
            '',
            'No command-level figure measured yet (see NOTES.md).',
            '',
        ]
    lines += [
        '## Limits',
        '- Trained on synthetic speech only; the teacher knows real speech but the student has only heard TTS.',
        '- Frame targets come from cmudict\'s first pronunciation; TTS pronunciations that differ are force-aligned anyway.',
        '- Greedy PER is not a recognition result: real decoding constrains phones by the context\'s lexicon.',
        '',
    ]
    return '\n'.join(lines)


def main(argv=None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    art = argv[0] if argv else os.path.join(HERE, 'artifacts')
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, 'MODEL_CARD.md')
    m = json.load(open(os.path.join(art, 'manifest.json')))
    open(out, 'w').write(render(m))
    return 0


if __name__ == '__main__':
    sys.exit(main())
