"""Host-level tests of the "Csound Plug.vst3" bundle in real VST3 hosts: pedalboard
(instrument and effect, plugin state) and dawdreamer (instrument, its side-chain). They assert on the
sound: pitch of rendered notes, onset sample offsets, the effect's echo, and that
state carries the Csound code from one instance to another.

Host behaviour relied on (checked against the hosts' sources and by these tests):
- pedalboard compensates the reported latency when processing audio through an
  effect (output aligned with input), but not when rendering MIDI through an
  instrument: a note at time t sounds from t + latency.
- pedalboard re-instantiates an instrument on every render with reset=True and
  restores its state into the new instance; an effect is only reset.
- dawdreamer never compensates latency; it reports it via get_latency_samples().
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis import (
    channels_first,
    estimate_f0,
    find_delay,
    first_onset,
    midi_to_hz,
    peak,
    read_float_wav,
    rms,
)
from conftest import plugin_log_text
from plugin_state import decode_raw_state

SR = 48000
# Latency of both default patches: their ksmps.
DEFAULT_LATENCY = 32
# Onsets must land within this many samples of where they are expected.
ONSET_TOLERANCE = 3
# A sample above this counts as sound when looking for an onset. Csound's silence is
# exact digital zero, and the default synth's 4-pole filter starts its notes very
# softly (about 1e-15 on the second sample, 1e-9 only 13 samples in), so any sample
# that is not exactly zero counts.
ONSET_THRESHOLD = 0.0
PITCH_TOLERANCE_HZ = 1.0

# A patch unlike either default: every key plays a sine an octave above its
# equal-tempered pitch, at ksmps 64 (so latency 64).
OCTAVE_SINE_CSD = """<CsoundSynthesizer>
<CsOptions>
</CsOptions>
<CsInstruments>
sr = 48000
ksmps = 64
nchnls = 2
0dbfs = 1

instr 1
  icps = 880 * 2 ^ ((p4 - 69) / 12)
  aenv linsegr 0, 0.002, 1, 0.02, 0
  asig poscil 0.3, icps
  outs asig * aenv, asig * aenv
endin
</CsInstruments>
<CsScore>
f 0 z
</CsScore>
</CsoundSynthesizer>
"""

# Does not compile: unknown opcode and a syntax error.
BROKEN_CSD = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr 1
  asig nosuchopcode 0.3, 440
  outs asig, asig +
endin
</CsInstruments>
<CsScore>
f 0 z
</CsScore>
</CsoundSynthesizer>
"""


def note_on(key: int, velocity: int = 100, channel: int = 0) -> bytes:
    return bytes([0x90 | channel, key, velocity])


def note_off(key: int, channel: int = 0) -> bytes:
    return bytes([0x80 | channel, key, 0])


def render_notes(plugin, notes, duration, buffer_size=8192, reset=True):
    """Renders (key, start_s, end_s) notes; returns a (channels, samples) array."""
    messages = []
    for key, start, end in notes:
        messages.append((note_on(key), start))
        messages.append((note_off(key), end))
    messages.sort(key=lambda m: m[1])
    out = plugin(
        messages,
        duration=duration,
        sample_rate=SR,
        num_channels=2,
        buffer_size=buffer_size,
        reset=reset,
    )
    return channels_first(np.asarray(out))


def window(audio, start_s, length_s):
    a = int(round(start_s * SR))
    return audio[:, a : a + int(round(length_s * SR))]


def tone_burst(freq=440.0, start_s=0.2, length_s=0.1, total_s=1.2, amp=0.5):
    """Stereo sine burst with 5 ms raised-cosine fades, (2, samples) float32."""
    n = int(round(total_s * SR))
    x = np.zeros(n)
    a = int(round(start_s * SR))
    m = int(round(length_s * SR))
    t = np.arange(m) / SR
    burst = amp * np.sin(2 * np.pi * freq * t)
    fade = int(0.005 * SR)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
    burst[:fade] *= ramp
    burst[-fade:] *= ramp[::-1]
    x[a : a + m] = burst
    return np.stack([x, x]).astype(np.float32)


def process_audio(plugin, audio, buffer_size=512):
    out = plugin(audio, SR, buffer_size=buffer_size)
    return channels_first(np.asarray(out))


