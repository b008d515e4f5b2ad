"""Host-level tests of the generic parameters ("Param 1" ... "Param 128") in pedalboard:
a patch's declared `chn_k` channels bound to them, their value text, the level they
set, and their values carried by the plugin state.

pedalboard behaviour relied on (pedalboard 0.9.x, pedalboard/_pedalboard.py):
- Parameters are keyed by their normalised name: "Param 1" becomes `param_1`.
- pedalboard types a parameter by sampling its text at 1001 raw values: texts that are
  numbers (after stripping unit suffixes such as "Hz" or "%") make it float-valued,
  others make it string-valued with the sampled texts as its only valid values. A bound
  slot's text starts with its label ("gain: 0.500"), so it is string-valued: assigning a
  number raises ValueError, assigning one of the sampled texts ("gain: 0.250") or
  setting `raw_value` (the 0..1 position) works.
- That sampling happens once, on the first attribute set on the plugin (setting
  `raw_state` counts) or the first `.parameters`, and is cached. A patch loaded through
  `raw_state` binds its channels only when the plugin is activated (pedalboard's first
  render), so the cache still holds the unbound texts; `fresh_parameters` drops it.
- The plugins' hidden per-channel MIDI controller parameters ("MIDI Ch. 1 CC 7", ...)
  are left out of pedalboard's list by the `pedalboard` fixture (conftest.py), only to
  save the time it takes to sample them; `.parameters` holds the 128 slots and the fixed
  parameters (bypass, dry/wet, output gain).
- The value pedalboard reports (`raw_value`) is JUCE's copy of the host value. When a
  new binding moves a slot inside the plugin with no editor open (nothing can tell the
  host then), JUCE's copy catches up only sometimes, depending on timing; no test relies
  on it either way.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import channels_first, peak
from plugin_state import decode_raw_state

SR = 48000
SLOT_COUNT = 128
# Levels must be within this fraction of what the declaration says.
LEVEL_TOLERANCE = 0.01

# A 440 Hz sine at the level of the declared "gain" channel (linear 0..1, default 0.5),
# playing from the start without notes, so the instrument and the effect sound alike.
GAIN_CSD = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
chn_k "gain", 1, 2, 0.5, 0, 1
instr 1
  kg chnget "gain"
  a1 poscil kg, 440
  outs a1, a1
endin
</CsInstruments>
<CsScore>
i 1 0 z
</CsScore>
</CsoundSynthesizer>
"""


def render(plugin, which, seconds=0.5):
    """Renders `seconds` (silence in, no notes); returns a (channels, samples) array."""
    n = int(seconds * SR)
    if which == "fx":
        out = plugin(np.zeros((2, n), np.float32), SR, buffer_size=512)
    else:
        out = plugin([], duration=seconds, sample_rate=SR, num_channels=2, buffer_size=512)
    return channels_first(np.asarray(out))


def level(plugin, which):
    """Peak level from 0.1 s on (past the latency and any crossfade)."""
    return peak(render(plugin, which)[:, int(0.1 * SR) :])


def with_gain_patch(loader, which):
    """A fresh instance running GAIN_CSD, rendered once so the patch is compiled and its
    channel bound (pedalboard activates the plugin on its first render)."""
    plugin = loader()
    plugin.raw_state = decode_raw_state(plugin.raw_state).with_code(GAIN_CSD)
    render(plugin, which, seconds=0.1)
    return plugin


def fresh_parameters(plugin):
    """`plugin.parameters`, analysed from the texts the plugin gives now (pedalboard
    caches its analysis from the first attribute access, before the patch was bound)."""
    if hasattr(plugin, "__python_parameter_cache__"):
        del plugin.__python_parameter_cache__
    return plugin.parameters


def assert_level(what, measured, expected):
    print(f"{what}: level {measured:.5f} (expected {expected})")
    assert abs(measured - expected) <= LEVEL_TOLERANCE * expected, (what, measured, expected)


@pytest.fixture
def loader(request, load_instrument, load_fx):
    return load_fx if request.param == "fx" else load_instrument


