"""Argo CD output: structure checked against the CRD schemas, sync policy, waves, Keel."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.convert_plan import PlanConvertOutcome, PlanConvertRequest, convert_plan
from kubealign.actions.plan import plan
from kubealign.errors import UsageError
from kubealign.model.plan import Environment, Plan
from kubealign.transform.gitops import (
    EnvironmentTarget,
    GitSource,
    KeelWorkload,
    application_set,
    image_updater_policy,
)
from kubealign.validate.crds import crd_catalog

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


@pytest.fixture(scope="module")
def istio(tmp_path_factory: pytest.TempPathFactory) -> PlanConvertOutcome:
    tmp = tmp_path_factory.mktemp("gitops")
    repo = tmp / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    return convert_plan(PlanConvertRequest(out=tmp / "out", plan=repo / "kubealign.yaml",
                                           environ={}, mesh="istio", prove=False,
                                           repo_url="https://git.example.com/sophia.git",
                                           revision="release-1"))


@pytest.fixture(scope="module")
def applications(tmp_path_factory: pytest.TempPathFactory) -> PlanConvertOutcome:
    tmp = tmp_path_factory.mktemp("gitops-applications")
    repo = tmp / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    return convert_plan(PlanConvertRequest(out=tmp / "out", plan=repo / "kubealign.yaml",
                                           environ={}, prove=False, render=False,
                                           repo_url="https://git.example.com/sophia.git",
                                           gitops_form="applications"))


def _load(outcome: PlanConvertOutcome, rel: str) -> list[dict[str, Any]]:
    text = (outcome.out / rel).read_text()
    return [d for d in yaml.safe_load_all(text) if d]


def test_applicationset_alone_by_default_and_it_validates(istio: PlanConvertOutcome) -> None:
    catalog = crd_catalog()
    gitops = [p for p in istio.files if p.startswith("gitops/app")]
    # One form only: the plain Applications would share the ApplicationSet's names.
    assert gitops == ["gitops/applicationset.yaml"]
    for obj in _load(istio, gitops[0]):
        assert catalog.validate(obj) == []
    assert istio.extra_problems == ()


def test_plain_applications_on_request_and_they_validate(applications: PlanConvertOutcome
                                                          ) -> None:
    catalog = crd_catalog()
    gitops = [p for p in applications.files if p.startswith("gitops/app")]
    assert "gitops/applicationset.yaml" not in gitops
    assert len(gitops) == len(applications.plan.environments) == 9
    for rel in gitops:
        for obj in _load(applications, rel):
            assert catalog.validate(obj) == [], rel
    names = [_load(applications, rel)[0]["metadata"]["name"] for rel in gitops]
    assert len(set(names)) == len(names)
    text = (applications.out / "gitops" / "README.md").read_text()
    ns = applications.plan.gitops.argocd_namespace
    for env in applications.plan.environments:
        assert f"kubectl apply -n {ns} -f gitops/applications/{env.name}.yaml" in text
    assert "applicationset.yaml" not in text and "--gitops-form applicationset" in text


def test_plain_applications_sync_automatically_only_what_is_deployed_today(
        applications: PlanConvertOutcome) -> None:
    synced = {e.name for e in applications.plan.environments if e.status.synced}
    assert synced and synced != {e.name for e in applications.plan.environments}
    for env in applications.plan.environments:  # every environment has its Application
        app = _load(applications, f"gitops/applications/{env.name}.yaml")[0]
        assert ("automated" in app["spec"]["syncPolicy"]) is env.status.synced, env.name


def test_an_unknown_gitops_form_is_a_usage_error(tmp_path: Path) -> None:
    repo = tmp_path / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    with pytest.raises(UsageError, match="GitOps form"):
        convert_plan(PlanConvertRequest(out=tmp_path / "out", plan=repo / "kubealign.yaml",
                                        environ={}, render=False, prove=False,
                                        repo_url="https://g/x.git", gitops_form="both"))


def test_applicationset_lists_every_deployed_environment_with_its_value_files(
        istio: PlanConvertOutcome) -> None:
    appset = _load(istio, "gitops/applicationset.yaml")[0]
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    deployed = {e.name for e in istio.plan.environments if e.status.synced}
    assert deployed and deployed != {e.name for e in istio.plan.environments}
    assert [e["environment"] for e in elements] == [
        name for name in istio.plan.migration_order if name in deployed]
    assert all(e["valuesFile"] == f"values-{e['environment']}.yaml" for e in elements)
    spec = appset["spec"]["template"]["spec"]
    assert spec["source"]["repoURL"] == "https://git.example.com/sophia.git"
    assert spec["source"]["targetRevision"] == "release-1"
    assert spec["source"]["helm"]["valueFiles"] == ["values.yaml", "{{.valuesFile}}"]
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert {"CreateNamespace=true", "ServerSideApply=true"} <= set(
        spec["syncPolicy"]["syncOptions"])


def test_the_structural_check_can_fail() -> None:
    broken = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
              "metadata": {"name": "x"}, "spec": {"template": {"metadata": {}, "spec": {}}}}
    assert crd_catalog().validate(broken)


def test_secrets_and_config_sync_before_workloads(istio: PlanConvertOutcome) -> None:
    cloud = next(e for e in istio.environments if e.name == "cloud")

    def wave(obj: dict[str, Any]) -> int:
        annotations = obj["metadata"].get("annotations") or {}
        return int(annotations.get("argocd.argoproj.io/sync-wave", "0"))

    secret_waves = {wave(o) for o in cloud.objects if o["kind"] == "ExternalSecret"}
    workload_waves = {wave(o) for o in cloud.objects
                      if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")}
    assert secret_waves and max(secret_waves) < min(workload_waves)
    # ConfigMaps share wave 0 with workloads; Argo CD applies ConfigMaps first within a wave.
    assert {wave(o) for o in cloud.objects if o["kind"] == "ConfigMap"} <= workload_waves


def test_keel_annotations_become_an_image_updater(istio: PlanConvertOutcome) -> None:
    assert {k.name for k in istio.keel} == {"sophia-backend", "mcp-orchestrator"}
    updater = _load(istio, "gitops/image-updater.yaml")[0]
    assert updater["kind"] == "ImageUpdater"
    refs = updater["spec"]["applicationRefs"]
    assert {r["namePattern"] for r in refs} == {f"sophia-{e}" for e in istio.plan.migration_order}
    images = {i["alias"]: i for i in refs[0]["images"]}
    assert images["sophia-backend"]["commonUpdateSettings"]["updateStrategy"] == "digest"
    assert images["mcp-orchestrator"]["imageName"].endswith(":2025.x")
    assert refs[0]["writeBackConfig"]["method"] == "git"
    targets = {r["writeBackConfig"]["gitConfig"]["writeBackTarget"] for r in refs}
    assert "helmvalues:values-ai-core.yaml" in targets


@pytest.mark.parametrize(("policy", "tag", "strategy", "constraint"), [
    ("patch", "1.4.2", "semver", "1.4.x"),
    ("minor", "1.4.2", "semver", "1.x"),
    ("major", "1.4.2", "semver", None),
    ("force", "latest", "newest-build", None),
])
def test_keel_policy_mapping(policy: str, tag: str, strategy: str, constraint: str | None
                             ) -> None:
    workload = KeelWorkload("k.yaml", 1, "Deployment", "api", (("keel.sh/policy", policy),), ())
    mapped = image_updater_policy(workload, tag)
    assert (mapped.strategy, mapped.constraint) == (strategy, constraint)


def test_keel_glob_becomes_allow_tags() -> None:
    workload = KeelWorkload("k.yaml", 1, "Deployment", "api",
                            (("keel.sh/policy", "glob:release-*"),), ())
    assert image_updater_policy(workload, "release-1").allow_tags == "regexp:^release\\-.*$"


def test_virtual_services_mirror_the_ingresses(istio: PlanConvertOutcome) -> None:
    production = next(e for e in istio.environments if e.name == "production")
    ingress_hosts = {rule["host"] for o in production.objects if o["kind"] == "Ingress"
                     for rule in o["spec"]["rules"]}
    services = _load(istio, "mesh/production.yaml")
    assert {h for vs in services for h in vs["spec"]["hosts"]} == ingress_hosts
    for vs in services:
        assert crd_catalog().validate(vs) == []
        assert vs["metadata"]["namespace"] == "sophia-ai-production"


def test_linkerd_injection_annotation(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text("services:\n  api:\n    image: nginx:1.27\n")
    plan(repo)
    outcome = convert_plan(PlanConvertRequest(out=tmp_path / "out",
                                              plan=repo / "kubealign.yaml", environ={},
                                              mesh="linkerd"))
    env = outcome.environments[0]
    pod = next(o for o in env.objects if o["kind"] == "Deployment")["spec"]["template"]
    assert pod["metadata"]["annotations"]["linkerd.io/inject"] == "enabled"
    assert env.proof == ()


def test_applicationset_from_a_plain_plan() -> None:
    plan_ = Plan(release="shop", namespace="shop", base="prod",
                 environments=(Environment("prod", ("c.yaml",), "."),),
                 migration_order=("prod",))
    appset = application_set(plan_, GitSource("https://g/x.git", "main", "deploy/chart"),
                             [EnvironmentTarget("prod", "shop-prod",
                                                ("values.yaml", "values-prod.yaml"))])
    assert crd_catalog().validate(appset) == []


def test_plain_application_of_an_environment(applications: PlanConvertOutcome) -> None:
    app = _load(applications, "gitops/applications/ai-core.yaml")[0]
    assert app["spec"]["source"]["helm"]["valueFiles"] == ["values.yaml", "values-ai-core.yaml"]
    assert app["spec"]["destination"]["namespace"] == "sophia-ai-ai-core"


def test_readme_names_the_exact_apply_command_of_its_form(istio: PlanConvertOutcome) -> None:
    assert "gitops/README.md" in istio.files
    text = (istio.out / "gitops" / "README.md").read_text()
    ns = istio.plan.gitops.argocd_namespace
    assert f"kubectl apply -n {ns} -f gitops/applicationset.yaml" in text
    assert "gitops/applications/" not in text and "--gitops-form applications" in text
    assert not (istio.out / "gitops" / "applications").exists()
    assert "never apply both" in text
    assert "https://git.example.com/sophia.git" in text and "`release-1`" in text


def test_chart_path_outside_the_repository_is_flagged_as_a_guess(
        istio: PlanConvertOutcome) -> None:
    # The fixture writes the output beside the repository, not inside it: the Argo CD path
    # can only be guessed, and both the summary notes and the README must say so.
    app = _load(istio, "gitops/applicationset.yaml")[0]
    path = app["spec"]["template"]["spec"]["source"]["path"]
    assert path == "out/chart"
    assert any("--chart-path" in note and "guess" in note for note in istio.notes)
    assert "Check the chart path" in (istio.out / "gitops" / "README.md").read_text()


def test_chart_path_inside_the_repository_is_exact_and_not_flagged(
        tmp_path: Path) -> None:
    repo = tmp_path / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    outcome = convert_plan(PlanConvertRequest(out=repo / "deploy" / "k8s",
                                              plan=repo / "kubealign.yaml", environ={},
                                              prove=False, render=False,
                                              repo_url="https://git.example.com/sophia.git"))
    app = _load(outcome, "gitops/applicationset.yaml")[0]
    assert app["spec"]["template"]["spec"]["source"]["path"] == "deploy/k8s/chart"
    assert not any("--chart-path" in note for note in outcome.notes)
    assert "Check the chart path" not in (outcome.out / "gitops" / "README.md").read_text()
