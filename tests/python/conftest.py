"""pytest fixtures for the VST3 host tests: locating the built bundle (env
CSOUND_PLUG_BUNDLE_DIR, default <repo>/target/bundled) and loading its two plugins,
"Csound Plug" (instrument) and "Csound Plug FX" (effect), with pedalboard.

Load time: both plugins accept MIDI controllers, so their VST3 side also exposes
2080 hidden parameters, 130 per MIDI channel: "MIDI Ch. <n> CC <0..127>",
"MIDI Ch. <n> Channel Pressure" and "MIDI Ch. <n> Pitch Bend". pedalboard wraps every
parameter in Python, sampling its text at 1001 values: once inside load_plugin, and
again (load_plugin does not keep the result) on the first attribute set on the instance
or its first `.parameters`. For those parameters alone that takes about 20 s each time.
The `pedalboard` fixture adds their names to the ones pedalboard already leaves out (its
own list skips "MIDI CC ..."), so both take a fraction of a second. Only pedalboard's
Python view changes: the plugin still has those parameters, and no test is about them.
Every test still gets newly loaded instances.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE_NAME = "Csound Plug.vst3"
INSTRUMENT_NAME = "Csound Plug"
FX_NAME = "Csound Plug FX"

# Seconds pedalboard may spend warming an instrument up after (re)instantiating it.
INITIALIZATION_TIMEOUT = 5.0

# The plugins' per-channel MIDI controller parameters ("MIDI Ch. 1 CC 7",
# "MIDI Ch. 16 Pitch Bend", ...), which pedalboard is told to leave out of its
# parameter list to keep loading and parameter access fast (see the module docstring).
HIDDEN_MIDI_PARAMETER_NAME = re.compile(r"MIDI Ch\. \d+ ")


# The plugins' log (nice-plug reads NICE_LOG when the first plugin loads): tests read
# the plugin's messages from it.
PLUGIN_LOG = REPO_ROOT / "target" / "pytest-plugin.log"
PLUGIN_LOG.unlink(missing_ok=True)
os.environ["NICE_LOG"] = str(PLUGIN_LOG)


def plugin_log_text() -> str:
    """Everything the plugins logged in this test run."""
    return PLUGIN_LOG.read_text(errors="replace") if PLUGIN_LOG.exists() else ""


def bundle_dir() -> Path:
    env = os.environ.get("CSOUND_PLUG_BUNDLE_DIR")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "target" / "bundled"


@pytest.fixture(scope="session")
def vst3_path() -> str:
    """Path of the built VST3 bundle; fails (does not skip) every test needing it
    when the bundle has not been built."""
    path = bundle_dir() / BUNDLE_NAME
    if not path.exists():
        pytest.fail(
            f"VST3 bundle not found: {path}\n"
            "Build it first with `cargo xtask bundle csound_plug --release`, or set "
            f"CSOUND_PLUG_BUNDLE_DIR to the folder that holds '{BUNDLE_NAME}'.",
            pytrace=False,
        )
    return str(path)


@pytest.fixture(scope="session")
def pedalboard():
    """The pedalboard module, set to leave out the plugins' hidden MIDI controller
    parameters when it builds a plugin's parameter list. This is only a test-speed
    measure: it saves about 40 s per loaded instance."""
    import pedalboard
    from pedalboard import _pedalboard

    ignored = getattr(_pedalboard, "PARAMETER_NAME_REGEXES_TO_IGNORE", None)
    if isinstance(ignored, set):
        ignored.add(HIDDEN_MIDI_PARAMETER_NAME)
    else:
        warnings.warn(
            "pedalboard has no PARAMETER_NAME_REGEXES_TO_IGNORE set any more: the hidden "
            "MIDI controller parameters are wrapped too, which costs ~40 s per instance"
        )
    return pedalboard


@pytest.fixture(scope="session")
def load_instrument(vst3_path, pedalboard):
    """Factory: a fresh pedalboard instance of the instrument on each call."""

    def load():
        return pedalboard.load_plugin(
            vst3_path,
            plugin_name=INSTRUMENT_NAME,
            initialization_timeout=INITIALIZATION_TIMEOUT,
        )

    return load


@pytest.fixture(scope="session")
def load_fx(vst3_path, pedalboard):
    """Factory: a fresh pedalboard instance of the effect on each call."""

    def load():
        return pedalboard.load_plugin(
            vst3_path,
            plugin_name=FX_NAME,
            initialization_timeout=INITIALIZATION_TIMEOUT,
        )

    return load
