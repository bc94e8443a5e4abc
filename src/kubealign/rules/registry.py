"""The explicit list of audit rules. Duplicate ids are refused at import time."""

from __future__ import annotations

from kubealign.rules import (
    compose_rules,
    discovery_rules,
    dockerfile_rules,
    kubernetes_rules,
    resource_rules,
    script_rules,
    secret_rules,
    strategy_rules,
    suppress,
)
from kubealign.rules.base import RULE_CATEGORIES, Rule

_RULE_CLASSES: tuple[type[Rule], ...] = (
    strategy_rules.MultipleStrategies,
    strategy_rules.DeadStrategy,
    strategy_rules.DocsContradictReality,
    strategy_rules.DisabledDeployJob,
    compose_rules.ComposeLoadError,
    compose_rules.LatestImageTag,
    compose_rules.ImageTagDrift,
    compose_rules.ComposeVariant,
    compose_rules.ValuesOnlyVariant,
    compose_rules.MissingFileReference,
    compose_rules.DockerSocketMount,
    compose_rules.TraefikLabelsOutsideDeploy,
    compose_rules.SwarmKeysIgnoredByCompose,
    compose_rules.BuildInStack,
    compose_rules.RestartInStack,
    secret_rules.CommittedCredential,
    secret_rules.KubernetesSecretCommitted,
    secret_rules.MixedSecretMechanisms,
    secret_rules.SecretInDockerfile,
    secret_rules.EnvFileWithSecrets,
    discovery_rules.HardCodedIpInCompose,
    discovery_rules.HardCodedHostInScript,
    discovery_rules.ServiceRenamedAcrossFiles,
    discovery_rules.UrlToUndefinedService,
    resource_rules.MissingMemoryLimit,
    resource_rules.ResourceLimitsDiffer,
    resource_rules.GpuRequestedInconsistently,
    resource_rules.GpuEnvWithoutReservation,
    resource_rules.MixedIngressControllers,
    resource_rules.HostNetworking,
    resource_rules.OverlayNetworks,
    dockerfile_rules.RunsAsRoot,
    dockerfile_rules.UnpinnedBaseImage,
    dockerfile_rules.MissingHealthcheck,
    dockerfile_rules.DockerfileVariants,
    dockerfile_rules.DockerfileNotBuilt,
    kubernetes_rules.ConflictingNamespaces,
    kubernetes_rules.ManifestNotApplied,
    kubernetes_rules.ComposeDrift,
    kubernetes_rules.HelmChartNotInstalled,
    kubernetes_rules.KeelAnnotations,
    kubernetes_rules.LatestTagInManifest,
    script_rules.MissingStrictMode,
    script_rules.DirectSshDeployment,
    script_rules.ManualDockerCommands,
    script_rules.NearDuplicateScripts,
    script_rules.DeadDeployScript,
    suppress.SuppressionWithoutReason,
)


class DuplicateRuleError(Exception):
    """Two rule classes claim the same id (a programming error, raised at import)."""


def _check(classes: tuple[type[Rule], ...]) -> dict[str, type[Rule]]:
    by_id: dict[str, type[Rule]] = {}
    for cls in classes:
        if cls.id in by_id:
            raise DuplicateRuleError(
                f"rule id {cls.id} used by {by_id[cls.id].__name__} and {cls.__name__}"
            )
        if cls.category not in RULE_CATEGORIES:
            raise DuplicateRuleError(f"rule {cls.id} has unknown category {cls.category!r}")
        by_id[cls.id] = cls
    return by_id


RULES_BY_ID: dict[str, type[Rule]] = _check(_RULE_CLASSES)


def all_rules() -> tuple[type[Rule], ...]:
    """Every rule, sorted by id."""
    return tuple(RULES_BY_ID[i] for i in sorted(RULES_BY_ID))


def get_rule(rule_id: str) -> type[Rule] | None:
    return RULES_BY_ID.get(rule_id.strip().upper())
