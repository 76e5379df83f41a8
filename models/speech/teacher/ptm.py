"""CMU PocketSphinx en-us PTM acoustic model evaluated in torch (the distillation teacher).

File formats (facts checked on Debian's pocketsphinx-en-us 0.8+5prealpha+1-15, see ../NOTES.md):
- mdef: binary; converted to text with `pocketsphinx_mdef_convert -text` (rows: base lft rt pos attrib tmat s0 s1 s2 N).
- means / variances / transition_matrices: sphinx3 binary = text header up to "endhdr\n", uint32 0x11223344
  (byte order), int32 dims, int32 element count, float32 data, trailing uint32 checksum.
- sendump: pocketsphinx's read_sendump() (ptm_mgau.c / s2_semi_mgau.c in cmusphinx/pocketsphinx): int32-length-prefixed
  strings until length 0 ("cluster_count 0" -> no 4-bit clustering), then int32 #codewords (128), int32 #senones
  (5126), then for each stream f (3) and codeword c (128) one uint8 per senone: q = -log_b(w) >> 10 with the log base
  b = 1.0001 (logmath_init(base, SENSCR_SHIFT=10)), so ln w = -q * 1024 * ln(1.0001).
- Each senone mixes the 128 Gaussians of its base phone's codebook (sen2cb = bin_mdef_sen2cimap in ptm_mgau_init).
Scoring follows ptm_mgau_senone_eval(): per stream log-sum of (mixture weight + Gaussian log density), summed
over the 3 streams. We sum over all 128 Gaussians instead of pocketsphinx's top-4 (a tiny difference).
"""
from __future__ import annotations

import math
import os
import struct
import subprocess
from dataclasses import dataclass

import numpy as np
import torch

MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us'
DICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict'
LOG_BASE = 1.0001
SENSCR_SHIFT = 10
VAR_FLOOR = 1e-4  # pocketsphinx -varfloor default


def read_s3_binary(path: str, n_dims: int) -> tuple[list[int], bytes, int, str]:
    """Reads a sphinx3 binary header: returns (first n_dims int32 dims, raw bytes, data offset, byte order)."""
    raw = open(path, 'rb').read()
    end = raw.index(b'endhdr\n') + len(b'endhdr\n')
    magic = struct.unpack('<I', raw[end:end + 4])[0]
    if magic == 0x11223344:
        order = '<'
    elif magic == 0x44332211:
        order = '>'
    else:
        raise ValueError(f'{path}: bad byte-order magic {magic:#x}')
    off = end + 4
    dims = list(struct.unpack(order + f'{n_dims}i', raw[off:off + 4 * n_dims]))
    off += 4 * n_dims
    return dims, raw, off, order


def read_gaussians(path: str) -> np.ndarray:
    """means/variances: (n_mgau, n_feat, n_density, veclen) float32."""
    dims, raw, off, order = read_s3_binary(path, 3)
    n_mgau, n_feat, n_density = dims
    featlen = struct.unpack(order + f'{n_feat}i', raw[off:off + 4 * n_feat])
    off += 4 * n_feat
    (count,) = struct.unpack(order + 'i', raw[off:off + 4])
    off += 4
    if len(set(featlen)) != 1 or count != n_mgau * n_density * sum(featlen):
        raise ValueError(f'{path}: unexpected layout {featlen} {count}')
    data = np.frombuffer(raw, dtype=order + 'f4', count=count, offset=off)
    return data.reshape(n_mgau, n_feat, n_density, featlen[0]).astype(np.float32)


def read_tmat(path: str) -> np.ndarray:
    """transition_matrices: (n_tmat, n_state, n_state + 1) row-normalized probabilities (last column = exit)."""
    dims, raw, off, order = read_s3_binary(path, 4)
    n_tmat, n_src, n_dst, count = dims
    if count != n_tmat * n_src * n_dst:
        raise ValueError(f'{path}: bad count')
    data = np.frombuffer(raw, dtype=order + 'f4', count=count, offset=off).reshape(n_tmat, n_src, n_dst)
    # This model stores unnormalized counts; pocketsphinx normalizes each row when it loads them.
    return (data / data.sum(-1, keepdims=True)).astype(np.float32)


def read_sendump(path: str) -> np.ndarray:
    """Returns natural-log mixture weights (n_feat, n_codeword, n_senone)."""
    raw = open(path, 'rb').read()
    off = 0
    n_feat = 3
    n_clust = 0
    while True:
        (n,) = struct.unpack('<i', raw[off:off + 4])
        off += 4
        if n == 0:
            break
        line = raw[off:off + n].rstrip(b'\0').decode('ascii', 'replace')
        off += n
        if line.startswith('feature_count '):
            n_feat = int(line.split()[1])
        if line.startswith('cluster_count '):
            n_clust = int(line.split()[1])
    if n_clust != 0:
        raise ValueError('clustered (4-bit) sendump not supported')
    n_cw, n_sen = struct.unpack('<ii', raw[off:off + 8])
    off += 8
    q = np.frombuffer(raw, dtype=np.uint8, count=n_feat * n_cw * n_sen, offset=off).reshape(n_feat, n_cw, n_sen)
    return (-q.astype(np.float32) * (1 << SENSCR_SHIFT) * math.log(LOG_BASE)).astype(np.float32)


