"""Merging compose documents (``-f a -f b``) and ``extends`` (Compose spec 13-merge.md).

compose-go uses one merge for both (``override.Merge`` and ``override.ExtendService``):

* mappings merge key by key, recursively; scalars: the later value wins;
* sequences are appended (base first), then de-duplicated by :func:`enforce_unicity`;
* ``command``, ``entrypoint`` and ``healthcheck.test`` are replaced;
* ``environment``, ``labels``, ``annotations``, ``sysctls``, ``extra_hosts``, ``build.args`` and
  the other key/value fields merge by key whatever their form (list ``K=V`` or mapping);
* ``depends_on`` and service ``networks`` merge as mappings (a list is read as names);
* ``build`` given as a string is its ``context``; ``logging`` with a different driver is
  replaced; an ``ulimits`` entry changing form is replaced;
* ``!reset`` removes the value, ``!override`` replaces it without merging.
"""

from __future__ import annotations

from collections.abc import Callable

from kubealign.load.compose.short_syntax import parse_volume_spec
from kubealign.load.compose.tree import OVERRIDE, RESET, Node

Path = tuple[str, ...]
_REPLACED = (("command",), ("entrypoint",), ("healthcheck", "test"))
# Service-level fields merged by key whatever their syntax.
_KEYED_SERVICE_FIELDS = (
    ("environment",),
    ("labels",),
    ("annotations",),
    ("sysctls",),
    ("extra_hosts",),
    ("build", "args"),
    ("build", "labels"),
    ("build", "extra_hosts"),
    ("build", "additional_contexts"),
    ("deploy", "labels"),
)
# Fields that may be a string or a list and merge as lists.
_STRING_OR_LIST = (("dns",), ("dns_opt",), ("dns_search",), ("tmpfs",), ("env_file",))


def _service_tail(path: Path) -> Path | None:
    """The part of ``path`` inside a service (``services.<name>.…``), else None."""
    if len(path) >= 3 and path[0] == "services":
        return path[2:]
    return None


def strip_tags(node: Node) -> Node:
    """``node`` with ``!reset`` children removed and ``!override`` tags dropped."""
    value = node.value
    if isinstance(value, dict):
        value = {k: strip_tags(v) for k, v in value.items() if v.tag != RESET}
    elif isinstance(value, list):
        value = [strip_tags(v) for v in value if v.tag != RESET]
    return Node(value, node.span)


def split_key_value(entry: str) -> tuple[str, str | None]:
    """``K=V`` -> (K, V); ``K`` -> (K, None)."""
    key, sep, val = entry.partition("=")
    return key, (val if sep else None)


def keyed_mapping(node: Node) -> dict[str, Node]:
    """A list (``K=V`` / ``K``) or mapping of key/value pairs as ordered key -> value node."""
    if isinstance(node.value, dict):
        return dict(node.value)
    result: dict[str, Node] = {}
    if isinstance(node.value, list):
        for item in node.value:
            text = str(item.value) if item.value is not None else ""
            key, val = split_key_value(text)
            result.pop(key, None)
            result[key] = Node(val, item.span)
    return result


def _split_host_entry(text: str) -> tuple[str, str | None]:
    for sep in ("=", ":"):
        if sep in text:
            host, _, address = text.partition(sep)
            return host, address
    return text, None


def _extra_hosts_mapping(node: Node) -> dict[str, Node]:
    if isinstance(node.value, list):
        result: dict[str, Node] = {}
        for item in node.value:
            host, address = _split_host_entry(str(item.value))
            result[host] = Node(address, item.span)
        return result
    return keyed_mapping(node)


def _as_list(node: Node) -> list[Node]:
    if isinstance(node.value, list):
        return list(node.value)
    if node.value is None:
        return []
    return [Node(node.value, node.span)]


def _names_mapping(node: Node, default: Callable[[Node], Node]) -> dict[str, Node]:
    if isinstance(node.value, list):
        return {str(item.value): default(item) for item in node.value}
    if isinstance(node.value, dict):
        return dict(node.value)
    return {}


def _dependency_default(item: Node) -> Node:
    return Node(
        {
            "condition": Node("service_started", item.span),
            "required": Node(True, item.span),
        },
        item.span,
    )


def _merge_maps(base: dict[str, Node], over: dict[str, Node], path: Path) -> dict[str, Node]:
    result = dict(base)
    for key, child in over.items():
        if child.tag == RESET:
            result.pop(key, None)
        elif child.tag == OVERRIDE or key not in result:
            result[key] = strip_tags(child)
        else:
            result[key] = merge_nodes(result[key], child, (*path, key))
    return result


def merge_nodes(base: Node, over: Node, path: Path = ()) -> Node:
    """Merge ``over`` into ``base`` (neither is modified); ``path`` names the position."""
    if over.tag == RESET:
        return Node(None, over.span)
    if over.tag == OVERRIDE:
        return strip_tags(over)
    tail = _service_tail(path)
    if tail is not None:
        special = _merge_service_field(base, over, tail, path)
        if special is not None:
            return special
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        return Node(_merge_maps(base.value, over.value, path), over.span)
    if isinstance(base.value, list) and isinstance(over.value, list):
        return Node([*base.value, *strip_tags(over).value], over.span)
    if over.value is None and isinstance(base.value, dict | list):
        return base
    return strip_tags(over)


