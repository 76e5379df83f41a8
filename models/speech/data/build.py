"""Stage 1+2: synthesize utterances (text x voice) and compute the teacher's soft targets on the clean audio."""
from __future__ import annotations

import json
import os
import random
import time

import numpy as np
import torch

from ..frontend import sphinx_features
from ..lexicon import normalize, pronounce
from ..teacher.align import teacher_targets
from ..teacher.ptm import PtmTeacher
from . import text as textgen
from .tts import render, sample_voice, voice_name


def make_texts(rng: random.Random, n: int, context_file: str | None) -> list[str]:
    words = textgen.word_list()
    n_car = n // 2
    texts = textgen.car_sentences(rng, n_car, context_file) + textgen.random_sentences(rng, n - n_car, words)
    rng.shuffle(texts)
    return texts


def synthesize(out_dir: str, split: str, n: int, seed: int, context_file: str | None, engines, log=print) -> list[dict]:
    """Renders n utterances of the split into out_dir/<split>/ and returns the manifest rows."""
    rng = random.Random(seed)
    os.makedirs(os.path.join(out_dir, split), exist_ok=True)
    rows = []
    texts = make_texts(rng, n * 2, context_file)
    np_rng = np.random.default_rng(seed)
    t0 = time.time()
    for text in texts:
        if len(rows) >= n:
            break
        words = normalize(text)
        prons = pronounce(words)
        if not words or prons is None:
            continue
        v = sample_voice(rng, split, engines)
        try:
            pcm = render(' '.join(words), v)
        except Exception as e:  # a voice failing on one text is not fatal
            log(f'tts failed {voice_name(v)}: {e}')
            continue
        if len(pcm) < 3200:
            continue
        # Pad 0.1-0.4 s of silence on each side plus low-level dither (TTS gives digital silence).
        pad = lambda: np.zeros(int(np_rng.uniform(0.1, 0.4) * 16000), dtype=np.float32)
        x = np.concatenate([pad(), pcm.astype(np.float32), pad()])
        x = np.clip(x + np_rng.normal(0, 2.0, x.shape), -32768, 32767).astype(np.int16)
        uid = f'{split}-{len(rows):06d}'
        np.save(os.path.join(out_dir, split, uid + '.wav.npy'), x)
        rows.append({'id': uid, 'text': ' '.join(words), 'voice': voice_name(v), 'samples': int(len(x))})
    log(f'synthesized {len(rows)} {split} utterances ({sum(r["samples"] for r in rows) / 16000 / 60:.1f} min) '
        f'in {time.time() - t0:.0f}s')
    return rows


def label(out_dir: str, split: str, rows: list[dict], teacher: PtmTeacher, log=print) -> list[dict]:
    """Teacher soft targets (T, 40) float16 for each clean utterance; drops utterances the teacher cannot align."""
    t0 = time.time()
    kept = []
    audio_s = 0.0
    for r in rows:
        x = np.load(os.path.join(out_dir, split, r['id'] + '.wav.npy'))
        feat = sphinx_features(torch.from_numpy(x.astype(np.float32)))
        targets, ll = teacher_targets(teacher, feat, pronounce(r['text'].split()))
        if not np.isfinite(ll) or not torch.isfinite(targets).all():
            continue
        np.save(os.path.join(out_dir, split, r['id'] + '.tgt.npy'), targets.numpy().astype(np.float16))
        r['teacher_ll'] = round(ll, 3)
        kept.append(r)
        audio_s += len(x) / 16000
    dt = time.time() - t0
    log(f'teacher labelled {len(kept)}/{len(rows)} {split} utterances in {dt:.0f}s (RTF {dt / max(audio_s, 1e-9):.3f})')
    return kept


def write_manifest(path: str, rows: list[dict]):
    with open(path, 'w') as fh:
        for r in rows:
            fh.write(json.dumps(r) + '\n')


def read_manifest(path: str) -> list[dict]:
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]
