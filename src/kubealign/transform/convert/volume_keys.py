"""The persistence keys of a service's claims, fixed before any of its mounts is converted.

A claim is named after where the program keeps its data, not after the compose volume:
variants of one repository name the same database volume ``pgdata``, ``postgres-data`` or
``db_production`` but mount it where the image reads it. A key from the volume name gave each
environment another claim: another StatefulSet volumeClaimTemplate, which Kubernetes refuses
to change on upgrade, or a new empty PVC while Helm keeps the old one aside.

The keys are computed for every service up front because a shared volume's claim is created
by its owner and mounted by the others under the owner's name (`<owner>-<owner's key>`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from kubealign.model.compose import Service
from kubealign.transform.naming import dns_label

# Volume names the chart gives a pod's other volumes (_pod.tpl, _wait.tpl): a persistence key
# or a hostMounts key must not name the same volume, or Kubernetes refuses the pod.
CHART_VOLUMES = re.compile(r"^(config|dshm|kubealign-wait-.*|(secret|tmpfs|writable)-[0-9]+)$")


class TakenNames(set[str]):
    """A set of pod volume names that also holds every name the chart reserves."""

    def __contains__(self, name: object) -> bool:
        return (isinstance(name, str) and CHART_VOLUMES.match(name) is not None) \
            or super().__contains__(name)


def unique_name(key: str, taken: set[str]) -> str:
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}", n + 1
    return candidate


def persistence_key(target: str) -> str:
    """The key of a claim mounted at ``target``: its last folder (``/var/lib/mysql`` ->
    ``mysql``, ``/root/.ollama`` -> ``ollama``, ``/`` -> ``data``)."""
    return dns_label(PurePosixPath(target.rstrip("/") or "/").name.lstrip(".") or "data",
                     limit=42)


def named_volume_keys(service: Service) -> dict[str, str]:
    """Named volume -> its persistence key in ``service``, in mount order; a volume mounted
    twice keeps the key of its first mount."""
    keys: dict[str, str] = {}
    for mount in service.volumes:
        if mount.type == "volume" and mount.source and mount.source not in keys:
            keys[mount.source] = unique_name(persistence_key(mount.target),
                                             TakenNames(keys.values()))
    return keys
