"""Headless GUI test harness: Xvfb + xdotool + screenshots, standard library only.

Drives a real X11 program (e.g. an egui/OpenGL window opened through baseview) on a
private Xvfb display with Mesa's software renderer (llvmpipe), finds its window by
name, types into it and takes screenshots whose pixels can be checked in pure Python.

Debian packages it needs (``apt-get install -y --no-install-recommends ...``):

* ``xvfb``            - the X server (pulls xserver-common, x11-xkb-utils, xkb-data)
* ``xdotool``         - window search, focus, mouse and keyboard (XTEST)
* ``x11-apps``        - ``xwd``, the screenshot fallback (parsed here, no ImageMagick)
* ``libgl1-mesa-dri`` + ``libglx-mesa0`` - Mesa's llvmpipe for GLX under Xvfb
* optional: ``imagemagick`` (``import`` screenshots, ``convert``), ``x11-utils``
  (xdpyinfo, xwininfo, xprop), ``mesa-utils`` (glxinfo, glxgears), ``xterm``,
  ``xclip`` (for :meth:`Window.paste` of text the keymap cannot type).

Typical pytest use::

    from gui_harness import Xvfb, assert_not_blank

    def test_gui(tmp_path):
        with Xvfb(log_dir=tmp_path) as x:
            app = x.launch(["./my-standalone"], name="app")
            win = x.wait_for_window("My Plugin", timeout=30, app=app)
            shot = win.screenshot(tmp_path / "gui.png")
            assert_not_blank(shot)
            win.click(100, 100)
            win.type("hello")
            win.key("ctrl+Return")

Everything runs under timeouts; every process started is stopped on exit of the
``with`` block (the app first, then the X server).
"""

from __future__ import annotations

import collections
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Optional, Sequence, Union

__all__ = [
    "GuiError", "Xvfb", "App", "Window", "PngImage",
    "read_png", "write_png", "xwd_to_png", "image_stats", "assert_not_blank", "diff_fraction",
    "imagemagick_unique_colours", "require_tools",
]

PathLike = Union[str, os.PathLike]
X11_UNIX = Path("/tmp/.X11-unix")


class GuiError(RuntimeError):
    """Any harness failure (timeout, missing tool, dead app, blank screenshot)."""


def require_tools(*tools: str) -> None:
    """Raise GuiError naming every tool in ``tools`` not found on PATH (use with pytest.skip)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise GuiError("missing tools: " + ", ".join(missing))


def _tail(path: Optional[Path], n: int = 2000) -> str:
    try:
        data = Path(path).read_bytes() if path else b""
    except OSError:
        return ""
    return data[-n:].decode("utf-8", "replace")


def _stop_process(proc: subprocess.Popen, timeout: float = 5.0) -> Optional[int]:
    """SIGTERM the process group we created, then SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return proc.returncode
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)  # we started it with start_new_session=True
        except ProcessLookupError:
            break
        try:
            return proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    return proc.poll()


# --------------------------------------------------------------------------- Xvfb


