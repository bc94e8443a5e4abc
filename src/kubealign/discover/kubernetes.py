"""Kubernetes-family YAML: manifests, Argo CD applications, kustomizations, Chart.yaml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubealign.discover.yaml_port import YamlDocument, line_of
from kubealign.model.inventory import (
    ArgoApplication,
    HelmChartInfo,
    KustomizationInfo,
    KustomizeImage,
    ManifestDocument,
)

_ARGO_KINDS = frozenset({"Application", "ApplicationSet", "AppProject"})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (Mapping, list)):
        return None
    return str(value)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, (str, int, float)))


def manifest_document(index: int, document: YamlDocument) -> ManifestDocument | None:
    """The identity of one Kubernetes object, or None when the document is not one."""
    data = document.data
    if not isinstance(data, Mapping):
        return None
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not kind:
        return None
    metadata = _mapping(data.get("metadata"))
    return ManifestDocument(
        index=index,
        api_version=api_version,
        kind=kind,
        name=_text(metadata.get("name")),
        namespace=_text(metadata.get("namespace")),
        line=line_of(document, ""),
    )


def is_kustomization_document(doc: ManifestDocument) -> bool:
    return doc.kind in {"Kustomization", "Component"} and doc.api_version.startswith(
        "kustomize.config.k8s.io/"
    )


def is_argo_document(doc: ManifestDocument) -> bool:
    return doc.api_version.startswith("argoproj.io/") and doc.kind in _ARGO_KINDS


def argo_application(doc: ManifestDocument, data: Mapping[str, Any]) -> ArgoApplication:
    spec = _mapping(data.get("spec"))
    if doc.kind == "ApplicationSet":
        spec = _mapping(_mapping(spec.get("template")).get("spec"))
    source = _mapping(spec.get("source"))
    if not source and isinstance(spec.get("sources"), list) and spec["sources"]:
        source = _mapping(spec["sources"][0])
    destination = _mapping(spec.get("destination"))
    helm = _mapping(source.get("helm"))
    return ArgoApplication(
        kind=doc.kind,
        name=doc.name,
        namespace=doc.namespace,
        project=_text(spec.get("project")),
        repo_url=_text(source.get("repoURL")),
        path=_text(source.get("path")),
        chart=_text(source.get("chart")),
        target_revision=_text(source.get("targetRevision")),
        destination_server=_text(destination.get("server")),
        destination_namespace=_text(destination.get("namespace")),
        value_files=_strings(helm.get("valueFiles")),
        line=doc.line,
    )


def _patch_paths(data: Mapping[str, Any]) -> tuple[str, ...]:
    paths: list[str] = list(_strings(data.get("patchesStrategicMerge")))
    for key in ("patches", "patchesJson6902"):
        entries = data.get(key)
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, str):
                    paths.append(entry)
                elif isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
                    paths.append(entry["path"])
    return tuple(paths)


def kustomization_info(data: Mapping[str, Any]) -> KustomizationInfo:
    images = []
    raw_images = data.get("images")
    for entry in raw_images if isinstance(raw_images, list) else []:
        entry_map = _mapping(entry)
        name = _text(entry_map.get("name"))
        if name is not None:
            images.append(
                KustomizeImage(
                    name=name,
                    new_name=_text(entry_map.get("newName")),
                    new_tag=_text(entry_map.get("newTag")),
                    digest=_text(entry_map.get("digest")),
                )
            )
    return KustomizationInfo(
        namespace=_text(data.get("namespace")),
        resources=_strings(data.get("resources")) + _strings(data.get("bases")),
        components=_strings(data.get("components")),
        patches=_patch_paths(data),
        images=tuple(images),
        generator_files=_generator_files(data),
    )


#: The kustomization sections whose entries generate ConfigMaps and Secrets.
GENERATOR_SECTIONS = ("configMapGenerator", "secretGenerator")


def _generator_files(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The env files and files kustomize's generators read: ``envs: [prod.env]``, the legacy
    ``env: prod.env``, ``files: [app.conf, tls.key=certs/key.pem]``."""
    found: list[str] = []
    for section in GENERATOR_SECTIONS:
        generators = data.get(section)
        for generator in generators if isinstance(generators, list) else []:
            entry = _mapping(generator)
            found.extend(_strings(entry.get("envs")))
            legacy = _text(entry.get("env"))
            if legacy is not None:
                found.append(legacy)
            found.extend(item.rpartition("=")[2] for item in _strings(entry.get("files")))
    return tuple(dict.fromkeys(path for path in found if path))


def helm_chart_info(data: Any, directory: str, chart_files: Sequence[str]) -> HelmChartInfo:
    """Chart.yaml summary; ``chart_files`` are the chart's files relative to its directory."""
    chart = _mapping(data)
    dependencies = chart.get("dependencies")
    names = tuple(
        str(_mapping(dep).get("name"))
        for dep in (dependencies if isinstance(dependencies, list) else [])
        if _mapping(dep).get("name") is not None
    )
    values = tuple(
        sorted(
            name
            for name in chart_files
            if "/" not in name and name.startswith("values") and name.endswith((".yaml", ".yml"))
        )
    )
    return HelmChartInfo(
        name=_text(chart.get("name")),
        version=_text(chart.get("version")),
        app_version=_text(chart.get("appVersion")),
        api_version=_text(chart.get("apiVersion")),
        directory=directory,
        has_templates=any(name.startswith("templates/") for name in chart_files),
        values_files=values,
        dependencies=names,
    )