@dataclass
class Mdef:
    phones: list[str]  # base phones in mdef order (CI phone id = index)
    ci_senones: np.ndarray  # (n_ci, 3) senone ids of each CI phone
    ci_tmat: np.ndarray  # (n_ci,) tmat id
    triphones: dict[tuple[str, str, str, str], tuple[int, tuple[int, int, int]]]
    sen2ci: np.ndarray  # (n_sen,) base phone of every senone
    n_sen: int

    def senones(self, base: str, left: str, right: str, pos: str) -> tuple[int, ...]:
        """Senones of a triphone, backing off to other word positions and then to the CI phone."""
        for p in (pos, 'i', 'b', 'e', 's'):
            hit = self.triphones.get((base, left, right, p))
            if hit:
                return hit[1]
        return tuple(int(s) for s in self.ci_senones[self.phones.index(base)])


def load_mdef(path: str = os.path.join(MODEL_DIR, 'mdef'), cache_dir: str | None = None) -> Mdef:
    text_path = None
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        text_path = os.path.join(cache_dir, 'mdef.txt')
    if not text_path or not os.path.exists(text_path):
        out = text_path or '/tmp/auriga-mdef.txt'
        subprocess.run(['pocketsphinx_mdef_convert', '-text', path, out], check=True, capture_output=True)
        text_path = out
    phones: list[str] = []
    ci_sen: list[tuple[int, int, int]] = []
    ci_tmat: list[int] = []
    tri: dict = {}
    n_sen = 0
    for line in open(text_path):
        if line.startswith('#') or not line.strip():
            continue
        parts = line.split()
        if len(parts) == 2 and parts[1] == 'n_tied_state':
            n_sen = int(parts[0])
        if len(parts) != 10:
            continue
        base, lft, rt, pos, _attrib, tmat = parts[:6]
        states = (int(parts[6]), int(parts[7]), int(parts[8]))
        if lft == '-':
            phones.append(base)
            ci_sen.append(states)
            ci_tmat.append(int(tmat))
        else:
            tri[(base, lft, rt, pos)] = (int(tmat), states)
    sen2ci = np.full(n_sen, -1, dtype=np.int64)
    for i, s in enumerate(ci_sen):
        sen2ci[list(s)] = i
    for (base, *_), (_, states) in tri.items():
        sen2ci[list(states)] = phones.index(base) if sen2ci[states[0]] < 0 else sen2ci[states[0]]
    if (sen2ci < 0).any():
        raise ValueError('mdef: senone without base phone')
    return Mdef(phones, np.array(ci_sen), np.array(ci_tmat), tri, sen2ci, n_sen)


class PtmTeacher(torch.nn.Module):
    """Senone log-likelihoods of the PocketSphinx PTM model for 39-dim sphinx features (1s_c_d_dd, CMN)."""

    def __init__(self, model_dir: str = MODEL_DIR, cache_dir: str | None = None):
        super().__init__()
        self.mdef = load_mdef(os.path.join(model_dir, 'mdef'), cache_dir)
        means = read_gaussians(os.path.join(model_dir, 'means'))  # (42, 3, 128, 13)
        var = np.maximum(read_gaussians(os.path.join(model_dir, 'variances')), VAR_FLOOR)
        self.register_buffer('means', torch.from_numpy(means))
        self.register_buffer('inv_var', torch.from_numpy(1.0 / var))
        self.register_buffer('log_norm', torch.from_numpy(-0.5 * np.log(2 * np.pi * var).sum(-1)))  # (42,3,128)
        mixw = read_sendump(os.path.join(model_dir, 'sendump'))  # (3, 128, n_sen)
        self.register_buffer('mixw', torch.from_numpy(mixw))
        self.register_buffer('mixw_exp', self.mixw.exp())
        self.register_buffer('sen2ci', torch.from_numpy(self.mdef.sen2ci))
        self.tmat = read_tmat(os.path.join(model_dir, 'transition_matrices'))
        self.n_sen = mixw.shape[2]

    def gaussian_loglik(self, feat: torch.Tensor) -> torch.Tensor:
        """feat (T, 39) -> (T, 42, 3, 128) log densities, via the expansion (x-m)^2/v = x^2/v - 2xm/v + m^2/v."""
        t = feat.shape[0]
        x = feat.view(t, 3, 13)
        out = []
        for f in range(3):
            iv = self.inv_var[:, f].reshape(-1, 13)  # (42*128, 13)
            mu = self.means[:, f].reshape(-1, 13)
            const = self.log_norm[:, f].reshape(-1) - 0.5 * (mu * mu * iv).sum(-1)
            xf = x[:, f]
            out.append(const - 0.5 * (xf * xf) @ iv.T + xf @ (mu * iv).T)
        return torch.stack(out, 1).view(t, 3, -1, 128).transpose(1, 2)

    @torch.no_grad()
    def senone_loglik(self, feat: torch.Tensor, senones: torch.Tensor | None = None) -> torch.Tensor:
        """feat (T, 39) -> (T, n) log-likelihoods (natural log) of the given senones (default: all)."""
        g = self.gaussian_loglik(feat)  # (T, 42, 3, 128)
        if senones is None:
            senones = torch.arange(self.n_sen)
        senones = torch.as_tensor(senones, dtype=torch.long)
        out = torch.empty(feat.shape[0], senones.shape[0])
        cbs = self.sen2ci[senones]
        for cb in torch.unique(cbs).tolist():
            pos = torch.nonzero(cbs == cb).squeeze(1)
            gc = g[:, cb]  # (T, 3, 128)
            m = gc.max(-1, keepdim=True).values
            w = self.mixw_exp[:, :, senones[pos]]  # (3, 128, n)
            p = torch.einsum('tfk,fks->tfs', (gc - m).exp(), w)
            out[:, pos] = (p.clamp_min(1e-30).log() + m).sum(1)
        return out
