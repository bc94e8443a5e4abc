"""Values files as people read them: stable key order, safe quoting, comments on where
each service came from.

Strings that a YAML 1.1 reader (Helm's) would take for something else (``yes``, ``1.10``,
``0755``, ``22:22``) are quoted; multi-line text uses literal blocks so embedded config files
stay readable and byte-exact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml


# libyaml's emitter when PyYAML was built with it: the pure-Python one dominated convert.
class _ValuesDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


# YAML 1.1 booleans PyYAML itself does not resolve (it knows yes/no/on/off, not y/n), and
# other words some Go YAML readers turn into non-strings.
_AMBIGUOUS = re.compile(r"^(?:y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|=|<<)$")


# Characters YAML also reads as line breaks (or libyaml will not write in a literal block):
# text holding one of them goes out double-quoted, where they are escapes.
_NOT_LITERAL = "\r\t\x85\u2028\u2029\ufeff"


def _literal_ok(data: str) -> bool:
    """Whether ``data`` can be a ``|`` block that survives being spliced into a values file.

    Text ending in a blank line would need keep-chomping (``|+``), after which libyaml
    closes the document with a ``...`` marker; inside a values file that marker is invalid
    YAML, and the trailing newlines are lost to the splice. Such text is quoted instead."""
    return (
        "\n" in data
        and not any(ch in data for ch in _NOT_LITERAL)
        and not data.startswith(" ")
        and not data.endswith("\n\n")
        and data.strip("\n ") != ""
    )


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if _AMBIGUOUS.match(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    if _literal_ok(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_ValuesDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, *, width: int = 100) -> str:
    return yaml.dump(data, Dumper=_ValuesDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=width, indent=2)


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def render_values(
    values: Mapping[str, Any],
    *,
    header: str,
    service_comments: Mapping[str, str] | None = None,
) -> str:
    """A values file: ``header`` as a comment block, then each top-level key; every entry
    of ``services`` is preceded by its comment."""
    comments = service_comments or {}
    out = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    for key, value in values.items():
        out.append("")
        if key == "services" and isinstance(value, Mapping) and value:
            out.append("services:")
            for name, service in value.items():
                note = comments.get(name)
                if note:
                    out.extend(f"  # {line}" for line in note.splitlines())
                out.append(_indent(dump_yaml({name: service}), 2).rstrip("\n"))
        else:
            out.append(dump_yaml({key: value}).rstrip("\n"))
    return "\n".join(out) + "\n"
