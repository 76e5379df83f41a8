"""Augmentation for teacher-student training on parallel data (the student hears the noisy copy).

All functions take float32 waveforms in [-1, 1] at 16 kHz and a numpy Generator, so runs are reproducible.
"""
from __future__ import annotations

import numpy as np

SR = 16000


def _colored(rng: np.random.Generator, n: int, slope_db_per_oct: float) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0)
    spec *= (f / 1000.0) ** (slope_db_per_oct / 6.02)
    x = np.fft.irfft(spec, n)
    return x / (np.std(x) + 1e-9)


def road_noise(rng, n):
    """Tyre/road rumble: strongly low-pass (brown-ish) noise with slow amplitude modulation."""
    x = _colored(rng, n, rng.uniform(-9, -5))
    t = np.arange(n) / SR
    return x * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.2, 2) * t + rng.uniform(0, 6.3)))


def engine_noise(rng, n):
    """Engine: harmonics of the firing frequency (wandering rpm) over low-passed noise."""
    t = np.arange(n) / SR
    f0 = rng.uniform(25, 90) * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.05, 0.5) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(rng.uniform(0.2, 1) / k * np.sin(k * phase + rng.uniform(0, 6.3)) for k in range(1, 12))
    x = x / (np.std(x) + 1e-9) + 0.5 * _colored(rng, n, -6)
    return x / (np.std(x) + 1e-9)


def fan_noise(rng, n):
    """HVAC fan: broadband noise with a blade-pass tone."""
    t = np.arange(n) / SR
    x = _colored(rng, n, rng.uniform(-4, -1)) + 0.3 * np.sin(2 * np.pi * rng.uniform(80, 300) * t)
    return x / (np.std(x) + 1e-9)


def babble(rng, n, pool: list[np.ndarray], k: int | None = None):
    """Sum of 2-5 other utterances (other TTS voices), looped to length n."""
    k = k or int(rng.integers(2, 6))
    x = np.zeros(n)
    for _ in range(k):
        s = pool[int(rng.integers(len(pool)))]
        if len(s) == 0:
            continue
        reps = int(np.ceil(n / len(s))) + 1
        s = np.tile(s, reps)
        off = int(rng.integers(len(s) - n))
        x += s[off:off + n] / (np.std(s) + 1e-9)
    return x / (np.std(x) + 1e-9)


def mix_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Scales noise so that speech power (over frames with speech) / noise power = snr_db."""
    frames = speech[: len(speech) // 400 * 400].reshape(-1, 400)
    e = (frames ** 2).mean(1)
    active = e[e > 0.05 * e.max()] if e.size else np.array([1e-6])
    p_s = active.mean() if active.size else 1e-6
    p_n = (noise ** 2).mean() + 1e-12
    return speech + noise * np.sqrt(p_s / (p_n * 10 ** (snr_db / 10)))


def cabin_rir(rng, rt60: float | None = None) -> np.ndarray:
    """Synthetic small-cabin impulse response: direct path + a few early reflections + exponential tail."""
    rt60 = rt60 or rng.uniform(0.05, 0.25)
    n = int(SR * rt60)
    t = np.arange(n) / SR
    h = rng.standard_normal(n) * np.exp(-6.9 * t / rt60) * 0.3
    h[0] = 1.0
    for _ in range(6):
        d = int(rng.uniform(0.001, 0.008) * SR)
        if d < n:
            h[d] += rng.uniform(-0.6, 0.6)
    return h / np.sqrt((h ** 2).sum())


def reverb(x, h):
    n = len(x) + len(h) - 1
    y = np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(h, n), n)[: len(x)]
    return y * (np.std(x) + 1e-9) / (np.std(y) + 1e-9)


def band_limit(x, lo: float, hi: float):
    """Brick-wall band-pass like a cheap hands-free microphone / phone line."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    spec[(f < lo) | (f > hi)] *= 0.01
    return np.fft.irfft(spec, len(x))


def speed(x, factor: float):
    """Speed perturbation by resampling (tempo and pitch change together, like sox speed)."""
    n = int(round(len(x) / factor))
    return np.interp(np.arange(n) * factor, np.arange(len(x)), x)


def spec_augment(feats, rng, n_freq=2, max_f=6, n_time=2, max_t=10):
    """In-place masking on a (T, F) torch tensor of log-mel features (masked with the utterance mean)."""
    t_len, f_len = feats.shape
    fill = feats.mean()
    for _ in range(n_freq):
        w = int(rng.integers(0, max_f + 1))
        f0 = int(rng.integers(0, max(1, f_len - w)))
        feats[:, f0:f0 + w] = fill
    for _ in range(n_time):
        w = int(rng.integers(0, min(max_t, max(1, t_len // 5)) + 1))
        t0 = int(rng.integers(0, max(1, t_len - w)))
        feats[t0:t0 + w] = fill
    return feats


NOISES = {'road': road_noise, 'engine': engine_noise, 'fan': fan_noise}


def vtlp(feats, rng, mel_centers_hz: np.ndarray, alpha_range=(0.9, 1.1), f_hi=4800.0, f_max=8000.0):
    """Vocal-tract-length perturbation on a (T, F) torch tensor of log-mel features (Jaitly & Hinton's piecewise
    linear warp f -> alpha f up to a boundary, then linear to f_max), done by interpolating along the mel axis so the
    teacher targets keep their timing. Returns a new tensor."""
    import torch
    a = float(rng.uniform(*alpha_range))
    f = mel_centers_hz
    b = f_hi * min(a, 1.0) / a
    src = np.where(f <= b, f * a, f_max - (f_max - f_hi * min(a, 1.0)) / (f_max - b) * (f_max - f))
    # Fractional bin index of each source frequency, on the mel scale where the bins are evenly spaced.
    mel = lambda hz: 2595.0 * np.log10(1.0 + hz / 700.0)
    m = mel(mel_centers_hz)
    pos = np.interp(mel(src), m, np.arange(len(m)))
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(m) - 1)
    w = torch.from_numpy((pos - lo).astype(np.float32))
    return feats[:, lo] * (1 - w) + feats[:, hi] * w


def augment(x: np.ndarray, rng: np.random.Generator, pool: list[np.ndarray], p_clean: float = 0.15,
            snr_range=(0.0, 30.0), p_reverb: float = 0.4, rt60_range=(0.05, 0.25)) -> tuple[np.ndarray, float]:
    """Random chain: speed -> cabin reverb -> noise at 0-30 dB SNR -> band-limit -> gain. Returns (y, speed)."""
    f = 1.0
    if rng.random() < 0.5:
        f = float(rng.choice([0.9, 0.95, 1.05, 1.1]))
        x = speed(x, f)
    if rng.random() < p_reverb:
        x = reverb(x, cabin_rir(rng, float(rng.uniform(*rt60_range))))
    if rng.random() > p_clean:
        kind = rng.choice(['road', 'engine', 'fan', 'babble', 'mix'])
        n = len(x)
        if kind == 'babble':
            noise = babble(rng, n, pool)
        elif kind == 'mix':
            noise = road_noise(rng, n) + 0.5 * engine_noise(rng, n) + 0.3 * babble(rng, n, pool)
        else:
            noise = NOISES[kind](rng, n)
        x = mix_snr(x, noise, float(rng.uniform(*snr_range)))
    if rng.random() < 0.3:
        x = band_limit(x, float(rng.uniform(80, 300)), float(rng.uniform(3400, 7500)))
    x = x * 10 ** (rng.uniform(-25, 0) / 20) / (np.abs(x).max() + 1e-9)
    return x.astype(np.float32), f