# --------------------------------------------------------------------------- bundle


def test_bundle_holds_instrument_and_effect(vst3_path, load_instrument, load_fx):
    import pedalboard

    names = pedalboard.VST3Plugin.get_plugin_names_for_file(vst3_path)
    assert "Csound Plug" in names and "Csound Plug FX" in names, names
    inst = load_instrument()
    fx = load_fx()
    # (the instrument also takes an optional side-chain input, so pedalboard may call
    # it an effect as well)
    assert inst.is_instrument, (inst.is_instrument, inst.is_effect)
    assert fx.is_effect, (fx.is_instrument, fx.is_effect)


# ----------------------------------------------------------------------- instrument


def test_instrument_note_pitch_onset_and_release(load_instrument):
    inst = load_instrument()
    start, end = 0.25, 1.25
    audio = render_notes(inst, [(69, start, end)], duration=2.0)
    assert audio.shape == (2, 2 * SR), audio.shape

    latency = inst.reported_latency_samples
    assert latency == DEFAULT_LATENCY, f"reported latency {latency}, expected ksmps = 32"

    # pedalboard does not compensate latency for MIDI rendering: sound starts at
    # note time + latency, and not one sample of sound comes before it.
    expected_onset = int(round(start * SR)) + latency
    onset = first_onset(audio, ONSET_THRESHOLD)
    assert onset is not None, "the note produced no sound"
    print(f"onset at sample {onset}, expected {expected_onset}")
    assert abs(onset - expected_onset) <= ONSET_TOLERANCE, (onset, expected_onset)

    steady = window(audio, 0.5, 0.5)
    assert rms(steady) > 0.01, f"note too quiet: rms {rms(steady)}"
    f0 = estimate_f0(steady, SR)
    print(f"A4 measured at {f0:.3f} Hz")
    assert abs(f0 - 440.0) < PITCH_TOLERANCE_HZ, f0

    # released within 0.5 s of the note-off
    tail = window(audio, end + 0.5 + latency / SR + 0.01, 0.2)
    assert rms(tail) < 0.01 * rms(steady), (rms(tail), rms(steady))


def test_instrument_phrase_pitches_in_order(load_instrument):
    inst = load_instrument()
    keys = [60, 64, 67]
    starts = [0.1, 1.5, 2.9]
    notes = [(k, s, s + 0.7) for k, s in zip(keys, starts)]
    audio = render_notes(inst, notes, duration=4.2)
    measured = []
    for key, s in zip(keys, starts):
        seg = window(audio, s + 0.15, 0.5)
        assert rms(seg) > 0.01, f"key {key} at {s} s is silent"
        measured.append(estimate_f0(seg, SR))
    print("phrase:", [f"{f:.3f}" for f in measured])
    for key, f in zip(keys, measured):
        assert abs(f - midi_to_hz(key)) < PITCH_TOLERANCE_HZ, (key, f, midi_to_hz(key))
    # and silence between notes (each released before the next starts)
    for s in starts[1:]:
        gap = window(audio, s - 0.1, 0.09)
        assert peak(gap) < 0.01 * peak(audio), f"no silence before the note at {s} s"


def test_instrument_output_independent_of_host_block_size(load_instrument):
    inst = load_instrument()
    notes = [(69, 0.1, 0.6), (76, 0.3, 0.9)]
    ref = render_notes(inst, notes, duration=1.5, buffer_size=8192)
    assert peak(ref) > 0.01
    for block in (37, 512):
        other = render_notes(inst, notes, duration=1.5, buffer_size=block)
        diff = float(np.max(np.abs(other.astype(np.float64) - ref)))
        print(f"buffer_size {block}: max abs diff vs 8192 = {diff:g}")
        assert diff == 0.0, f"buffer_size {block} changes the output (max abs diff {diff:g})"


# --------------------------------------------------------------------------- effect


