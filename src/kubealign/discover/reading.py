"""Read file content once, within a size budget, and refuse binary data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Bytes read from files whose name says nothing, to sniff shebangs and Dockerfiles.
SNIFF_BYTES = 4096
#: Text files (scripts, Dockerfiles, docs, env files) are read up to this size.
TEXT_CAP_BYTES = 1 << 20
#: YAML/JSON files larger than this are classified by name only, never parsed.
YAML_CAP_BYTES = 4 << 20

_BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".webp", ".bmp", ".pdf",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".tar", ".7z", ".jar", ".war",
        ".whl", ".so", ".dll", ".dylib", ".exe", ".bin", ".o", ".a", ".pyc", ".class",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi",
        ".db", ".sqlite", ".sqlite3", ".parquet", ".npy", ".pt", ".pth", ".onnx",
        ".safetensors", ".pkl", ".h5", ".lock",
    }
)  # fmt: skip


def is_binary_name(name: str) -> bool:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return suffix in _BINARY_SUFFIXES


@dataclass(frozen=True, slots=True)
class FileText:
    """Decoded content; ``complete`` is False when the budget cut the file short."""

    text: str
    complete: bool


def read_text(location: Path, size: int, budget: int) -> FileText | None:
    """Up to ``budget`` bytes decoded as UTF-8, or None for binary/undecodable/unreadable."""
    try:
        with location.open("rb") as handle:
            data = handle.read(budget)
    except OSError:
        return None
    if b"\x00" in data[:SNIFF_BYTES]:
        return None
    complete = len(data) >= size
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character is not a decoding failure.
        if complete or exc.start < len(data) - 4:
            return None
        text = data[: exc.start].decode("utf-8")
    return FileText(text.removeprefix("\ufeff"), complete)