class Xvfb:
    """A private Xvfb server, as a context manager.

    The display number is chosen by Xvfb itself through ``-displayfd`` (it writes the
    number once it accepts connections); with ``display=N`` that number is used as is.
    """

    def __init__(self, width: int = 1600, height: int = 1000, depth: int = 24,
                 display: Optional[int] = None, log_dir: Optional[PathLike] = None,
                 start_timeout: float = 15.0, extra_args: Sequence[str] = (),
                 software_gl: bool = True):
        require_tools("Xvfb")
        self.width, self.height, self.depth = width, height, depth
        self.requested_display = display
        self.log_dir = Path(log_dir) if log_dir else None
        self.start_timeout = start_timeout
        self.extra_args = list(extra_args)
        self.software_gl = software_gl
        self.proc: Optional[subprocess.Popen] = None
        self.display: Optional[str] = None  # ":N"
        self.startup_seconds: Optional[float] = None
        self._root: Optional[int] = None
        self.apps: list[App] = []
        self._log_file = None

    # -- lifecycle
    def __enter__(self) -> "Xvfb":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "Xvfb":
        t0 = time.monotonic()
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self._log_file = open(self.log_dir / "xvfb.log", "wb")
        out = self._log_file or subprocess.DEVNULL
        args = ["-screen", "0", f"{self.width}x{self.height}x{self.depth}",
                "-nolisten", "tcp", "-noreset", *self.extra_args]
        if self.requested_display is not None:
            n = self.requested_display
            self.proc = subprocess.Popen(["Xvfb", f":{n}", *args], stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out, start_new_session=True)
            self._wait_socket(n, t0)
        else:
            rfd, wfd = os.pipe()
            try:
                self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), *args],
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                             pass_fds=(wfd,), start_new_session=True)
            finally:
                os.close(wfd)
            try:
                n = self._read_displayfd(rfd, t0)
            finally:
                os.close(rfd)
            self._wait_socket(n, t0)
        self.display = f":{n}"
        self._root = None
        self.startup_seconds = time.monotonic() - t0
        return self

    def _read_displayfd(self, rfd: int, t0: float) -> int:
        buf = b""
        while not buf.endswith(b"\n"):
            left = self.start_timeout - (time.monotonic() - t0)
            if left <= 0:
                self._fail("Xvfb did not report a display number in time")
            ready, _, _ = select.select([rfd], [], [], min(left, 0.2))
            if ready:
                chunk = os.read(rfd, 64)
                if not chunk:  # Xvfb exited
                    self._fail("Xvfb exited before reporting a display number")
                buf += chunk
            elif self.proc.poll() is not None:
                self._fail("Xvfb exited during start-up")
        return int(buf.strip())

    def _wait_socket(self, n: int, t0: float) -> None:
        path = str(X11_UNIX / f"X{n}")
        while True:
            if self.proc.poll() is not None:
                self._fail(f"Xvfb :{n} exited during start-up (display in use?)")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1.0)
                    s.connect(path)
                return
            except OSError:
                pass
            if time.monotonic() - t0 > self.start_timeout:
                self._fail(f"Xvfb :{n} did not accept connections in time")
            time.sleep(0.05)

    def _fail(self, msg: str):
        log = self.log_dir / "xvfb.log" if self.log_dir else None
        self.stop()
        raise GuiError(f"{msg}\n{_tail(log)}")

    def stop(self) -> None:
        for app in reversed(self.apps):
            app.stop()
        self.apps.clear()
        if self.proc is not None:
            _stop_process(self.proc)
            self.proc = None
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    # -- environment and tools
    @property
    def env(self) -> dict:
        """os.environ with DISPLAY set to this server (and Mesa software GL), Wayland removed."""
        if not self.display:
            raise GuiError("Xvfb is not running")
        env = dict(os.environ)
        for var in ("WAYLAND_DISPLAY", "XAUTHORITY"):
            env.pop(var, None)
        env["DISPLAY"] = self.display
        if self.software_gl:
            env["LIBGL_ALWAYS_SOFTWARE"] = "1"
            env.setdefault("GALLIUM_DRIVER", "llvmpipe")
        return env

    def run(self, args: Sequence[str], timeout: float = 10.0, check: bool = True,
            input: Optional[bytes] = None) -> subprocess.CompletedProcess:
        """Run a short X client (xdotool, import, xwd, ...) on this display."""
        try:
            cp = subprocess.run(list(args), env=self.env, capture_output=True,
                                timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            raise GuiError(f"timed out after {timeout}s: {' '.join(map(str, args))}") from e
        if check and cp.returncode != 0:
            raise GuiError(f"{' '.join(map(str, args))} exited {cp.returncode}: "
                           f"{cp.stderr.decode('utf-8', 'replace').strip()}")
        return cp

    def xdotool(self, *args: str, timeout: float = 10.0, check: bool = True) -> str:
        return self.run(["xdotool", *args], timeout=timeout, check=check).stdout.decode().strip()

    # -- applications
    def launch(self, cmd: Sequence[str], name: Optional[str] = None,
               env: Optional[dict] = None, cwd: Optional[PathLike] = None,
               log_dir: Optional[PathLike] = None) -> "App":
        """Start ``cmd`` on this display; stdout/stderr go to ``<log_dir>/<name>.stdout|stderr``.

        ``env`` entries are added on top of :attr:`env`. The app is stopped with the server.
        """
        log_dir = Path(log_dir or self.log_dir or Path.cwd())
        log_dir.mkdir(parents=True, exist_ok=True)
        name = name or Path(cmd[0]).name
        full_env = self.env
        full_env.update(env or {})
        before = set(self.top_level_windows()) if shutil.which("xdotool") else set()
        app = App(cmd, name, full_env, cwd, log_dir)
        app.windows_before = before
        self.apps.append(app)
        return app

    # -- windows
    def find_windows(self, name: str, regex: bool = False, visible: bool = True) -> list[int]:
        """Window ids whose WM_NAME/_NET_WM_NAME matches ``name`` (substring, case-insensitive)."""
        pattern = name if regex else ere_escape(name)
        args = ["search"] + (["--onlyvisible"] if visible else []) + ["--name", pattern]
        out = self.xdotool(*args, timeout=10.0, check=False)  # exit 1 = nothing found
        return [int(w) for w in out.split()]

    def top_level_windows(self) -> list[int]:
        """Mapped children of the root window (without a WM: the apps' own windows)."""
        out = self.xdotool("search", "--onlyvisible", "--maxdepth", "1", "--name", "",
                           check=False)
        root = self._root_id_cached()
        return [int(w) for w in out.split() if int(w) != root]

    def _root_id_cached(self) -> int:
        if getattr(self, "_root", None) is None:
            self._root = self._root_id()
        return self._root

    def wait_for_window(self, name: Optional[str], timeout: float = 30.0,
                        app: Optional["App"] = None, regex: bool = False,
                        visible: bool = True, poll: float = 0.1) -> "Window":
        """Poll until a mapped window whose name matches ``name`` appears (the newest one).

        ``name=None`` waits for any new top-level window of ``app`` (one not there when it
        was launched): baseview sets only WM_NAME, no WM_CLASS nor _NET_WM_PID, so an
        untitled window cannot be found any other way. Fails early if ``app`` exits.
        """
        if name is None and app is None:
            raise GuiError("wait_for_window(None) needs the app")
        t0 = time.monotonic()
        while True:
            if name is None:
                ids = [w for w in self.top_level_windows() if w not in app.windows_before]
            else:
                ids = self.find_windows(name, regex=regex, visible=visible)
            if ids:
                win = Window(self, ids[-1])
                win.found_after = time.monotonic() - t0
                return win
            if app is not None and app.poll() is not None:
                raise GuiError(f"{app.name} exited with {app.returncode} before a window "
                               f"matching {name!r} appeared\n--- stderr:\n{app.stderr_tail()}")
            if time.monotonic() - t0 > timeout:
                raise GuiError(f"no window matching {name!r} after {timeout}s; windows: "
                               f"{self.list_windows()}"
                               + (f"\n--- stderr:\n{app.stderr_tail()}" if app else ""))
            time.sleep(poll)

    def list_windows(self) -> list[tuple[int, str]]:
        """(id, name) of every visible window that has a name, for diagnostics."""
        result = []
        for w in map(str, self.top_level_windows()):
            nm = self.xdotool("getwindowname", w, check=False)
            result.append((int(w), nm))
        return result

    def root(self) -> "Window":
        """The root window (for whole-screen screenshots or clicks in root coordinates)."""
        return Window(self, self._root_id())

    def _root_id(self) -> int:
        if shutil.which("xwininfo"):
            out = self.run(["xwininfo", "-root"], check=False).stdout.decode()
            for line in out.splitlines():
                if "Window id:" in line:
                    return int(line.split("Window id:")[1].split()[0], 16)
        ids = self.xdotool("search", "--maxdepth", "0", "--name", "", check=False).split()
        if not ids:
            raise GuiError("cannot find the root window")
        return int(ids[0])

    def screenshot(self, path: PathLike, window: Union[int, str] = "root",
                   method: str = "auto") -> Path:
        """Save a PNG of ``window`` (id, or "root") with ImageMagick ``import`` or ``xwd``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        wid = window if window == "root" else str(int(window))
        methods = ["import", "xwd"] if method == "auto" else [method]
        errors = []
        for m in methods:
            try:
                if m == "import" and shutil.which("import"):
                    # ImageMagick picks the PNG colour type (grey, palette or RGB) itself
                    self.run(["import", "-silent", "-window", wid, f"png:{path}"], timeout=30)
                    return path
                if m == "xwd" and shutil.which("xwd"):
                    target = ["-root"] if wid == "root" else ["-id", wid]
                    cp = self.run(["xwd", "-silent", *target], timeout=30)
                    xwd_to_png(cp.stdout, path)
                    return path
                errors.append(f"{m}: tool not installed")
            except GuiError as e:
                errors.append(f"{m}: {e}")
        raise GuiError("screenshot failed: " + "; ".join(errors))


def ere_escape(text: str) -> str:
    """Escape ``text`` for xdotool's POSIX extended regular expressions."""
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)


