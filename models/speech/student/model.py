"""The student: a small depthwise-separable TDNN over 40-dim log-mel, 50 Hz context-independent phone posteriors."""
from __future__ import annotations

import torch
from torch import nn

from ..frontend import LogMel
from ..lexicon import PHONES


def envelope_smoother(n: int, keep: int) -> torch.Tensor:
    """(n, n) matrix M with x @ M = inverse DCT of the first `keep` orthonormal DCT-II coefficients of x."""
    k = torch.arange(n, dtype=torch.float64).unsqueeze(1)
    i = torch.arange(n, dtype=torch.float64).unsqueeze(0)
    dct = torch.cos(torch.pi * k * (i + 0.5) / n) * (2.0 / n) ** 0.5
    dct[0] /= 2 ** 0.5
    d = dct[:keep]
    return (d.T @ d).float()


def utterance_cmn(feats: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
    """Per-utterance mean normalization of (B, T, F) log-mel: removes the microphone's and the room's fixed spectral
    colouring (a real cabin microphone vs a TTS voice's flat channel), the classic cure for channel mismatch.
    lengths (B,) counts the valid frames of a padded batch; None means every frame is valid (the exported graph)."""
    if lengths is None:
        return feats - feats.mean(1, keepdim=True)
    mask = (torch.arange(feats.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).to(feats.dtype).unsqueeze(-1)
    mean = (feats * mask).sum(1, keepdim=True) / lengths.clamp_min(1).to(feats.dtype).view(-1, 1, 1)
    return feats - mean


class Block(nn.Module):
    def __init__(self, c: int, k: int, dilation: int):
        super().__init__()
        self.dw = nn.Conv1d(c, c, k, padding=dilation * (k - 1) // 2, dilation=dilation, groups=c)
        self.pw = nn.Conv1d(c, c, 1)
        self.bn = nn.BatchNorm1d(c)

    def forward(self, x):
        return x + torch.relu(self.bn(self.pw(self.dw(x))))


class Student(nn.Module):
    """(B, T, 40) log-mel -> (B, ceil(T/2), len(PHONES)) log posteriors."""

    def __init__(self, n_mels: int = 40, channels: int = 192, blocks: int = 6, n_out: int = len(PHONES),
                 cmn: bool = False, cepstra: int = 0):
        super().__init__()
        # Optional spectral-envelope smoothing: keep the first `cepstra` DCT coefficients of the log-mel (as the
        # teacher's 13 MFCCs do), dropping the pitch-harmonic detail where synthetic voices differ most from
        # human ones. A fixed (n_mels x n_mels) matrix, so the exported graph computes the same.
        self.register_buffer('smooth', envelope_smoother(n_mels, cepstra) if cepstra else torch.eye(0))
        self.register_buffer('feat_mean', torch.zeros(n_mels))
        self.register_buffer('feat_std', torch.ones(n_mels))
        self.inp = nn.Conv1d(n_mels, channels, 5, stride=2, padding=2)
        self.bn0 = nn.BatchNorm1d(channels)
        dil = [1, 2, 1, 2, 4, 1, 2, 4][:blocks]
        self.blocks = nn.Sequential(*[Block(channels, 5, d) for d in dil])
        self.out = nn.Conv1d(channels, n_out, 1)
        self.config = {'n_mels': n_mels, 'channels': channels, 'blocks': blocks, 'n_out': n_out, 'cmn': cmn,
                       'cepstra': cepstra}

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if self.config['cepstra']:
            feats = feats @ self.smooth
        if self.config['cmn']:
            feats = utterance_cmn(feats, lengths)
        x = ((feats - self.feat_mean) / self.feat_std).transpose(1, 2)
        x = torch.relu(self.bn0(self.inp(x)))
        x = self.blocks(x)
        return torch.log_softmax(self.out(x), 1).transpose(1, 2)


class WaveModel(nn.Module):
    """What gets exported: 16 kHz waveform (B, N) in [-1, 1] -> (B, T', 40) phone log posteriors at 50 Hz."""

    def __init__(self, student: Student):
        super().__init__()
        self.frontend = LogMel(student.config['n_mels'])
        self.student = student

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        return self.student(self.frontend(wave))


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def macs_per_second(student: Student) -> int:
    """Multiply-accumulates per second of audio (student network + DFT front end), at 100 Hz in, 50 Hz out. The DFT
    is a dense (514 x 400) matmul per frame: more multiplies than an FFT, but faster in onnxruntime (an STFT-operator
    graph measured 4.0 ms against 1.3 ms for 3 s of audio). The envelope smoother is one n_mels x n_mels matmul."""
    c, nm, nb, no = (student.config[k] for k in ('channels', 'n_mels', 'blocks', 'n_out'))
    per_out = nm * c * 5 + nb * (c * 5 + c * c) + c * no
    frontend_per_frame = 514 * 400 + 257 * nm + (nm * nm if student.config.get('cepstra') else 0)
    return per_out * 50 + frontend_per_frame * 100


def network_macs_per_second(student: Student) -> int:
    """The network alone (what compares like for like with the teacher's Gaussian mixtures, whose MFCC front end is
    not counted either)."""
    c, nm, nb, no = (student.config[k] for k in ('channels', 'n_mels', 'blocks', 'n_out'))
    return (nm * c * 5 + nb * (c * 5 + c * c) + c * no) * 50
