"""Signal measurements shared by the host tests: RMS, onset detection, fundamental
frequency (FFT with zero padding and parabolic peak interpolation, seeded by an
autocorrelation estimate) and the delay between two signals.

Arrays may be mono (samples,) or multichannel in either (channels, samples) or
(samples, channels) layout; multichannel input is summed to mono where a single
signal is needed.
"""

from __future__ import annotations

import numpy as np


def to_mono(x: np.ndarray) -> np.ndarray:
    """Averages channels. Accepts (samples,), (channels, samples) or (samples, channels);
    the shorter axis is taken to be the channel axis."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        return x
    if x.ndim != 2:
        raise ValueError(f"expected a 1-D or 2-D array, got shape {x.shape}")
    channel_axis = 0 if x.shape[0] <= x.shape[1] else 1
    return x.mean(axis=channel_axis)


def channels_first(x: np.ndarray) -> np.ndarray:
    """Returns a (channels, samples) view of a 1-D or 2-D array."""
    x = np.asarray(x)
    if x.ndim == 1:
        return x[np.newaxis, :]
    return x if x.shape[0] <= x.shape[1] else x.T


def rms(x: np.ndarray) -> float:
    """Root mean square over all samples of all channels (0.0 for an empty array)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(x * x)))


def peak(x: np.ndarray) -> float:
    """Largest absolute sample value (0.0 for an empty array)."""
    x = np.asarray(x, dtype=np.float64)
    return float(np.max(np.abs(x))) if x.size else 0.0


def first_onset(x: np.ndarray, threshold: float, start: int = 0) -> int | None:
    """Index of the first sample at or after `start` whose absolute value exceeds
    `threshold` in any channel, or None if there is none."""
    data = np.abs(channels_first(x)[:, start:]).max(axis=0)
    hits = np.flatnonzero(data > threshold)
    return int(hits[0]) + start if hits.size else None


def _parabolic_peak(values: np.ndarray, i: int) -> float:
    """Sub-bin position of the peak at index i, by fitting a parabola through
    values[i-1], values[i], values[i+1]."""
    if i <= 0 or i >= len(values) - 1:
        return float(i)
    a, b, c = values[i - 1], values[i], values[i + 1]
    denom = a - 2.0 * b + c
    if denom == 0.0:
        return float(i)
    return i + 0.5 * (a - c) / denom


def _autocorrelation_f0(x: np.ndarray, sample_rate: float, fmin: float, fmax: float) -> float:
    """Coarse fundamental from the normalised autocorrelation: the shortest lag whose
    peak reaches 85 % of the best peak in [1/fmax, 1/fmin] (avoids octave-down errors)."""
    n = len(x)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(x, size)
    ac = np.fft.irfft(spectrum * np.conj(spectrum), size)[:n]
    if ac[0] <= 0.0:
        raise ValueError("cannot estimate the pitch of a silent signal")
    ac = ac / ac[0]
    min_lag = max(1, int(np.floor(sample_rate / fmax)))
    max_lag = min(n - 2, int(np.ceil(sample_rate / fmin)))
    if max_lag <= min_lag + 1:
        raise ValueError("signal too short for the requested frequency range")
    segment = ac[min_lag : max_lag + 1]
    # local maxima inside the lag range
    inner = segment[1:-1]
    is_peak = (inner > segment[:-2]) & (inner >= segment[2:])
    peaks = np.flatnonzero(is_peak) + 1
    if peaks.size == 0:
        raise ValueError("no periodicity found in the requested frequency range")
    best = segment[peaks].max()
    chosen = next(p for p in peaks if segment[p] >= 0.85 * best)
    lag = min_lag + _parabolic_peak(segment, int(chosen))
    return sample_rate / lag


def estimate_f0(
    x: np.ndarray,
    sample_rate: float,
    fmin: float = 30.0,
    fmax: float = 4000.0,
    zero_pad: int = 1 << 20,
) -> float:
    """Fundamental frequency in Hz of a steady (harmonic) tone.

    A coarse estimate from the autocorrelation picks the harmonic series; the
    fundamental's spectral peak is then located in a Hann-windowed FFT zero-padded to
    `zero_pad` points and refined by parabolic interpolation of the log magnitude.
    On 0.5 s of a steady tone this is accurate to a few hundredths of a hertz.
    """
    x = to_mono(x)
    x = x - x.mean()
    coarse = _autocorrelation_f0(x, sample_rate, fmin, fmax)
    n = len(x)
    size = max(zero_pad, 1 << int(np.ceil(np.log2(n))))
    window = np.hanning(n)
    magnitude = np.abs(np.fft.rfft(x * window, size))
    bin_hz = sample_rate / size
    lo = int(np.floor(coarse * 0.94 / bin_hz))
    hi = int(np.ceil(coarse * 1.06 / bin_hz))
    lo, hi = max(lo, 1), min(hi, len(magnitude) - 2)
    i = lo + int(np.argmax(magnitude[lo : hi + 1]))
    log_mag = np.log(np.maximum(magnitude[i - 1 : i + 2], 1e-300))
    return (i - 1 + _parabolic_peak(log_mag, 1)) * bin_hz


def find_delay(reference: np.ndarray, signal: np.ndarray, max_lag: int) -> int:
    """The lag in samples (0..max_lag) at which `signal` best matches `reference`
    (largest cross-correlation), i.e. signal[n] ~ reference[n - lag]."""
    ref = to_mono(reference)
    sig = to_mono(signal)
    n = max(len(ref), len(sig)) + max_lag
    size = 1 << int(np.ceil(np.log2(2 * n)))
    corr = np.fft.irfft(np.fft.rfft(sig, size) * np.conj(np.fft.rfft(ref, size)), size)
    return int(np.argmax(corr[: max_lag + 1]))


def midi_to_hz(key: float) -> float:
    """Equal-tempered frequency of MIDI key `key`, A4 = key 69 = 440 Hz."""
    return 440.0 * 2.0 ** ((key - 69.0) / 12.0)


def read_float_wav(path) -> np.ndarray:
    """A 32-bit float WAV (as `csound --format=wav:float` writes) as (channels, frames)."""
    import struct

    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    at, channels, samples = 12, None, None
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        body = data[at + 8 : at + 8 + size]
        if kind == b"fmt ":
            channels = struct.unpack("<H", body[2:4])[0]
        elif kind == b"data":
            samples = np.frombuffer(body, dtype="<f4")
        at += 8 + size + (size & 1)
    assert channels and samples is not None, f"{path}: no fmt or data chunk"
    return samples.reshape(-1, channels).T.copy()
