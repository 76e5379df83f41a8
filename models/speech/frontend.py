"""Feature front ends.

- sphinx_mfcc / sphinx_features: PocketSphinx's MFCC front end re-implemented in torch (for the teacher), following
  sphinxbase fe_sigproc.c defaults + the model's feat.params: 16 kHz, pre-emphasis 0.97, 410-sample (25.625 ms)
  Hamming window, 160-sample shift, 512-point FFT power spectrum, 25 triangular unit-area mel filters 130-6800 Hz
  with edges rounded to FFT bins, natural log, orthonormal DCT-II, lifter 22, 13 cepstra; then feat 1s_c_d_dd with
  batch CMN: d[t] = c[t+2]-c[t-2], dd[t] = d[t+1]-d[t-1] (edges padded by repeating the first/last frame).
- LogMel: the student's front end, written as fixed-weight Conv1d/matmul ops so it exports to ONNX unchanged and
  the exported graph computes exactly what training computed.
"""
from __future__ import annotations

import math

import numpy as np
import torch

SAMPLE_RATE = 16000


def _mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _melinv(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def sphinx_melfb(nfilt=25, lowerf=130.0, upperf=6800.0, nfft=512, sr=SAMPLE_RATE) -> np.ndarray:
    """(nfilt, nfft/2+1) filter matrix as fe_build_melfilters() builds it (round_filters, unit_area)."""
    fftfreq = sr / nfft
    melmin, melmax = _mel(lowerf), _mel(upperf)
    melbw = (melmax - melmin) / (nfilt + 1)
    fb = np.zeros((nfilt, nfft // 2 + 1))
    for i in range(nfilt):
        f = [_melinv((i + j) * melbw + melmin) for j in range(3)]
        f = [int(x / fftfreq + 0.5) * fftfreq for x in f]
        for k in range(nfft // 2 + 1):
            hz = k * fftfreq
            if hz < f[0] or hz > f[2] or k == nfft // 2:
                continue
            lo = (hz - f[0]) / (f[1] - f[0]) * 2 / (f[2] - f[0])
            hi = (f[2] - hz) / (f[2] - f[1]) * 2 / (f[2] - f[0])
            fb[i, k] = min(lo, hi)
    return fb


_SPHINX_FB = torch.from_numpy(sphinx_melfb()).float()
_SPHINX_WIN = torch.from_numpy(0.54 - 0.46 * np.cos(2 * np.pi * np.arange(410) / 409)).float()
_N = 25
_DCT = torch.from_numpy(np.array([[math.cos(math.pi * i * (j + 0.5) / _N) for j in range(_N)] for i in range(13)])
                        * math.sqrt(2.0 / _N)).float()
_DCT[0] *= 1 / math.sqrt(2.0)  # c0 basis scaled by sqrt(1/N), as fe_dct2()
_LIFTER = torch.tensor([1 + 11.0 * math.sin(i * math.pi / 22) for i in range(13)]).float()


def sphinx_mfcc(wave: torch.Tensor) -> torch.Tensor:
    """wave: (N,) float at 16 kHz scaled like int16 samples -> (T, 13) cepstra (no CMN)."""
    x = torch.cat([wave[:1], wave[1:] - 0.97 * wave[:-1]])
    if x.shape[0] < 410:
        x = torch.nn.functional.pad(x, (0, 410 - x.shape[0]))
    frames = x.unfold(0, 410, 160) * _SPHINX_WIN
    spec = torch.fft.rfft(frames, n=512).abs() ** 2
    mel = (spec @ _SPHINX_FB.T).clamp_min(1e-5).log()
    return (mel @ _DCT.T) * _LIFTER


def sphinx_features(wave: torch.Tensor) -> torch.Tensor:
    """(N,) -> (T, 39) 1s_c_d_dd features with batch CMN, as the teacher expects."""
    c = sphinx_mfcc(wave)
    c = c - c.mean(0, keepdim=True)
    p = torch.cat([c[:1].expand(3, -1), c, c[-1:].expand(3, -1)])
    t = c.shape[0]
    d = p[5:5 + t] - p[1:1 + t]  # c[t+2] - c[t-2]
    dd = (p[6:6 + t] - p[2:2 + t]) - (p[4:4 + t] - p[0:t])  # d[t+1] - d[t-1]
    return torch.cat([c, d, dd], 1)


class LogMel(torch.nn.Module):
    """Student front end: 16 kHz float waveform in [-1, 1] -> (T, n_mels) log-mel at 100 Hz.

    25 ms Hann window (400 samples), 10 ms hop, 512-point DFT as a fixed Conv1d, HTK mel filters 20-7600 Hz,
    log(x + 1e-6). T = 1 + (N - 400) // 160 (no padding), the same in torch, ONNX and TypeScript.
    """

    def __init__(self, n_mels: int = 40, fmin: float = 20.0, fmax: float = 7600.0):
        super().__init__()
        self.n_mels = n_mels
        win, hop, nfft = 400, 160, 512
        self.win, self.hop = win, hop
        self.register_buffer('melfb', torch.from_numpy(self.htk_melfb(n_mels, fmin, fmax, nfft)).float())

    def dft_basis(self) -> torch.Tensor:
        """(514, 1, 400) windowed cos/-sin DFT rows. k*n is reduced mod 512 in integers before the float cos/sin, so
        the table is accurate in float32. student/export.py writes the same formula as ONNX nodes instead of an
        800 KB constant (onnxruntime folds it once at load)."""
        n = torch.arange(self.win)
        k = torch.arange(257).unsqueeze(1)
        window = 0.5 - 0.5 * torch.cos(n.float() * (2 * math.pi / self.win))
        ang = ((k * n) % 512).float() * (2 * math.pi / 512)
        return torch.cat([torch.cos(ang) * window, -torch.sin(ang) * window], 0).unsqueeze(1)

    @staticmethod
    def htk_melfb(n_mels, fmin, fmax, nfft, sr=SAMPLE_RATE) -> np.ndarray:
        mels = np.linspace(_mel(fmin), _mel(fmax), n_mels + 2)
        hz = _melinv(mels)
        bins = np.arange(nfft // 2 + 1) * sr / nfft
        fb = np.zeros((nfft // 2 + 1, n_mels))
        for i in range(n_mels):
            lo, c, hi = hz[i], hz[i + 1], hz[i + 2]
            fb[:, i] = np.maximum(0, np.minimum((bins - lo) / (c - lo), (hi - bins) / (hi - c)))
        return fb

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        """wave (B, N) -> (B, T, n_mels)."""
        spec = torch.nn.functional.conv1d(wave.unsqueeze(1), self.dft_basis(), stride=self.hop)  # (B, 514, T)
        nb = spec.shape[1] // 2
        power = spec[:, :nb] ** 2 + spec[:, nb:] ** 2
        mel = torch.matmul(power.transpose(1, 2), self.melfb)
        return torch.log(mel + 1e-6)

    def params(self) -> dict:
        return {'sampleRate': SAMPLE_RATE, 'winLength': self.win, 'hopLength': self.hop, 'nFft': 512,
                'window': 'hann-periodic', 'nMels': self.n_mels, 'melScale': 'htk', 'fMin': 20.0, 'fMax': 7600.0,
                'logOffset': 1e-6, 'framesFormula': '1 + floor((N - 400) / 160)'}