def test_fx_dry_plus_echo(load_fx):
    fx = load_fx()
    burst_start, burst_len = 0.2, 0.1
    audio_in = tone_burst(start_s=burst_start, length_s=burst_len, total_s=1.2)
    out = process_audio(fx, audio_in)
    assert out.shape == audio_in.shape, (out.shape, audio_in.shape)
    assert fx.reported_latency_samples == DEFAULT_LATENCY, fx.reported_latency_samples

    # pedalboard compensates an effect's reported latency, so the dry signal is
    # aligned with the input, at unity gain, until the echo arrives.
    echo_delay = int(round(0.3 * SR))
    dry_end = int(round(burst_start * SR)) + echo_delay - int(0.01 * SR)
    dry_err = float(np.max(np.abs(out[:, :dry_end] - audio_in[:, :dry_end])))
    print(f"dry part: max |out - in| = {dry_err:g}")
    assert dry_err < 1e-4, f"dry signal is not the input at unity gain, aligned ({dry_err:g})"

    residual = out.astype(np.float64) - audio_in
    lag = find_delay(audio_in, residual, max_lag=int(0.6 * SR))
    print(f"echo lag {lag} samples ({lag / SR * 1000:.2f} ms)")
    assert abs(lag - echo_delay) <= int(0.001 * SR), lag

    burst = window(audio_in, burst_start + 0.01, burst_len - 0.02)
    echo = window(residual, burst_start + 0.3 + 0.01, burst_len - 0.02)
    ratio = rms(echo) / rms(burst)
    print(f"echo / dry rms ratio {ratio:.3f}")
    # The first echo is the burst (the same on both sides) on the left only, slightly
    # low-passed: 1/sqrt(2) of the stereo burst's RMS at most.
    assert 0.5 < ratio < 0.71, ratio
    # the echo is a low-passed copy: same pitch
    assert abs(estimate_f0(echo, SR) - 440.0) < PITCH_TOLERANCE_HZ


# ---------------------------------------------------------------------------- state


@pytest.mark.parametrize("which", ["instrument", "fx"])
def test_state_contains_versioned_code(which, load_instrument, load_fx):
    plugin = load_instrument() if which == "instrument" else load_fx()
    state = decode_raw_state(plugin.raw_state)
    assert state.version == 3, state.inner
    code = state.code
    for tag in ("<CsoundSynthesizer>", "<CsInstruments>", "</CsInstruments>", "</CsoundSynthesizer>"):
        assert tag in code, f"{tag} missing from the state's code:\n{code}"
    assert "instr" in code and "endin" in code


def test_state_moves_code_and_sound_between_instances(load_instrument):
    a = load_instrument()
    a.raw_state = decode_raw_state(a.raw_state).with_code(OCTAVE_SINE_CSD)
    assert decode_raw_state(a.raw_state).code == OCTAVE_SINE_CSD
    notes = [(69, 0.2, 0.8)]
    sound_a = render_notes(a, notes, duration=1.2)
    f0 = estimate_f0(window(sound_a, 0.3, 0.45), SR)
    print(f"state-loaded patch plays {f0:.3f} Hz")
    assert abs(f0 - 880.0) < PITCH_TOLERANCE_HZ, "the code set through the state is not playing"

    b = load_instrument()
    b.raw_state = a.raw_state
    assert decode_raw_state(b.raw_state).code == OCTAVE_SINE_CSD
    sound_b = render_notes(b, notes, duration=1.2)
    diff = float(np.max(np.abs(sound_a.astype(np.float64) - sound_b)))
    print(f"second instance: max abs diff {diff:g}")
    assert diff == 0.0, f"same state, different sound (max abs diff {diff:g})"


def test_unusable_state_loads_the_default_patch_and_says_why(load_instrument):
    fresh = load_instrument()
    default_code = decode_raw_state(fresh.raw_state).code
    inst = load_instrument()
    inst.raw_state = decode_raw_state(inst.raw_state).with_code(OCTAVE_SINE_CSD)
    newer = {"version": 9, "code": OCTAVE_SINE_CSD, "future": True}
    inst.raw_state = decode_raw_state(inst.raw_state).with_inner(newer)
    assert decode_raw_state(inst.raw_state).code == default_code
    f0 = estimate_f0(window(render_notes(inst, [(69, 0.2, 0.8)], duration=1.2), 0.3, 0.45), SR)
    print(f"after a state from a newer version: {f0:.3f} Hz")
    assert abs(f0 - 440.0) < PITCH_TOLERANCE_HZ, "the default patch is not playing"
    log = plugin_log_text()
    assert "newer Csound Plug (state version 9" in log and "loading the default patch" in log, log


