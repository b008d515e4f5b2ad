"""pytest fixtures for the VST3 host tests: locating the built bundle (env
CSOUND_PLUG_BUNDLE_DIR, default <repo>/target/bundled) and loading its two plugins,
"Csound Plug" (instrument) and "Csound Plug FX" (effect), with pedalboard."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE_NAME = "Csound Plug.vst3"
INSTRUMENT_NAME = "Csound Plug"
FX_NAME = "Csound Plug FX"

# Seconds pedalboard may spend warming an instrument up after (re)instantiating it.
INITIALIZATION_TIMEOUT = 5.0


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
def load_instrument(vst3_path):
    """Factory: a fresh pedalboard instance of the instrument on each call."""
    import pedalboard

    def load():
        return pedalboard.load_plugin(
            vst3_path,
            plugin_name=INSTRUMENT_NAME,
            initialization_timeout=INITIALIZATION_TIMEOUT,
        )

    return load


@pytest.fixture(scope="session")
def load_fx(vst3_path):
    """Factory: a fresh pedalboard instance of the effect on each call."""
    import pedalboard

    def load():
        return pedalboard.load_plugin(
            vst3_path,
            plugin_name=FX_NAME,
            initialization_timeout=INITIALIZATION_TIMEOUT,
        )

    return load
