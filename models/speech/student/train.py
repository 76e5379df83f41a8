"""Stage 3: distillation. The student hears an augmented copy; the loss is KL(teacher's clean-audio posteriors ||
student), so the student learns to output on noisy audio what the teacher says about the clean audio."""
from __future__ import annotations

import math
import os
import time

import numpy as np
import torch

from ..data.augment import augment, spec_augment, vtlp
from ..frontend import LogMel, _mel, _melinv
from .model import Student, envelope_smoother, utterance_cmn


def load_split(data_dir: str, split: str, rows: list[dict]):
    waves, tgts = [], []
    for r in rows:
        waves.append(np.load(os.path.join(data_dir, split, r['id'] + '.wav.npy')).astype(np.float32) / 32768.0)
        tgts.append(np.load(os.path.join(data_dir, split, r['id'] + '.tgt.npy')).astype(np.float32))
    return waves, tgts


def align_targets(tgt: np.ndarray, n_frames: int, speed: float) -> np.ndarray:
    """Teacher targets (100 Hz, clean timing) -> n_frames rows at the augmented audio's timing."""
    idx = np.clip(np.round(np.arange(n_frames) * speed).astype(int), 0, len(tgt) - 1)
    return tgt[idx]


def aug_options(cfg: dict) -> dict:
    """augment() keyword options from the config (absent keys keep augment()'s defaults)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.get('augment', {}).items()}


def mel_centers_hz(frontend: LogMel) -> np.ndarray:
    # LogMel's default band (20-7600 Hz, HTK mel), as the pipeline builds it.
    return _melinv(np.linspace(_mel(20.0), _mel(7600.0), frontend.n_mels + 2))[1:-1]


def make_batch(idx, waves, tgts, rng, frontend: LogMel, train: bool, cfg: dict | None = None):
    cfg = cfg or {}
    feats, targets = [], []
    for i in idx:
        x = waves[i]
        f = 1.0
        if train:
            x, f = augment(x.astype(np.float64), rng, waves, **aug_options(cfg))
        with torch.no_grad():
            m = frontend(torch.from_numpy(x.astype(np.float32)).unsqueeze(0))[0]
        if train and cfg.get('vtlp') and rng.random() < cfg['vtlp'].get('p', 1.0):
            m = vtlp(m, rng, mel_centers_hz(frontend), tuple(cfg['vtlp']['alpha']))
        if train:
            spec_augment(m, rng)
        t = align_targets(tgts[i], m.shape[0], f)[::2]  # 50 Hz: output t <-> input frame 2t
        feats.append(m)
        targets.append(torch.from_numpy(t))
    t_max = max(m.shape[0] for m in feats)
    fb = torch.stack([torch.nn.functional.pad(m, (0, 0, 0, t_max - m.shape[0]), value=float(m.min())) for m in feats])
    o_max = (t_max + 1) // 2
    tb = torch.zeros(len(idx), o_max, targets[0].shape[1])
    mask = torch.zeros(len(idx), o_max)
    for j, t in enumerate(targets):
        n = min(len(t), o_max)
        tb[j, :n] = t[:n]
        mask[j, :n] = 1
    lengths = torch.tensor([m.shape[0] for m in feats])
    return fb, tb, mask, lengths


def kd_loss(logp: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    kl = (target * (torch.log(target.clamp_min(1e-8)) - logp)).sum(-1)
    return (kl * mask).sum() / mask.sum().clamp_min(1)


def feature_stats(waves, rng, frontend, n=200, cfg: dict | None = None):
    acc = []
    for i in rng.choice(len(waves), size=min(n, len(waves)), replace=False):
        x, _ = augment(waves[i].astype(np.float64), rng, waves, **aug_options(cfg or {}))
        with torch.no_grad():
            m = frontend(torch.from_numpy(x).float().unsqueeze(0))
            if (cfg or {}).get('cepstra'):
                m = m @ envelope_smoother(m.shape[-1], int(cfg['cepstra']))
            acc.append((utterance_cmn(m) if (cfg or {}).get('cmn') else m)[0])
    allf = torch.cat(acc)
    return allf.mean(0), allf.std(0).clamp_min(1e-3)


def train(waves, tgts, cfg: dict, seed: int, log=print) -> Student:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    frontend = LogMel(cfg.get('n_mels', 40))
    model = Student(cfg.get('n_mels', 40), cfg['channels'], cfg['blocks'], cmn=bool(cfg.get('cmn', False)),
                    cepstra=int(cfg.get('cepstra', 0)))
    mean, std = feature_stats(waves, rng, frontend, cfg=cfg)
    model.feat_mean.copy_(mean)
    model.feat_std.copy_(std)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg['lr'], weight_decay=1e-4)
    bs = cfg['batch_size']
    steps_per_epoch = math.ceil(len(waves) / bs)
    total = steps_per_epoch * cfg['epochs']
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg['lr'], total_steps=total, pct_start=0.1)
    step = 0
    t0 = time.time()
    # Length-sorted buckets keep padding low; bucket order is shuffled every epoch.
    order = np.argsort([len(w) for w in waves])
    for epoch in range(cfg['epochs']):
        buckets = [order[i:i + bs] for i in range(0, len(order), bs)]
        rng.shuffle(buckets)
        model.train()
        tot = 0.0
        for b in buckets:
            feats, tb, mask, lengths = make_batch(b, waves, tgts, rng, frontend, True, cfg)
            loss = kd_loss(model(feats, lengths), tb, mask)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            tot += float(loss)
        log(f'epoch {epoch + 1}/{cfg["epochs"]} kd-loss {tot / len(buckets):.3f} ({time.time() - t0:.0f}s)')
    model.eval()
    return model