def test_latency_follows_patch_ksmps(load_instrument):
    inst = load_instrument()
    inst.raw_state = decode_raw_state(inst.raw_state).with_code(OCTAVE_SINE_CSD)
    audio = render_notes(inst, [(69, 0.25, 0.5)], duration=0.8)
    assert inst.reported_latency_samples == 64, inst.reported_latency_samples
    onset = first_onset(audio, ONSET_THRESHOLD)
    expected = int(round(0.25 * SR)) + 64
    print(f"ksmps 64: onset {onset}, expected {expected}")
    assert onset is not None and abs(onset - expected) <= ONSET_TOLERANCE, (onset, expected)


def test_note_onsets_are_sample_accurate(load_instrument):
    """Notes that fall inside a k-cycle start on their own sample, not on the k-cycle
    boundary: onset = note sample + latency for any offset."""
    inst = load_instrument()
    code = OCTAVE_SINE_CSD.replace("ksmps = 64", "ksmps = 32")
    inst.raw_state = decode_raw_state(inst.raw_state).with_code(code)
    # a quarter sample past each target, so any rounding of seconds lands on it
    targets = [12345, 24001, 36031]
    notes = [(69, (n + 0.25) / SR, (n + 0.25) / SR + 0.1) for n in targets]
    audio = render_notes(inst, notes, duration=1.0)
    latency = inst.reported_latency_samples
    assert latency == 32, latency
    for n in targets:
        onset = first_onset(audio, ONSET_THRESHOLD, start=n - 200)
        print(f"note at sample {n} (k-cycle phase {n % 32}): onset {onset}, expected {n + latency}")
        assert onset is not None and abs(onset - (n + latency)) <= ONSET_TOLERANCE, (
            f"note at sample {n} starts at {onset}, expected {n + latency}: "
            "note-ons are not sample-accurate"
        )


def test_broken_code_instrument_plays_the_last_code_that_ran_and_recovers(load_instrument):
    inst = load_instrument()
    good_state = decode_raw_state(inst.raw_state)
    inst.raw_state = good_state.with_code(OCTAVE_SINE_CSD)
    audio = render_notes(inst, [(69, 0.1, 0.6)], duration=1.0)
    assert abs(estimate_f0(window(audio, 0.2, 0.35), SR) - 880.0) < PITCH_TOLERANCE_HZ
    inst.raw_state = good_state.with_code(BROKEN_CSD)
    # pedalboard resets the plugin at each render, as a DAW does on a rate change or an
    # offline render: the octave sine, the last code that ran, plays on.
    audio = render_notes(inst, [(69, 0.1, 0.6)], duration=1.0)
    assert np.all(np.isfinite(audio))
    f0 = estimate_f0(window(audio, 0.2, 0.35), SR)
    print(f"broken code after the octave sine: {f0:.2f} Hz")
    assert abs(f0 - 880.0) < PITCH_TOLERANCE_HZ, f"the last code that ran did not play ({f0} Hz)"
    # the user's code is kept, not replaced, and the code that ran beside it
    state = decode_raw_state(inst.raw_state)
    assert state.code == BROKEN_CSD
    assert state.inner.get("last_good") == OCTAVE_SINE_CSD

    inst.raw_state = good_state.with_code(OCTAVE_SINE_CSD.replace("0.3", "0.25"))
    audio = render_notes(inst, [(69, 0.1, 0.6)], duration=1.0)
    f0 = estimate_f0(window(audio, 0.2, 0.35), SR)
    assert abs(f0 - 880.0) < PITCH_TOLERANCE_HZ, f"no recovery after fixing the code ({f0} Hz)"
    assert "last_good" not in decode_raw_state(inst.raw_state).inner


