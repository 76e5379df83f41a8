"""The student: a small depthwise-separable TDNN over 40-dim log-mel, 50 Hz context-independent phone posteriors."""
from __future__ import annotations

import torch
from torch import nn

from ..frontend import LogMel
from ..lexicon import PHONES


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

    def __init__(self, n_mels: int = 40, channels: int = 192, blocks: int = 6, n_out: int = len(PHONES)):
        super().__init__()
        self.register_buffer('feat_mean', torch.zeros(n_mels))
        self.register_buffer('feat_std', torch.ones(n_mels))
        self.inp = nn.Conv1d(n_mels, channels, 5, stride=2, padding=2)
        self.bn0 = nn.BatchNorm1d(channels)
        dil = [1, 2, 1, 2, 4, 1, 2, 4][:blocks]
        self.blocks = nn.Sequential(*[Block(channels, 5, d) for d in dil])
        self.out = nn.Conv1d(channels, n_out, 1)
        self.config = {'n_mels': n_mels, 'channels': channels, 'blocks': blocks, 'n_out': n_out}

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
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
    """Multiply-accumulates per second of audio (student network + DFT front end), at 100 Hz in, 50 Hz out."""
    c, nm, nb, no = (student.config[k] for k in ('channels', 'n_mels', 'blocks', 'n_out'))
    per_out = nm * c * 5 + nb * (c * 5 + c * c) + c * no
    frontend_per_frame = 514 * 400 + 257 * nm
    return per_out * 50 + frontend_per_frame * 100
