"""A minimal Kubernetes API client for what Helm cannot tell before installing.

``helm --dry-run=server`` only lets templates look things up; it never sends the objects. To
learn what the API server refuses (field validation, admission, missing CRDs) every rendered
object is sent as a server-side apply with ``dryRun=All``: the server runs defaulting,
validation and admission, answers with the object it would store, and stores nothing. The
same answer is what ``--diff`` compares with the live object.

Only kubeconfig credentials the standard library can use are supported: client certificates,
bearer tokens, basic TLS settings. Exec and auth-provider plugins raise
:class:`ClusterUnavailable` (the check is then reported as skipped, never faked).
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FIELD_MANAGER = "kubealign-preflight"
_TIMEOUT_SECONDS = 15


class ClusterUnavailable(Exception):
    """No usable cluster: no kubeconfig, an unsupported credential, or no answer."""


@dataclass(frozen=True, slots=True)
class Credentials:
    server: str
    ca_file: str | None = None
    ca_data: bytes | None = None
    cert_file: str | None = None
    cert_data: bytes | None = None
    key_file: str | None = None
    key_data: bytes | None = None
    token: str | None = None
    insecure: bool = False


def _kubeconfig_files(explicit: Path | None) -> list[Path]:
    if explicit is not None:
        return [explicit]
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _named(entries: Any, name: str) -> Mapping[str, Any]:
    for entry in entries or []:
        if isinstance(entry, Mapping) and entry.get("name") == name:
            return entry
    return {}


def _relative(base: Path, value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    return str(path if path.is_absolute() else base.parent / path)


def load_credentials(kubeconfig: Path | None = None, context: str | None = None) -> Credentials:
    """The cluster and user of ``context`` (else the current one) from the kubeconfig."""
    files = [p for p in _kubeconfig_files(kubeconfig) if p.is_file()]
    if not files:
        raise ClusterUnavailable("no kubeconfig (KUBECONFIG or ~/.kube/config)")
    merged: dict[str, list[Any]] = {"clusters": [], "users": [], "contexts": []}
    current: str | None = None
    owner: dict[tuple[str, str], Path] = {}
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, Mapping):
            continue
        current = current or data.get("current-context")
        for key, entries in merged.items():
            for entry in data.get(key) or []:
                if isinstance(entry, Mapping) and "name" in entry:
                    entries.append(entry)
                    owner.setdefault((key, str(entry["name"])), path)
    name = context or current
    if not name:
        raise ClusterUnavailable("the kubeconfig has no current context")
    ctx = _named(merged["contexts"], name).get("context") or {}
    if not ctx:
        raise ClusterUnavailable(f"context {name!r} does not exist in the kubeconfig")
    cluster_name, user_name = str(ctx.get("cluster", "")), str(ctx.get("user", ""))
    cluster = _named(merged["clusters"], cluster_name).get("cluster") or {}
    user = _named(merged["users"], user_name).get("user") or {}
    if "exec" in user or "auth-provider" in user:
        raise ClusterUnavailable(f"user {user_name!r} authenticates with a credential plugin, "
                                 "which the server-side check does not run")
    cluster_file = owner.get(("clusters", cluster_name), files[0])
    user_file = owner.get(("users", user_name), files[0])
    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = Path(str(_relative(user_file, user["tokenFile"]))).read_text().strip()

    def b64(entry: Mapping[str, Any], key: str) -> bytes | None:
        value = entry.get(key)
        return base64.b64decode(value) if isinstance(value, str) and value else None

    server = cluster.get("server")
    if not isinstance(server, str) or not server:
        raise ClusterUnavailable(f"cluster {cluster_name!r} has no server address")
    return Credentials(
        server=server.rstrip("/"),
        ca_file=_relative(cluster_file, cluster.get("certificate-authority")),
        ca_data=b64(cluster, "certificate-authority-data"),
        cert_file=_relative(user_file, user.get("client-certificate")),
        cert_data=b64(user, "client-certificate-data"),
        key_file=_relative(user_file, user.get("client-key")),
        key_data=b64(user, "client-key-data"),
        token=str(token) if token else None,
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
    )


@contextmanager
def _pem_files(creds: Credentials) -> Iterator[tuple[str | None, str | None]]:
    """Client certificate and key as files (ssl needs paths), in a private temp folder."""
    if creds.cert_file or creds.cert_data is None:
        yield creds.cert_file, creds.key_file
        return
    with tempfile.TemporaryDirectory(prefix="kubealign-tls-") as folder:
        cert, key = Path(folder) / "client.crt", Path(folder) / "client.key"
        cert.write_bytes(creds.cert_data)
        key.write_bytes(creds.key_data or b"")
        yield str(cert), str(key)


@dataclass(frozen=True, slots=True)
class Resource:
    plural: str
    namespaced: bool


def apply_body(obj: Mapping[str, Any]) -> bytes:
    """An apply patch as the API server reads it. The patch is parsed as YAML, and JSON is
    YAML except for escapes: ``json.dumps`` writes a character outside the BMP (an emoji in a
    config file) as a surrogate pair ``\\ud83d\\ude80``, which the YAML parser refuses
    ("found invalid Unicode character escape code"). Written as UTF-8 text, it is the same
    JSON and valid YAML."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


