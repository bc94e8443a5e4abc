"""`kubealign migrate` on the nine real repositories of ../shared/corpus/sprawl, no hand edits:
it finishes (exit 0 or 1, never a refusal of its own), every environment it writes renders
with Helm and validates strict; on Sophia, the environments are the ones the repository
really runs (the five GPU instances, the Swarm production stack) and Argo CD syncs only them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from kubealign.actions.convert_plan import PlanConvertOutcome
from kubealign.actions.migrate import MigrateOutcome, MigrateRequest, migrate
from kubealign.model.plan import EnvironmentKind, EnvironmentStatus

pytestmark = pytest.mark.corpus

REPOSITORIES = (
    "Dashboard4-0+MS5_App",
    "DeepStacker+fastapi-hft-engine",
    "Feustey+MCP",
    "Minerva-System+minerva-system",
    "ai-cherry+sophia-strategic-development",
    "bmsull560+ValueCanvas",
    "seanchatmangpt+erlmcp",
    "teoat+Nexus",
    "vishnu2kmohan+mcp-server-langgraph",
)
SOPHIA = "ai-cherry+sophia-strategic-development"
_RUNS: dict[str, MigrateOutcome] = {}


def _converted(outcome: MigrateOutcome) -> PlanConvertOutcome:
    assert outcome.convert is not None, outcome.steps
    return outcome.convert


@pytest.fixture(scope="session")
def migrated(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Callable[[str], MigrateOutcome]:
    """Each repository migrated once per session (a copy: migrate must not need to write into
    the repository, and the corpus is read-only)."""
    def run(name: str) -> MigrateOutcome:
        if name not in _RUNS:
            source = corpus_dir / "sprawl" / name
            if not source.is_dir():
                pytest.skip(f"{source} is absent")
            base = tmp_path_factory.mktemp(name.split("+", maxsplit=1)[0].lower())
            repo = base / name
            shutil.copytree(source, repo, symlinks=True)
            _RUNS[name] = migrate(MigrateRequest(path=repo, out=base / "out", environ={}))
        return _RUNS[name]
    return run


@pytest.mark.parametrize("name", REPOSITORIES, ids=lambda n: n.split("+")[0])
def test_migrate_finishes_with_a_plan_a_chart_and_an_audit(
    migrated: Callable[[str], MigrateOutcome], name: str
) -> None:
    outcome = migrated(name)  # a KubealignError here would be exit 2: a refusal
    assert [step.name for step in outcome.steps] == [
        "inventory", "plan", "audit", "convert", "validate"]
    assert all(step.status != "skipped" for step in outcome.steps), outcome.steps
    assert {s.name for s in outcome.steps if s.status == "failed"} <= {"convert", "validate"}
    assert outcome.convert is not None and outcome.convert.environments
    out = outcome.request.out
    for rel in ("inventory.json", "kubealign.yaml", "audit.md", "chart/values.yaml"):
        assert (out / rel).is_file(), rel
    for env in outcome.convert.plan.environments:
        assert (out / "chart" / f"values-{env.name}.yaml").is_file()
        assert env.status is not None and (env.invoked_by or not env.status.synced)


@pytest.mark.parametrize("name", REPOSITORIES, ids=lambda n: n.split("+")[0])
def test_every_environment_renders_with_helm_and_validates_strict(
    migrated: Callable[[str], MigrateOutcome], name: str
) -> None:
    outcome = migrated(name)
    assert outcome.convert is not None
    refused = {e.name: e.render_error for e in outcome.convert.environments if e.render_error}
    assert refused == {}, refused
    invalid = [(r.ref.environment, r.ref.label(), v.message) for r in outcome.invalid
               for v in r.violations if not v.check.startswith("POL")]
    assert invalid == []
    rendered = {r.ref.environment for r in outcome.report.results} if outcome.report else set()
    assert rendered <= set(outcome.environments)
    for env in outcome.convert.environments:  # nothing rendered: nothing enabled to render
        if env.name not in rendered:
            services = env.variant.get("services") or {}
            assert all(svc.get("enabled") is False for svc in services.values()), env.name


INSTANCES = {  # deployment/ file -> the GPU of the instance it runs on (the seed report)
    "deployment/docker-compose-production.yml": "rtx6000",
    "deployment/docker-compose-ai-core.yml": "gh200",
    "deployment/docker-compose-mcp-orchestrator.yml": "a6000",
    "deployment/docker-compose-data-pipeline.yml": "a100",
    "deployment/docker-compose-development.yml": "a10",
}


def test_sophia_five_gpu_instances_are_five_environments(
    migrated: Callable[[str], MigrateOutcome],
) -> None:
    plan = _converted(migrated(SOPHIA)).plan
    by_file = {e.files: e for e in plan.environments}
    for file, gpu in INSTANCES.items():
        env = by_file[(file,)]
        assert env.node_pool == gpu, (file, env.node_pool)
        assert env.status is EnvironmentStatus.DEPLOYED, file
        assert any(w.startswith("scripts/deploy_to_all_lambda_instances.sh:")
                   for w in env.invoked_by), env.invoked_by
    pools = {p.name: p.gpu for p in plan.node_pools}
    assert set(INSTANCES.values()) <= set(pools)


def test_sophia_gh200_keeps_its_gpus_with_the_salvage_finding(
    migrated: Callable[[str], MigrateOutcome],
) -> None:
    outcome = migrated(SOPHIA)
    plan = _converted(outcome).plan
    name = next(e.name for e in plan.environments
                if e.files == ("deployment/docker-compose-ai-core.yml",))
    env = next(e for e in _converted(outcome).environments if e.name == name)
    salvaged = [f for f in env.conversion.findings if "generic_resources" in f.message
                and f.path and f.path.endswith("docker-compose-ai-core.yml") and f.line]
    assert salvaged, "the schema violation GH200's file was written with must be reported"
    requests = [c["resources"]["limits"].get("nvidia.com/gpu")
                for o in env.objects if o.get("kind") in ("Deployment", "StatefulSet")
                for c in o["spec"]["template"]["spec"]["containers"]
                if "limits" in c.get("resources", {})]
    assert any(requests), "the GH200 services request their GPUs"


def test_sophia_cloud_is_the_swarm_production_environment(
    migrated: Callable[[str], MigrateOutcome],
) -> None:
    plan = _converted(migrated(SOPHIA)).plan
    cloud = next(e for e in plan.environments if e.files == ("docker-compose.cloud.yml",))
    assert cloud.kind is EnvironmentKind.SWARM
    assert cloud.status is EnvironmentStatus.DEPLOYED
    assert plan.base == cloud.name  # production: what most invocations deploy
    assert ".github/workflows/sophia-prod.yml:181" in cloud.invoked_by
    assert plan.migration_order[-1] == cloud.name


def test_sophia_argo_cd_syncs_only_what_is_deployed_today(
    migrated: Callable[[str], MigrateOutcome],
) -> None:
    outcome = migrated(SOPHIA)
    out = outcome.request.out
    plan = _converted(outcome).plan
    deployed = {e.name for e in plan.environments if e.status is EnvironmentStatus.DEPLOYED}
    others = {e.name for e in plan.environments} - deployed
    assert others, "the enhanced/override variants nothing runs are not deployed"
    appset = yaml.safe_load((out / "gitops" / "applicationset.yaml").read_text())
    listed = {e["environment"] for e in appset["spec"]["generators"][0]["list"]["elements"]}
    assert listed == deployed
    # One GitOps form is written (the ApplicationSet); the plain Applications' sync policies
    # are tested with --gitops-form applications in tests/gitops.
    assert not (out / "gitops" / "applications").exists()
    kept = (out / "kubealign.yaml").read_text()
    assert "status: dead" in kept and "invokedBy:" in kept


@pytest.mark.parametrize("name", REPOSITORIES, ids=lambda n: n.split("+")[0])
def test_the_chart_readme_installs_every_environment_and_its_links_resolve(
    migrated: Callable[[str], MigrateOutcome], name: str
) -> None:
    outcome = migrated(name)
    out = outcome.request.out
    readme = (out / "chart" / "README.md").read_text(encoding="utf-8")
    plan = _converted(outcome).plan
    for env in plan.environments:
        assert f"`kubealign deploy --env {env.name}`" in readme
        assert f"-f chart/values.yaml -f chart/values-{env.name}.yaml" in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (out / "chart" / link).resolve().exists(), link
    assert str(out) not in readme and str(outcome.request.path) not in readme
    assert "src/kubealign" not in readme  # written for the user, not for kubealign's developers


@pytest.mark.parametrize("name", REPOSITORIES, ids=lambda n: n.split("+")[0])
def test_the_audit_names_environments_and_services_as_the_plan_and_the_chart_do(
    migrated: Callable[[str], MigrateOutcome], name: str
) -> None:
    """One vocabulary: every environment the audit prints is one of kubealign.yaml (a compose
    file of none says so, with the plan's reason); every service is a values key of the chart
    or, for a file no environment uses, its compose name."""
    out = migrated(name).request.out
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    planned = set(yaml.safe_load((out / "kubealign.yaml").read_text("utf-8"))["environments"])
    keys: set[str] = set()
    for values in (out / "chart").glob("values*.yaml"):
        keys |= set((yaml.safe_load(values.read_text("utf-8")) or {}).get("services") or {})
    matrix, variants = audit["matrix"], audit["compose"]["variants"]
    printed = {*matrix["environments"], *matrix["not_loaded"],
               *(c["environment"] for c in matrix["cells"]),
               *(e for v in variants for e in v["environments"])}
    assert printed <= planned
    assert set(matrix["environments"]) | set(matrix["not_loaded"]) == planned
    assert all(v["outside_plan"] for v in variants if not v["environments"])
    compose_names = {s for v in variants if not v["environments"] for s in v["services"]}
    services = {*matrix["services"], *(c["service"] for c in matrix["cells"]),
                *(d["service"] for d in audit["compose"]["differences"]),
                *(s for e in audit["compose"]["similarity"] for s in e["shared_services"]),
                *(d["service"] for d in audit["kubernetes"]["drift"])}
    assert services - keys - compose_names == set()
    assert set(matrix["services"]) <= keys
