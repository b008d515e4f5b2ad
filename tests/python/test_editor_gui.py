"""The editor, through the standalone app on a virtual X display (Xvfb, Mesa's software
OpenGL): it opens showing the default patch (a screenshot is kept at
target/editor-screenshot.png for people to look at), and code typed into it with the
keyboard compiles on Ctrl+Enter and runs, and Ctrl+S saves it as a user preset.

Needs the standalone binary (built by `cargo xtask bundle csound_plug --release
--features standalone`, or CSOUND_PLUG_STANDALONE) and the Debian packages xvfb, xdotool,
x11-apps and libgl1-mesa-dri (installed by `cargo xtask test`).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from gui_harness import Xvfb, assert_not_blank, diff_fraction, read_png, require_tools


def amber_pixels(path, x, y, w, h) -> int:
    """Pixels in the region close to the permission bar's amber text (255, 190, 90)."""
    region = read_png(path).crop(x, y, w, h)
    return sum(
        1
        for j in range(region.height)
        for i in range(region.width)
        if all(abs(c - t) < 40 for c, t in zip(region.pixel(i, j)[:3], (255, 190, 90)))
    )

STANDALONE = Path(
    os.environ.get("CSOUND_PLUG_STANDALONE", REPO_ROOT / "target" / "release" / "csound-plug-standalone")
)
SCREENSHOTS = REPO_ROOT / "target"

