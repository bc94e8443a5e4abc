"""What a committed env file is, and which of its secret variables carry a real-looking value.

A template (``.env.example``) that lists the secrets a deployment needs with empty or
placeholder values is documentation done right; a live env file, or a backup copy of one,
with real values is a leak. To tell them apart the values are read, here only, and only
classified: nothing returned holds a value.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterable

from kubealign.load.compose.envfile import parse_env_text
from kubealign.load.deploy_commands import is_switch, scan_literal
from kubealign.model.inventory import Artifact, ArtifactKind, Inventory
from kubealign.model.secret_names import is_common_value, is_secret_name
from kubealign.rules.literal_kind import LiteralKind, classify, is_example_path


class EnvFileRole(enum.Enum):
    #: Read by a deployment: a compose ``env_file``, named by a script or CI workflow, read
    #: by a kustomize generator, or the ``.env`` Compose reads beside a compose file.
    LIVE = "live"
    #: A copy kept aside (``.env.backup.20251013``, ``.env.local.bak``, ``.env.old``).
    BACKUP = "backup"
    #: Documentation of the variables (``.env.example``, ``.env.template``, under docs/, tests/).
    TEMPLATE = "template"
    #: Committed, named like an env file, read by nothing kubealign can see.
    UNREFERENCED = "unreferenced"


_BACKUP_NAME = re.compile(r"(^|[._\-\s])(bak|backup|old|orig|save|copy)([._\-\s\d]|$)|~$",
                          re.IGNORECASE)
#: A value that names a secret instead of being one (``postgres_password``, a Docker secret).
_NAME_LIKE = re.compile(r"[A-Za-z0-9_.\-/]+")
#: Token kinds that are credentials whatever the variable is called.
_CREDENTIAL_FORMATS = frozenset({"github-token", "gitlab-token", "openai-key",
                                 "aws-access-key-id", "slack-token", "google-api-key",
                                 "huggingface-token", "jwt"})
#: Random-looking text: a credential inside a secret variable's URL (a webhook's path).
_RANDOM = frozenset({"high-entropy-string"})
#: ``InstrumentationKey=…;IngestionEndpoint=…`` (Azure), ``Server=…;Password=…``.
_CONNECTION_STRING = re.compile(r"(?:[A-Za-z][\w ]*=[^;]*;)+[A-Za-z][\w ]*=[^;]*;?")
_MIN_LENGTH = 4


def env_file_role(artifact: Artifact, inventory: Inventory) -> EnvFileRole:
    """Template first (a ``.env.backup.example`` documents), then backup, then live."""
    path = artifact.path
    name = posixpath.basename(path)
    if is_example_path(path):
        return EnvFileRole.TEMPLATE
    if _BACKUP_NAME.search(name.removeprefix(".env")):
        return EnvFileRole.BACKUP
    if _is_read(artifact, inventory):
        return EnvFileRole.LIVE
    return EnvFileRole.UNREFERENCED


def _is_read(artifact: Artifact, inventory: Inventory) -> bool:
    if artifact.mounted is not None and any(
        ref.key == "env_file" for ref in artifact.mounted.referenced_by
    ):
        return True
    folder = posixpath.dirname(artifact.path)
    if posixpath.basename(artifact.path) == ".env" and any(
        posixpath.dirname(other.path) == folder
        for other in inventory.by_kind(ArtifactKind.COMPOSE)
    ):
        return True
    return any(artifact.path in _references(other) for other in inventory) or any(
        artifact.path in _generator_reads(other)
        for other in inventory.by_kind(ArtifactKind.KUSTOMIZATION)
    )


def _generator_reads(kustomization: Artifact) -> set[str]:
    """Repository paths of the files a kustomization's generators read (``envs: [x.env]``):
    ``kustomize build`` turns them into the cluster's ConfigMaps and Secrets."""
    if kustomization.kustomization is None:
        return set()
    folder = posixpath.dirname(kustomization.path)
    return {
        posixpath.normpath(posixpath.join(folder, path))
        for path in kustomization.kustomization.generator_files
    }


def _references(artifact: Artifact) -> Iterable[str]:
    if artifact.script is not None:
        yield from artifact.script.references
    if artifact.ci is not None:
        yield from artifact.ci.references


def real_looking(name: str, value: str) -> bool:
    """Whether ``name=value`` commits a credential someone could use.

    Not: an empty value, a reference (``${VAR}``, ``$(cmd)``), a switch or a short number,
    a value that names a secret, a placeholder or a default asking to be changed (SEC001's
    classification), a well-known default (``postgres``, ``admin``, ``user:pass@``). A URL
    or a connection string is judged by the credential in it (``postgres://user:pass@``,
    ``AccountKey=…``), not by its host. A provider's token format, or a URL with a real
    password, is a credential under any name.
    """
    text = value.strip()
    if len(text) < _MIN_LENGTH or "$" in text:
        return False
    secret_name = is_secret_name(name)
    if "://" in text or _CONNECTION_STRING.fullmatch(text):
        return _holds_credential(text, secret_name)
    if _holds_credential(text, with_entropy=False):
        return True
    return secret_name and _credential(text)


def _credential(text: str) -> bool:
    """A literal that is no switch, number, secret's name, placeholder or common default."""
    if len(text) < _MIN_LENGTH or is_switch(text) or text.isdigit():
        return False
    if _NAME_LIKE.fullmatch(text) and is_secret_name(text):
        return False
    return classify(text) is LiteralKind.CREDENTIAL and not is_common_value(text)


def _holds_credential(text: str, with_entropy: bool) -> bool:
    """A credential inside a longer value: a URL's password, a provider token, a random
    segment (``with_entropy``), a connection string's ``AccountKey=…``."""
    parts = _CONNECTION_STRING.fullmatch(text) and text.split(";")
    for part in parts or ():
        key, _, found = part.partition("=")
        if is_secret_name(key.strip()) and _credential(found.strip()):
            return True
    for token in scan_literal(text, 1).tokens:
        found = _word_at(text, token.column - 1)
        if token.kind == "url-password" or (with_entropy and token.kind in _RANDOM):
            if _credential(found):
                return True
        elif token.kind in _CREDENTIAL_FORMATS and classify(found) is not LiteralKind.PLACEHOLDER:
            return True
    return False


def _word_at(text: str, start: int) -> str:
    end = start
    while end < len(text) and text[end] not in " \t'\"@/;":
        end += 1
    return text[start:end]


def committed_secrets(text: str, path: str) -> list[tuple[str, int]]:
    """``(variable, line)`` of every variable of an env file that commits a real-looking
    credential, in file order. References are kept as written (never looked up)."""
    lines: dict[str, int] = {}
    values = parse_env_text(text, path, lambda variable: "${" + variable + "}", lines, [])
    return [(name, lines.get(name, 1)) for name, value in values.items()
            if real_looking(name, value)]
