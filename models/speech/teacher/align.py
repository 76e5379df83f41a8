"""Teacher outputs for a transcribed utterance: CD-senone HMM forward-backward -> soft CI-phone posteriors.

The utterance's words become a left-to-right HMM (3 states per phone, CD senones of the PTM model looked up by
triphone context and word position, CI transition matrices), with SIL at both ends and an optional SIL between
words. Forward-backward with the teacher's senone log-likelihoods (scaled by `acoustic_scale`) gives state
occupancies, summed per phone: the teacher's soft labels. A free CI-phone posterior (softmax over phones of the CI
senones' frame likelihoods) can be mixed in to carry the teacher's confusions ("dark knowledge").
"""
from __future__ import annotations

import numpy as np
import torch

from ..lexicon import PHONE_INDEX, PHONES
from .ptm import PtmTeacher


def build_hmm(teacher: PtmTeacher, prons: list[list[str]]):
    """Returns (senone per state, phone class per state, log transition matrix (S,S), log init (S), final mask)."""
    md = teacher.mdef
    units: list[tuple[str, str, str, str, bool]] = [('SIL', '-', '-', '-', False)]  # base, left, right, pos, optional
    flat = [p for w in prons for p in w]
    k = 0
    for wi, w in enumerate(prons):
        for pi, p in enumerate(w):
            left = flat[k - 1] if k > 0 else 'SIL'
            right = flat[k + 1] if k + 1 < len(flat) else 'SIL'
            pos = 's' if len(w) == 1 else 'b' if pi == 0 else 'e' if pi == len(w) - 1 else 'i'
            units.append((p, left, right, pos, False))
            k += 1
        if wi + 1 < len(prons):
            units.append(('SIL', '-', '-', '-', True))
    units.append(('SIL', '-', '-', '-', False))
    senones, classes, starts = [], [], []
    for base, left, right, pos, _ in units:
        starts.append(len(senones))
        if base == 'SIL':
            sen = tuple(int(x) for x in md.ci_senones[md.phones.index('SIL')])
        else:
            sen = md.senones(base, left, right, pos)
        senones.extend(sen)
        classes.extend([PHONE_INDEX[base]] * 3)
    n = len(senones)
    trans = np.full((n, n), -np.inf, dtype=np.float32)
    for ui, (base, *_rest, _opt) in enumerate(units):
        tm = teacher.tmat[md.ci_tmat[md.phones.index(base)]]
        s0 = starts[ui]
        for j in range(3):
            stay = max(tm[j, j], 1e-3)
            trans[s0 + j, s0 + j] = np.log(stay)
            if j < 2:
                trans[s0 + j, s0 + j + 1] = np.log(1 - stay)
        # Exit of the unit: to the next unit, and past it when the next unit is an optional silence.
        exit_lp = np.log(1 - max(tm[2, 2], 1e-3))
        nxt = ui + 1
        while nxt < len(units):
            trans[s0 + 2, starts[nxt]] = exit_lp + (np.log(0.5) if units[nxt][4] else 0.0)
            if not units[nxt][4]:
                break
            nxt += 1
    init = np.full(n, -np.inf, dtype=np.float32)
    init[0] = 0.0
    final = np.zeros(n, dtype=bool)
    final[n - 1] = True
    return np.array(senones), np.array(classes), trans, init, final


def forward_backward(loglik: torch.Tensor, trans: torch.Tensor, init: torch.Tensor, final: torch.Tensor):
    """loglik (T, S) -> state posteriors (T, S) and total log-likelihood."""
    t_len, s = loglik.shape
    alpha = torch.empty(t_len, s)
    a = init + loglik[0]
    alpha[0] = a
    for t in range(1, t_len):
        a = torch.logsumexp(a.unsqueeze(1) + trans, 0) + loglik[t]
        alpha[t] = a
    beta = torch.empty(t_len, s)
    b = torch.where(final, 0.0, -float('inf'))
    beta[-1] = b
    for t in range(t_len - 2, -1, -1):
        b = torch.logsumexp(trans + (loglik[t + 1] + b).unsqueeze(0), 1)
        beta[t] = b
    total = torch.logsumexp(alpha[-1] + torch.where(final, 0.0, -float('inf')), 0)
    post = (alpha + beta - total).exp()
    return post, float(total)


def _ci_senones(teacher: PtmTeacher) -> tuple[list[int], list[int]]:
    md = teacher.mdef
    cols, sen = [], []
    for p in PHONES:
        for x in md.ci_senones[md.phones.index(p)]:
            cols.append(PHONE_INDEX[p])
            sen.append(int(x))
    return cols, sen


def _free_posteriors(ci_ll: torch.Tensor, cols: list[int], scale: float) -> torch.Tensor:
    idx = torch.tensor(cols)
    ll = ci_ll * scale
    per_phone = torch.stack([torch.logsumexp(ll[:, idx == c], 1) for c in range(len(PHONES))], 1)
    return per_phone.softmax(1)


def ci_phone_posteriors(teacher: PtmTeacher, feat: torch.Tensor, scale: float) -> torch.Tensor:
    """Free (context- and transcript-free) teacher posteriors over PHONES from the 120 CI senones."""
    cols, sen = _ci_senones(teacher)
    return _free_posteriors(teacher.senone_loglik(feat, torch.tensor(sen)), cols, scale)


@torch.no_grad()
def teacher_targets(teacher: PtmTeacher, feat: torch.Tensor, prons: list[list[str]], acoustic_scale: float = 0.3,
                    free_weight: float = 0.2, free_scale: float = 0.1):
    """Soft phone targets (T, len(PHONES)) for one clean utterance, plus alignment log-likelihood per frame."""
    senones, classes, trans, init, final = build_hmm(teacher, prons)
    cols, ci_sen = _ci_senones(teacher)
    uniq, inv = np.unique(np.concatenate([senones, np.array(ci_sen)]), return_inverse=True)
    all_ll = teacher.senone_loglik(feat, torch.from_numpy(uniq))[:, torch.from_numpy(inv)]
    ll = all_ll[:, :len(senones)] * acoustic_scale
    post, total = forward_backward(ll, torch.from_numpy(trans), torch.from_numpy(init), torch.from_numpy(final))
    aligned = torch.zeros(feat.shape[0], len(PHONES))
    aligned.index_add_(1, torch.from_numpy(classes), post)
    if free_weight > 0:
        free = _free_posteriors(all_ll[:, len(senones):], cols, free_scale)
        targets = (1 - free_weight) * aligned + free_weight * free
    else:
        targets = aligned
    return targets / targets.sum(1, keepdim=True), total / max(1, feat.shape[0])