# Typed as a whole new patch: its header writes a marker file when it compiles, so the
# test knows the typed code, not the old one, is what runs.
TYPED_PATCH = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 64
nchnls = 2
0dbfs = 1
fprints "{marker}", "typed code compiled"
instr 1
asig oscili 0.2, p7
outs asig, asig
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>"""


def standalone_env(tmp_path: Path, **more: str) -> dict:
    """The standalone's environment for a test: its own preset and permission folders
    under `tmp_path`, plus `more`."""
    return {
        "CSOUND_PLUG_PRESET_DIR": str(tmp_path / "presets"),
        "CSOUND_PLUG_ALLOWED": str(tmp_path / "allowed-code"),
        **more,
    }


@contextmanager
def open_standalone(tmp_path: Path, env: dict, tools=("Xvfb", "xdotool", "xwd"),
                    width: int = 1400, height: int = 900, display_setup=None, settle: float = 3):
    """The standalone app in its window on a virtual display, after its first frames
    (software OpenGL is slow to draw them): yields the display, the app and the window.
    `display_setup(x)` runs on the display before the app starts."""
    require_tools(*tools)
    if not STANDALONE.exists():
        pytest.fail(
            f"standalone app not found at {STANDALONE}: build it with "
            "`cargo xtask bundle csound_plug --release --features standalone`",
            pytrace=False,
        )
    with Xvfb(width=width, height=height, log_dir=tmp_path) as x:
        if display_setup is not None:
            display_setup(x)
        app = x.launch([str(STANDALONE), "-b", "dummy"], name="standalone", env=env)
        window = x.wait_for_window("Csound Plug", timeout=60, app=app)
        time.sleep(settle)
        yield x, app, window


def type_over_code(window, text: str) -> None:
    """Selects everything in the code view (left of the parameter panel, above the
    console) and types `text` over it."""
    window.click(400, 300)
    window.key("ctrl+a")
    window.type(text, delay_ms=8)


def wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_editor_opens_and_compiles_typed_code(tmp_path):
    with open_standalone(tmp_path, standalone_env(tmp_path)) as (x, app, window):
        before = window.screenshot(SCREENSHOTS / "editor-screenshot.png", method="xwd")
        # Dark theme: most pixels are background; text and widgets are the rest.
        stats = assert_not_blank(before, min_colours=200, min_fraction=0.05)
        print(f"editor screenshot: {stats}")

        # A new patch typed over the code.
        marker = tmp_path / "marker.txt"
        type_over_code(window, TYPED_PATCH.format(marker=marker))
        window.key("ctrl+Return")
        compiled = wait_for(marker, timeout=20)
        after = window.screenshot(SCREENSHOTS / "editor-after-compile.png", method="xwd")
        changed = diff_fraction(before, after)
        print(f"after typing and Ctrl+Enter: {changed:.1%} of the pixels changed")
        assert compiled, (
            "the typed patch did not run (no marker file); standalone log:\n" + app.stderr_tail()
        )
        assert marker.read_text() == "typed code compiled"
        assert changed > 0.02, "the window did not change after typing"

        # Ctrl+S asks for a name (the typed patch is no preset yet) and saves it as a
        # user preset: the .csd holds the typed code and the name.
        window.key("ctrl+s")
        window.type("Typed Patch", delay_ms=20)
        window.key("Return")
        saved = tmp_path / "presets" / "Typed Patch.csd"
        assert wait_for(saved, timeout=10), "Ctrl+S did not save a user preset"
        text = saved.read_text()
        assert str(marker) in text and 'name = "Typed Patch"' in text, text
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()


def test_a_shared_preset_runs_only_when_allowed(tmp_path):
    """A user preset file (code from anyone) that writes a file does not run when picked
    in the browser; the editor says what it would do, and its Allow button runs it."""
    presets = tmp_path / "presets"
    presets.mkdir()
    marker = tmp_path / "fprints-wrote"
    code = (REPO_ROOT / "tests" / "patches" / "unsafe" / "fprints_marker.csd").read_text()
    code = code.replace("@MARKER_DIR@", str(tmp_path)).replace(
        "</CsoundSynthesizer>",
        '<CsoundPlug>\nname = "Downloaded Patch"\ncategory = "Synths"\n</CsoundPlug>\n'
        "</CsoundSynthesizer>",
    )
    (presets / "Downloaded Patch.csd").write_text(code)
    allowed = tmp_path / "allowed-code"
    with open_standalone(tmp_path, standalone_env(tmp_path)) as (x, app, window):
        # The browser's search finds it: the first row under its category.
        window.click(115, 37)
        window.type("Downloaded", delay_ms=10)
        time.sleep(0.5)
        window.click(108, 84)
        time.sleep(3)
        shot = window.screenshot(SCREENSHOTS / "editor-permission.png", method="xwd")
        assert not marker.exists(), "the preset's code ran without permission"
        # The bar with the reason (amber) and the Allow button sits under the top bar.
        assert amber_pixels(shot, 0, 25, 600, 60) > 200, "no permission bar"
        window.click(111, 74)
        assert wait_for(marker, timeout=20), (
            "Allow did not run the code; standalone log:\n" + app.stderr_tail()
        )
        assert len(allowed.read_text().split()) == 1, "the permission is remembered"
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()


def test_the_editor_scales_on_a_hidpi_display(tmp_path):
    """With the display at 192 dpi (Xft.dpi, which the window library reads), the window
    opens at twice its size in pixels, drawn at twice the scale."""
    def high_dpi(x):
        x.run(["xprop", "-root", "-f", "RESOURCE_MANAGER", "8s", "-set",
               "RESOURCE_MANAGER", "Xft.dpi:\t192\n"])

    with open_standalone(tmp_path, standalone_env(tmp_path), tools=("Xvfb", "xprop", "xwd"),
                         width=2600, height=1700, display_setup=high_dpi, settle=4) as (x, app, window):
        geometry = window.geometry()
        shot = window.screenshot(SCREENSHOTS / "editor-hidpi.png", method="xwd")
        # The default window is 1180 x 760 points.
        assert (geometry["WIDTH"], geometry["HEIGHT"]) == (2360, 1520), geometry
        assert_not_blank(shot, min_colours=200, min_fraction=0.05)
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()


# Plays tone.wav from a table and writes the level it plays at, once, to the marker.
SAMPLER_PATCH = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
giT ftgen 0, 0, 0, 1, "tone.wav", 0, 0, 0
instr 1
a1 loscil 1, 1, giT, 1
krms rms a1
kdone init 0
if kdone == 0 && timeinsts() > 0.25 then
fprintks "{marker}", "rms %.3f", krms
kdone = 1
endif
outs a1, a1
endin
</CsInstruments>
<CsScore>
i 1 0 1
</CsScore>
</CsoundSynthesizer>"""


def dark_fraction(path, x, y, w, h) -> float:
    """The share of the region's pixels that are the code view's dark background."""
    region = read_png(path).crop(x, y, w, h)
    background = region.pixel(0, 0)[:3]
    same = sum(
        1
        for j in range(region.height)
        for i in range(region.width)
        if all(abs(c - b) < 12 for c, b in zip(region.pixel(i, j)[:3], background))
    )
    return same / (region.width * region.height)