@dataclass
class KubeApi:
    """A connection to one API server, with discovery cached per group/version."""

    creds: Credentials
    _context: ssl.SSLContext | None = None
    _discovery: dict[str, dict[str, Resource] | None] = field(default_factory=dict)

    @classmethod
    def connect(cls, kubeconfig: Path | None = None, context: str | None = None) -> KubeApi:
        api = cls(load_credentials(kubeconfig, context))
        api.request("GET", "/version")
        return api

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.creds.server.startswith("https"):
            return None
        if self._context is None:
            context = ssl.create_default_context(
                cafile=self.creds.ca_file,
                cadata=self.creds.ca_data.decode() if self.creds.ca_data else None,
            )
            if self.creds.insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            with _pem_files(self.creds) as (cert, key):
                if cert:
                    context.load_cert_chain(cert, key)
            self._context = context
        return self._context

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        headers = {"Accept": "application/json", "Content-Type": content_type}
        if self.creds.token:
            headers["Authorization"] = f"Bearer {self.creds.token}"
        req = urllib.request.Request(
            self.creds.server + path, data=body, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(
                req, context=self._ssl(), timeout=_TIMEOUT_SECONDS
            ) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                payload = json.loads(exc.read() or b"null")
            except json.JSONDecodeError:
                payload = {"message": exc.reason}
            return exc.code, payload
        except (OSError, ssl.SSLError) as exc:
            raise ClusterUnavailable(f"{self.creds.server}: {exc}") from None

    def resource(self, api_version: str, kind: str) -> Resource | None:
        """The REST resource serving ``kind`` in ``api_version``; None when not served."""
        if api_version not in self._discovery:
            path = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
            status, payload = self.request("GET", path)
            self._discovery[api_version] = (
                {
                    str(item["kind"]): Resource(str(item["name"]), bool(item.get("namespaced")))
                    for item in payload.get("resources") or []
                    if "/" not in str(item.get("name", ""))
                }
                if status == 200 and isinstance(payload, Mapping)
                else None
            )
        served = self._discovery[api_version]
        return served.get(kind) if served else None

    def object_path(self, api_version: str, resource: Resource, namespace: str, name: str) -> str:
        base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        scope = f"/namespaces/{urllib.parse.quote(namespace)}" if resource.namespaced else ""
        return f"{base}{scope}/{resource.plural}/{urllib.parse.quote(name)}"

    def namespace_exists(self, namespace: str) -> bool:
        status, _ = self.request("GET", f"/api/v1/namespaces/{urllib.parse.quote(namespace)}")
        return status == 200

    def apply_dry_run(
        self, path: str, obj: Mapping[str, Any], field_manager: str = FIELD_MANAGER
    ) -> tuple[int, Any]:
        query = urllib.parse.urlencode(
            {"dryRun": "All", "fieldManager": field_manager, "force": "true",
             "fieldValidation": "Strict"}
        )
        return self.request("PATCH", f"{path}?{query}", apply_body(obj),
                            "application/apply-patch+yaml")

    def get(self, path: str) -> Any | None:
        status, payload = self.request("GET", path)
        return payload if status == 200 else None

    def delete(self, path: str, propagation: str) -> tuple[int, Any]:
        """DELETE with ``propagationPolicy`` (``Orphan`` keeps the object's dependents)."""
        body = json.dumps({"apiVersion": "v1", "kind": "DeleteOptions",
                           "propagationPolicy": propagation}).encode()
        return self.request("DELETE", path, body)
