"""A whole compose project -> chart values, ledger and findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.model.compose import Project, SecretDefinition, Service
from kubealign.model.findings import Finding, Severity
from kubealign.model.ledger import Disposition, Ledger, LedgerEntry
from kubealign.model.source import SourceSpan, relative_to
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.gateway import route_gateway
from kubealign.transform.convert.network import (
    ingress_from_labels,
    network_policy,
)
from kubealign.transform.convert.options import ConversionOptions, bind_readers
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.convert.service import convert_service, unreachable_name
from kubealign.transform.convert.service_names import unique_service_names
from kubealign.transform.convert.storage import shared_claim_name
from kubealign.transform.naming import dns_label
from kubealign.transform.probes import env_reads_in_probe
from kubealign.transform.roles import REPLACED_BY, Role, RoleDecision, classify_service
from kubealign.transform.secrets.inventory import SecretRequirement, requirement_order
from kubealign.transform.secrets.providers import check_settings, provider_block, store_name
from kubealign.transform.secrets.references import public_occurrences, reference_secrets
from kubealign.transform.secrets.remote_keys import ProviderRef, provider_ref
from kubealign.transform.secrets.scrub import (
    SecretValues,
    project_secret_values,
    scrub_entries,
    scrub_findings,
)


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
    secrets: tuple[SecretRequirement, ...] = ()
    """Every secret the pods read and its provider key (for secrets.md; no values)."""


def convert_project(project: Project, options: ConversionOptions | None = None) -> ConversionResult:
    options = bind_readers(options or ConversionOptions(), project.project_directory)
    ctx = ProjectContext(project, options)
    services: dict[str, vm.ServiceValues] = {}
    entries: list[LedgerEntry] = []
    findings: list[Finding] = []
    comments: dict[str, str] = {}
    roles: dict[str, RoleDecision] = {}
    routers: list[Service] = []

    for service in project.services:
        rec = Recorder(service)
        key = ctx.key_of(service.name)
        path = f"services.{key}"
        role = classify_service(service, project, options.read_file, options.read_refusal)
        roles[service.name] = role
        kwargs = convert_service(service, ctx, rec)
        ports: tuple[vm.Port, ...] = kwargs.get("ports", ())
        ingress, extra_ports = ingress_from_labels(service, ctx, ports, rec, path)
        if extra_ports:
            kwargs["ports"] = (*ports, *extra_ports)
        if ingress is not None and not kwargs.get("ports"):
            # An Ingress routes to the Service, and a Service needs a port: without one the
            # route has no backend, so it is dropped and the port asked for.
            rec.finding("CNV203", Severity.MEDIUM, "routed by an ingress rule, but no port is "
                        "known, so there is no Service to route to: the Ingress is not "
                        "rendered", "labels", fix=f"add the port to {path}.ports and set "
                        f"{path}.ingress.enabled: true")
            ingress = dataclasses.replace(ingress, enabled=False)
        if ingress is not None:
            kwargs["ingress"] = ingress
        if not kwargs.get("ports") and kwargs.get("kind") != "Job":
            unreachable_name(service, ctx, rec, path)
        policy = network_policy(service, ctx, ingress is not None, rec, path)
        if policy is not None:
            kwargs["network_policy"] = policy
        if not project.is_active(service):
            kwargs["enabled"] = False
        if role.role is Role.EDGE_ROUTER and not options.enable_replaced \
                and project.is_active(service):
            routers.append(service)  # disabled below, once its routes are Ingress rules
        elif role.replaced and not options.enable_replaced:
            kwargs["enabled"] = False
            rec.finding("CNV400", Severity.INFO, f"{role.role.value} ({role.evidence}): "
                        f"replaced by {REPLACED_BY[role.role]}; disabled (set {path}.enabled: "
                        "true to deploy it anyway)", "image")
        _account_for_every_key(service, rec)
        services[key] = vm.ServiceValues(**kwargs)
        origin = service.origin("image") or (service.origins[0][1] if service.origins else None)
        comments[path] = f"compose service {service.name!r}" + (
            f" ({relative_to(origin.path, project.project_directory)}:{origin.line})"
            if origin else "")
        if role.replaced and (role.role is not Role.EDGE_ROUTER
                              or not project.is_active(service)):
            comments[path] += f"; {role.role.value}: disabled, replaced by {REPLACED_BY[role.role]}"
        if not project.is_active(service):
            comments[path] += (f"; profile {', '.join(service.profiles)} not active: disabled "
                               "(enabled: true turns it on)")
        entries.extend(rec.entries)
        findings.extend(rec.findings)

    for router in routers:
        _replace_edge_router(router, ctx, services, roles[router.name], entries, findings,
                             comments)
    services = unique_service_names(project, ctx, services, findings)

    secrets = project_secret_values(project, ctx.options.read_bytes)
    for value, variable in ctx.secret_values.items():
        secrets.add(value, variable)
    services = reference_conversion(project, ctx, services, secrets, findings, entries)
    project_rec = Recorder(None)
    external = _external_secrets(project, ctx, project_rec)
    stores, store_ref = _secret_stores(ctx, project_rec)
    _top_level(project, ctx, project_rec, services)
    values = vm.ChartValues(
        global_=vm.GlobalValues(
            part_of=_label_value(options.release),
            ingress=vm.GlobalIngress(class_name=options.ingress_class or None,
                                     cluster_issuer=options.cluster_issuer or None)
            if options.ingress_class or options.cluster_issuer else None,
            network_policy=vm.GlobalNetworkPolicy(enabled=False)
            if not options.network_policies else None,
            external_secrets=store_ref,
        ),
        services=services,
        external_secrets=external or None,
        secret_stores=stores or None,
    )
    entries.extend(project_rec.entries)
    findings.extend(project_rec.findings)
    scrub_prose(secrets, entries, findings, comments)
    return ConversionResult(
        values=values,
        ledger=Ledger(tuple(sorted(entries, key=lambda e: (e.service, e.key, e.note)))),
        findings=tuple(sorted(findings, key=_finding_order)),
        comments=comments,
        roles=roles,
        service_keys=dict(ctx.keys),
        secrets=secret_requirements(project, ctx),
    )




def _replace_edge_router(router: Service, ctx: ProjectContext,
                         services: dict[str, vm.ServiceValues], role: RoleDecision,
                         entries: list[LedgerEntry], findings: list[Finding],
                         comments: dict[str, str]) -> None:
    """Disable an edge router only once its routing exists as Ingress rules (from its own
    configuration, or for Traefik from other services' labels); otherwise it stays a
    workload, since disabling it would leave the services it routed to unreachable."""
    rec = Recorder(router)
    key = ctx.key_of(router.name)
    path = f"services.{key}"
    outcome = route_gateway(router, ctx, services)
    services.update(outcome.services)
    labelled = "traefik" in (router.image or "") and any(
        s.ingress is not None and s.ingress.enabled for k, s in services.items() if k != key)
    if outcome.routed:
        note = "configuration -> Ingress rules " + ", ".join(outcome.routed)
        if outcome.notes:
            rec.approximated(outcome.config_key, "services.*.ingress",
                             note + "; " + "; ".join(outcome.notes))
        else:
            rec.converted(outcome.config_key, "services.*.ingress", note)
    if outcome.routed or labelled:
        services[key] = dataclasses.replace(services[key], enabled=False)
        rec.finding("CNV400", Severity.INFO, f"{role.role.value} ({role.evidence}): "
                    f"replaced by {REPLACED_BY[role.role]}; disabled (set {path}.enabled: "
                    "true to deploy it anyway)", "image")
        comments[path] += f"; {role.role.value}: disabled, replaced by {REPLACED_BY[role.role]}"
    else:
        why = "; ".join(outcome.notes) or "no route in its configuration names a service"
        rec.finding("CNV401", Severity.MEDIUM, f"{role.role.value} ({role.evidence}) kept as "
                    f"a workload: its routing could not be turned into Ingress rules ({why})",
                    "image", fix=f"write the Ingress rules in services.<key>.ingress, then set "
                    f"{path}.enabled: false")
        comments[path] += f"; {role.role.value}: kept, its routing is not yet Ingress rules"
    entries.extend(rec.entries)
    findings.extend(rec.findings)


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


def _external_secrets(project: Project, ctx: ProjectContext,
                      rec: Recorder) -> dict[str, vm.ExternalSecretSpec]:
    """One ExternalSecret per Kubernetes Secret a pod reads, from the environment's provider.

    With provider ``none`` (bring your own Secret) nothing is rendered: the Secrets and keys
    to create are listed in secrets.md, and a finding says so.
    """
    settings = ctx.options.secrets
    byo = settings.provider == "none"
    out: dict[str, vm.ExternalSecretSpec] = {}
    used = {ref.source for s in project.services for ref in s.secrets} | set(ctx.secret_users)
    for secret in project.secrets:
        target = ctx.secret_targets[secret.name]
        if secret.name not in used:
            rec.ignored("secrets", f"secret {secret.name!r} is defined but no service uses it")
            continue
        _check_secret_source(secret, ctx, rec)
        ref = provider_ref(settings.provider, target.remote_key, settings.key_prefix)
        if not byo:
            out[target.secret_name] = vm.ExternalSecretSpec(data=(vm.ExternalSecretData(
                secret_key=target.key, remote_ref=_remote_ref(ref)),))
        if target.secret_name != dns_label(secret.name):
            span = secret.origin
            rec.findings.append(Finding(
                "SCV008", Severity.MEDIUM, f"secret {secret.name!r}: its Kubernetes Secret "
                f"would be {dns_label(secret.name)!r}, the Secret the secrets store "
                f"authenticates with; it is {target.secret_name!r} instead, so no "
                "ExternalSecret overwrites the store's credentials",
                span.path if span else None, span.line if span else None,
                "the pods read it at the same path; nothing to change", "secrets"))
        how = ("external (Swarm) secret" if secret.external else
               f"file {secret.file}" if secret.file else
               f"environment variable {secret.environment}" if secret.environment else "secret")
        where = (f"Secret {target.secret_name!r} you create (bring your own Secret)" if byo
                 else f"ExternalSecret reading provider key {_describe(ref)}")
        rec.record("secrets", Disposition.CONVERTED,
                   f"externalSecrets.{target.secret_name}" if not byo else "",
                   f"{secret.name}: {how} -> {where}; the value is never copied",
                   span=secret.origin)
    by_secret: dict[str, list[tuple[str, ProviderRef]]] = {}
    for target in [*(t for _k, t in sorted(ctx.env_secrets.items())),
                   *(t for _k, t in sorted(ctx.file_secrets.items()))]:
        ref = provider_ref(settings.provider, target.remote_key, settings.key_prefix)
        by_secret.setdefault(target.secret_name, []).append((target.key, ref))
    if not byo:
        for name, items in sorted(by_secret.items()):
            out[name] = vm.ExternalSecretSpec(data=tuple(
                vm.ExternalSecretData(secret_key=k, remote_ref=_remote_ref(r))
                for k, r in sorted(items, key=lambda item: item[0])))
    for service, variable, sources in ctx.composed:
        rec.finding("SCV004", Severity.INFO, f"service {service!r}: {variable} is composed "
                    f"from secret {', '.join(sources)}: rebuilt in the pod from the Secret with "
                    f"$(VAR) references (services.{ctx.key_of(service)}.composedEnv)",
                    fix="the provider holds only the secret parts, never the composed value")
    if byo and (used or by_secret):
        rec.finding("SCV005", Severity.INFO, "secrets provider `none` (bring your own "
                    "Secret): no ExternalSecret is rendered; create the Secrets listed in "
                    "secrets.md before deploying", fix="choose a provider in the plan "
                    "(secrets.provider) to have External Secrets create them")
    return out


def secret_requirements(project: Project, ctx: ProjectContext) -> tuple[SecretRequirement, ...]:
    """One row per Secret key a pod reads, with its logical provider key."""
    rows: list[SecretRequirement] = []
    for secret in project.secrets:
        users = tuple(sorted({*(s.name for s in project.services
                                if any(ref.source == secret.name for ref in s.secrets)),
                              *ctx.secret_users.get(secret.name, ())}))
        if not users:
            continue
        target = ctx.secret_targets[secret.name]
        how = ("external secret" if secret.external else "secret file" if secret.file
               else "secret from the environment")
        rows.append(SecretRequirement(target.secret_name, target.key, target.remote_key, users,
                                      f"compose {how} {secret.name}", secret.origin))
    for (service, variable), target in ctx.env_secrets.items():
        span = project.service(service).origin(f"environment.{variable}")
        how = f"environment {variable}" if span is not None else (
            f"{variable}, defined for a $({variable}) reference")
        rows.append(SecretRequirement(target.secret_name, target.key, target.remote_key,
                                      (service,), how, span or _first_origin(project, service)))
    for (service, mount_path), target in ctx.file_secrets.items():
        rows.append(SecretRequirement(target.secret_name, target.key, target.remote_key,
                                      (service,), f"whole file mounted at {mount_path}",
                                      _first_origin(project, service)))
    return tuple(sorted(rows, key=requirement_order))


def _first_origin(project: Project, service: str) -> SourceSpan | None:
    origins = project.service(service).origins
    return origins[0][1] if origins else None


def _check_secret_source(secret: SecretDefinition, ctx: ProjectContext, rec: Recorder) -> None:
    """A secret file that is missing, or an external secret nobody mapped: say so, located."""
    span = secret.origin
    target = ctx.secret_targets[secret.name]
    settings = ctx.options.secrets
    ref = _describe(provider_ref(settings.provider, target.remote_key, settings.key_prefix))
    if secret.file and ctx.options.read_bytes(secret.file) is None:
        rec.findings.append(Finding(
            "SCV001", Severity.HIGH, f"secret {secret.name!r}: file {secret.file} does "
            f"not exist; put its value in the provider at {ref} (kubealign never reads it "
            "into the chart)", span.path if span else None, span.line if span else None,
            "create the file for compose, and the provider entry for Kubernetes", "secrets"))
    if secret.external and secret.name not in settings.key_overrides and \
            settings.provider != "none":
        rec.findings.append(Finding(
            "SCV002", Severity.LOW, f"external secret {secret.name!r} has no "
            f"provider mapping: assumed at {ref}", span.path if span else None,
            span.line if span else None,
            f"create {ref} in the provider, or map it (plan secrets.keys.{secret.name})",
            "secrets"))


def _remote_ref(ref: ProviderRef) -> vm.RemoteRef:
    return vm.RemoteRef(key=ref.key, property=ref.property)


def _describe(ref: ProviderRef) -> str:
    return repr(ref.key) + (f" property {ref.property!r}" if ref.property else "")


def _secret_stores(ctx: ProjectContext, rec: Recorder) -> tuple[
        dict[str, vm.SecretStoreSpec], vm.GlobalExternalSecrets | None]:
    """The store the ExternalSecrets read (rendered unless the plan names an existing one)."""
    settings = ctx.options.secrets
    if settings.provider == "none":
        return {}, None
    name = store_name(settings)
    ref = vm.GlobalExternalSecrets(
        secret_store_ref=vm.StoreRef(name=name, kind=settings.store_kind),
        refresh_interval=settings.refresh_interval)
    if settings.store_name is not None:
        return {}, ref
    check = check_settings(settings)
    block = provider_block(settings)
    if settings.detected_from and block is not None:
        given = settings.settings
        rec.findings.append(Finding(
            "SCV007", Severity.INFO, f"secrets provider {settings.provider}: organization "
            f"{given.get('organization')!r}, project {given.get('project')!r}, environment "
            f"{given.get('environment')!r} read from the repository "
            f"({settings.detected_from}); the {settings.store_kind} {name!r} uses them",
            settings.detected_from.rsplit(":", 1)[0], _line(settings.detected_from),
            "check them, or give the settings with --secrets-setting KEY=VALUE", "secrets"))
    if block is None or check.unknown:
        rec.findings.append(Finding(
            "SCV003", Severity.HIGH, "secrets provider "
            f"{settings.provider}: {check.message()}; the {settings.store_kind} {name!r} is not "
            "rendered and the ExternalSecrets wait for it", settings.origin, None,
            "give the settings in the plan (secrets.settings) or with --secrets-setting "
            "KEY=VALUE", "secrets"))
        if block is None:
            return {}, ref
    return {name: vm.SecretStoreSpec(provider=block, kind=settings.store_kind)}, ref


def _line(evidence: str) -> int | None:
    tail = evidence.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _probes_read_env(svc: Any) -> Any:
    """The service with probe commands that read env variables from the container's
    environment: the scrubber writes ``$(VAR)`` into any command, but the kubelet expands
    it in command/args only, never in a probe."""
    probes = getattr(svc, "probes", None)
    if probes is None:
        return svc
    names = frozenset({*(svc.env or {}), *(svc.secret_env or {}), *(svc.composed_env or {})})
    changes = {}
    for field in ("liveness", "readiness", "startup"):
        probe = getattr(probes, field)
        if probe is None or probe.exec is None:
            continue
        command = env_reads_in_probe(probe.exec.command, names)
        if command != probe.exec.command:
            changes[field] = dataclasses.replace(
                probe, exec=dataclasses.replace(probe.exec, command=command))
    if not changes:
        return svc
    return dataclasses.replace(svc, probes=dataclasses.replace(probes, **changes))


def reference_conversion(project: Project, ctx: ProjectContext,
                         services: dict[str, vm.ServiceValues], secrets: SecretValues,
                         findings: list[Finding],
                         entries: Sequence[LedgerEntry] = ()) -> dict[str, vm.ServiceValues]:
    """Every secret value found in a service's configuration becomes a reference to its
    Secret (``$(VAR)``, a Secret file, ``$VAR`` in a probe's shell, a dropped label); each
    place is reported without showing the value. Nothing is replaced by placeholder text."""
    if secrets.weak:
        findings.append(Finding(
            "SCV006", Severity.MEDIUM, f"{len(secrets.weak)} secret value(s) equal or appear "
            "in public names of the project (project, service, image or volume names): a "
            "guessable secret, and the names cannot be hidden from the output", None, None,
            "rotate those secrets to random values held only in the provider", "secrets"))
    if not secrets:
        return services
    out: dict[str, vm.ServiceValues] = {}
    by_key = {ctx.key_of(s.name): s for s in project.services}
    for key, svc in services.items():
        service = by_key.get(key)
        name = service.name if service is not None else key
        carried = _carried(service, svc, ctx)

        def bind_env(variable: str, source: str | None, value: str,
                     name: str = name) -> vm.SecretKeyRef:
            return _bind_env(ctx, secrets, name, variable, source, value)

        def bind_file(file_key: str, file: vm.ConfigFile, name: str = name) -> vm.SecretFile:
            target = ctx.file_secret(name, file_key, file.mount_path)
            return vm.SecretFile(secret_name=target.secret_name, key=target.key,
                                 mount_path=file.mount_path, mode=file.mode)

        referenced, changes = reference_secrets(svc, f"services.{key}", secrets, carried,
                                                bind_env, bind_file)
        out[key] = _probes_read_env(referenced)
        for change in changes:
            where = _values_origin(change.path, name, service, svc, entries)
            findings.append(Finding(
                "SCV010", Severity.HIGH, f"a secret value appeared in values {change.path}: "
                f"{change.how}", where.path if where else None, where.line if where else None,
                "read the secret from the environment or a mounted file instead of writing it "
                "into this field", "secrets"))
        public = sorted(set(public_occurrences(out[key], secrets, f"services.{key}")))
        for path in public:
            findings.append(Finding(
                "SCV006", Severity.MEDIUM, f"values {path} is written as the compose file says "
                "and equals a value used as a secret elsewhere: a public field is no secret, "
                "so that secret is guessable", None, None,
                "rotate the secret to a random value held only in the provider", "secrets"))
    return out


# Values fields whose ledger target is not their own path (a bind-mounted file's ConfigMap
# entry is recorded under persistence), with the compose keys that fill them.
_VALUES_FROM: dict[str, tuple[str, ...]] = {
    "configFiles": ("configs", "volumes"),
    "secretFiles": ("configs", "volumes"),
    "podAnnotations": ("labels", "annotations", "deploy.labels"),
    "probes": ("healthcheck",),
    "args": ("command",),
    "command": ("entrypoint",),
    "env": ("environment",),
    "composedEnv": ("environment",),
}


def _values_origin(values_path: str, name: str, service: Service | None,
                   svc: vm.ServiceValues,
                   entries: Sequence[LedgerEntry]) -> SourceSpan | None:
    """The compose line a values field of service ``name`` was converted from: a mounted
    file's own ``volumes``/``configs`` item, else the ledger entry whose target is the longest
    prefix of the path, else the compose key that fills the field."""
    parts = values_path.split(".", 3)
    if service is not None and len(parts) == 4 and parts[2] == "configFiles":
        file = (svc.config_files or {}).get(parts[3])
        if file is not None:
            span = _file_origin(service, file.mount_path)
            if span is not None:
                return span
    best: LedgerEntry | None = None
    for entry in entries:
        target = entry.target
        if entry.service != name or entry.source is None or not target:
            continue
        covers = values_path == target or values_path.startswith((target + ".", target + "["))
        if covers and (best is None or len(target) > len(best.target)):
            best = entry
    if best is not None:
        return best.source
    if service is None:
        return None
    field = values_path.split(".")[2] if values_path.count(".") >= 2 else ""
    for key in _VALUES_FROM.get(field.split("[")[0], ()):
        span = service.origin(key)
        if span is not None:
            return span
    return None


def _file_origin(service: Service, mount_path: str) -> SourceSpan | None:
    """Where the ``volumes`` or ``configs`` item mounting a file at ``mount_path`` is written."""
    for index, mount in enumerate(service.volumes):
        if mount.target == mount_path:
            return service.origin(f"volumes.{index}")
    for index, ref in enumerate(service.configs):
        if (ref.target or f"/{ref.source}") == mount_path:
            return service.origin(f"configs.{index}")
    return None


def _carried(service: Service | None, svc: vm.ServiceValues,
             ctx: ProjectContext) -> dict[str, str]:
    """Secret value -> the pod's Secret-backed env variable already holding it."""
    carried: dict[str, str] = {}
    for variable in sorted(svc.secret_env or {}):
        value = service.environment.get(variable) if service is not None else None
        if value is not None:
            carried.setdefault(value, variable)
        else:  # a variable defined for a composition: its value is known to the context
            for text, name in ctx.secret_values.items():
                if name == variable:
                    carried.setdefault(text, variable)
    return carried


def _bind_env(ctx: ProjectContext, secrets: SecretValues, service: str, variable: str,
              source: str | None, value: str) -> vm.SecretKeyRef:
    """A Secret reference for ``variable`` in ``service``: from the compose secret file the
    value came from, the service's own key for a secret written literally in its
    configuration, or the provider key the project already uses for ``source``."""
    if secrets.literal.get(value) == service:
        target = ctx.env_secret(service, variable)
        return vm.SecretKeyRef(secret_name=target.secret_name, key=target.key)
    compose_secret = secrets.files.get(source or "")
    if compose_secret is not None and compose_secret in ctx.secret_targets:
        target = ctx.secret_targets[compose_secret]
        ctx.secret_users.setdefault(compose_secret, set()).add(service)
        return vm.SecretKeyRef(secret_name=target.secret_name, key=target.key)
    existing = next((t.remote_key for (_s, v), t in sorted(ctx.env_secrets.items())
                     if v == (source or variable)), None)
    target = ctx.env_secret(service, variable, shared_from=source or variable, remote=existing)
    return vm.SecretKeyRef(secret_name=target.secret_name, key=target.key)


def scrub_prose(secrets: SecretValues, entries: list[LedgerEntry], findings: list[Finding],
                comments: dict[str, str]) -> None:
    """Ledger notes, findings and comments are prose: a secret there is masked in place
    (configuration never is: see :func:`reference_conversion`)."""
    if not secrets:
        return
    entries[:] = scrub_entries(entries, secrets)
    findings[:] = scrub_findings(findings, secrets)
    for key in list(comments):
        comments[key] = secrets.scrub(comments[key])


def _storage_model(volume: str, ctx: ProjectContext,
                   services: dict[str, vm.ServiceValues]) -> str:
    """Which objects hold a named volume, said once per volume in the ledger."""
    users = ctx.volume_users.get(volume, [])
    definition = ctx.volume(volume)
    if definition is not None and definition.external:
        return (f"existing claim {dns_label(definition.external_name or volume)!r} (external: "
                "create it before deploying)")
    if not users:
        return "PersistentVolumeClaim (no service mounts it)"
    if len(users) > 1:
        return (f"one PersistentVolumeClaim {shared_claim_name(ctx, volume)!r} created by "
                f"{ctx.volume_owner[volume]} and mounted by {', '.join(sorted(users))} "
                "(ReadWriteMany)")
    key = ctx.key_of(users[0])
    if services[key].kind == "StatefulSet":
        return f"volumeClaimTemplate of StatefulSet {key} (one claim per replica)"
    return f"PersistentVolumeClaim {key}-{dns_label(volume, limit=42)}"


def _top_level(project: Project, ctx: ProjectContext, rec: Recorder,
               services: dict[str, vm.ServiceValues]) -> None:
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
        note = f"{volume.name} -> {_storage_model(volume.name, ctx, services)}"
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



