"""A secret found in a service's configuration becomes a reference, never placeholder text.

Where the value is, decides how the pod reads it instead:

* ``command``/``args`` and env values: ``$(VAR)``, VAR a Secret-backed env variable of the pod
  (Kubernetes expands it there); a plain env value holding a secret becomes ``composedEnv``;
* probe commands: ``$(VAR)`` too, which the caller rewrites to ``sh -c`` reading ``$VAR`` (the
  kubelet never expands ``$(VAR)`` in a probe); an HTTP probe whose header or path carries a
  secret becomes a TCP check (a probe cannot read a Secret);
* a mounted file holding a secret is delivered from a Secret instead of the ConfigMap, whole
  (its bytes are never rewritten, binary or not);
* labels and annotations holding a secret are dropped (they are metadata anyone can read);
* names, aliases, hosts, images and every other field are never rewritten: a value there is
  public, so it is no secret by value; the caller reports it as a weak secret.

Distinctive secrets (:func:`scrub.distinctive`) are recognised anywhere as whole tokens; any
known secret value, however short or common, is recognised where the text itself says a secret
follows (``--requirepass x``, ``--password=x``, ``-a x``, ``-px``, ``password = x``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubealign.transform import values_model as vm
from kubealign.transform.secret_detect import distinctive
from kubealign.transform.secrets import literals
from kubealign.transform.secrets.scrub import SecretValues, basic_auth_secret

BindEnv = Callable[[str, str | None, str], vm.SecretKeyRef]
"""(variable to define in the pod, variable the value came from, the value) -> its Secret
reference."""
BindFile = Callable[[str, vm.ConfigFile], vm.SecretFile]
"""(file key, the file) -> the Secret file that delivers it instead of the ConfigMap."""

_SECRET_WORD = (r"(?:pass|pwd|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|auth|"
                r"credential)")
# Text right before a value that says "a secret follows": a flag or a key naming a secret.
_CONTEXT = re.compile(
    r"(?:(?:^|[\s\"'(,;])--?[A-Za-z0-9_.-]*" + _SECRET_WORD + r"[A-Za-z0-9_.-]*(?:=|\s+)"
    r"|(?:^|[\s\"'(,;])-a\s+"
    r"|(?:^|[\s\"'(,;{])[\"']?[A-Za-z0-9_.-]*" + _SECRET_WORD + r"[A-Za-z0-9_.-]*[\"']?\s*[=:]\s*"
    r"|(?i:bearer|token)\s+)[\"']?$",
    re.IGNORECASE,
)
_FLAG = re.compile(r"^(?:--?[A-Za-z0-9_.-]*" + _SECRET_WORD + r"[A-Za-z0-9_.-]*|-a)$",
                   re.IGNORECASE)
_ATTACHED_P = re.compile(r"(?:^|(?<=\s))-p(?=\S)")
# Files that are credentials by their name: private keys, keystores, password files.
_SECRET_FILE = re.compile(
    r"(?i)(\.(key|p12|pfx|jks|keystore)$|^id_(rsa|dsa|ecdsa|ed25519)$|^\.(htpasswd|pgpass|netrc)$"
    r"|(^|[-_.])(password|passwd|secret|secrets|token|credentials?|apikey|api[-_]key)"
    r"([-_.]|$))")


@dataclass
class Change:
    """One field that held a secret, and what it became (never the value)."""

    path: str
    how: str


@dataclass
class _Pass:
    svc: vm.ServiceValues
    path: str
    secrets: SecretValues
    carried: dict[str, str]
    bind_env: BindEnv
    bind_file: BindFile
    secret_env: dict[str, vm.SecretKeyRef] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.secret_env = dict(self.svc.secret_env or {})
        self.taken = {*(self.svc.env or {}), *self.secret_env, *(self.svc.composed_env or {})}

    # --- which variable carries a value ----------------------------------------------------

    def variable(self, value: str) -> str:
        """The pod's env variable holding ``value``, defined from its Secret when missing."""
        known = self.carried.get(value)
        if known is not None:
            return known
        sources = sorted(self.secrets.variables.get(value, ()))
        name = next((v for v in sources if v not in self.taken), None)
        if name is None:
            stem = sources[0] if sources else "SECRET"
            index = 1
            while f"{stem}_{index}" in self.taken:
                index += 1
            name = f"{stem}_{index}"
        self.secret_env[name] = self.bind_env(name, sources[0] if sources else None, value)
        self.taken.add(name)
        self.carried[value] = name
        return name

    # --- text ------------------------------------------------------------------------------

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        # A short or common value ("admin") is referenced only in the pod that holds it
        # under a secret key: elsewhere an equal value is no evidence of the same secret.
        return secret_spans(text, self.secrets, self.carried)

    def holds_secret(self, text: str) -> bool:
        return bool(self.spans(text)) or basic_auth_secret(text, self.secrets)

    def referenced(self, text: str) -> str:
        """``text`` with every secret replaced by ``$(VAR)``."""
        out, at = "", 0
        for start, end, value in self.spans(text):
            out += text[at:start] + f"$({self.variable(value)})"
            at = end
        return out + text[at:]

    def argv(self, args: tuple[str, ...] | None, path: str) -> tuple[str, ...] | None:
        if not args:
            return args
        out = []
        for index, arg in enumerate(args):
            after_flag = index > 0 and _FLAG.match(args[index - 1]) is not None
            if after_flag and arg.strip() and (arg in self.carried or (
                    arg in self.secrets.variables and distinctive(arg))):
                out.append(f"$({self.variable(arg)})")
            else:
                out.append(self.referenced(arg))
        result = tuple(out)
        if result != args:
            self.changes.append(Change(path, "replaced by $(VAR) references to its Secret"))
            return result
        return args

    # --- fields ----------------------------------------------------------------------------

    def run(self) -> vm.ServiceValues:
        svc = self.svc
        changes: dict[str, Any] = {
            "command": self.argv(svc.command, f"{self.path}.command"),
            "args": self.argv(svc.args, f"{self.path}.args"),
        }
        env, composed = self.environment()
        changes.update(env=env, composed_env=composed, probes=self.probes(svc.probes))
        changes.update(self.files())
        for name in ("labels", "annotations", "pod_annotations"):
            changes[name] = self.metadata(getattr(svc, name), f"{self.path}.{_camel(name)}")
        if svc.service is not None and svc.service.annotations:
            annotations = self.metadata(svc.service.annotations,
                                        f"{self.path}.service.annotations")
            changes["service"] = dataclasses.replace(svc.service, annotations=annotations)
        if svc.ingress is not None and svc.ingress.annotations:
            annotations = self.metadata(svc.ingress.annotations,
                                        f"{self.path}.ingress.annotations")
            changes["ingress"] = dataclasses.replace(svc.ingress, annotations=annotations)
        changes["secret_env"] = self.secret_env or None
        return dataclasses.replace(svc, **changes)

    def environment(self) -> tuple[dict[str, str] | None, dict[str, str] | None]:
        env = dict(self.svc.env or {})
        composed = dict(self.svc.composed_env or {})
        for name, value in sorted(env.items()):
            new = self.referenced(value)
            if new != value:
                del env[name]
                composed[name] = new
                self.changes.append(Change(f"{self.path}.env.{name}", "moved to composedEnv "
                                           "with $(VAR) references to its Secret"))
        for name, value in sorted(composed.items()):
            new = self.referenced(value)
            if new != value:
                composed[name] = new
                self.changes.append(Change(f"{self.path}.composedEnv.{name}",
                                           "replaced by $(VAR) references to its Secret"))
        return env or None, composed or None

    def probes(self, probes: vm.Probes | None) -> vm.Probes | None:
        if probes is None:
            return None
        updates: dict[str, vm.Probe] = {}
        for name in ("liveness", "readiness", "startup"):
            probe: vm.Probe | None = getattr(probes, name)
            if probe is None:
                continue
            where = f"{self.path}.probes.{name}"
            if probe.exec is not None:
                command = self.argv(probe.exec.command, f"{where}.exec.command")
                if command is not None and command != probe.exec.command:
                    updates[name] = dataclasses.replace(
                        probe, exec=dataclasses.replace(probe.exec, command=command))
            elif probe.http_get is not None and self.http_holds_secret(probe.http_get):
                updates[name] = dataclasses.replace(
                    probe, http_get=None,
                    tcp_socket=vm.TcpSocketAction(port=probe.http_get.port))
                self.changes.append(Change(
                    f"{where}.httpGet", "the HTTP check sends a secret (header or path), which "
                    "a probe cannot read from a Secret: it is a TCP check of the same port"))
        return dataclasses.replace(probes, **updates) if updates else probes

    def http_holds_secret(self, action: vm.HttpGetAction) -> bool:
        texts = [action.path or "", *(h.value for h in action.http_headers or ())]
        return any(self.holds_secret(text) for text in texts)

    def files(self) -> dict[str, Any]:
        config = dict(self.svc.config_files or {})
        secret_files = dict(self.svc.secret_files or {})
        for key, file in sorted(config.items()):
            if not self.file_holds_secret(file):
                continue
            del config[key]
            name = key if key not in secret_files else f"file-{key}"
            secret_files[name] = self.bind_file(key, file)
            self.changes.append(Change(
                f"{self.path}.configFiles.{key}", f"the file {file.mount_path} holds a secret: "
                f"delivered whole from a Secret (secretFiles.{name}), not the ConfigMap"))
        if len(config) == len(self.svc.config_files or {}):
            return {}
        return {"config_files": config or None, "secret_files": secret_files or None}

    def file_holds_secret(self, file: vm.ConfigFile) -> bool:
        if _SECRET_FILE.search(file.mount_path.rsplit("/", 1)[-1]):
            return True  # a key, keystore or password file by its name
        if file.content is not None:
            # Whole files move to a Secret only on strong evidence (a distinctive secret, or a
            # line that assigns a credential), not on a short value seen near a word like
            # "auth": a false positive costs the user a provider entry per file.
            found = list(literals.in_file(file.content))
            for variable, value in found:
                self.secrets.add(value, variable)  # masked in prose from now on
            return bool(found) or bool(self.secrets.matches(file.content)) or \
                basic_auth_secret(file.content, self.secrets)
        if file.content_base64 is not None:
            try:
                data = base64.b64decode(file.content_base64, validate=True)
            except (binascii.Error, ValueError):
                return False
            return self.secrets.found_in_bytes(data)
        return False

    def metadata(self, items: dict[str, str] | None, path: str) -> dict[str, str] | None:
        if not items:
            return items
        kept = {}
        for key, value in items.items():
            if self.holds_secret(value) or self.secrets.matches(key):
                self.changes.append(Change(f"{path}.{key}" if not self.secrets.matches(key)
                                           else path, "dropped: metadata anyone can read "
                                           "must not carry a secret"))
            else:
                kept[key] = value
        return kept or None


