"""``extends``: a service built on another one, in the same file or another file.

Compose spec 05-services.md ("extends") and compose-go ``loader/extends.go``: resolution is
recursive, a cycle is an error, the base is merged under the extending service with the same
rules as ``-f`` files, nothing else (volumes, networks…) is imported, and a base taken from
another file has its relative paths resolved against that file's directory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kubealign.errors import ExtendsError
from kubealign.load.boundary import OUTSIDE_REASON, OutsideRepository
from kubealign.load.compose.merge import merge_nodes
from kubealign.load.compose.paths import absolute, resolve_service_paths
from kubealign.load.compose.tree import Node, copy

# Loads, validates the top level of, and interpolates another compose file.
DocumentLoader = Callable[[Path], Node]
_Key = tuple[str, str]


def _error(message: str, node: Node) -> ExtendsError:
    path, line = node.where()
    return ExtendsError(message, path=path, line=line)


def _services_of(document: Node) -> dict[str, Node]:
    services = document.get("services")
    if services is not None and isinstance(services.value, dict):
        return services.value
    return {}


class ExtendsResolver:
    """Resolves every ``extends`` of a document; other files are loaded once each."""

    def __init__(self, load_document: DocumentLoader, home: str) -> None:
        self._load_document = load_document
        self._home = home
        self._documents: dict[Path, dict[str, Node]] = {}
        self._resolved: dict[_Key, Node] = {}

    def resolve_document(self, document: Node, file_id: str, base_dir: Path) -> None:
        services = _services_of(document)
        for name in list(services):
            services[name] = self._service(file_id, services, name, base_dir, ())

    def _other_file(self, path: Path) -> dict[str, Node]:
        if path not in self._documents:
            self._documents[path] = _services_of(self._load_document(path))
        return self._documents[path]

    def _service(
        self,
        file_id: str,
        services: dict[str, Node],
        name: str,
        base_dir: Path,
        chain: tuple[_Key, ...],
    ) -> Node:
        key = (file_id, name)
        if key in self._resolved:
            return self._resolved[key]
        service = services[name]
        extends = service.get("extends")
        if extends is None:
            return service
        if key in chain:
            names = " -> ".join(n for _, n in (*chain[chain.index(key) :], key))
            raise _error(f"extends cycle: {names}; expected a chain that ends", extends)
        base_name, base_file = self._target(extends)
        target_services, target_id, target_dir = services, file_id, base_dir
        if base_file is not None:
            target_path = Path(absolute(base_file, base_dir, self._home))
            if not target_path.is_file():
                raise _error(f"extends file {base_file!r} not found ({target_path})", extends)
            try:
                target_services = self._other_file(target_path)
            except OutsideRepository as exc:
                raise _error(f"extends file {base_file!r}: {OUTSIDE_REASON}", extends) from exc
            target_id, target_dir = str(target_path), target_path.parent
        if base_name not in target_services:
            where = f" in {base_file}" if base_file is not None else ""
            raise _error(f"cannot extend service {base_name!r}: no such service{where}", extends)
        base = copy(self._service(target_id, target_services, base_name, target_dir, (*chain, key)))
        if base_file is not None:
            resolve_service_paths(base, target_dir, self._home)
        own = Node({k: v for k, v in service.value.items() if k != "extends"}, service.span)
        merged = merge_nodes(base, own, ("services", name))
        merged.span = service.span
        self._resolved[key] = merged
        return merged

    @staticmethod
    def _target(extends: Node) -> tuple[str, str | None]:
        if isinstance(extends.value, str):
            return extends.value, None
        if isinstance(extends.value, dict):
            service, file = extends.get("service"), extends.get("file")
            named = service is not None and isinstance(service.value, str)
            if named and (file is None or isinstance(file.value, str)):
                assert service is not None
                return service.value, file.value if file is not None else None
        raise _error("expected 'extends' to be a service name or {service, file}", extends)
