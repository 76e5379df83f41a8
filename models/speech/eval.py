"""Stage 5: measurements on held-out voices: frame accuracy vs the teacher's clean-audio labels and phone error
rate (greedy), clean and at fixed SNRs, for the teacher (free CI-phone posteriors), the student and the int8
student; parameters, sizes, real-time factors on one thread."""
from __future__ import annotations

import time

import numpy as np
import torch

from .data import augment as aug
from .frontend import LogMel, sphinx_features
from .lexicon import PHONES, pronounce
from .teacher.align import ci_phone_posteriors

SNRS = [None, 20, 10, 5, 0]


def noisy_copy(x: np.ndarray, snr, seed: int, pool) -> np.ndarray:
    if snr is None:
        return x
    rng = np.random.default_rng(seed)
    kind = ['road', 'engine', 'fan', 'babble'][seed % 4]
    n = len(x)
    noise = aug.babble(rng, n, pool) if kind == 'babble' else aug.NOISES[kind](rng, n)
    y = aug.mix_snr(x.astype(np.float64), noise, snr)
    return (y / max(1.0, np.abs(y).max())).astype(np.float32)


def edit_distance(a, b) -> int:
    d = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(b) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
            prev, d[j] = d[j], cur
    return d[-1]


def greedy_phones(post_argmax: np.ndarray, min_run: int = 2) -> list[str]:
    out, prev, run = [], -1, 0
    for p in list(post_argmax) + [-1]:
        if p == prev:
            run += 1
            continue
        if prev > 0 and run >= min_run and (not out or out[-1] != PHONES[prev]):
            out.append(PHONES[prev])
        prev, run = p, 1
    return out


@torch.no_grad()
def evaluate(models: dict, teacher, waves, tgts, rows, seed: int, log=print) -> dict:
    frontend = LogMel()
    res = {}
    for snr in SNRS:
        key = 'clean' if snr is None else f'{snr}dB'
        acc = {k: [0, 0] for k in list(models) + ['teacher']}
        per = {k: [0, 0] for k in list(models) + ['teacher']}
        for i, (x, t, r) in enumerate(zip(waves, tgts, rows)):
            y = noisy_copy(x, snr, seed + i, waves)
            ref_frames = t.argmax(1)[::2]
            ref_phones = [p for w in pronounce(r['text'].split()) for p in w]
            hyps = {}
            for name, m in models.items():
                lp = m(frontend(torch.from_numpy(y).unsqueeze(0)))[0].numpy()
                hyps[name] = lp.argmax(1)
            tf = ci_phone_posteriors(teacher, sphinx_features(torch.from_numpy(y * 32768.0)), 0.1).numpy()
            hyps['teacher'] = tf.argmax(1)[::2]
            for name, h in hyps.items():
                n = min(len(h), len(ref_frames))
                acc[name][0] += int((h[:n] == ref_frames[:n]).sum())
                acc[name][1] += n
                per[name][0] += edit_distance(greedy_phones(h, 2 if name != 'teacher' else 3), ref_phones)
                per[name][1] += len(ref_phones)
        res[key] = {name: {'frame_acc': round(100 * a[0] / max(1, a[1]), 1),
                           'per': round(100 * per[name][0] / max(1, per[name][1]), 1)} for name, a in acc.items()}
        log(f'eval {key}: ' + ', '.join(f'{k} acc {v["frame_acc"]} PER {v["per"]}' for k, v in res[key].items()))
    return res


@torch.no_grad()
def rtf(fn, wave: np.ndarray, repeats: int = 3) -> float:
    torch.set_num_threads(1)
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(wave)
        best = min(best, time.perf_counter() - t0)
    return best / (len(wave) / 16000)