# --------------------------------------------------------------------------- App


class App:
    """A process started on the display, with its output captured to files."""

    def __init__(self, cmd: Sequence[str], name: str, env: dict,
                 cwd: Optional[PathLike], log_dir: Path):
        self.cmd = list(cmd)
        self.name = name
        self.stdout_path = log_dir / f"{name}.stdout"
        self.stderr_path = log_dir / f"{name}.stderr"
        self.started = time.monotonic()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, start_new_session=True)
        self.pid = self.proc.pid

    def poll(self) -> Optional[int]:
        return self.proc.poll()

    @property
    def returncode(self) -> Optional[int]:
        return self.proc.returncode

    def stdout(self) -> str:
        return self.stdout_path.read_text("utf-8", "replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", "replace")

    def stderr_tail(self, n: int = 2000) -> str:
        return _tail(self.stderr_path, n)

    def wait_for_output(self, text: str, timeout: float = 10.0, stream: str = "stdout") -> str:
        """Wait until ``text`` appears in the app's stdout (or stderr); return that stream."""
        t0 = time.monotonic()
        while True:
            data = self.stdout() if stream == "stdout" else self.stderr()
            if text in data:
                return data
            if self.poll() is not None or time.monotonic() - t0 > timeout:
                raise GuiError(f"{text!r} not in {self.name}'s {stream} "
                               f"(exit={self.poll()}):\n{data[-2000:]}")
            time.sleep(0.05)

    def stop(self, timeout: float = 5.0) -> Optional[int]:
        return _stop_process(self.proc, timeout)


