"""Safe patches through pedalboard (VST3): each bad patch of tests/patches/unsafe is put
into a playing instrument through its state. The host process survives, the old sound
plays on bit for bit, no marker file appears, the session keeps the code and the
plugin's log says why."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from conftest import REPO_ROOT, plugin_log_text
from plugin_state import decode_raw_state
from test_vst3 import OCTAVE_SINE_CSD, render_notes

UNSAFE = REPO_ROOT / "tests" / "patches" / "unsafe"

# (file, text of the reason, marker file it would create)
BAD_PATCHES = [
    ("divide_by_zero", "Csound crashed", None),
    ("loop_in_instr0", "hung (no progress", None),
    ("loop_in_midi_instrument", "hung (no progress", None),
    ("system_marker", "tries to run a command (system_i, line 8)", "system_i-ran"),
    ("fprints_marker", "tries to write or delete a file (fprints, line 8)", "fprints-wrote"),
    ("macro_system", "tries to run a command (system_i, line 9)", "macro-ran"),
    ("include_system", "tries to run a command (system_i", "include-ran"),
]


def read_patch(name: str, markers: Path) -> str:
    return (UNSAFE / name).read_text().replace("@MARKER_DIR@", str(markers))


def wait_for_log(text: str, before: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if plugin_log_text().count(text) > before:
            return True
        time.sleep(0.1)
    return False


def test_bad_patches_leave_the_old_sound_playing(load_instrument, tmp_path):
    os.environ["CSOUND_PLUG_CHECK_TIMEOUT"] = "2"
    (tmp_path / "hidden_system.inc").write_text(read_patch("hidden_system.inc", tmp_path))
    inst = load_instrument()
    good = decode_raw_state(inst.raw_state)
    inst.raw_state = good.with_code(OCTAVE_SINE_CSD)
    phrase = [(69, 0.05, 0.3)]
    before = render_notes(inst, phrase, duration=0.5, reset=False)
    assert np.max(np.abs(before)) > 0.1, "the sine plays"
    again = render_notes(inst, phrase, duration=0.5, reset=False)
    assert np.array_equal(again, before), "a phrase repeats bit for bit"
    for name, reason, marker in BAD_PATCHES:
        code = read_patch(f"{name}.csd", tmp_path)
        count = plugin_log_text().count(reason)
        inst.raw_state = good.with_code(code)
        assert wait_for_log(reason, count), f"{name}: no '{reason}' in the log:\n{plugin_log_text()}"
        after = render_notes(inst, phrase, duration=0.5, reset=False)
        assert np.array_equal(after, before), f"{name}: the old sound plays on bit for bit"
        assert decode_raw_state(inst.raw_state).code == code, f"{name}: the session keeps the code"
        if marker:
            assert not (tmp_path / marker).exists(), f"{name}: {marker} was created"
    inst.raw_state = good.with_code(OCTAVE_SINE_CSD.replace("880 *", "440 *"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not np.array_equal(render_notes(inst, phrase, duration=0.5, reset=False), before):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the next good patch did not replace the sine")
