"""Services that Kubernetes itself replaces.

An edge router (Traefik, nginx-proxy, Caddy proxying to the other services) becomes the
Ingress layer; ACME companions become cert-manager; image auto-updaters become the GitOps
image updater; Docker/Swarm UIs and socket proxies have no place in a cluster. They are kept
in the chart but disabled, so one value switches any of them back on.

An nginx or Caddy that serves files is an application. The difference is in what its
configuration does: it is an edge router when it proxies to other services of the project.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kubealign.model.compose import Project, Service


class Role(enum.Enum):
    APPLICATION = "application"
    EDGE_ROUTER = "edge-router"
    ACME_COMPANION = "acme-companion"
    IMAGE_UPDATER = "image-updater"
    DOCKER_UI = "docker-ui"


REPLACED_BY = {
    Role.EDGE_ROUTER: "the cluster's ingress controller (Ingress objects from its labels/config)",
    Role.ACME_COMPANION: "cert-manager (cert-manager.io/cluster-issuer on each TLS Ingress)",
    Role.IMAGE_UPDATER: "Argo CD Image Updater writing image tags to the values files",
    Role.DOCKER_UI: "nothing: Kubernetes has its own API and dashboards",
}


@dataclass(frozen=True, slots=True)
class RoleDecision:
    role: Role
    evidence: str

    @property
    def replaced(self) -> bool:
        return self.role is not Role.APPLICATION


def _repository(image: str | None) -> str:
    """``docker.io/library/traefik:v3.2@sha256:..`` -> ``traefik``."""
    if not image:
        return ""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.lower()


_ROUTER_IMAGES = ("traefik", "jwilder/nginx-proxy", "nginxproxy/nginx-proxy", "haproxytech/"
                  "haproxy", "envoyproxy/envoy")
_ACME_IMAGES = ("certbot/certbot", "nginxproxy/acme-companion", "jrcs/letsencrypt-nginx-proxy-"
                "companion", "neilpang/acme.sh")
_UPDATER_IMAGES = ("containrrr/watchtower", "keelhq/keel", "pyouroboros/ouroboros",
                   "v2tec/watchtower")
_UI_IMAGES = ("portainer/portainer", "portainer/portainer-ce", "portainer/portainer-ee",
              "portainer/agent", "swarmpit/swarmpit", "swarmpit/agent", "tecnativa/docker-socket-"
              "proxy", "linuxserver/socket-proxy", "dockersamples/visualizer")
_PROXY_CAPABLE = ("nginx", "caddy", "haproxy", "openresty/openresty", "bitnami/nginx",
                  "nginxinc/nginx-unprivileged")

_UPSTREAM = re.compile(
    r"(?:proxy_pass|grpc_pass|uwsgi_pass|fastcgi_pass|reverse_proxy|server)\s+(?:https?://|grpc://)?"
    r"([A-Za-z0-9_.-]+)"
)


def _matches(repository: str, names: tuple[str, ...]) -> bool:
    return any(repository == n or repository.startswith(n) for n in names)


def proxied_services(config_text: str, service_names: set[str]) -> set[str]:
    """Names of project services that a proxy configuration forwards to."""
    found = set()
    for match in _UPSTREAM.finditer(config_text):
        host = match.group(1).split(":", 1)[0]
        if host in service_names:
            found.add(host)
    return found


def classify_service(
    service: Service,
    project: Project,
    read_file: Callable[[str], str | None],
    refusal: Callable[[str], str | None] | None = None,
) -> RoleDecision:
    """Decide whether ``service`` is an application or something Kubernetes replaces.

    ``read_file`` returns the text of a host file (bind mount or config source) or None; it
    is how the configuration of an nginx/Caddy is inspected. With ``refusal`` (the read
    boundary), the files of bind-mounted folders (an nginx ``conf.d``) are read too.
    """
    repository = _repository(service.image)
    if _matches(repository, _UPDATER_IMAGES):
        return RoleDecision(Role.IMAGE_UPDATER, f"image {repository}")
    if _matches(repository, _ACME_IMAGES):
        return RoleDecision(Role.ACME_COMPANION, f"image {repository}")
    if _matches(repository, _UI_IMAGES):
        return RoleDecision(Role.DOCKER_UI, f"image {repository}")
    if _matches(repository, _ROUTER_IMAGES):
        return RoleDecision(Role.EDGE_ROUTER, f"image {repository}")
    if _matches(repository, _PROXY_CAPABLE):
        others = set(project.service_names) - {service.name}
        for text, where in config_texts(service, project, read_file, refusal):
            targets = proxied_services(text, others)
            if targets:
                names = ", ".join(sorted(targets))
                return RoleDecision(Role.EDGE_ROUTER, f"{where} proxies to {names}")
        return RoleDecision(Role.APPLICATION, f"{repository} serves content (no proxy to "
                                              "other services found in its configuration)")
    return RoleDecision(Role.APPLICATION, "application image")


def config_texts(
    service: Service, project: Project, read_file: Callable[[str], str | None],
    refusal: Callable[[str], str | None] | None = None,
) -> list[tuple[str, str]]:
    """(text, where) of the configuration a service mounts: bind-mounted files (and, given
    the read boundary's ``refusal``, the files of bind-mounted folders) and ``configs``."""
    texts: list[tuple[str, str]] = []
    for mount in service.volumes:
        if mount.type != "bind" or not mount.source:
            continue
        if refusal is not None and refusal(mount.source) is None and Path(mount.source).is_dir():
            for name in _folder_files(Path(mount.source)):
                text = read_file(str(name))
                if text is not None:
                    texts.append((text, str(name)))
            continue
        text = read_file(mount.source)
        if text is not None:
            texts.append((text, mount.source))
    by_name = {c.name: c for c in project.configs}
    for ref in service.configs:
        definition = by_name.get(ref.source)
        if definition is None:
            continue
        if definition.content is not None:
            texts.append((definition.content, f"config {ref.source}"))
        elif definition.file is not None:
            text = read_file(definition.file)
            if text is not None:
                texts.append((text, definition.file))
    return texts


_MAX_FOLDER_FILES = 100


def _folder_files(root: Path) -> list[Path]:
    """Regular files below ``root`` (symlinked folders not followed), at most a hundred."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            found.append(Path(folder) / name)
            if len(found) >= _MAX_FOLDER_FILES:
                return found
    return found
