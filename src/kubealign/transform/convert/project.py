"""A whole compose project -> chart values, ledger and findings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kubealign.model.compose import Project, Service
from kubealign.model.findings import Finding, Severity
from kubealign.model.ledger import Disposition, Ledger, LedgerEntry
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.network import (
    ingress_from_labels,
    network_peers,
    network_policy,
)
from kubealign.transform.convert.options import ConversionOptions
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.convert.service import convert_service
from kubealign.transform.roles import REPLACED_BY, RoleDecision, classify_service


@dataclass(frozen=True, slots=True)
class ConversionResult:
    values: vm.ChartValues
    ledger: Ledger
    findings: tuple[Finding, ...]
    comments: dict[str, str]
    """Values path (``services.api.image``) -> comment saying where it came from."""
    roles: dict[str, RoleDecision]
    service_keys: dict[str, str]
    """Compose service name -> values key."""


def convert_project(project: Project, options: ConversionOptions | None = None) -> ConversionResult:
    options = options or ConversionOptions()
    ctx = ProjectContext(project, options)
    peers = network_peers(project)
    services: dict[str, vm.ServiceValues] = {}
    entries: list[LedgerEntry] = []
    findings: list[Finding] = []
    comments: dict[str, str] = {}
    roles: dict[str, RoleDecision] = {}

    for service in project.services:
        rec = Recorder(service)
        key = ctx.key_of(service.name)
        path = f"services.{key}"
        role = classify_service(service, project, options.read_file)
        roles[service.name] = role
        kwargs = convert_service(service, ctx, rec)
        ports: tuple[vm.Port, ...] = kwargs.get("ports", ())
        ingress, extra_ports = ingress_from_labels(service, ctx, ports, rec, path)
        if extra_ports:
            kwargs["ports"] = (*ports, *extra_ports)
        if ingress is not None:
            kwargs["ingress"] = ingress
        policy = network_policy(service, ctx, peers.get(service.name, set()),
                                ingress is not None, rec, path)
        if policy is not None:
            kwargs["network_policy"] = policy
        if role.replaced and not options.enable_replaced:
            kwargs["enabled"] = False
            rec.finding("CNV400", Severity.INFO, f"{role.role.value} ({role.evidence}): "
                        f"replaced by {REPLACED_BY[role.role]}; disabled (set {path}.enabled: "
                        "true to deploy it anyway)", "image")
        _account_for_every_key(service, rec)
        _merge_service_spec(kwargs)
        services[key] = vm.ServiceValues(**kwargs)
        origin = service.origin("image") or (service.origins[0][1] if service.origins else None)
        comments[path] = f"compose service {service.name!r}" + (
            f" ({origin.path}:{origin.line})" if origin else "")
        if role.replaced:
            comments[path] += f"; {role.role.value}: disabled, replaced by {REPLACED_BY[role.role]}"
        entries.extend(rec.entries)
        findings.extend(rec.findings)
        comments.update(rec.comments)

    project_rec = Recorder(None)
    external = _external_secrets(project, ctx, project_rec)
    _top_level(project, ctx, project_rec)
    values = vm.ChartValues(
        global_=vm.GlobalValues(
            part_of=_label_value(options.release),
            ingress=vm.GlobalIngress(class_name=options.ingress_class or None,
                                     cluster_issuer=options.cluster_issuer or None)
            if options.ingress_class or options.cluster_issuer else None,
            network_policy=vm.GlobalNetworkPolicy(enabled=False)
            if not options.network_policies else None,
        ),
        services=services,
        external_secrets=external or None,
    )
    entries.extend(project_rec.entries)
    findings.extend(project_rec.findings)
    return ConversionResult(
        values=values,
        ledger=Ledger(tuple(sorted(entries, key=lambda e: (e.service, e.key, e.note)))),
        findings=tuple(sorted(findings, key=_finding_order)),
        comments=comments,
        roles=roles,
        service_keys=dict(ctx.keys),
    )


UNHANDLED_NOTE = "kubealign has no conversion rule for this key"


def _account_for_every_key(service: Service, rec: Recorder) -> None:
    """Nothing written may be lost silently: a key no rule recorded is reported."""
    recorded = {e.key.split(".", 1)[0] for e in rec.entries}
    for key in service.written_keys:
        if key.startswith("x-"):
            continue
        if key not in recorded:
            rec.not_convertible(key, UNHANDLED_NOTE)


def _finding_order(f: Finding) -> tuple[Any, ...]:
    return (-f.severity, f.path or "", f.line or 0, f.rule, f.message)


def _label_value(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:63]
    return cleaned.strip("-_.") or "app"


def _merge_service_spec(kwargs: dict[str, Any]) -> None:
    """Aliases (from names) and headless (from deploy) both describe the one Service."""
    spec = kwargs.get("service")
    if spec is None:
        return
    kwargs["service"] = dataclasses.replace(spec)


def _external_secrets(project: Project, ctx: ProjectContext,
                      rec: Recorder) -> dict[str, vm.ExternalSecretSpec]:
    out: dict[str, vm.ExternalSecretSpec] = {}
    used = {ref.source for s in project.services for ref in s.secrets}
    for secret in project.secrets:
        target = ctx.secret_targets[secret.name]
        if secret.name not in used:
            rec.ignored("secrets", f"secret {secret.name!r} is defined but no service uses it")
            continue
        out[target.secret_name] = vm.ExternalSecretSpec(
            data=(vm.ExternalSecretData(secret_key=target.key,
                                        remote_ref=vm.RemoteRef(key=target.remote_key)),),
        )
        how = ("external (Swarm) secret" if secret.external else
               f"file {secret.file}" if secret.file else
               f"environment variable {secret.environment}" if secret.environment else "secret")
        span = secret.origin
        rec.record("secrets", Disposition.CONVERTED, f"externalSecrets.{target.secret_name}",
                   f"{secret.name}: {how} -> ExternalSecret reading provider key "
                   f"{target.remote_key!r}; the value is never copied", span=span)
    by_secret: dict[str, list[tuple[str, Any]]] = {}
    for (_service, _variable), target in sorted(ctx.env_secrets.items()):
        by_secret.setdefault(target.secret_name, []).append((target.key, target.remote_key))
    for name, items in sorted(by_secret.items()):
        out[name] = vm.ExternalSecretSpec(data=tuple(
            vm.ExternalSecretData(secret_key=k, remote_ref=vm.RemoteRef(key=r))
            for k, r in sorted(items)))
    return out


def _top_level(project: Project, ctx: ProjectContext, rec: Recorder) -> None:
    """Top-level networks, volumes and configs, each accounted for once."""
    for network in project.networks:
        span = network.origin
        if network.external:
            rec.record("networks", Disposition.APPROXIMATED, "",
                       f"{network.name}: external network joined by other projects; "
                       "cross-namespace traffic needs its own NetworkPolicy", span=span)
        elif network.other.get("ipam") is not None or network.driver_opts:
            rec.record("networks", Disposition.APPROXIMATED, "services.*.networkPolicy",
                       f"{network.name}: subnets and driver options have no meaning in a "
                       "cluster network; isolation kept as NetworkPolicies", span=span)
        else:
            detail = " (internal: no egress outside it)" if network.internal else ""
            rec.record("networks", Disposition.CONVERTED, "services.*.networkPolicy",
                       f"{network.name}{detail} -> NetworkPolicies", span=span)
    for volume in project.volumes:
        note = f"{volume.name} -> PersistentVolumeClaim"
        if volume.driver or volume.driver_opts:
            rec.record("volumes", Disposition.APPROXIMATED, "services.*.persistence",
                       f"{note}; driver {volume.driver or 'options'} replaced by the "
                       "StorageClass", span=volume.origin)
        else:
            rec.record("volumes", Disposition.CONVERTED, "services.*.persistence", note,
                       span=volume.origin)
    used_configs = {ref.source for s in project.services for ref in s.configs}
    for config in project.configs:
        if config.name in used_configs:
            rec.record("configs", Disposition.CONVERTED, "services.*.configFiles",
                       f"{config.name} -> ConfigMap entries", span=config.origin)
        else:
            rec.ignored("configs", f"config {config.name!r} is defined but no service uses it")




def service_by_key(project: Project, key: str, keys: dict[str, str]) -> Service | None:
    for service in project.services:
        if keys.get(service.name) == key:
            return service
    return None