def _merge_service_field(base: Node, over: Node, tail: Path, path: Path) -> Node | None:
    if tail in _REPLACED:
        return strip_tags(over)
    if tail in (("extra_hosts",), ("build", "extra_hosts")):
        return Node(
            _merge_maps(_extra_hosts_mapping(base), _extra_hosts_mapping(over), path), over.span
        )
    if tail in _KEYED_SERVICE_FIELDS:
        return Node(_merge_maps(keyed_mapping(base), keyed_mapping(over), path), over.span)
    if tail in _STRING_OR_LIST:
        return Node([*_as_list(base), *_as_list(strip_tags(over))], over.span)
    if tail == ("depends_on",):
        merged = _merge_maps(
            _names_mapping(base, _dependency_default),
            _names_mapping(over, _dependency_default),
            path,
        )
        return Node(merged, over.span)
    if tail == ("networks",):

        def no_options(item: Node) -> Node:
            return Node(None, item.span)

        merged = _merge_maps(
            _names_mapping(base, no_options), _names_mapping(over, no_options), path
        )
        return Node(merged, over.span)
    if tail == ("build",):
        return Node(_merge_maps(_build_mapping(base), _build_mapping(over), path), over.span)
    if tail == ("logging",):
        base_driver, over_driver = _driver(base), _driver(over)
        if base_driver is not None and over_driver is not None and base_driver != over_driver:
            return strip_tags(over)
        return None
    changes_form = isinstance(base.value, dict) != isinstance(over.value, dict)
    if len(tail) == 2 and tail[0] == "ulimits" and changes_form:
        return strip_tags(over)
    return None


def _build_mapping(node: Node) -> dict[str, Node]:
    if isinstance(node.value, str):
        return {"context": Node(node.value, node.span)}
    if isinstance(node.value, dict):
        return dict(node.value)
    return {}


def _driver(node: Node) -> object:
    driver = node.get("driver")
    return driver.value if driver is not None else None


# --------------------------------------------------------------------------- unicity

Indexer = Callable[[Node], str]


def _scalar_text(node: Node) -> str:
    return "" if node.value is None else str(node.value)


def _key_value_index(node: Node) -> str:
    return split_key_value(_scalar_text(node))[0]


def _port_index(node: Node) -> str:
    if isinstance(node.value, dict):
        fields = {key: _scalar_text(child) for key, child in node.value.items()}
        return (
            f"{fields.get('host_ip') or '0.0.0.0'}:{fields.get('published', '')}:"
            f"{fields.get('target', '')}/{fields.get('protocol') or 'tcp'}"
        )
    return _scalar_text(node)


def _volume_index(node: Node) -> str:
    if isinstance(node.value, dict):
        target = node.get("target")
        return _scalar_text(target) if target is not None else ""
    try:
        return str(parse_volume_spec(_scalar_text(node))["target"])
    except ValueError:
        return _scalar_text(node)


def _mount_index(default_dir: str) -> Indexer:
    def index(node: Node) -> str:
        if isinstance(node.value, dict):
            target = node.get("target")
            if target is not None:
                return _scalar_text(target)
            source = node.get("source")
            return f"{default_dir}/{_scalar_text(source) if source is not None else ''}"
        return f"{default_dir}/{_scalar_text(node)}"

    return index


def _env_file_index(node: Node) -> str:
    if isinstance(node.value, dict):
        path = node.get("path")
        return _scalar_text(path) if path is not None else ""
    return _scalar_text(node)


_UNIQUE: dict[Path, Indexer] = {
    ("ports",): _port_index,
    ("volumes",): _volume_index,
    ("devices",): _volume_index,
    ("secrets",): _mount_index("/run/secrets"),
    ("configs",): _mount_index(""),
    ("env_file",): _env_file_index,
    ("expose",): _scalar_text,
    ("cap_add",): _key_value_index,
    ("cap_drop",): _key_value_index,
    ("dns",): _key_value_index,
    ("dns_opt",): _key_value_index,
    ("dns_search",): _key_value_index,
    ("links",): _key_value_index,
    ("profiles",): _key_value_index,
    ("tmpfs",): _key_value_index,
    ("environment",): _key_value_index,
    ("labels",): _key_value_index,
    ("annotations",): _key_value_index,
    ("sysctls",): _key_value_index,
    ("build", "args"): _key_value_index,
    ("build", "labels"): _key_value_index,
    ("build", "tags"): _key_value_index,
    ("deploy", "labels"): _key_value_index,
}


def _deduplicate(items: list[Node], index: Indexer) -> list[Node]:
    """Later entries replace earlier ones with the same key, at the earlier position."""
    result: list[Node] = []
    positions: dict[str, int] = {}
    for item in items:
        key = index(item)
        if key in positions:
            result[positions[key]] = item
        else:
            positions[key] = len(result)
            result.append(item)
    return result


def enforce_unicity(service: Node) -> None:
    """De-duplicate the keyed sequences of one service in place."""
    for path, index in _UNIQUE.items():
        parent: Node | None = service
        for key in path[:-1]:
            parent = parent.get(key) if parent is not None else None
        target = parent.get(path[-1]) if parent is not None else None
        if target is not None and isinstance(target.value, list):
            target.value = _deduplicate(target.value, index)
    networks = service.get("networks")
    if networks is not None and isinstance(networks.value, dict):
        for options in networks.value.values():
            aliases = options.get("aliases")
            if aliases is not None and isinstance(aliases.value, list):
                aliases.value = _deduplicate(aliases.value, _scalar_text)


def merge_documents(documents: list[Node]) -> Node:
    """Merge whole compose documents in order (tags of the first one applied too)."""
    span = documents[0].span if documents else None
    result = Node({}, span)
    for document in documents:
        if not isinstance(document.value, dict):
            continue
        result = Node(_merge_maps(result.value, document.value, ()), result.span)
    return result