def test_broken_code_fx_keeps_the_echo_that_ran(load_fx):
    fx = load_fx()
    good_state = decode_raw_state(fx.raw_state)
    audio_in = tone_burst(start_s=0.2, length_s=0.3, total_s=1.0)
    echoed = process_audio(fx, audio_in)
    fx.raw_state = good_state.with_code(BROKEN_CSD)
    out = process_audio(fx, audio_in)
    assert out.shape == audio_in.shape
    # Not the input passed through: the echo that ran before, processed again after
    # pedalboard's reset.
    err = float(np.max(np.abs(out - audio_in)))
    same = float(np.max(np.abs(out - echoed)))
    print(f"broken code FX: max |out - in| = {err:g}, max |out - echo| = {same:g}")
    assert err > 0.05, f"the effect passed its input through ({err:g})"
    assert same < 1e-4, f"the echo that ran did not play ({same:g})"
    state = decode_raw_state(fx.raw_state)
    assert state.code == BROKEN_CSD
    assert state.inner.get("last_good") == good_state.code


# ------------------------------------------------------------------------ dawdreamer


def test_dawdreamer_instrument_note(vst3_path):
    import dawdreamer as daw

    engine = daw.RenderEngine(SR, 256)
    synth = engine.make_plugin_processor("csound_plug", vst3_path)
    assert synth.get_num_output_channels() == 2, synth.get_num_output_channels()
    start, length = 0.25, 1.0
    synth.add_midi_note(69, 100, start, length)
    engine.load_graph([(synth, [])])
    engine.render(2.0)
    audio = channels_first(np.asarray(synth.get_audio()))
    assert audio.shape[1] == 2 * SR, audio.shape

    latency = synth.get_latency_samples()
    print(f"dawdreamer: plugin {synth.get_name()!r}, latency {latency}")
    assert latency == DEFAULT_LATENCY, latency
    onset = first_onset(audio, ONSET_THRESHOLD)
    assert onset is not None, (
        "dawdreamer rendered silence: it loads the bundle's first plugin, which "
        "should be the instrument"
    )
    # dawdreamer does not compensate latency
    expected = int(round(start * SR)) + latency
    print(f"dawdreamer onset {onset}, expected {expected}")
    assert abs(onset - expected) <= ONSET_TOLERANCE, (onset, expected)
    f0 = estimate_f0(window(audio, 0.5, 0.5), SR)
    print(f"dawdreamer A4 at {f0:.3f} Hz")
    assert abs(f0 - 440.0) < PITCH_TOLERANCE_HZ, f0


# An instrument that ducks its own tone by its side-chain (the instrument's Csound
# inputs 1-2): a 220 Hz tone at -12 dBFS, turned down by 12 dB while the side-chain's
# level is above -30 dBFS.
SIDECHAIN_DUCKED_TONE_CSD = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
nchnls_i = 2
0dbfs = 1
instr Tone
  aKeyL, aKeyR ins
  kenv = downsamp(follow2(abs(aKeyL) + abs(aKeyR), 0.002, 0.1))
  kgain = kenv > ampdb(-30) ? ampdb(-12) : 1
  again interp kgain
  asig poscil ampdb(-12), 220
  outs asig * again, asig * again
endin
</CsInstruments>
<CsScore>
i "Tone" 0 z
</CsScore>
</CsoundSynthesizer>
"""


def test_dawdreamer_feeds_the_instrument_side_chain(vst3_path, tmp_path):
    """DawDreamer (JUCE) routes another node's audio into the instrument's side-chain
    input: the patch hears it on its inputs 1-2 and ducks its tone while it plays."""
    import dawdreamer as daw

    engine = daw.RenderEngine(SR, 256)
    synth = engine.make_plugin_processor("csound_plug", vst3_path)
    # The side-chain starts active, so DawDreamer gives the plugin two inputs.
    assert synth.get_num_input_channels() == 2, synth.get_num_input_channels()
    state_file = tmp_path / "state"
    synth.save_state(str(state_file))
    state = decode_raw_state(state_file.read_bytes())
    state_file.write_bytes(state.with_code(SIDECHAIN_DUCKED_TONE_CSD))
    synth.load_state(str(state_file))

    seconds = 3.0
    t = np.arange(int(seconds * SR)) / SR
    key = np.where((t >= 1.0) & (t < 2.0), 0.5 * np.sin(2 * np.pi * 100 * t), 0.0)
    key = np.stack([key, key]).astype(np.float32)
    playback = engine.make_playback_processor("key", key)
    engine.load_graph([(playback, []), (synth, ["key"])])
    engine.render(seconds)
    audio = channels_first(np.asarray(synth.get_audio()))

    def level(start, end):
        return 20 * np.log10(rms(audio[:, int(start * SR) : int(end * SR)]))

    before, during, after = level(0.5, 0.9), level(1.3, 1.9), level(2.5, 2.9)
    print(f"dawdreamer side-chain: {before:.2f} dB, ducked {during:.2f} dB, after {after:.2f} dB")
    assert abs(before - (-12 - 3.01)) < 0.1, before  # a -12 dBFS sine: rms 3 dB lower
    assert abs(before - during - 12) < 0.2, (before, during)
    assert abs(after - before) < 0.1, (after, before)


# A score plays `tone.wav` from a table on the left and streams it on the right; the
# file travels inside the code as Csound's own <CsFileB> section.
SCORE_SAMPLER_CSD = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
giTone ftgen 0, 0, 0, -1, "tone.wav", 0, 0, 0
instr 1
  aL loscil 1, 1, giTone, 1
  aR diskin2 "tone.wav", 1
  outs aL, aR * 0.5
endin
</CsInstruments>
<CsScore>
i 1 0 1
</CsScore>
</CsoundSynthesizer>
"""


