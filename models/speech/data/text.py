"""Training text: in-car commands from built-in templates plus varied English word sequences.

The coffee context of shared/speech/real-dev is deliberately absent: it is the "new context" the model must handle
without retraining. Word sequences use words that are both in /usr/share/dict/words (Debian `wamerican`, SCOWL,
permissive licence) and in cmudict, so every training sentence has a lexicon pronunciation.
"""
from __future__ import annotations

import json
import os
import random
import subprocess

from ..lexicon import cmudict

CAR_TEMPLATES = [
    '{verb} the {device}', '{verb} the {device} please', 'please {verb} the {device}',
    'set the temperature to {num} degrees', 'set the {side} temperature to {num}', 'make it {adj}',
    'open the {window} window', 'close the {window} window', 'open the {window} window {pct} percent',
    'navigate to {place}', 'take me to the nearest {poi}', 'find a {poi} near me', 'call {name}',
    'play {genre} music', 'turn the volume {updown}', 'set the fan speed to {small}', 'lock the doors',
    'unlock the {door} door', 'what is my range', 'how much fuel is left', 'turn {onoff} the {device}',
    'switch {onoff} the {device}', 'i am {adj}', 'set the seat heating to level {small}',
    'change the station to {freq}', 'skip this song', 'read my messages', 'what is the tire pressure',
]
SLOTS = {
    'verb': ['turn on', 'turn off', 'switch on', 'switch off', 'activate', 'deactivate', 'start', 'stop'],
    'device': ['air conditioning', 'heating', 'radio', 'lights', 'headlights', 'fog lights', 'wipers',
               'defroster', 'seat heating', 'fan', 'cruise control', 'hazard lights', 'reading light'],
    'side': ['driver', 'passenger', 'rear', 'front'], 'adj': ['warmer', 'cooler', 'hot', 'cold', 'colder', 'quieter'],
    'window': ['driver', 'passenger', 'rear left', 'rear right', 'front', 'back'],
    'place': ['home', 'work', 'the airport', 'the train station', 'main street', 'the city center', 'the office'],
    'poi': ['gas station', 'charging station', 'parking garage', 'restaurant', 'hospital', 'hotel', 'pharmacy'],
    'name': ['mom', 'dad', 'john', 'sarah', 'the office', 'michael', 'emma', 'david'],
    'genre': ['jazz', 'rock', 'classical', 'pop', 'country', 'some relaxing'], 'updown': ['up', 'down'],
    'onoff': ['on', 'off'], 'door': ['driver', 'passenger', 'trunk', 'rear'],
    'num': [str(n) for n in range(16, 31)], 'small': [str(n) for n in range(1, 6)],
    'pct': ['ten', 'twenty', 'fifty', 'eighty'], 'freq': ['ninety eight point five', 'one oh one point one'],
}


def car_sentences(rng: random.Random, n: int, context_file: str | None = None) -> list[str]:
    """Car commands: from the shared context sampler when it exists, else from the built-in templates."""
    script = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'sample-sentences.ts')
    if context_file and os.path.exists(script) and os.path.exists(context_file):
        try:
            out = subprocess.run(['node', '--import', 'tsx', script, '--context',
                                  context_file, '--count', str(n), '--seed', str(rng.randrange(1 << 30))],
                                 capture_output=True, text=True, check=True, timeout=120).stdout
            rows = [json.loads(line) for line in out.splitlines() if line.strip()]
            texts = [r.get('text') or r.get('sentence') for r in rows]
            texts = [t for t in texts if isinstance(t, str)]
            if texts:
                return texts[:n]
        except (subprocess.SubprocessError, json.JSONDecodeError, OSError):
            pass
    out = []
    for _ in range(n):
        t = rng.choice(CAR_TEMPLATES)
        out.append(t.format(**{k: rng.choice(v) for k, v in SLOTS.items()}))
    return out


def word_list() -> list[str]:
    lex = cmudict()
    words = []
    with open('/usr/share/dict/words', encoding='utf-8', errors='replace') as fh:
        for w in fh:
            w = w.strip()
            if w.isalpha() and w.islower() and 2 <= len(w) <= 12 and w in lex:
                words.append(w)
    return sorted(set(words))


FUNCTION_WORDS = ['the', 'a', 'to', 'and', 'of', 'in', 'is', 'it', 'for', 'on', 'with', 'my', 'please', 'can',
                  'you', 'i', 'want', 'me', 'get', 'give', 'set', 'turn', 'make', 'an', 'some', 'what', 'how']


def random_sentences(rng: random.Random, n: int, words: list[str]) -> list[str]:
    """3-9 word sequences mixing function words and dictionary words (phonetic variety, unseen words)."""
    out = []
    for _ in range(n):
        k = rng.randint(3, 9)
        out.append(' '.join(rng.choice(FUNCTION_WORDS) if rng.random() < 0.35 else rng.choice(words)
                            for _ in range(k)))
    return out
