//! Sound analysis for tests: levels over a range, onsets, a precise fundamental-frequency
//! estimate, and simple test signals.

use std::f64::consts::PI;
use std::ops::Range;

/// Lowest fundamental [`fundamental`] looks for, in Hz.
pub const MIN_F0: f64 = 40.0;
/// Highest fundamental [`fundamental`] looks for, in Hz.
pub const MAX_F0: f64 = 4000.0;

/// Clamps `range` to a signal of `len` samples.
fn clamp(range: Range<usize>, len: usize) -> Range<usize> {
    let end = range.end.min(len);
    range.start.min(end)..end
}

/// RMS of `x` over `range` (clamped to the signal); 0 for an empty range.
pub fn rms(x: &[f32], range: Range<usize>) -> f64 {
    let x = &x[clamp(range, x.len())];
    if x.is_empty() {
        return 0.0;
    }
    let sum: f64 = x.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / x.len() as f64).sqrt()
}

/// Largest absolute sample of `x` over `range` (clamped to the signal); 0 for an empty range.
pub fn peak(x: &[f32], range: Range<usize>) -> f32 {
    x[clamp(range, x.len())]
        .iter()
        .fold(0.0f32, |m, &s| m.max(s.abs()))
}

/// Index of the first sample whose absolute value exceeds `threshold`.
pub fn first_above(x: &[f32], threshold: f32) -> Option<usize> {
    x.iter().position(|s| s.abs() > threshold)
}

/// Average of the channels, sample by sample (the shortest channel sets the length).
pub fn mono(channels: &[Vec<f32>]) -> Vec<f32> {
    let len = channels.iter().map(Vec::len).min().unwrap_or(0);
    let scale = 1.0 / channels.len().max(1) as f32;
    (0..len)
        .map(|i| channels.iter().map(|c| c[i]).sum::<f32>() * scale)
        .collect()
}

/// Sample index of `t` seconds at `sample_rate`.
pub fn seconds(t: f64, sample_rate: f64) -> usize {
    (t * sample_rate).round() as usize
}

/// Equal-tempered frequency of a MIDI key (A4 = key 69 = 440 Hz).
pub fn midi_key_hz(key: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(key) - 69.0) / 12.0)
}

/// A sine of `frames` samples.
pub fn sine(freq: f64, sample_rate: f64, frames: usize, amplitude: f64) -> Vec<f32> {
    (0..frames)
        .map(|i| (amplitude * (2.0 * PI * freq * i as f64 / sample_rate).sin()) as f32)
        .collect()
}

/// A sine burst of `burst` samples at the start of `frames` samples of silence, with raised-cosine
/// fades of `fade` samples at both ends of the burst.
pub fn tone_burst(
    freq: f64,
    sample_rate: f64,
    burst: usize,
    fade: usize,
    frames: usize,
    amplitude: f64,
) -> Vec<f32> {
    let mut out = sine(freq, sample_rate, burst.min(frames), amplitude);
    let len = out.len();
    for i in 0..fade.min(len / 2) {
        let gain = (0.5 - 0.5 * (PI * i as f64 / fade as f64).cos()) as f32;
        out[i] *= gain;
        out[len - 1 - i] *= gain;
    }
    out.resize(frames, 0.0);
    out
}

/// Vertex offset (-0.5..=0.5) of the parabola through three equally spaced points.
fn parabolic_offset(before: f64, at: f64, after: f64) -> f64 {
    let denominator = before - 2.0 * at + after;
    if denominator.abs() < f64::EPSILON {
        return 0.0;
    }
    (0.5 * (before - after) / denominator).clamp(-0.5, 0.5)
}

