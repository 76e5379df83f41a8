"""Phone set and lexicon (CMU dict as shipped with pocketsphinx-en-us) shared by teacher, data and student."""
from __future__ import annotations

import re
from functools import lru_cache

DICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict'

# The student's output classes: SIL first, then the 39 CMU phones (no stress).
PHONES = ['SIL', 'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH',
          'IY', 'JH', 'K', 'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y',
          'Z', 'ZH']
PHONE_INDEX = {p: i for i, p in enumerate(PHONES)}

_ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
         'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']


def number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ('' if n % 10 == 0 else ' ' + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + ' hundred' + ('' if rest == 0 else ' ' + number_words(rest))
    return ' '.join(_ONES[int(d)] for d in str(n))


def normalize(text: str) -> list[str]:
    """Lower-case words as cmudict spells them; digits become words, other punctuation is dropped."""
    text = text.lower().replace('%', ' percent ').replace('°', ' degrees ')
    text = re.sub(r'\d+', lambda m: ' ' + number_words(int(m.group())) + ' ', text)
    text = re.sub(r"[^a-z' ]+", ' ', text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


@lru_cache(maxsize=1)
def cmudict() -> dict[str, list[list[str]]]:
    lex: dict[str, list[list[str]]] = {}
    with open(DICT_PATH, encoding='utf-8', errors='replace') as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            word = re.sub(r'\(\d+\)$', '', parts[0])
            phones = [p for p in parts[1:] if not p.startswith('#')]
            if all(p in PHONE_INDEX for p in phones):
                lex.setdefault(word, []).append(phones)
    return lex


def pronounce(words: list[str]) -> list[list[str]] | None:
    """First pronunciation of every word, or None when a word is not in the lexicon."""
    lex = cmudict()
    out = []
    for w in words:
        if w not in lex:
            return None
        out.append(lex[w][0])
    return out