def write_tone(path: Path, seconds: float, hz: float = 330.0, level: float = 0.5) -> None:
    """A mono 16-bit 48 kHz WAV of a sine."""
    import math
    import wave

    frames = b"".join(
        int(math.sin(2 * math.pi * hz * n / 48000) * level * 32767).to_bytes(2, "little", signed=True)
        for n in range(int(seconds * 48000))
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(frames)


def test_a_file_added_in_the_files_pane_is_embedded_folded_and_heard(tmp_path):
    """The Files pane's Add file… dialog embeds a WAV into the typed patch; Ctrl+Enter
    compiles it and the patch plays the sample (the level it measures is the sine's);
    the code view shows one folded line, not the base64; the saved preset carries it."""
    import base64
    import re

    samples = tmp_path / "samples"
    samples.mkdir()
    tone = samples / "tone.wav"
    write_tone(tone, 0.5)
    env = standalone_env(
        tmp_path,
        CSOUND_PLUG_SETTINGS=str(tmp_path / "settings.toml"),
        CSOUND_PLUG_FILE_CACHE=str(tmp_path / "cache"),
    )
    marker = tmp_path / "level.txt"
    with open_standalone(tmp_path, env) as (x, app, window):
        type_over_code(window, SAMPLER_PATCH.format(marker=marker))
        # The Files tab over the right-hand pane, then its Add file… button: the dialog
        # opens with its path selected, Embed chosen.
        window.click(1000, 38)
        time.sleep(0.5)
        window.click(925, 61)
        time.sleep(0.5)
        window.type(str(tone), delay_ms=8)
        window.key("Return")
        time.sleep(0.5)
        window.key("ctrl+Return")
        heard = wait_for(marker, timeout=20)
        shot = window.screenshot(SCREENSHOTS / "editor-files.png", method="xwd")
        assert heard, "the embedded sample did not play; log:\n" + app.stderr_tail()
        time.sleep(0.2)
        level = float(re.search(r"rms ([0-9.]+)", marker.read_text()).group(1))
        # GEN01 (positive) scales the sine to full scale: rms 0.707.
        assert abs(level - 0.7071) < 0.01, level
        # 24 lines of code, then the empty view: no 600 lines of base64 below them.
        dark = dark_fraction(shot, 290, 430, 560, 110)
        assert dark > 0.97, f"the code view shows more than the patch ({dark:.1%} background)"

        window.key("ctrl+s")
        window.type("Sampler", delay_ms=20)
        window.key("Return")
        saved = tmp_path / "presets" / "Sampler.csd"
        assert wait_for(saved, timeout=10), "Ctrl+S did not save a user preset"
        time.sleep(0.3)
        text = saved.read_text()
        body = re.search(r'<CsFileB filename="tone.wav">\n(.*?)</CsFileB>', text, re.S)
        assert body, text[:2000]
        assert base64.b64decode("".join(body.group(1).split())) == tone.read_bytes()
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()


# Each note writes its key and velocity to the marker (score-mode MIDI: p4 key, p5 velocity).
KEY_PATCH = """<CsoundSynthesizer>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
instr 1
fprints "{marker}", "key %d velocity %d", p4, p5
a1 oscili 0.2, p7
outs a1, a1
endin
</CsInstruments>
<CsScore>
</CsScore>
</CsoundSynthesizer>"""


# The keyboard's first white key, low on it, in the default window (1180 x 760).
KEY_X, KEY_Y = 896, 552


def test_clicking_the_on_screen_keyboard_plays_a_note(tmp_path):
    """The keyboard under the parameters plays the patch as host MIDI would: pressing its
    first key low down plays a note on C3 (MIDI key 48) with a high velocity (a
    screenshot with the key lit and the output meters at -14 dB is kept)."""
    import re

    marker = tmp_path / "note.txt"
    with open_standalone(tmp_path, standalone_env(tmp_path)) as (x, app, window):
        type_over_code(window, KEY_PATCH.format(marker=marker))
        window.key("ctrl+Return")
        time.sleep(3)
        # The first white key, low on it: the keyboard's bottom-left corner.
        window.mouse_move(KEY_X, KEY_Y)
        x.xdotool("mousedown", "1")
        played = wait_for(marker, timeout=10)
        time.sleep(0.5)
        shot = window.screenshot(SCREENSHOTS / "editor-keyboard.png", method="xwd")
        x.xdotool("mouseup", "1")
        assert played, "no note played; log:\n" + app.stderr_tail()
        time.sleep(0.2)
        key, velocity = map(int, re.search(r"key (\d+) velocity (\d+)", marker.read_text()).groups())
        assert key == 48, marker.read_text()
        assert 100 <= velocity <= 127, velocity
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()
        print(f"keyboard: key {key} velocity {velocity}; screenshot {shot}")


# A Cabbage patch whose widgets can be found on screen by colour: a red image on the form,
# a green one planted in a groupbox (bounds relative to it), a checkbox whose colour when
# on is blue, a file button, a yellow image and a keyboard widget. The patch writes a
# marker when the checkbox turns on, when a key plays and when the file button's channel
# names a file; turning the checkbox on also hides the yellow image through its
# identChannel and turns the green one magenta with cabbageSet.
CABBAGE_PATCH = """<CsoundSynthesizer>
<Cabbage>
form caption("Placed") size(420, 260), colour(30, 30, 60)
image bounds(20, 16, 100, 50), colour(255, 0, 0)
groupbox bounds(150, 10, 250, 120), text("Tone") {{
image bounds(20, 40, 60, 30), colour(0, 255, 0), channel("greenImage")
checkbox bounds(100, 40, 120, 30), channel("on"), text("On"), colour:1(0, 0, 255)
}}
filebutton bounds(20, 80, 100, 30), channel("sample"), text("Sample")
image bounds(125, 80, 20, 30), colour(255, 255, 0), identChannel("yellowIdent")
keyboard bounds(10, 150, 400, 90)
</Cabbage>
<CsInstruments>
sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1
instr 1
fprints "{key}", "key %d velocity %d", p4, p5
a1 oscili 0.2, p7
outs a1, a1
endin
instr 97
chnset "visible(0)", "yellowIdent"
endin
instr 98
SFile chnget "sample"
if strlen(SFile) > 0 then
fprints "{sample}", "%s %.3f", SFile, filelen(SFile)
endif
endin
instr 99
kOn chnget "on"
kNow = (changed(kOn) == 1 && kOn == 1 ? 1 : 0)
if kNow == 1 then
fprintks "{check}", "on %d", kOn
event "i", 97, 0, 0.01
endif
cabbageSet kNow, "greenImage", "colour", 255, 0, 255
endin
</CsInstruments>
<CsScore>
i 98 0 3600
i 99 0 3600
</CsScore>
</CsoundSynthesizer>"""


def colour_boxes(path, colours):
    """The bounding box (x, y, width, height) of the pixels of each colour (within 10 per
    channel), or None where there are none."""
    image = read_png(path)
    boxes = {name: None for name in colours}
    for j in range(image.height):
        for i in range(image.width):
            pixel = image.pixel(i, j)[:3]
            # The colours looked for are all saturated: skip the greys quickly.
            if max(pixel) - min(pixel) < 200:
                continue
            for name, rgb in colours.items():
                if all(abs(c - t) <= 10 for c, t in zip(pixel, rgb)):
                    box = boxes[name]
                    boxes[name] = (
                        (i, j, i, j)
                        if box is None
                        else (min(box[0], i), min(box[1], j), max(box[2], i), max(box[3], j))
                    )
    return {
        name: None if b is None else (b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1)
        for name, b in boxes.items()
    }


def test_a_cabbage_patch_shows_its_widgets_at_their_bounds(tmp_path):
    """A Cabbage patch's form replaces the code view when it first compiles: its widgets
    are where their bounds say (a planted one inside its groupbox), the checkbox at its
    bounds turns its channel on and shows its colour when on (and the patch, seeing it,
    hides one image and recolours another at run time), the keyboard widget at its
    bounds plays a note, and the file button opens a file dialog whose choice is linked to
    the patch and reaches its string channel (a screenshot is kept at
    target/editor-cabbage-form.png)."""
    import re

    key_marker = tmp_path / "key.txt"
    check_marker = tmp_path / "check.txt"
    sample_marker = tmp_path / "sample.txt"
    tone = tmp_path / "takes" / "tone.wav"
    tone.parent.mkdir()
    write_tone(tone, 0.75)
    colours = {
        "red": (255, 0, 0),
        "green": (0, 255, 0),
        "blue": (0, 0, 255),
        "yellow": (255, 255, 0),
        "magenta": (255, 0, 255),
    }
    with open_standalone(tmp_path, standalone_env(tmp_path)) as (x, app, window):
        type_over_code(
            window,
            CABBAGE_PATCH.format(key=key_marker, check=check_marker, sample=sample_marker),
        )
        window.key("ctrl+Return")
        time.sleep(4)
        before = window.screenshot(tmp_path / "form.png", method="xwd")
        boxes = colour_boxes(before, colours)
        assert boxes["red"] and boxes["green"], (
            f"the form's images are not on screen: {boxes}; log:\n" + app.stderr_tail()
        )
        rx, ry, rw, rh = boxes["red"]
        scale = rw / 100
        assert abs(rh - 50 * scale) <= 1.5, boxes
        # The green image: window bounds (170, 50), 60 x 30, against the red one's (20, 16).
        gx, gy, gw, gh = boxes["green"]
        assert abs(gx - rx - 150 * scale) <= 1.5 and abs(gy - ry - 34 * scale) <= 1.5, boxes
        assert abs(gw - 60 * scale) <= 1.5 and abs(gh - 30 * scale) <= 1.5, boxes
        assert boxes["blue"] is None, "the checkbox is on before anyone clicks it"
        assert boxes["yellow"] and not boxes["magenta"], boxes
        # The form's top-left corner, and a point in form coordinates on the screen.
        ox, oy = rx - 20 * scale, ry - 16 * scale
        at = lambda fx, fy: (round(ox + fx * scale), round(oy + fy * scale))
        # The checkbox's box: window bounds (250, 50), 30 high.
        window.click(*at(262, 65))
        assert wait_for(check_marker, timeout=10), "the checkbox did not turn on; log:\n" + app.stderr_tail()
        time.sleep(1.0)
        after = window.screenshot(SCREENSHOTS / "editor-cabbage-form.png", method="xwd")
        seen = colour_boxes(after, colours)
        blue = seen["blue"]
        # The patch's run-time changes: the yellow image hidden, the green one magenta.
        assert seen["yellow"] is None, f"the identChannel did not hide the image: {seen}"
        assert seen["green"] is None and seen["magenta"] == boxes["green"], seen
        assert blue is not None, "the checkbox does not show its on colour"
        bx, by, bw, bh = blue
        assert abs(bx - at(250, 50)[0]) <= 3 and abs(by - at(250, 50)[1]) <= 3, (blue, at(250, 50))
        # The keyboard widget's first white key, low on it.
        window.mouse_move(*at(14, 232))
        x.xdotool("mousedown", "1")
        played = wait_for(key_marker, timeout=10)
        time.sleep(0.3)
        x.xdotool("mouseup", "1")
        assert played, "the keyboard widget played no note; log:\n" + app.stderr_tail()
        time.sleep(0.2)
        key, velocity = map(int, re.search(r"key (\d+) velocity (\d+)", key_marker.read_text()).groups())
        assert key == 48 and velocity >= 100, key_marker.read_text()
        # The file button: a dialog with its path selected; the file chosen is linked to
        # the patch, which compiles and reads it by name.
        assert not sample_marker.exists()
        window.click(*at(70, 95))
        time.sleep(1)
        window.type(str(tone), delay_ms=5)
        window.key("Return")
        assert wait_for(sample_marker, timeout=15), "the file button set nothing; log:\n" + app.stderr_tail()
        time.sleep(0.3)
        assert sample_marker.read_text().strip() == "tone.wav 0.750", sample_marker.read_text()
        assert app.poll() is None, "the standalone quit:\n" + app.stderr_tail()
        print(f"form at scale {scale:.2f}, origin ({ox:.0f}, {oy:.0f}); checkbox on at {blue}; key {key} velocity {velocity}; file {sample_marker.read_text()}")