def secret_spans(text: str, secrets: SecretValues,
                 weak: Container[str] | None = None) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, value) of every secret in ``text``: distinctive ones
    anywhere as whole tokens, other known ones where the text says a secret follows, if in
    ``weak`` (None: any)."""
    found = [(m.start(), m.end(), m.group(0)) for m in secrets.matches(text)]
    for match in secrets.any_matches(text):
        # What says "a secret follows" sits right before the value.
        if (weak is None or match.group(0) in weak) and _CONTEXT.search(
                text[max(0, match.start() - 120): match.start()]):
            found.append((match.start(), match.end(), match.group(0)))
    for flag in _ATTACHED_P.finditer(text):
        rest = text[flag.end():]
        value = rest.split(None, 1)[0].strip("\"'") if rest.split() else ""
        if value in secrets.variables and (weak is None or value in weak):
            start = flag.end() + rest.index(value)
            found.append((start, start + len(value), value))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def mask_text(text: str, secrets: SecretValues, replacement: str) -> str:
    """``text`` for display with every secret (:func:`secret_spans`) replaced."""
    out, at = "", 0
    for start, end, _value in secret_spans(text, secrets):
        out += text[at:start] + replacement
        at = end
    return secrets.scrub(out + text[at:], replacement)


def reference_secrets(svc: vm.ServiceValues, path: str, secrets: SecretValues,
                      carried: dict[str, str], bind_env: BindEnv,
                      bind_file: BindFile) -> tuple[vm.ServiceValues, list[Change]]:
    """``svc`` with every secret in its configuration turned into a reference.

    ``carried`` maps a secret value to the pod's env variable already holding it (from its
    Secret); ``bind_env``/``bind_file`` create the Secret references the pass needs."""
    if not secrets:
        return svc, []
    work = _Pass(svc, path, secrets, dict(carried), bind_env, bind_file)
    result = work.run()
    return (result if work.changes else svc), work.changes


def public_occurrences(obj: Any, secrets: SecretValues, path: str) -> Iterator[str]:
    """Paths of string fields holding a distinctive secret (names, hosts, images...): these
    are never rewritten, so the secret is public; the caller reports them."""
    if isinstance(obj, str):
        if secrets.matches(obj):
            yield path
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for item in dataclasses.fields(obj):
            if item.name == "content_base64":
                continue
            yield from public_occurrences(getattr(obj, item.name), secrets,
                                          f"{path}.{_camel(item.name)}")
    elif isinstance(obj, tuple):
        for index, value in enumerate(obj):
            yield from public_occurrences(value, secrets, f"{path}[{index}]")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(key, str) and secrets.matches(key):
                yield f"{path} (a key)"
            yield from public_occurrences(value, secrets, f"{path}.{key}")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)
