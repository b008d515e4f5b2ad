"""Reading and rewriting the plugin state that pedalboard exposes as `raw_state`.

For a VST3 plugin, JUCE (inside pedalboard) wraps the plugin's own state in a binary
XML blob: the 4-byte magic "VC2!", a little-endian 32-bit length, a single-line XML
document <VST3PluginState> whose <IComponent> (and <IEditController>) children hold
the component state in JUCE's own base64 variant ("<byte count>.<chars>", alphabet
".A-Za-z0-9+", bits packed least-significant first), and a trailing NUL byte.

The component state is nice-plug's JSON ({"params": ..., "fields": {...}}); the
plugin's persisted field "state" is a JSON string holding {"version": 3, "code": ..., "slots": ..., "preset": ..., "last_good": ...}.
"""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

JUCE_XML_MAGIC = b"VC2!"
_JUCE_B64 = ".ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+"
_JUCE_B64_INDEX = {c: i for i, c in enumerate(_JUCE_B64)}


def juce_base64_encode(data: bytes) -> str:
    """JUCE's MemoryBlock::toBase64Encoding: the bytes as one little-endian number, six
    bits per character from the lowest; 3 bytes are 4 characters, in linear time."""
    import numpy as np

    size = len(data)
    num_chars = (size * 8) // 6 + 3
    groups = -(-num_chars // 4)
    padded = np.zeros(groups * 3, dtype=np.uint32)
    padded[:size] = np.frombuffer(data, dtype=np.uint8)
    triples = padded.reshape(-1, 3)
    value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
    sixes = np.stack([(value >> shift) & 63 for shift in (0, 6, 12, 18)], axis=1).reshape(-1)
    alphabet = np.frombuffer(_JUCE_B64.encode(), dtype=np.uint8)
    return f"{size}." + alphabet[sixes[:num_chars]].tobytes().decode()


def juce_base64_decode(text: str) -> bytes:
    """JUCE's MemoryBlock::fromBase64Encoding (characters outside the alphabet skipped)."""
    import numpy as np

    text = text.strip()
    size_text, dot, payload = text.partition(".")
    if not dot:
        raise ValueError("not a JUCE base64 string (no '.')")
    size = int(size_text)
    lookup = np.full(256, 255, dtype=np.uint32)
    for i, c in enumerate(_JUCE_B64):
        lookup[ord(c)] = i
    values = lookup[np.frombuffer(payload.encode("latin-1", "replace"), dtype=np.uint8)]
    values = values[values != 255]
    groups = -(-max(len(values), 1) // 4)
    sixes = np.zeros(groups * 4, dtype=np.uint32)
    sixes[: len(values)] = values
    quads = sixes.reshape(-1, 4)
    value = quads[:, 0] | (quads[:, 1] << 6) | (quads[:, 2] << 12) | (quads[:, 3] << 18)
    out = np.stack([(value >> shift) & 255 for shift in (0, 8, 16)], axis=1).reshape(-1)
    data = out.astype(np.uint8).tobytes()[:size]
    return data + bytes(size - len(data))


def _find_state_field(obj):
    """Returns (container, key) of the first "state" entry found depth-first."""
    if isinstance(obj, dict):
        if "state" in obj:
            return obj, "state"
        for v in obj.values():
            found = _find_state_field(v)
            if found is not None:
                return found
    elif isinstance(obj, list):
        for v in obj:
            found = _find_state_field(v)
            if found is not None:
                return found
    return None


def _parse_json_payload(payload: bytes) -> dict:
    text = payload.decode("utf-8").rstrip("\x00")
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        raise ValueError(f"no JSON object in the plugin state: {text[:200]!r}")
    return json.loads(text[start : end + 1])


@dataclass
class PluginState:
    """A decoded `raw_state`: the JUCE wrapper (if any), nice-plug's JSON and the
    plugin's own versioned state object."""

    raw: bytes
    outer: dict
    inner: dict
    inner_was_string: bool
    xml_root: ET.Element | None = None
    json_children: list = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.inner["code"]

    @property
    def version(self):
        return self.inner.get("version")

    def with_code(self, code: str, keep_slots: bool = False) -> bytes:
        """The raw state of a session playing `code`: the patch code replaced and, unless
        `keep_slots`, the slot map emptied (as in a session where only this patch ever
        played; otherwise the channels of the patch it replaces keep their slots)."""
        inner = dict(self.inner)
        inner["code"] = code
        if not keep_slots:
            inner["slots"] = {}
            inner["preset"] = None
        return self.with_inner(inner)

    def with_inner(self, inner: dict) -> bytes:
        """The raw state with the plugin's own state object replaced."""
        outer = json.loads(json.dumps(self.outer))
        container, key = _find_state_field(outer)
        container[key] = json.dumps(inner) if self.inner_was_string else inner
        payload = json.dumps(outer, separators=(",", ":")).encode("utf-8")
        if self.xml_root is None:
            return payload
        root = ET.fromstring(ET.tostring(self.xml_root))
        for child in root:
            if child.tag in self.json_children:
                child.text = juce_base64_encode(payload)
        xml_text = ET.tostring(root, encoding="unicode")
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n\n' + xml_text).encode("utf-8") + b"\x00"
        return JUCE_XML_MAGIC + struct.pack("<I", len(body) - 1) + body


def decode_raw_state(raw: bytes) -> PluginState:
    """Decodes pedalboard's `raw_state` bytes for this plugin."""
    raw = bytes(raw)
    xml_root = None
    json_children = []
    if raw.startswith(JUCE_XML_MAGIC):
        (length,) = struct.unpack("<I", raw[4:8])
        xml_text = raw[8 : 8 + length].decode("utf-8").rstrip("\x00")
        xml_root = ET.fromstring(xml_text)
        outer = None
        for child in xml_root:
            if not (child.text or "").strip():
                continue
            try:
                parsed = _parse_json_payload(juce_base64_decode(child.text))
            except (ValueError, UnicodeDecodeError):
                continue
            if _find_state_field(parsed) is not None:
                json_children.append(child.tag)
                if outer is None:
                    outer = parsed
        if outer is None:
            raise ValueError(
                "no child of the VST3 state XML holds JSON with a 'state' field; "
                f"children: {[c.tag for c in xml_root]}"
            )
    else:
        outer = _parse_json_payload(raw)
    found = _find_state_field(outer)
    if found is None:
        raise ValueError(f"plugin state JSON has no 'state' field: keys {list(outer)}")
    container, key = found
    value = container[key]
    inner_was_string = isinstance(value, str)
    inner = json.loads(value) if inner_was_string else value
    if not isinstance(inner, dict):
        raise ValueError(f"the 'state' field does not hold a JSON object: {value!r:.200}")
    return PluginState(raw, outer, inner, inner_was_string, xml_root, json_children)