def test_slots_are_128_generic_parameters(load_fx):
    fx = with_gain_patch(load_fx, "fx")
    params = fresh_parameters(fx)
    # The slots, in order, among the fixed parameters (bypass, dry/wet, output gain).
    slots = [key for key in params if key.startswith("param_")]
    print(f"{len(params)} parameters; not slots: {[k for k in params if k not in slots]}")
    assert slots == [f"param_{n}" for n in range(1, SLOT_COUNT + 1)], list(params)
    for n, key in enumerate(slots, start=1):
        assert params[key].name == f"Param {n}", (key, params[key].name)
    first = params["param_1"].string_value
    assert first.startswith("gain: "), first
    # The others drive nothing (they keep whatever value the state gave them).
    unbound = [params[f"param_{n}"].string_value for n in range(2, SLOT_COUNT + 1)]
    assert all(text.endswith(" (unbound)") for text in unbound), unbound
    print(f"param_1: {params['param_1']!r}")


def test_pedalboard_reads_a_bound_slot_as_text_choices(load_fx):
    """Documents how pedalboard sees a bound slot ("gain: 0.500"): not as a number but
    as 1001 text choices, so only texts or raw values can be assigned."""
    fx = with_gain_patch(load_fx, "fx")
    param = fresh_parameters(fx)["param_1"]
    print(f"type {param.type.__name__}, {len(param.valid_values)} valid values, "
          f"{param.valid_values[:2]} ... {param.valid_values[-1:]}")
    assert param.type is str
    assert param.valid_values[0] == "gain: 0.000" and param.valid_values[-1] == "gain: 1.000"
    assert len(param.valid_values) == 1001
    with pytest.raises(ValueError):
        fx.param_1 = 0.25
    # The plugin itself reads its own texts and bare numbers.
    assert param.get_raw_value_for_text("gain: 0.1") == pytest.approx(0.1, abs=1e-6)
    assert param.get_raw_value_for_text("0.3") == pytest.approx(0.3, abs=1e-6)


@pytest.mark.parametrize("loader", ["fx", "instrument"], indirect=True)
def test_gain_slot_scales_the_level(loader, request):
    which = request.node.callspec.params["loader"]
    plugin = with_gain_patch(loader, which)
    at_default = level(plugin, which)
    assert_level(f"{which} at the declared default", at_default, 0.5)

    # Through pedalboard's own interface: a number if it took the slot for one, else
    # the slot's text.
    params = fresh_parameters(plugin)
    plugin.param_1 = 0.25 if params["param_1"].type is float else "gain: 0.250"
    assert params["param_1"].string_value == "gain: 0.250"
    quarter = level(plugin, which)
    assert_level(f"{which} with gain 0.25", quarter, 0.25)
    ratio = quarter / at_default
    print(f"{which}: level ratio {ratio:.5f} (declared 0.25 / 0.5 = 0.5)")
    assert abs(ratio - 0.5) <= LEVEL_TOLERANCE * 0.5

    # The raw value is the position: linear 0..1 here, so the gain itself.
    params["param_1"].raw_value = 0.8
    assert params["param_1"].string_value == "gain: 0.800"
    assert_level(f"{which} with raw value 0.8", level(plugin, which), 0.8)


def test_slot_value_and_map_travel_with_the_state(load_instrument):
    a = with_gain_patch(load_instrument, "instrument")
    fresh_parameters(a)["param_1"].raw_value = 0.3
    sound_a = render(a, "instrument")
    assert_level("instrument with raw value 0.3", peak(sound_a[:, int(0.1 * SR) :]), 0.3)
    state = decode_raw_state(a.raw_state)
    print(f"saved: slots {state.inner.get('slots')}, p01 {state.outer['params']['p01']}")
    assert state.inner.get("slots") == {"gain": 0}, state.inner
    assert state.outer["params"]["p01"]["f32"] == pytest.approx(0.3, abs=1e-6)

    b = load_instrument()
    b.raw_state = a.raw_state
    sound_b = render(b, "instrument")
    assert b._parameters[0].raw_value == pytest.approx(0.3, abs=1e-6)
    assert b._parameters[0].string_value == "gain: 0.300"
    diff = float(np.max(np.abs(sound_a.astype(np.float64) - sound_b)))
    print(f"second instance: max abs diff {diff:g}")
    assert diff == 0.0, f"same state, different sound (max abs diff {diff:g})"