def embedded(code: str, name: str, data: bytes) -> str:
    """`code` carrying `data` as `name` in a <CsFileB> section (base64, 76 per line)."""
    import base64

    text = base64.b64encode(data).decode()
    lines = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    section = f'<CsFileB filename="{name}">\n{lines}\n</CsFileB>\n'
    return code.replace("</CsoundSynthesizer>", section + "</CsoundSynthesizer>")


def mono_wav(samples: np.ndarray) -> bytes:
    """`samples` (16-bit integers) as a mono 48 kHz WAV file's bytes."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SR)
        wav.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def tone_wav(seconds: float = 0.5) -> bytes:
    """A mono 16-bit 48 kHz WAV of a 330 Hz sine at half scale."""
    t = np.arange(int(seconds * SR)) / SR
    return mono_wav(np.sin(2 * np.pi * 330 * t) * 0.5 * 32767)


def test_an_embedded_sample_plays_through_pedalboard_as_csound_plays_it(load_instrument, tmp_path):
    import subprocess

    code = embedded(SCORE_SAMPLER_CSD, "tone.wav", tone_wav())
    # The reference: the csound command line, from an empty folder (no tone.wav there).
    (tmp_path / "packed.csd").write_text(code)
    result = subprocess.run(
        ["csound", "-d", "--format=wav:float", "-o", "ref.wav", "packed.csd"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    reference = read_float_wav(tmp_path / "ref.wav")

    synth = load_instrument()
    synth.raw_state = decode_raw_state(synth.raw_state).with_code(code)
    out = render_notes(synth, [], duration=0.5)
    latency = DEFAULT_LATENCY
    # The plugin performs two k-cycles before the first block and its output is delayed
    # by the latency (pedalboard does not compensate instruments).
    shift = 2 * 32 - latency
    frames = out.shape[1]
    expected = reference[:, shift : shift + frames]
    assert np.array_equal(out, expected), float(np.max(np.abs(out - expected)))
    assert rms(out[0]) > 0.3


def test_a_session_with_a_ten_megabyte_sample_reloads_through_pedalboard(load_instrument):
    # Noise does not compress, as real samples do not.
    rng = np.random.default_rng(7)
    data = mono_wav(rng.integers(-8000, 8000, size=5_300_000))
    assert len(data) > 10 << 20
    code = embedded(SCORE_SAMPLER_CSD, "tone.wav", data)

    first = load_instrument()
    first.raw_state = decode_raw_state(first.raw_state).with_code(code)
    sound = render_notes(first, [], duration=0.5)
    assert rms(sound[0]) > 0.05
    saved = first.raw_state
    print(f"pedalboard: {len(data) / 2**20:.1f} MB sample, state {len(saved) / 2**20:.1f} MB")
    second = load_instrument()
    started = time.monotonic()
    second.raw_state = saved
    again = render_notes(second, [], duration=0.5)
    print(f"pedalboard: session loaded and rendered in {time.monotonic() - started:.2f} s")
    assert decode_raw_state(second.raw_state).code == code
    assert np.array_equal(sound, again)
