"""Classify one walked file: its kinds, the evidence for each, and per-kind details.

Every file is read at most once, within a budget chosen from its name: YAML candidates in
full (up to a cap), known text kinds in full, everything else only its first few KB.
Nothing here raises on bad content: problems become notes on the artifact.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubealign.discover import names
from kubealign.discover.ci import ci_jobs, github_uses
from kubealign.discover.compose_sniff import compose_evidence, compose_info, swarm_keys
from kubealign.discover.dockerfile_sniff import dockerfile_info, looks_like_dockerfile
from kubealign.discover.docs import docs_info
from kubealign.discover.envfile import env_file_info
from kubealign.discover.kubernetes import (
    argo_application,
    helm_chart_info,
    is_argo_document,
    is_kustomization_document,
    kustomization_info,
    manifest_document,
)
from kubealign.discover.reading import (
    SNIFF_BYTES,
    TEXT_CAP_BYTES,
    YAML_CAP_BYTES,
    FileText,
    is_binary_name,
    read_text,
)
from kubealign.discover.scripts import (
    CommandScan,
    interpreter,
    is_python_program,
    make_targets,
    python_runs_commands,
    scan_commands,
    shell_of,
)
from kubealign.discover.walk import WalkedFile
from kubealign.discover.yaml_port import YamlDocument, YamlDocumentsParser
from kubealign.errors import KubealignError
from kubealign.model.inventory import (
    ArgoInfo,
    Artifact,
    ArtifactKind,
    CiInfo,
    Evidence,
    KubernetesInfo,
    ScriptInfo,
)

K = ArtifactKind


@dataclass(frozen=True, slots=True)
class Context:
    """What classification of one file may know about the whole repository."""

    #: Every walked file and directory (relative POSIX paths).
    known: frozenset[str]
    #: Chart directories (parents of Chart.yaml), deepest first.
    chart_dirs: tuple[str, ...]
    #: Chart directory -> its files, relative to the chart directory.
    chart_files: Mapping[str, tuple[str, ...]]
    parse_yaml: YamlDocumentsParser


@dataclass
class Draft:
    """A mutable artifact under construction; :meth:`freeze` makes the real one."""

    file: WalkedFile
    reasons: dict[ArtifactKind, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    yaml_data: Any = None
    scan: CommandScan | None = None

    @property
    def path(self) -> str:
        return self.file.path

    def add(self, kind: ArtifactKind, reason: str) -> None:
        reasons = self.reasons.setdefault(kind, [])
        if reason not in reasons:
            reasons.append(reason)

    def has(self, kind: ArtifactKind) -> bool:
        return kind in self.reasons

    def freeze(self) -> Artifact:
        if not self.reasons:
            self.add(K.OTHER, "no deployment-related kind recognised")
        kinds = tuple(sorted(self.reasons, key=lambda kind: kind.order))
        evidence = tuple(Evidence(kind, reason) for kind in kinds for reason in self.reasons[kind])
        return Artifact(
            path=self.path,
            size=self.file.size,
            kinds=kinds,
            evidence=evidence,
            notes=tuple(self.notes),
            **self.sections,
        )


def _chart_dir(path: str, chart_dirs: Sequence[str]) -> str | None:
    for directory in chart_dirs:
        if not directory or path.startswith(directory + "/"):
            return directory
    return None


def _read(draft: Draft, budget: int) -> FileText | None:
    content = read_text(draft.file.location, draft.file.size, budget)
    if content is None:
        draft.notes.append("not read: binary, unreadable or not UTF-8")
    elif not content.complete:
        draft.notes.append(f"read only the first {budget} bytes of {draft.file.size}")
    return content


# --------------------------------------------------------------------------- YAML


def _parse(
    draft: Draft, text: str, ctx: Context, *, quiet: bool = False
) -> list[YamlDocument] | None:
    """The non-empty documents, or None (and a note unless ``quiet``) when parsing fails."""
    try:
        documents = list(ctx.parse_yaml(text, draft.path))
    except KubealignError as exc:
        if not quiet:
            draft.notes.append(f"YAML not parsed: {str(exc).splitlines()[0]}")
        return None
    return [doc for doc in documents if doc.data is not None]


def _classify_yaml_documents(draft: Draft, documents: list[YamlDocument], ctx: Context) -> None:
    path = draft.path
    manifests = [
        (doc, identity)
        for index, doc in enumerate(documents)
        if (identity := manifest_document(index, doc)) is not None
    ]
    kustomizations = [m for m in manifests if is_kustomization_document(m[1])]
    if kustomizations:
        draft.add(K.KUSTOMIZATION, f"kind {kustomizations[0][1].kind} of kustomize.config.k8s.io")
    if draft.has(K.KUSTOMIZATION) and documents and isinstance(documents[0].data, Mapping):
        draft.sections["kustomization"] = kustomization_info(documents[0].data)

    objects = [m for m in manifests if not is_kustomization_document(m[1])]
    if objects:
        kinds = sorted({identity.kind for _, identity in objects})
        draft.add(
            K.KUBERNETES_MANIFEST,
            f"{len(objects)} document(s) with apiVersion and kind ({', '.join(kinds)})",
        )
        draft.sections["kubernetes"] = KubernetesInfo(tuple(identity for _, identity in objects))
        argo = [
            argo_application(identity, doc.data)
            for doc, identity in objects
            if is_argo_document(identity)
        ]
        if argo:
            draft.add(
                K.ARGOCD_APPLICATION, f"{', '.join(sorted({a.kind for a in argo}))} of argoproj.io"
            )
            draft.sections["argocd"] = ArgoInfo(tuple(argo))

    data = documents[0].data if len(documents) == 1 else None
    if not objects and (reason := compose_evidence(data)) is not None:
        draft.add(K.COMPOSE, reason)
    if draft.has(K.COMPOSE) and isinstance(data, Mapping):
        draft.yaml_data = data
        draft.sections["compose"] = compose_info(data, path, ctx.known)
        found = swarm_keys(data)
        if found:
            shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            draft.add(K.SWARM_STACK, f"uses settings only Swarm honours: {shown}")


def _may_hold_content_kinds(text: str) -> bool:
    """Cheap test before parsing: content kinds need a `services` or `apiVersion` key."""
    return "services" in text or "apiVersion" in text


def _classify_yaml(draft: Draft, ctx: Context) -> None:
    if draft.file.size > YAML_CAP_BYTES:
        draft.notes.append(f"YAML not parsed: larger than {YAML_CAP_BYTES} bytes")
        return
    content = _read(draft, YAML_CAP_BYTES)
    if content is None:
        return
    draft.text = content.text
    if not draft.reasons and not _may_hold_content_kinds(content.text):
        return  # neither named like a known kind nor holding the keys of one: skip parsing
    documents = _parse(draft, content.text, ctx)
    if documents is None:
        return
    if not documents and draft.reasons:
        # Named like a kind (an empty docker-compose.yml, a blank Chart.yaml) but holding no
        # document: say so, so that the file is not mistaken for one that was read.
        draft.notes.append("empty: the file holds no YAML document")
    if names.is_chart_file(draft.path):
        directory = posixpath.dirname(draft.path)
        draft.sections["helm_chart"] = helm_chart_info(
            documents[0].data if documents else None, directory, ctx.chart_files.get(directory, ())
        )
        return
    _classify_yaml_documents(draft, documents, ctx)
    system = names.ci_system(draft.path)
    if system is not None and documents:
        _add_ci(draft, system, content.text, documents[0].data, ctx)


# --------------------------------------------------------------------------- text kinds


def _add_ci(draft: Draft, system: str, text: str, data: Any, ctx: Context) -> None:
    scan = scan_commands(text, draft.path, ctx.known)
    draft.scan = scan
    draft.sections["ci"] = CiInfo(
        system=system,
        jobs=ci_jobs(system, data),
        uses=github_uses(data) if system == "github-actions" else (),
        tools=scan.tools,
        references=scan.references,
        stack_deploys=scan.stack_deploys,
        compose_files=scan.compose_files,
    )


def _add_script(draft: Draft, language: str, program: str | None, text: str, ctx: Context) -> None:
    if language == "python" and not python_runs_commands(text):
        return  # library code, not a script that drives deployments
    scan = scan_commands(text, draft.path, ctx.known)
    targets = make_targets(text) if language == "make" else ()
    if language == "python":
        if not scan.tools:
            return
        draft.add(K.DEPLOY_SCRIPT, f"Python running commands with {', '.join(scan.tools)}")
    elif scan.tools:
        draft.add(K.DEPLOY_SCRIPT, f"{language} script using {', '.join(scan.tools)}")
    else:
        draft.add(K.SCRIPT, f"{language} script without deployment commands")
    draft.scan = scan
    draft.sections["script"] = ScriptInfo(
        language=language,
        interpreter=program,
        tools=scan.tools,
        targets=targets,
        references=scan.references,
        stack_deploys=scan.stack_deploys,
        compose_files=scan.compose_files,
    )


def add_dockerfile(draft: Draft, text: str) -> None:
    info, error = dockerfile_info(text)
    if error is not None:
        draft.notes.append(error)
    if info is not None:
        draft.sections["dockerfile"] = info


def add_env_file(draft: Draft, text: str) -> None:
    draft.sections["env_file"] = env_file_info(text)


def _classify_text(draft: Draft, ctx: Context, content: FileText) -> None:
    path, text = draft.path, content.text
    draft.text = text
    program = interpreter(text)
    if (
        not draft.has(K.DOCKERFILE)
        and names.suffix(path) in {"", ".txt"}
        and looks_like_dockerfile(text)
    ):
        draft.add(K.DOCKERFILE, "first instruction is FROM or ARG")
    if draft.has(K.DOCKERFILE):
        add_dockerfile(draft, text)
    if draft.has(K.ENV_FILE):
        add_env_file(draft, text)
    shell = shell_of(program) or names.shell_from_suffix(path)
    if shell is not None:
        _add_script(draft, shell, program, text, ctx)
    elif names.is_python_name(path) or is_python_program(program):
        _add_script(draft, "python", program, text, ctx)
    elif names.is_makefile_name(path):
        _add_script(draft, "make", None, text, ctx)
    system = names.ci_system(path)
    if system is not None and not names.is_yaml_name(path):
        _add_ci(draft, system, text, None, ctx)
    if names.is_doc_name(path) and (info := docs_info(text)) is not None:
        draft.add(K.DOCS, f"documentation mentioning {', '.join(info.topics)}")
        draft.sections["docs"] = info


def _named_kinds(draft: Draft) -> None:
    path = draft.path
    if names.is_compose_name(path):
        draft.add(K.COMPOSE, "file name follows compose naming")
    if names.is_dockerfile_name(path):
        draft.add(K.DOCKERFILE, "file name follows Dockerfile naming")
    if names.is_env_name(path):
        draft.add(K.ENV_FILE, "file name follows env-file naming")
    if names.is_kustomization_name(path):
        draft.add(K.KUSTOMIZATION, "file name is a kustomization file name")
    if names.is_chart_file(path):
        draft.add(K.HELM_CHART, "Chart.yaml of a Helm chart")
    system = names.ci_system(path)
    if system is not None:
        draft.add(K.CI_WORKFLOW, f"{system} workflow location")


def _wants_full_text(path: str) -> bool:
    return (
        names.is_dockerfile_name(path)
        or names.is_env_name(path)
        or names.shell_from_suffix(path) is not None
        or names.is_python_name(path)
        or names.is_makefile_name(path)
        or names.ci_system(path) is not None
        or names.is_doc_name(path)
    )


def _looks_like_unnamed_yaml(text: str) -> bool:
    return text.startswith(("services:", "version:", "apiVersion:", "---")) or "\nservices:" in text


def classify(file: WalkedFile, ctx: Context) -> Draft:
    draft = Draft(file)
    path = file.path
    chart = _chart_dir(path, ctx.chart_dirs)
    if chart is not None:
        inner = path[len(chart) + 1 :] if chart else path
        if inner.startswith("templates/"):
            draft.add(
                K.HELM_TEMPLATE, f"inside the templates/ folder of the chart in {chart or '.'}"
            )
            return draft  # Go templates are not YAML: never parse them
        if "/" not in inner and inner.startswith("values") and names.is_yaml_name(inner):
            draft.add(K.HELM_VALUES, f"values file of the chart in {chart or '.'}")
            return draft
    _named_kinds(draft)
    if is_binary_name(path):
        return draft
    yamlish = (
        names.is_yaml_name(path)
        or names.suffix(path) == ".json"
        or names.is_kustomization_name(path)
    )
    if yamlish:
        _classify_yaml(draft, ctx)
        if names.ci_system(path) is None:
            return draft
    if _wants_full_text(path):
        content = draft.text if draft.text is not None else None
        full = FileText(content, True) if content is not None else _read(draft, TEXT_CAP_BYTES)
        if full is not None:
            _classify_text(draft, ctx, full)
        return draft
    # A name that says nothing: sniff the first bytes, read on only when they look promising.
    sniff = read_text(file.location, file.size, SNIFF_BYTES)
    if sniff is None:
        return draft
    if not sniff.complete and (
        interpreter(sniff.text) is not None
        or _looks_like_unnamed_yaml(sniff.text)
        or looks_like_dockerfile(sniff.text)
    ):
        sniff = _read(draft, TEXT_CAP_BYTES) or sniff
    if (
        names.suffix(path) == ""
        and _looks_like_unnamed_yaml(sniff.text)
        and interpreter(sniff.text) is None
    ):
        documents = _parse(draft, sniff.text, ctx, quiet=True)
        if documents:
            _classify_yaml_documents(draft, documents, ctx)
        return draft
    _classify_text(draft, ctx, sniff)
    return draft