/// Fundamental frequency in Hz of a steady periodic signal, or `None` for silence or a signal
/// too short to hold a few periods of [`MIN_F0`].
///
/// Two steps: YIN (cumulative-mean-normalised difference function with parabolic interpolation)
/// finds the period without octave errors; then the autocorrelation peak is followed out to the
/// largest multiple of that period that fits in half the signal, each time re-centred and
/// interpolated, and divided by the multiple. For 0.5 s of a steady tone the result is within
/// a few hundredths of a hertz.
pub fn fundamental(x: &[f32], sample_rate: f64) -> Option<f64> {
    let n = x.len();
    if n < 16 {
        return None;
    }
    let mean = x.iter().map(|&s| f64::from(s)).sum::<f64>() / n as f64;
    let x: Vec<f64> = x.iter().map(|&s| f64::from(s) - mean).collect();
    let energy = x.iter().map(|v| v * v).sum::<f64>() / n as f64;
    if energy < 1e-12 {
        return None;
    }

    // Step 1: YIN over a window of at most 4096 samples.
    let min_lag = ((sample_rate / MAX_F0).floor() as usize).max(2);
    let max_lag = ((sample_rate / MIN_F0).ceil() as usize).min(n / 3);
    if max_lag < min_lag + 2 {
        return None;
    }
    let window = (n - max_lag - 1).min(4096);
    let difference: Vec<f64> = (0..=max_lag + 1)
        .map(|tau| {
            x[..window]
                .iter()
                .zip(&x[tau..tau + window])
                .map(|(a, b)| (a - b) * (a - b))
                .sum()
        })
        .collect();
    let mut normalised = vec![1.0; max_lag + 2];
    let mut running = 0.0;
    for tau in 1..=max_lag + 1 {
        running += difference[tau];
        normalised[tau] = if running > 0.0 {
            difference[tau] * tau as f64 / running
        } else {
            1.0
        };
    }
    let mut tau = match (min_lag..=max_lag).find(|&t| normalised[t] < 0.15) {
        Some(t) => t,
        None => (min_lag..=max_lag).min_by(|&a, &b| normalised[a].total_cmp(&normalised[b]))?,
    };
    while tau < max_lag && normalised[tau + 1] < normalised[tau] {
        tau += 1;
    }
    let mut period =
        tau as f64 + parabolic_offset(normalised[tau - 1], normalised[tau], normalised[tau + 1]);

    // Step 2: refine on autocorrelation peaks at growing multiples of the period. Every lag is
    // summed over the same `half` samples, so the peaks carry no length bias.
    let half = n / 2;
    let correlation = |lag: usize| -> f64 {
        x[..half]
            .iter()
            .zip(&x[lag..lag + half])
            .map(|(a, b)| a * b)
            .sum()
    };
    let limit = n - half - 1; // largest usable lag
    let mut multiple = 1usize;
    loop {
        let fits = ((limit as f64 - 5.0) / period).floor();
        if fits < 1.0 || fits as usize <= multiple {
            break;
        }
        multiple = (multiple * 2).min(fits as usize);
        let centre = (multiple as f64 * period).round() as usize;
        let first = centre.saturating_sub(4).max(1);
        let values: Vec<f64> = (first..=centre + 4).map(correlation).collect();
        // The peak among the inner lags, so both neighbours are in `values`.
        let best = (1..values.len() - 1).max_by(|&a, &b| values[a].total_cmp(&values[b]))?;
        let offset = parabolic_offset(values[best - 1], values[best], values[best + 1]);
        let best = first + best;
        period = (best as f64 + offset) / multiple as f64;
    }
    Some(sample_rate / period)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f64 = 48_000.0;

    /// A naive (aliasing) sawtooth, as a cheap worst case for the estimator.
    fn naive_saw(freq: f64, frames: usize, amplitude: f64) -> Vec<f32> {
        (0..frames)
            .map(|i| {
                let phase = (freq * i as f64 / SR).fract();
                (amplitude * (2.0 * phase - 1.0)) as f32
            })
            .collect()
    }

    /// A band-limited sawtooth (additive, harmonics below Nyquist) plus a little noise.
    fn noisy_saw(freq: f64, frames: usize) -> Vec<f32> {
        let harmonics = (SR / 2.0 / freq) as usize;
        let mut seed = 0x1234_5678u32;
        (0..frames)
            .map(|i| {
                let t = i as f64 / SR;
                let saw: f64 = (1..=harmonics)
                    .map(|k| (2.0 * PI * freq * k as f64 * t).sin() / k as f64)
                    .sum();
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5) * 0.01;
                (0.2 * saw + noise) as f32
            })
            .collect()
    }

    /// A one-pole low-pass, enough to make a saw "filtered".
    fn low_pass(x: &[f32], cutoff: f64) -> Vec<f32> {
        let a = (-2.0 * PI * cutoff / SR).exp();
        let mut y = 0.0f64;
        x.iter()
            .map(|&s| {
                y = (1.0 - a) * f64::from(s) + a * y;
                y as f32
            })
            .collect()
    }

    #[test]
    fn fundamental_of_sine() {
        for freq in [110.0, 261.6256, 440.0, 997.3] {
            let f = fundamental(&sine(freq, SR, 28_800, 0.5), SR).unwrap();
            assert!((f - freq).abs() < 0.01, "sine {freq} Hz measured {f}");
        }
    }

    #[test]
    fn fundamental_of_saws() {
        let f = fundamental(&naive_saw(261.6256, 28_800, 0.3), SR).unwrap();
        assert!((f - 261.6256).abs() < 0.02, "naive saw measured {f}");
        let f = fundamental(&naive_saw(440.0, 24_000, 0.3), SR).unwrap();
        assert!((f - 440.0).abs() < 0.02, "naive saw measured {f}");
        let f = fundamental(&noisy_saw(110.0, 28_800), SR).unwrap();
        assert!((f - 110.0).abs() < 0.02, "noisy saw measured {f}");
        let f = fundamental(&low_pass(&naive_saw(1046.502, 28_800, 0.5), 1500.0), SR).unwrap();
        assert!((f - 1046.502).abs() < 0.05, "filtered saw measured {f}");
    }

    #[test]
    fn fundamental_of_silence_is_none() {
        assert_eq!(fundamental(&[0.0; 24_000], SR), None);
        assert_eq!(fundamental(&[0.0; 4], SR), None);
    }

    #[test]
    fn levels_and_onsets() {
        let burst = tone_burst(200.0, SR, 2400, 240, 4800, 0.5);
        assert_eq!(burst.len(), 4800);
        assert!((rms(&burst, 480..1920) - 0.5 / 2f64.sqrt()).abs() < 1e-3);
        assert_eq!(peak(&burst, 2400..9999), 0.0);
        assert!(peak(&burst, 0..2400) <= 0.5);
        assert_eq!(rms(&burst, 5000..6000), 0.0);
        assert_eq!(first_above(&[0.0, 0.1, -0.5, 0.2], 0.3), Some(2));
        assert_eq!(mono(&[vec![1.0, 0.0], vec![0.0, 1.0, 5.0]]), vec![0.5, 0.5]);
        assert!((midi_key_hz(60) - 261.6256).abs() < 1e-3);
    }
}
