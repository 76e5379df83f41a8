#!/usr/bin/python3
"""PocketSphinx JSGF baseline for eval.ts: python3 pocketsphinx-baseline.py GRAMMAR.jsgf A.wav...
Prints a JSON list with the hypothesis text of each file (16 kHz 16-bit mono WAV)."""
import json
import os
import sys
import wave

from pocketsphinx import Decoder

MODEL = '/usr/share/pocketsphinx/model/en-us'


def main():
    grammar, files = sys.argv[1], sys.argv[2:]
    config = Decoder.default_config()
    config.set_string('-hmm', os.path.join(MODEL, 'en-us'))
    config.set_string('-dict', os.path.join(MODEL, 'cmudict-en-us.dict'))
    config.set_string('-jsgf', grammar)
    config.set_string('-logfn', '/dev/null')
    decoder = Decoder(config)
    out = []
    for path in files:
        with wave.open(path, 'rb') as w:
            raw = w.readframes(w.getnframes())
        decoder.start_utt()
        decoder.process_raw(raw, False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        out.append(hyp.hypstr if hyp is not None else '')
    print(json.dumps(out))


if __name__ == '__main__':
    main()
