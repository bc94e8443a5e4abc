"""chart/README.md: what the cluster needs first, and the install command per environment."""

from __future__ import annotations

from kubealign.emit.chart_readme import ChartEnvironment, chart_readme
from kubealign.model.plan import NodePool
from kubealign.model.source import SourceSpan
from kubealign.transform.secrets.inventory import SecretRequirement
from kubealign.transform.secrets.providers import ESO_INSTALL, SecretsSettings
from kubealign.transform.secrets.remote_keys import RemotePath

ENVS = [ChartEnvironment("staging", "shop-staging", "deployed"),
        ChartEnvironment("production", "shop-production", "dead")]


def _req(secret: str, key: str, service: str, origin: str) -> SecretRequirement:
    return SecretRequirement(secret, key, RemotePath(("shop", key.lower())), (service,), origin,
                             SourceSpan("docker-compose.yml", 4))


REQUIREMENTS = [_req("api-env", "DB_PASSWORD", "api", "environment DB_PASSWORD"),
                _req("api-env", "DB_PASSWORD", "worker", "compose secret db (file)"),
                _req("stripe", "key", "api", "compose secret stripe (external)")]
PULUMI = SecretsSettings(settings={"organization": "acme", "project": "shop",
                                   "environment": "prod"}, detected_from="scripts/esc.sh:3")


def test_each_environment_has_its_kubealign_and_helm_command() -> None:
    text = chart_readme("shop", ENVS, base="production", settings=PULUMI, requirements=[])
    assert "`values.yaml` holds the base environment (`production`)" in text
    assert ("| `staging` | deployed | `shop-staging` | `kubealign deploy --env staging` | "
            "`helm upgrade --install shop chart -n shop-staging --create-namespace "
            "-f chart/values.yaml -f chart/values-staging.yaml` |") in text
    assert "## Before the first install" not in text  # nothing to prepare: no secret, no GPU


def test_secrets_say_the_operator_the_store_and_one_row_per_key() -> None:
    text = chart_readme("shop", ENVS, base=None, settings=PULUMI, requirements=REQUIREMENTS)
    for line in ESO_INSTALL.split(" && "):
        assert line in text
    assert "settings read from `scripts/esc.sh:3`" in text
    assert "| `api-env` | `DB_PASSWORD` | api, worker |" in text  # two sources, one key
    assert "| `stripe` | `key` | api |" in text
    # The store's own token is created by hand, in a namespace of the release.
    assert "kubectl create secret generic pulumi-access-token -n <namespace>" in text


def test_missing_provider_settings_are_said_before_the_install() -> None:
    text = chart_readme("shop", ENVS[:1], base=None, settings=SecretsSettings(),
                        requirements=REQUIREMENTS)
    before, _, _ = text.partition("## Install")
    assert "**Not connected yet:** Pulumi ESC needs organization, project, environment" in before
    assert "-n shop-staging" in before  # one namespace: named, not a placeholder


def test_provider_none_lists_the_secrets_to_create() -> None:
    text = chart_readme("shop", ENVS, base=None, settings=SecretsSettings(provider="none"),
                        requirements=REQUIREMENTS)
    assert "No ExternalSecret is rendered (provider `none`)" in text
    assert ESO_INSTALL.split(" && ")[0] not in text


def test_gpu_pools_give_label_taint_and_the_script_that_sets_them() -> None:
    pools = [NodePool("gh200", gpu="GH200", gpus_per_node=1,
                      taint="nvidia.com/gpu=true:NoSchedule"),
             NodePool("a10", gpu="A10", label="a10-pool")]
    text = chart_readme("shop", ENVS, base=None, settings=PULUMI, requirements=[],
                        node_pools=pools, selector_key="gpu-type")
    assert "| `gh200` | GH200 | 1 | `gh200` | `nvidia.com/gpu=true:NoSchedule` | 1 |" in text
    assert "| `a10` | A10 | ? | `a10-pool` | - | 1 |" in text
    assert "(../cluster/prepare-nodes.sh)" in text
    assert "gpu-sharing.yaml" not in text


def test_a_time_sliced_pool_says_its_pods_per_gpu_and_the_device_plugin_config() -> None:
    pools = [NodePool("gh200", gpu="GH200", gpus_per_node=1)]
    text = chart_readme("shop", ENVS, base=None, settings=PULUMI, requirements=[],
                        node_pools=pools, time_slicing={"gh200": 3})
    assert "| `gh200` | GH200 | 1 | `gh200` | - | 3 |" in text
    assert "[../cluster/gpu-sharing.yaml](../cluster/gpu-sharing.yaml)" in text


def test_a_chart_without_overlays_installs_with_values_yaml_alone() -> None:
    text = chart_readme("shop", [ChartEnvironment("default", "shop", "", overlay=False)],
                        base=None, settings=PULUMI, requirements=[])
    assert ("| `default` | - | `shop` | - | `helm upgrade --install shop chart -n shop "
            "--create-namespace -f chart/values.yaml` |") in text
