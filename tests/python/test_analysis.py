"""Checks of the measurement helpers in analysis.py and plugin_state.py on synthetic
signals and states (no plugin needed), so a failing host test can be trusted to be
about the plugin."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from analysis import estimate_f0, find_delay, first_onset, midi_to_hz, rms
from plugin_state import decode_raw_state, juce_base64_decode, juce_base64_encode

SR = 48000


@pytest.mark.parametrize("freq", [32.7, 110.3, 261.63, 440.0, 523.25, 1760.1, 3000.0])
def test_f0_of_saw_within_hundredth_of_hz(freq):
    t = np.arange(SR // 2) / SR
    saw = 2.0 * ((freq * t + 0.37) % 1.0) - 1.0
    noisy = saw + 0.01 * np.random.default_rng(1).standard_normal(len(t))
    assert abs(estimate_f0(np.stack([noisy, noisy]), SR) - freq) < 0.01


def test_f0_of_lowpassed_saw_is_not_an_octave_off():
    freq = 130.81
    t = np.arange(SR // 2) / SR
    saw = 2.0 * ((freq * t) % 1.0) - 1.0
    y = np.zeros_like(saw)
    for i in range(1, len(saw)):  # one-pole low-pass
        y[i] = y[i - 1] + 0.05 * (saw[i] - y[i - 1])
    assert abs(estimate_f0(y, SR) - freq) < 0.01


def test_onset_rms_delay_and_midi_pitch():
    x = np.zeros((2, 1000))
    x[1, 321:] = 0.5
    assert first_onset(x, 1e-5) == 321
    assert first_onset(np.zeros(100), 1e-5) is None
    assert rms(np.full(10, 0.5)) == pytest.approx(0.5)
    ref = np.random.default_rng(2).standard_normal(5000)
    sig = np.concatenate([np.zeros(123), 0.5 * ref])[:5000]
    assert find_delay(ref, sig, 1000) == 123
    assert midi_to_hz(69) == 440.0
    assert midi_to_hz(81) == 880.0


def test_juce_base64_round_trip():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 3, 4, 100, 4097):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert juce_base64_decode(juce_base64_encode(data)) == data


def test_state_decode_and_rewrite():
    inner = {"version": 1, "code": "<CsoundSynthesizer>\n</CsoundSynthesizer>\n"}
    outer = {"params": {"gain": 0.5}, "fields": {"state": json.dumps(inner)}}
    payload = juce_base64_encode(json.dumps(outer).encode())
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n\n<VST3PluginState>'
        f"<IComponent>{payload}</IComponent></VST3PluginState>"
    )
    body = xml.encode() + b"\x00"
    raw = b"VC2!" + struct.pack("<I", len(body) - 1) + body
    state = decode_raw_state(raw)
    assert state.version == 1 and state.code == inner["code"]
    rewritten = decode_raw_state(state.with_code("new code"))
    assert rewritten.code == "new code"
    assert rewritten.outer["params"] == {"gain": 0.5}
    # plain JSON (no JUCE wrapper) works too
    assert decode_raw_state(json.dumps(outer).encode()).code == inner["code"]
