"""SEC: secrets committed anywhere and secret delivery that differs per place.

Only masked previews (at most four characters) ever reach a finding, never a value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from kubealign.load.deploy_commands import is_switch, mask_preview, scan_assignment
from kubealign.model.artifacts import TokenFinding
from kubealign.model.findings import Finding, Severity
from kubealign.model.inventory import ArtifactKind
from kubealign.model.secret_names import is_secret_name
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.env_values import EnvFileRole, committed_secrets, env_file_role
from kubealign.rules.helpers import manifest_objects, raw_services
from kubealign.rules.literal_kind import (
    LiteralKind,
    classify,
    fingerprint,
    is_example_path,
    token_value,
)
from kubealign.rules.manifest_literals import manifest_literals
from kubealign.rules.variants import service_key

_FILE_SUFFIXES = ("_FILE", "__FILE", "_PATH")
#: Token kinds found by a name or a shape rather than by a provider's token format.
_GENERIC_KINDS = frozenset({"secret-assignment", "url-password", "high-entropy-string",
                            "secret-literal"})


def _is_literal_secret(name: str, value: object) -> bool:
    if not is_secret_name(name) or name.endswith(_FILE_SUFFIXES):
        return False
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False
    text = str(value)
    # GOTRUE_PASSWORD_REQUIRE_UPPERCASE: "true" sets a password policy, it is no password.
    return bool(text) and "$" not in text and not text.startswith("/run/secrets/") and \
        not is_switch(text)


class CommittedCredential(Rule):
    """A credential (token, key, password) written literally in a committed file.

    Scripts, Makefiles, CI workflows, Dockerfiles, compose environments and Kubernetes files
    (container ``env`` values, ConfigMap ``data``, kustomize generator ``literals``) are
    scanned for known token formats and for secret-named variables assigned a literal value.
    Placeholders (``your_token_here``, ``dummy_…``, ``<key>``, a file path) are not credentials
    and are not reported; a default that asks to be changed (``changeme``…) or that anyone
    can guess (``postgres``, ``admin123``) is medium; a literal in docs, examples or tests is
    low. Copies of one value, wherever they are, are one finding: one credential to rotate,
    named by a fingerprint of the value (``sha256:`` and 12 hex digits), never by the value.

    Why:
        Anything committed is readable by everyone with clone access, forever (history keeps
        it after deletion); the credential must be treated as leaked.

    Fix:
        Rotate the credential, remove it from the file, and read it from the secret store
        (External Secrets in the cluster, CI secrets in workflows).
    """

    id = "SEC001"
    name = "committed-credential"
    severity = Severity.CRITICAL
    category = "secrets"
    targets = ("deploy-script", "ci-workflow", "dockerfile", "compose", "kubernetes-manifest",
               "kustomization")
    root_cause = "credential value (by its fingerprint, never the value): one credential to rotate"

    def _severity(self, path: str, value: str | None, *, known_format: bool = False
                  ) -> Severity | None:
        """None for a placeholder (no finding); low in docs and examples; medium for a weak
        default (one asking to be changed, or one anyone can guess); critical otherwise. A
        value in a provider's token format (``ghp_…``) is a credential even when it reads
        like an example."""
        kind = classify(value) if value is not None else LiteralKind.CREDENTIAL
        if kind is LiteralKind.PLACEHOLDER:
            return None
        if is_example_path(path):
            return Severity.LOW
        if kind is LiteralKind.WEAK_DEFAULT and not known_format:
            return Severity.MEDIUM
        return self.severity

    def _tokens(self, ctx: AuditContext, path: str,
                tokens: tuple[TokenFinding, ...], where: str = "literal") -> Iterator[Finding]:
        for token in tokens:
            value = token_value(ctx.lines(path), token)
            severity = self._severity(path, value, known_format=token.kind not in _GENERIC_KINDS)
            if severity is not None:
                # A value that cannot be read back is its own root cause (keyed by place).
                yield self.finding(f"committed credential ({token.preview})", path,
                                   token.line, severity=severity,
                                   key=fingerprint(value) if value else "",
                                   detail=f"{where} {token.kind}")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, script in sorted(ctx.scripts.items()):
            yield from self._tokens(ctx, path, script.tokens)
        for path, makefile in sorted(ctx.makefiles.items()):
            yield from self._tokens(ctx, path, makefile.tokens)
        for path, workflow in sorted(ctx.workflows.items()):
            yield from self._tokens(ctx, path, workflow.tokens)
        for path, dockerfile in sorted(ctx.dockerfiles.items()):
            yield from self._tokens(ctx, path, dockerfile.tokens)
        for setting in manifest_literals(ctx):
            if not setting.name.endswith(_FILE_SUFFIXES):
                scan = scan_assignment(setting.name, setting.value, setting.line)
                yield from self._tokens(ctx, setting.path, scan.tokens,
                                        f"{setting.where} {setting.name}:")
        for service in raw_services(ctx):
            for name, value in sorted(service.environment().items()):
                severity = self._severity(service.doc.path, str(value))
                if _is_literal_secret(name, value) and severity is not None:
                    yield self.finding(
                        f"committed credential ({mask_preview(str(value))})",
                        service.doc.path,
                        service.env_line(name),
                        severity=severity,
                        key=fingerprint(str(value)),
                        detail=f"service {service.name!r} sets {name} to it",
                    )


class KubernetesSecretCommitted(Rule):
    """A Kubernetes ``Secret`` with ``data`` or ``stringData`` in the repository.

    Why:
        Base64 is an encoding, not encryption: the values are readable by everyone with
        access to the repository.

    Fix:
        Rotate the values, delete the manifest, and deliver the secret with External Secrets
        (or Sealed Secrets) instead.
    """

    id = "SEC002"
    name = "kubernetes-secret-committed"
    severity = Severity.HIGH
    category = "secrets"
    targets = ("kubernetes-manifest",)
    root_cause = "manifest file (its Secrets are rotated and the file deleted together)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for obj in manifest_objects(ctx):
            if obj.kind != "Secret":
                continue
            for key in ("data", "stringData"):
                values = obj.data.get(key)
                if isinstance(values, Mapping) and values:
                    yield self.finding(
                        "Kubernetes Secrets commit their values (base64 is no encryption)",
                        obj.path,
                        obj.line(key),
                        key=obj.path,
                        detail=f"Secret {obj.name!r}: {len(values)} values in {key} "
                        f"({', '.join(sorted(map(str, values)))})",
                    )


class MixedSecretMechanisms(Rule):
    """One service receives its secrets by different mechanisms in different places.

    Mechanisms: Docker/Swarm secrets (``secrets:``), ``*_FILE`` variables, literal
    environment variables, env files, and Kubernetes Secrets (``secretKeyRef``/``envFrom``).

    Why:
        The application must support every mechanism, rotation has to be done N ways, and a
        secret moved to the store in one place stays in plain text in another.

    Fix:
        Deliver every secret one way: External Secrets into Kubernetes Secrets, mounted or
        injected identically in every environment.
    """

    id = "SEC003"
    name = "mixed-secret-mechanisms"
    severity = Severity.MEDIUM
    category = "secrets"
    targets = ("compose", "kubernetes-manifest")
    root_cause = "service"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        mechanisms: dict[str, dict[str, tuple[str, int | None]]] = {}
        projects = {p: d.project for p, d in ctx.compose.items() if d.project is not None}
        for service in raw_services(ctx):
            project = projects.get(service.doc.path)
            if project is None or service.name not in project.service_names:
                continue
            key = service_key(project.service(service.name))
            found = mechanisms.setdefault(key, {})
            if service.data.get("secrets"):
                found.setdefault("docker-secrets", (service.doc.path, service.line("secrets")))
            for name, value in service.environment().items():
                if name.endswith(_FILE_SUFFIXES) and is_secret_name(name[: -len("_FILE")]):
                    found.setdefault("secret-files", (service.doc.path, service.env_line(name)))
                elif _is_literal_secret(name, value) or (
                    is_secret_name(name) and isinstance(value, str) and "$" in value
                ):
                    found.setdefault("env-vars", (service.doc.path, service.env_line(name)))
            if service.data.get("env_file"):
                found.setdefault("env-files", (service.doc.path, service.line("env_file")))
        for obj in manifest_objects(ctx):
            for tokens, container in obj.containers():
                image = str(container.get("image") or "")
                if not image:
                    continue
                key = PurePosixPath(image.split("@", maxsplit=1)[0].rsplit(":", 1)[0]).name
                text = repr(container)
                if "secretKeyRef" in text or "secretRef" in text:
                    mechanisms.setdefault(key, {}).setdefault(
                        "kubernetes-secrets", (obj.path, obj.line(*tokens))
                    )
        for key in sorted(mechanisms):
            found = mechanisms[key]
            if len(found) < 2:
                continue
            where = "; ".join(
                f"{name} ({path}:{line})" if line else f"{name} ({path})"
                for name, (path, line) in sorted(found.items())
            )
            first_path, first_line = sorted(found.values(), key=lambda v: (v[0], v[1] or 0))[0]
            yield self.finding(
                f"service {key!r} gets secrets {len(found)} ways: {where}", first_path,
                first_line, key=key,
            )


class SecretInDockerfile(Rule):
    """A secret-named ``ARG`` or ``ENV`` in a Dockerfile.

    Why:
        Build arguments and environment values are stored in the image history and layers:
        anyone who can pull the image can read them.

    Fix:
        Use ``RUN --mount=type=secret`` for build-time secrets and inject runtime secrets
        from the orchestrator.
    """

    id = "SEC004"
    name = "secret-in-dockerfile"
    severity = Severity.MEDIUM
    category = "secrets"
    targets = ("dockerfile",)
    root_cause = "secret variable name"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, info in sorted(ctx.dockerfiles.items()):
            for arg in info.args:
                if is_secret_name(arg.name):
                    yield self.finding(
                        f"{arg.name} reaches the image as a build ARG or ENV (kept in its "
                        "history)", path, arg.line, key=arg.name,
                        detail=f"ARG {arg.name} passes it into the build",
                    )
            for name, _value, line in info.env:
                if is_secret_name(name) and not name.endswith(_FILE_SUFFIXES):
                    yield self.finding(
                        f"{name} reaches the image as a build ARG or ENV (kept in its history)",
                        path, line, key=name, detail=f"ENV {name} bakes it into the image",
                    )


#: SEC005's severity by what the env file is: live files and backups hold real credentials.
_ENV_SEVERITY: Mapping[EnvFileRole, Severity] = {
    EnvFileRole.LIVE: Severity.HIGH,
    EnvFileRole.BACKUP: Severity.HIGH,
    EnvFileRole.UNREFERENCED: Severity.MEDIUM,
    EnvFileRole.TEMPLATE: Severity.LOW,
}
_ENV_ROLE: Mapping[EnvFileRole, str] = {
    EnvFileRole.LIVE: "a live env file",
    EnvFileRole.BACKUP: "a backup copy of an env file",
    EnvFileRole.UNREFERENCED: "an env file nothing references",
    EnvFileRole.TEMPLATE: "a template",
}


class EnvFileWithSecrets(Rule):
    """A committed env file gives secret variables real-looking values.

    The values are read only to be classified, never shown: the finding names the
    variables. Empty values, references (``${VAR}``), placeholders (``your_…``, ``<…>``,
    ``xxx``, ``sk_test_...``), defaults asking to be changed (``changeme``) and well-known
    defaults (``postgres``, ``admin``) commit nothing, so a template that documents which
    secrets exist that way is no finding: it is what the fix below asks for. A value in a
    provider's token format, or a URL with a password, counts under any variable name.

    Severity by what the file is: high for a live env file (a compose ``env_file``, named by
    a script or CI workflow, or the ``.env`` Compose reads beside a compose file) and for a
    backup copy (``.env.backup.*``, ``*.bak``, ``*.old``), whose values are or were real
    credentials; medium for an env file nothing references; low for a template
    (``.env.example``, ``*.template``, files under docs/ or tests/) with a stray value.

    Why:
        Env files are copied to hosts with scp and mounted into containers; committed, they
        put credentials in the repository and on every machine, and history keeps them after
        the file is deleted.

    Fix:
        Rotate the credentials, keep only non-secret settings in env files, and move the
        secrets to the secret store; a template keeps the names with empty or placeholder
        values.
    """

    id = "SEC005"
    name = "env-file-with-secrets"
    severity = Severity.HIGH
    category = "secrets"
    targets = ("env-file",)
    root_cause = "env file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for artifact in ctx.inventory.by_kind(ArtifactKind.ENV_FILE):
            found = committed_secrets("\n".join(ctx.lines(artifact.path)), artifact.path)
            if not found:
                continue
            role = env_file_role(artifact, ctx.inventory)
            names = [name for name, _line in found]
            values = ("a value for 1 secret variable" if len(names) == 1
                      else f"values for {len(names)} secret variables")
            yield self.finding(
                f"{_ENV_ROLE[role]} commits {values}: {', '.join(names)}",
                artifact.path,
                found[0][1],
                severity=_ENV_SEVERITY[role],
                detail=f"{role.value} env file",
            )
