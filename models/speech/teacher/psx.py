"""Helpers around Debian's python3-pocketsphinx (the reference decoder used to validate the teacher)."""
from __future__ import annotations

import os

import numpy as np

from .ptm import DICT_PATH, MODEL_DIR

PHONE_LM = '/usr/share/pocketsphinx/model/en-us/en-us-phone.lm.bin'


def decoder(allphone: bool = True, remove_noise: bool | None = None, **floats):
    from pocketsphinx import Decoder
    c = Decoder.default_config()
    c.set_string('-hmm', MODEL_DIR)
    c.set_string('-dict', DICT_PATH)
    c.set_string('-logfn', '/dev/null')
    if allphone:
        c.set_string('-allphone', PHONE_LM)
        c.set_float('-lw', 2.0)
        c.set_float('-beam', 1e-20)
        c.set_float('-pbeam', 1e-20)
    if remove_noise is not None:
        c.set_boolean('-remove_noise', remove_noise)
    for k, v in floats.items():
        c.set_float('-' + k, v)
    return Decoder(c)


def segments(dec, raw: np.ndarray | None = None, cep: np.ndarray | None = None) -> list[tuple[str, int, int]]:
    """Decodes int16 audio (raw) or (T, 13) float32 cepstra (cep); returns [(unit, start_frame, end_frame)]."""
    dec.start_utt()
    if raw is not None:
        dec.process_raw(raw.astype('<i2').tobytes(), False, True)
    else:
        dec.process_cep(np.ascontiguousarray(cep, dtype=np.float32).tobytes(), False, True)
    dec.end_utt()
    return [(s.word, s.start_frame, s.end_frame) for s in dec.seg()]


def frame_labels(segs: list[tuple[str, int, int]], n_frames: int) -> np.ndarray:
    lab = np.array(['SIL'] * n_frames, dtype=object)
    for w, a, b in segs:
        lab[a:b + 1] = w
    return lab
