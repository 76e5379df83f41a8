"""Offline TTS rendering (espeak-ng, flite, festival) to 16 kHz int16, and the fixed train/held-out voice split."""
from __future__ import annotations

import os
import random
import subprocess
import tempfile

import numpy as np

ESPEAK_TRAIN_BASES = ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-029', 'en-gb-x-gbcwmd']
ESPEAK_TEST_BASES = ['en-us-nyc', 'en-gb-x-gbclan']
ESPEAK_TRAIN_VARIANTS = ['', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'f1', 'f2', 'f3', 'klatt', 'klatt2', 'Alex',
                         'Andy', 'Annie', 'belinda', 'benjamin', 'david', 'edward', 'john', 'linda', 'max', 'paul',
                         'robert', 'steph', 'travis', 'victor', 'iven', 'aunty', 'grandma', 'grandpa']
ESPEAK_TEST_VARIANTS = ['m7', 'm8', 'f4', 'f5', 'klatt3', 'Mike', 'Lee', 'shelby', 'adam', 'quincy']
FLITE_TRAIN = ['kal16', 'awb', 'rms']
FLITE_TEST = ['slt']
FESTIVAL_TRAIN = ['voice_kal_diphone']
FESTIVAL_TEST = ['voice_ked_diphone', 'voice_cmu_us_slt_arctic_hts']


def sample_voice(rng: random.Random, split: str, engines=('espeak', 'flite', 'festival')) -> dict:
    """A random voice of the split; espeak voices get a random rate and pitch."""
    weights = {'espeak': 0.7, 'flite': 0.2, 'festival': 0.1}
    engines = [e for e in engines]
    engine = rng.choices(engines, [weights[e] for e in engines])[0]
    train = split == 'train'
    if engine == 'espeak':
        base = rng.choice(ESPEAK_TRAIN_BASES if train else ESPEAK_TEST_BASES)
        var = rng.choice(ESPEAK_TRAIN_VARIANTS if train else ESPEAK_TEST_VARIANTS)
        return {'engine': 'espeak', 'voice': base + ('+' + var if var else ''), 'rate': rng.randint(120, 210),
                'pitch': rng.randint(25, 75)}
    if engine == 'flite':
        return {'engine': 'flite', 'voice': rng.choice(FLITE_TRAIN if train else FLITE_TEST)}
    return {'engine': 'festival', 'voice': rng.choice(FESTIVAL_TRAIN if train else FESTIVAL_TEST)}


def voice_name(v: dict) -> str:
    return f"{v['engine']}:{v['voice']}" + (f":s{v['rate']}:p{v['pitch']}" if v['engine'] == 'espeak' else '')


def _to_16k(wav_bytes: bytes) -> np.ndarray:
    raw = subprocess.run(['sox', '-t', 'wav', '-', '-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1',
                          '-'], input=wav_bytes, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype='<i2').copy()


def render(text: str, v: dict) -> np.ndarray:
    """int16 samples at 16 kHz."""
    if v['engine'] == 'espeak':
        out = subprocess.run(['espeak-ng', '-v', v['voice'], '-s', str(v['rate']), '-p', str(v['pitch']), '--stdout',
                              text], capture_output=True, check=True).stdout
        return _to_16k(out)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'o.wav')
        if v['engine'] == 'flite':
            subprocess.run(['flite', '-voice', v['voice'], '-t', text, '-o', path], capture_output=True, check=True)
        else:
            subprocess.run(['text2wave', '-eval', f"({v['voice']})", '-o', path], input=text.encode(),
                           capture_output=True, check=True)
        return _to_16k(open(path, 'rb').read())