# --------------------------------------------------------------------------- Window


class Window:
    """An X window on an :class:`Xvfb` display, driven with xdotool (XTEST input)."""

    def __init__(self, x: Xvfb, wid: int):
        self.x = x
        self.id = wid
        self.found_after: Optional[float] = None

    def __repr__(self) -> str:
        return f"Window({self.id:#x} on {self.x.display})"

    @property
    def name(self) -> str:
        return self.x.xdotool("getwindowname", str(self.id), check=False)

    def geometry(self) -> dict:
        """{'X','Y','WIDTH','HEIGHT'} in root coordinates."""
        out = self.x.xdotool("getwindowgeometry", "--shell", str(self.id))
        g = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return {k: int(g[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")}

    def screenshot(self, path: PathLike, method: str = "auto") -> Path:
        return self.x.screenshot(path, window=self.id, method=method)

    def focus(self) -> None:
        """Give the window keyboard focus (XSetInputFocus); works without a window manager.

        Raises it first; ``windowactivate`` is tried only if a WM is running.
        """
        self.x.xdotool("windowraise", str(self.id), check=False)
        cp = self.x.run(["xdotool", "windowactivate", "--sync", str(self.id)],
                        timeout=3, check=False) if self._wm_running() else None
        if cp is None or cp.returncode != 0:
            self.x.xdotool("windowfocus", "--sync", str(self.id), timeout=5)

    def _wm_running(self) -> bool:
        cp = self.x.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], check=False) \
            if shutil.which("xprop") else None
        return bool(cp and b"window id" in cp.stdout)

    def mouse_move(self, x: int, y: int, timeout: float = 3.0) -> None:
        """Warp the pointer to (x, y) relative to the window and wait until it is there.

        (``xdotool mousemove --sync`` is avoided: it waits for the pointer to *move*,
        so it hangs forever when the pointer already is at the target.)
        """
        self.x.xdotool("mousemove", "--window", str(self.id), str(x), str(y))
        g = self.geometry()
        want = (g["X"] + x, g["Y"] + y)
        t0 = time.monotonic()
        while True:
            loc = dict(line.split("=", 1) for line in self.x.xdotool(
                "getmouselocation", "--shell").splitlines() if "=" in line)
            if (int(loc["X"]), int(loc["Y"])) == want:
                return
            if time.monotonic() - t0 > timeout:
                raise GuiError(f"pointer at {loc}, wanted {want}")
            time.sleep(0.02)

    def click(self, x: int, y: int, button: int = 1, repeat: int = 1) -> None:
        """Move the pointer to (x, y) relative to the window and click (XTEST)."""
        self.mouse_move(x, y)
        time.sleep(0.05)  # let the app see the motion before the press
        self.x.xdotool("click", "--repeat", str(repeat), str(button))

    def type(self, text: str, delay_ms: int = 20, settle: float = 0.15,
             timeout: Optional[float] = None) -> None:
        """Type ``text`` into whatever has keyboard focus (XTEST), then wait ``settle`` s.

        ``xdotool type`` sends "\\n" as the *Linefeed* keysym (not Return), which
        baseview/egui do not treat as Enter, so each "\\n" is sent as ``key Return``.
        Keep to characters on the server's keymap (Xvfb: us/pc105/evdev): xdotool
        types others by remapping a spare keycode, which baseview maps to no key.
        The settle pause lets the app draw a frame, so that a shortcut sent next is
        not handled in the same egui frame as the last typed characters.
        """
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if i:
                self.key("Return", settle=0)
            if line:
                t = timeout or 10 + len(line) * delay_ms * 3 / 1000.0
                self.x.xdotool("type", "--delay", str(delay_ms), "--", line, timeout=t)
        time.sleep(settle)

    def paste(self, text: str, chord: str = "ctrl+v", settle: float = 0.15,
              timeout: float = 10.0) -> None:
        """Insert any text (non-ASCII too) through the CLIPBOARD: ``xclip`` owns the
        selection for one request, then ``chord`` makes the app read it."""
        require_tools("xclip")
        proc = subprocess.Popen(["xclip", "-quiet", "-loops", "1", "-selection", "clipboard",
                                 "-i"], env=self.x.env, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.stdin.write(text.encode("utf-8"))
            proc.stdin.close()
            time.sleep(0.1)  # let xclip take ownership of the selection
            self.key(chord, settle=0)
            proc.wait(timeout)  # exits once the app has read the selection
        except subprocess.TimeoutExpired as e:
            raise GuiError(f"nobody read the clipboard within {timeout}s after {chord}") from e
        finally:
            _stop_process(proc, 1.0)
        time.sleep(settle)

    def key(self, *keys: str, delay_ms: int = 20, settle: float = 0.15) -> None:
        """Press key chords, e.g. ``key("ctrl+Return")`` or ``key("ctrl+a", "BackSpace")``."""
        self.x.xdotool("key", "--delay", str(delay_ms), "--", *keys)
        time.sleep(settle)


# --------------------------------------------------------------------------- PNG / XWD


class PngImage:
    """A decoded image: ``pixels`` is bytes of width*height RGBA (8 bits a channel)."""

    def __init__(self, width: int, height: int, pixels: bytes):
        self.width, self.height, self.pixels = width, height, pixels

    def pixel(self, x: int, y: int) -> tuple:
        i = 4 * (y * self.width + x)
        return tuple(self.pixels[i:i + 4])

    def crop(self, x: int, y: int, w: int, h: int) -> "PngImage":
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        rows = [self.pixels[4 * (r * self.width + x0):4 * (r * self.width + x1)]
                for r in range(y0, y1)]
        return PngImage(max(0, x1 - x0), max(0, y1 - y0), b"".join(rows))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(data: bytes, height: int, stride: int, bpp: int) -> list[bytes]:
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype = data[pos]
        cur = bytearray(data[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 1:
            for i in range(bpp, stride):
                cur[i] = (cur[i] + cur[i - bpp]) & 0xFF
        elif ftype == 2:
            cur = bytearray((c + p) & 0xFF for c, p in zip(cur, prev))
        elif ftype == 3:
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                ul = prev[i - bpp] if i >= bpp else 0
                cur[i] = (cur[i] + _paeth(left, prev[i], ul)) & 0xFF
        elif ftype != 0:
            raise GuiError(f"bad PNG filter type {ftype}")
        rows.append(bytes(cur))
        prev = cur
    return rows


def read_png(path: PathLike) -> PngImage:
    """Decode a non-interlaced PNG (grey/RGB/palette/alpha, 1-16 bit) to 8-bit RGBA."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise GuiError(f"{path}: not a PNG")
    pos, idat, palette, trns = 8, [], None, None
    width = height = depth = ctype = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if interlace:
                raise GuiError(f"{path}: interlaced PNG not supported")
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bits = channels * depth
    stride = (width * bits + 7) // 8
    rows = _unfilter(zlib.decompress(b"".join(idat)), height, stride, max(1, bits // 8))
    out = bytearray()
    for row in rows:
        if depth == 16:
            row = row[0::2]  # keep the high byte of each sample
        elif depth < 8:  # unpack 1/2/4-bit samples (grey or palette index)
            mask, per = (1 << depth) - 1, 8 // depth
            row = bytes((row[i // per] >> (8 - depth * (i % per + 1))) & mask
                        for i in range(width))
            if ctype == 0:
                row = bytes(v * 255 // mask for v in row)
        out += _to_rgba(row[:width * channels], ctype, palette, trns)
    return PngImage(width, height, bytes(out))


def _to_rgba(row: bytes, ctype: int, palette: Optional[bytes], trns: Optional[bytes]) -> bytes:
    n = len(row) // {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    out = bytearray(4 * n)
    if ctype == 6:
        return bytes(row)
    if ctype == 2:
        out[0::4], out[1::4], out[2::4] = row[0::3], row[1::3], row[2::3]
        out[3::4] = b"\xff" * n
    elif ctype == 0:
        out[0::4] = out[1::4] = out[2::4] = row
        out[3::4] = b"\xff" * n
    elif ctype == 4:
        out[0::4] = out[1::4] = out[2::4] = row[0::2]
        out[3::4] = row[1::2]
    elif ctype == 3:
        pal = palette or b""
        alpha = trns or b""
        table = [pal[3 * i:3 * i + 3] + (bytes([alpha[i]]) if i < len(alpha) else b"\xff")
                 for i in range(len(pal) // 3)]
        out = bytearray(b"".join(table[i] for i in row))
    return bytes(out)


def write_png(path: PathLike, width: int, height: int, rgb: bytes) -> Path:
    """Write 8-bit RGB pixels (width*height*3 bytes) as a PNG."""
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    path = Path(path)
    path.write_bytes(png)
    return path


def xwd_to_png(xwd: bytes, path: PathLike) -> Path:
    """Convert ``xwd`` output (ZPixmap, TrueColor, 24/32 bpp) to a PNG, in pure Python."""
    hdr = struct.unpack(">25I", xwd[:100])
    (header_size, version, pixmap_format, depth, width, height, _xoff, byte_order,
     _bunit, _border, _bpad, bpp, bpl, _vclass, rmask, gmask, bmask, _bits_rgb,
     _cmap_entries, ncolors) = hdr[:20]
    if version != 7 or pixmap_format != 2 or bpp not in (24, 32):
        raise GuiError(f"unsupported XWD (version {version}, format {pixmap_format}, {bpp} bpp)")
    off = header_size + 12 * ncolors
    img = xwd[off:off + bpl * height]
    step = bpp // 8

    def shift(mask: int) -> int:
        return (mask & -mask).bit_length() - 1

    # byte index of each channel inside a pixel, for the usual 8-bit masks
    def index(mask: int) -> int:
        byte = shift(mask) // 8
        return byte if byte_order == 0 else step - 1 - byte

    ri, gi, bi = index(rmask), index(gmask), index(bmask)
    rgb = bytearray(3 * width * height)
    for y in range(height):
        row = img[y * bpl:y * bpl + width * step]
        o = 3 * width * y
        rgb[o:o + 3 * width:3] = row[ri::step]
        rgb[o + 1:o + 3 * width:3] = row[gi::step]
        rgb[o + 2:o + 3 * width:3] = row[bi::step]
    return write_png(path, width, height, bytes(rgb))


# --------------------------------------------------------------------------- checks


def image_stats(img: Union[PngImage, PathLike], region: Optional[tuple] = None) -> dict:
    """Colour statistics of an image (or a (x, y, w, h) region of it).

    Returns ``width``, ``height``, ``distinct_colours``, ``background`` (the most common
    RGBA colour) and ``non_background_fraction``.
    """
    if not isinstance(img, PngImage):
        img = read_png(img)
    if region:
        img = img.crop(*region)
    total = img.width * img.height
    if total == 0:
        raise GuiError("empty image")
    counts = collections.Counter(memoryview(img.pixels).cast("I"))  # one int per RGBA pixel
    bg, bg_count = counts.most_common(1)[0]
    return {
        "width": img.width,
        "height": img.height,
        "distinct_colours": len(counts),
        "background": tuple(struct.pack("=I", bg)),
        "non_background_fraction": 1.0 - bg_count / total,
    }


def assert_not_blank(img: Union[PngImage, PathLike], min_colours: int = 3,
                     min_fraction: float = 0.005, region: Optional[tuple] = None) -> dict:
    """Raise GuiError if the image has fewer than ``min_colours`` colours or less than
    ``min_fraction`` of its pixels differ from the most common colour."""
    stats = image_stats(img, region)
    if stats["distinct_colours"] < min_colours or \
            stats["non_background_fraction"] < min_fraction:
        raise GuiError(f"screenshot looks blank: {stats}")
    return stats


def diff_fraction(a: Union[PngImage, PathLike], b: Union[PngImage, PathLike],
                  region: Optional[tuple] = None) -> float:
    """Fraction of pixels that differ between two same-sized images (or a region)."""
    a = a if isinstance(a, PngImage) else read_png(a)
    b = b if isinstance(b, PngImage) else read_png(b)
    if region:
        a, b = a.crop(*region), b.crop(*region)
    if (a.width, a.height) != (b.width, b.height):
        raise GuiError(f"size differs: {a.width}x{a.height} vs {b.width}x{b.height}")
    pa, pb = memoryview(a.pixels).cast("I"), memoryview(b.pixels).cast("I")
    changed = sum(1 for x, y in zip(pa, pb) if x != y)
    return changed / max(1, len(pa))


def imagemagick_unique_colours(path: PathLike) -> int:
    """Unique colours as counted by ImageMagick (``convert FILE -format %k info:``)."""
    exe = "/usr/bin/convert" if os.path.exists("/usr/bin/convert") else "convert"
    cp = subprocess.run([exe, str(path), "-format", "%k", "info:"], capture_output=True,
                        timeout=60)
    if cp.returncode != 0:
        raise GuiError(cp.stderr.decode("utf-8", "replace"))
    return int(cp.stdout.strip())
