"""make e2e: every environment of examples/sophia and of each corpus repository, deployed on
the local cluster by ``kubealign deploy``, then checked against what the API server holds.

Per repository: ``kubealign migrate``; the nodes of its node pools (``cluster/``, kubealign's
own node preparation); for every environment ``kubealign deploy --env E --yes`` into its own
namespace; then the checks (release deployed, workloads available, Jobs complete, each pod on
a node of its intended pool, PVCs bound, referenced Secrets present); on the first two
environments (the first installed by the helm binary, the second by the embedded SDK) an
upgrade to the next environment's values and ``kubealign rollback`` by the same engine; then
the release is uninstalled, so each environment meets the node pools alone.
Failures are reported per repository and environment, never hidden. The last line is
``e2e: A/B environments deployed, C/D pods running on their intended nodes``; the exit status
is 0 only when A == B and C == D.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import localcluster as lc

ROOT = lc.ROOT
CORPUS = ROOT.parent / "shared" / "corpus" / "sprawl"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")
SETTLE_SECONDS = 90


@dataclass
class EnvResult:
    repo: str
    env: str
    namespace: str
    helm: str = "binary"
    deployed: bool = False
    pods_expected: int = 0
    pods_good: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class RepoResult:
    name: str
    envs: list[EnvResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    upgrades: list[str] = field(default_factory=list)
    seconds: float = 0.0


def kubealign(*args: str, timeout: float = 900,
              helm: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(lc.kubeconfig_path())}
    if helm:
        env["KUBEALIGN_HELM"] = helm  # "binary" (helm on PATH) or "sdk" (embedded engine)
    try:
        return subprocess.run([str(ROOT / ".venv" / "bin" / "kubealign"), *args],
                              capture_output=True, text=True, env=env, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", f"timed out after {timeout:.0f}s")


CONDITION_TAINT_PREFIX = "node.kubernetes.io/"


def plan_tainted(node: Mapping[str, Any]) -> bool:
    """Whether the node carries a taint a plan sets (a GPU pool's), not one of Kubernetes'
    own condition taints (``node.kubernetes.io/not-ready`` while a new node's lifecycle
    catches up: a pod on such a node was once reported on a "tainted GPU node")."""
    return any(not str(t.get("key", "")).startswith(CONDITION_TAINT_PREFIX)
               for t in (node.get("spec") or {}).get("taints") or ())


def one_line(text: str, limit: int = 600) -> str:
    """The last lines of a tool's output on one line; a long one keeps its start (what
    failed) and its end (why: Helm and the API server put the reason last)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    said = " | ".join(lines[-3:])
    if len(said) <= limit:
        return said
    head = limit // 3
    return f"{said[:head]} … {said[-(limit - head - 3):]}"


def namespace_for(repo: str, env: str) -> str:
    from kubealign.transform.naming import dns_label

    return dns_label(f"e2e-{repo[:24]}-{env}")


def environments(out: Path) -> list[str]:
    """Every environment of the plan migrate kept, and every ``values-<env>.yaml`` of the
    chart: one whose conversion failed has no values file and must still count (as not
    deployed), never vanish from the total."""
    from kubealign.actions.validate import chart_environments

    plan = out / "kubealign.yaml"
    data = yaml.safe_load(plan.read_text(encoding="utf-8")) if plan.is_file() else {}
    planned = (data or {}).get("environments") or {}
    names = set(planned) if isinstance(planned, dict) else set()
    return sorted(names | set(chart_environments(out / "chart")))


def merged_values(chart: Path, env: str) -> dict[str, Any]:
    from kubealign.transform.consolidate import deep_merge

    merged: dict[str, Any] = {}
    for name in ("values.yaml", f"values-{env}.yaml"):
        path = chart / name
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            merged = deep_merge(merged, data)
    return merged


def expected_pods(chart: Path, env: str, release: str, namespace: str) -> dict[str, int]:
    """Workload kind/name -> pods it should run, from the chart rendered for ``env``."""
    from kubealign.validate.helm import render_chart

    files = [p for p in (chart / "values.yaml", chart / f"values-{env}.yaml") if p.is_file()]
    rendered = render_chart(chart, files, release=release, namespace=namespace)
    wanted: dict[str, int] = {}
    for obj in rendered.objects:
        kind = obj.get("kind")
        name = (obj.get("metadata") or {}).get("name")
        spec = obj.get("spec") or {}
        if kind in ("Deployment", "StatefulSet"):
            wanted[f"{kind}/{name}"] = int(spec.get("replicas", 1))
        elif kind == "Job":
            wanted[f"{kind}/{name}"] = int(spec.get("completions", 1))
        elif kind == "DaemonSet":
            wanted[f"{kind}/{name}"] = -1  # as many as eligible nodes: read from its status
    return wanted


def release_name(out: Path) -> str:
    plan = out / "kubealign.yaml"
    data = yaml.safe_load(plan.read_text(encoding="utf-8")) if plan.is_file() else {}
    chart = yaml.safe_load((out / "chart" / "Chart.yaml").read_text(encoding="utf-8"))
    name = (data or {}).get("release") or chart.get("name")
    from kubealign.transform.naming import dns_label

    return dns_label(str(name), limit=53)


# --------------------------------------------------------------------------- checks


def _owner(obj: Mapping[str, Any]) -> tuple[str, str] | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref["kind"]), str(ref["name"])
    return None


def _gpu_count(pod: Mapping[str, Any]) -> int:
    total = 0
    for container in (pod.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        total += int(limits.get(lc.GPU_RESOURCE, 0) or 0)
    return total


def _secret_refs(pod: Mapping[str, Any]) -> set[str]:
    spec = pod.get("spec") or {}
    names: set[str] = {ref["name"] for ref in spec.get("imagePullSecrets") or [] if ref.get("name")}
    for volume in spec.get("volumes") or []:
        if (volume.get("secret") or {}).get("secretName"):
            names.add(volume["secret"]["secretName"])
        for source in (volume.get("projected") or {}).get("sources") or []:
            if (source.get("secret") or {}).get("name"):
                names.add(source["secret"]["name"])
    for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name") and not ref.get("optional"):
                names.add(ref["name"])
        for source in container.get("envFrom") or []:
            ref = source.get("secretRef") or {}
            if ref.get("name") and not ref.get("optional"):
                names.add(ref["name"])
    return names


def _pending_reason(namespace: str, pod: str) -> str:
    events = lc.kubectl_json("get", "events", "-n", namespace,
                             "--field-selector", f"involvedObject.name={pod}")
    messages = [e.get("message", "") for e in events.get("items") or []
                if e.get("reason") in ("FailedScheduling", "FailedCreate", "FailedMount")]
    return messages[-1][:300] if messages else "no scheduling event"


# What controllers append to a workload's name: a ReplicaSet hash and a pod suffix
# (Deployments), a pod suffix (DaemonSets, Jobs), an ordinal (StatefulSets).
_POD_SUFFIX = re.compile(r"(-[a-z0-9]{6,10})?-[a-z0-9]{5}$|-[0-9]+$")


def namespace_warnings(namespace: str, limit: int = 5) -> list[str]:
    """The namespace's distinct warning events (why pods stayed Pending, failed to mount or
    to be created), newest last. Events outlive the objects, so they still say why after a
    failed install was rolled back and its pods are gone."""
    events = lc.kubectl_json("get", "events", "-n", namespace,
                             "--field-selector", "type=Warning")
    seen: dict[tuple[str, str, str], str] = {}
    for event in events.get("items") or []:
        involved = event.get("involvedObject") or {}
        kind, name = str(involved.get("kind", "")), str(involved.get("name", ""))
        if kind == "Pod":  # one line per workload, not per pod: drop the pod-name suffixes
            name = _POD_SUFFIX.sub("", name)
        key = (kind, name, str(event.get("reason", "")))
        seen[key] = one_line(str(event.get("message", "")), 200)
    lines = [f"{kind}/{name} {reason}: {message}"
             for (kind, name, reason), message in sorted(seen.items())]
    return lines[:limit] + ([f"... and {len(lines) - limit} more warning(s)"]
                            if len(lines) > limit else [])


def check_environment(result: EnvResult, chart: Path, release: str,
                      nodes: Mapping[str, Mapping[str, Any]]) -> None:
    """Wait for the namespace to settle, then check it; fills ``result``."""
    ns = result.namespace
    values = merged_values(chart, result.env)
    key = ((values.get("global") or {}).get("gpu") or {}).get("nodeSelectorKey", "gpu-type")
    services = values.get("services") or {}
    wanted = expected_pods(chart, result.env, release, ns)
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        state = lc.kubectl_json("get", "deployments,statefulsets,daemonsets,jobs,replicasets,"
                                "pods,pvc,secrets,externalsecrets", "-n", ns)
        items = state.get("items") or []
        pods = [i for i in items if i["kind"] == "Pod"]
        settled = all(p.get("status", {}).get("phase") in ("Running", "Succeeded")
                      for p in pods) and all(
            i.get("status", {}).get("phase") == "Bound"
            for i in items if i["kind"] == "PersistentVolumeClaim")
        if settled or time.monotonic() > deadline:
            break
        time.sleep(3)
    by_kind: dict[str, dict[str, Any]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], {})[item["metadata"]["name"]] = item
    replicasets = by_kind.get("ReplicaSet", {})
    secrets = set(by_kind.get("Secret", {}))
    external = {((es.get("spec") or {}).get("target") or {}).get("name") or name: name
                for name, es in by_kind.get("ExternalSecret", {}).items()}
    good_by_workload: dict[str, int] = {}
    missing_secrets: dict[str, set[str]] = {}
    for pod in pods:
        name = pod["metadata"]["name"]
        owner = _owner(pod)
        if owner and owner[0] == "ReplicaSet":
            owner = _owner(replicasets.get(owner[1], {})) or owner
        workload = f"{owner[0]}/{owner[1]}" if owner else f"Pod/{name}"
        phase = pod.get("status", {}).get("phase")
        node_name = pod.get("spec", {}).get("nodeName")
        component = (pod["metadata"].get("labels") or {}).get("app.kubernetes.io/name", "")
        if not node_name:
            result.problems.append(f"{workload}: pod {name} Pending: "
                                   f"{_pending_reason(ns, name)}")
            continue
        node = nodes.get(node_name) or {}
        labels = node.get("metadata", {}).get("labels") or {}
        tainted = plan_tainted(node)
        gpu_spec = (services.get(component) or {}).get("gpu") or {}
        want_gpus = int(gpu_spec.get("count") or 0)
        shares = not want_gpus and gpu_spec.get("shared") is True
        have_gpus = _gpu_count(pod)
        placement: list[str] = []
        if want_gpus or shares:
            pool = str(gpu_spec.get("pool") or "")
            if have_gpus != want_gpus:
                placement.append(f"asks for {have_gpus} GPUs, the service has {want_gpus}")
            if pool and labels.get(key) != pool:
                placement.append(f"on {node_name} ({key}={labels.get(key)!r}), pool {pool}")
        elif tainted and not have_gpus and owner and owner[0] != "DaemonSet":
            placement.append(f"non-GPU pod on tainted GPU node {node_name}")
        elif tainted and have_gpus == 0 and owner and owner[0] == "DaemonSet" and (
                labels.get(lc.POOL_LABEL) == "cpu"):
            placement.append(f"on {node_name}")
        if phase not in ("Running", "Succeeded"):
            placement.append(f"phase {phase}")
        if placement:
            result.problems.append(f"{workload}: pod {name} " + "; ".join(placement))
        else:
            good_by_workload[workload] = good_by_workload.get(workload, 0) + 1
        for secret in _secret_refs(pod) - secrets:
            missing_secrets.setdefault(secret, set()).add(component or name)
    for workload, desired in wanted.items():
        kind, name = workload.split("/", 1)
        live = by_kind.get(kind, {}).get(name)
        count = desired if desired >= 0 else int(
            ((live or {}).get("status") or {}).get("desiredNumberScheduled", 0))
        result.pods_expected += count
        result.pods_good += min(count, good_by_workload.get(workload, 0))
        if live is None:
            result.problems.append(f"{workload}: not in the cluster")
            continue
        status = live.get("status") or {}
        if kind == "Job":
            if not any(c.get("type") == "Complete" and c.get("status") == "True"
                       for c in status.get("conditions") or []):
                result.problems.append(f"{workload}: not complete")
        elif kind == "DaemonSet":
            if status.get("numberAvailable", 0) < status.get("desiredNumberScheduled", 0):
                result.problems.append(f"{workload}: {status.get('numberAvailable', 0)}/"
                                       f"{status.get('desiredNumberScheduled')} available")
        elif int(status.get("availableReplicas", 0) or 0) < count:
            result.problems.append(f"{workload}: {status.get('availableReplicas', 0)}/{count}"
                                   " available")
    for name, claim in by_kind.get("PersistentVolumeClaim", {}).items():
        phase = claim.get("status", {}).get("phase")
        if phase != "Bound":
            result.problems.append(f"PersistentVolumeClaim/{name}: {phase}")
    for secret, users in sorted(missing_secrets.items()):
        source = (f"from ExternalSecret/{external[secret]} (no External Secrets Operator "
                  "runs here)") if secret in external else "and nothing creates it"
        result.problems.append(f"Secret/{secret} (used by {', '.join(sorted(users))}) is "
                               f"absent {source}")


# --------------------------------------------------------------------------- one repository


def deploy(out: Path, env: str, namespace: str, timeout: int,
           helm: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return kubealign("deploy", "--env", env, "--dir", str(out), "--namespace", namespace,
                     "--create-namespace", "--yes", "--timeout", str(timeout), *extra,
                     timeout=timeout + 120, helm=helm)


def teardown(release: str, namespace: str, timeout: float = 120) -> str | None:
    """Uninstall the release and delete its namespace, waiting until its pods are gone.

    Each environment is deployed alone onto the node pools its plan describes (one node per
    pool, as in the seed's layout): environments left running would hold the GPUs the next
    one asks for, a conflict no real deployment of these environments has.
    """
    env = {**os.environ, "KUBECONFIG": str(lc.kubeconfig_path())}
    subprocess.run([lc.binary("helm"), "uninstall", release, "-n", namespace,
                    "--ignore-not-found", "--wait", "--timeout", f"{int(timeout)}s"],
                   capture_output=True, text=True, env=env, check=False)
    lc.kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false",
               check=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pods = lc.kubectl_json("get", "pods", "-n", namespace).get("items") or []
        if not pods:
            return None
        time.sleep(2)
    return f"teardown: pods of {namespace} still present after {timeout:.0f}s"


def run_repo(name: str, source: Path, work: Path, timeout: int) -> RepoResult:
    started = time.monotonic()
    result = RepoResult(name)
    out = work / name
    migrated = kubealign("migrate", str(source), "--out", str(out))
    chart = out / "chart"
    if migrated.returncode != 0:
        result.problems.append(f"kubealign migrate exit {migrated.returncode}: "
                               f"{one_line(migrated.stderr or migrated.stdout)}")
    if not (chart / "Chart.yaml").is_file():
        result.envs.append(EnvResult(name, "(none)", "-", problems=["no chart written"]))
        result.seconds = time.monotonic() - started
        return result
    if (out / "cluster" / "node-pools.yaml").is_file():
        try:
            result.problems += [f"nodes: {p}" for p in lc.apply_pools(out)]
            lc.wait_nodes_ready()
        except lc.ClusterError as exc:  # this repository's nodes, not the whole run
            result.problems.append(f"nodes: {exc}")
    nodes = {n["metadata"]["name"]: n for n in lc.kubectl_json("get", "nodes")["items"]}
    release = release_name(out)
    names = environments(out)
    for index, env in enumerate(names):
        # Alternate the Helm engines so both meet the API server: the helm binary on PATH
        # and the embedded SDK (KUBEALIGN_HELM=sdk).
        helm = "binary" if index % 2 == 0 else "sdk"
        env_result = EnvResult(name, env, namespace_for(name, env), helm=helm)
        result.envs.append(env_result)
        if not (chart / f"values-{env}.yaml").is_file():
            env_result.problems.append(f"no chart/values-{env}.yaml: migrate did not convert "
                                       "this environment of its plan")
            continue
        done = deploy(out, env, env_result.namespace, timeout, helm)
        if done.returncode != 0:
            env_result.problems.append(f"deploy exit {done.returncode}: "
                                       f"{one_line(done.stderr or done.stdout)}")
            env_result.problems += [f"event: {w}"
                                    for w in namespace_warnings(env_result.namespace)]
        status = helm_status(release, env_result.namespace)
        env_result.deployed = done.returncode == 0 and status == "deployed"
        if done.returncode == 0 and status != "deployed":
            env_result.problems.append(f"release status {status!r}")
        try:
            check_environment(env_result, chart, release, nodes)
        except Exception as exc:  # the check itself failing is a finding, not a crash
            env_result.problems.append(f"check failed: {exc}")
        converted = [n for n in names if (chart / f"values-{n}.yaml").is_file()]
        if index < 2 and len(converted) >= 2:
            # The first two environments (one per Helm engine) are upgraded to the next
            # environment's values and rolled back, by the engine that installed them.
            following = converted[(converted.index(env) + 1) % len(converted)]
            result.upgrades.append(
                upgrade_and_rollback(out, release, env, following, env_result.namespace,
                                     timeout, helm)
                if env_result.deployed else f"{env}: not run, not deployed")
        left = teardown(release, env_result.namespace)
        if left:
            env_result.problems.append(left)
    result.seconds = time.monotonic() - started
    return result


def helm_status(release: str, namespace: str) -> str:
    env = {**os.environ, "KUBECONFIG": str(lc.kubeconfig_path())}
    done = subprocess.run([lc.binary("helm"), "status", release, "-n", namespace, "-o", "json"],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return "absent"
    return str(json.loads(done.stdout).get("info", {}).get("status", "?"))


def helm_history(release: str, namespace: str) -> list[dict[str, Any]]:
    env = {**os.environ, "KUBECONFIG": str(lc.kubeconfig_path())}
    done = subprocess.run([lc.binary("helm"), "history", release, "-n", namespace, "-o", "json"],
                          capture_output=True, text=True, env=env, check=False)
    return list(json.loads(done.stdout)) if done.returncode == 0 and done.stdout.strip() else []


def statefulset_refusal(returncode: int, stderr: str) -> bool:
    """Whether kubealign stopped on the immutable-StatefulSet refusal and said its cure: only
    then is the step retried with ``--recreate-statefulsets`` (any other failure is one)."""
    said = " ".join(stderr.split())  # the error line may be wrapped at the terminal's width
    return returncode == 1 and "a StatefulSet never changes in place" in said and (
        "again with --recreate-statefulsets" in said)


RECREATE = "--recreate-statefulsets"


def upgrade_and_rollback(out: Path, release: str, first: str, second: str, namespace: str,
                         timeout: int, helm: str) -> str:
    """Upgrade ``first``'s release to ``second``'s values, then roll it back, with ``helm``.
    Each step is tried as a user would first run it; refused on a StatefulSet field that never
    changes in place, with the remedy, it is retried with --recreate-statefulsets (said in the
    result). Checked in Helm's own history: three revisions, the last one deployed and a
    rollback to revision 1."""
    recreated: list[str] = []
    done = deploy(out, second, namespace, timeout, helm)
    if statefulset_refusal(done.returncode, done.stderr):
        recreated.append("upgrade")
        done = deploy(out, second, namespace, timeout, helm, RECREATE)
    if done.returncode != 0:
        return (f"FAILED: {first} upgrade to {second} ({helm}): "
                f"{one_line(done.stderr or done.stdout, 300)}")
    rollback = ("rollback", "--env", first, "--dir", str(out), "--namespace", namespace,
                "--yes", "--timeout", str(timeout))
    back = kubealign(*rollback, timeout=timeout + 60, helm=helm)
    if statefulset_refusal(back.returncode, back.stderr):
        recreated.append("rollback")
        back = kubealign(*rollback, RECREATE, timeout=timeout + 60, helm=helm)
    if back.returncode != 0:
        return f"FAILED: {first} rollback ({helm}): {one_line(back.stderr or back.stdout, 300)}"
    history = helm_history(release, namespace)
    last = history[-1] if history else {}
    if len(history) < 3 or last.get("status") != "deployed" or (
            "Rollback to 1" not in str(last.get("description", ""))):
        return (f"FAILED: {first} history after rollback ({helm}): "
                + ", ".join(f"{h.get('revision')}:{h.get('status')}" for h in history))
    note = (f"; {' and '.join(recreated)} refused as expected, remedy given, done with {RECREATE}"
            if recreated else "")
    return f"{first}: ok ({helm}), upgraded to {second} values, rolled back to revision 1{note}"


# --------------------------------------------------------------------------- report


def table(results: Sequence[RepoResult]) -> list[str]:
    rows = [("repository", "environment", "helm", "deployed", "pods", "problems")]
    for repo in results:
        for env in repo.envs:
            rows.append((repo.name[:44], env.env[:24], env.helm,
                         "yes" if env.deployed else "NO",
                         f"{env.pods_good}/{env.pods_expected}", str(len(env.problems))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]


def report(results: Sequence[RepoResult]) -> tuple[str, bool]:
    for repo in results:
        print(f"\n== {repo.name} ({repo.seconds:.0f}s)")
        for upgrade in repo.upgrades or ["not run (fewer than 2 environments)"]:
            print(f"  upgrade/rollback: {upgrade}")
        for problem in repo.problems:
            print(f"  ! {problem}")
        for env in repo.envs:
            for problem in env.problems:
                print(f"  {env.env}: {problem}")
    print()
    for line in table(results):
        print(line)
    envs = [env for repo in results for env in repo.envs]
    a = sum(env.deployed for env in envs)
    c = sum(env.pods_good for env in envs)
    d = sum(env.pods_expected for env in envs)
    failed = [repo.name for repo in results
              if any(u.startswith("FAILED") for u in repo.upgrades)]
    if failed:
        print(f"\nupgrade/rollback failed: {', '.join(failed)}")
    ok = a == len(envs) and c == d and not failed
    return f"e2e: {a}/{len(envs)} environments deployed, {c}/{d} pods running on their " \
           "intended nodes", ok


COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def has_compose_file(folder: Path) -> bool:
    """A compose file at the folder's top or below it (sprawl repositories keep theirs in
    subfolders such as ``deployment/``)."""
    if any((folder / name).is_file() for name in COMPOSE_NAMES):
        return True
    return any(path.is_file() for name in ("*compose*.yml", "*compose*.yaml")
               for path in folder.rglob(name))


def corpus_repositories(corpus: Path) -> list[tuple[str, Path]]:
    """Each subfolder of ``corpus`` that holds a compose file is one repository; a corpus
    folder that does not exist is the user's typo, reported by ``main``."""
    return [(path.name, path) for path in sorted(corpus.iterdir())
            if path.is_dir() and has_compose_file(path)]


def repositories(only: Sequence[str],
                 corpora: Sequence[Path] = ()) -> list[tuple[str, Path]]:
    if corpora:
        repos = [repo for corpus in corpora for repo in corpus_repositories(corpus)]
    else:
        repos = [("sophia-example", ROOT / "examples" / "sophia")]
        if CORPUS.is_dir():
            repos += [(path.name, path) for path in sorted(CORPUS.iterdir()) if path.is_dir()]
    if only:
        repos = [(n, p) for n, p in repos if any(o in n for o in only)]
    return repos


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kubealign end-to-end on the local cluster")
    parser.add_argument("--only", action="append", default=[],
                        help="run only repositories whose name contains this (repeatable)")
    parser.add_argument("--corpus", action="append", default=[], type=Path,
                        help="deploy every subfolder of this folder that holds a compose file "
                             "(repeatable; default: examples/sophia and ../shared/corpus/sprawl)")
    parser.add_argument("--timeout", type=int, default=120, help="Helm wait per deploy")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    missing = [str(c) for c in args.corpus if not c.is_dir()]
    if missing:
        parser.error(f"--corpus: not a folder: {', '.join(missing)}")
    selected = repositories(args.only, args.corpus)
    if not selected:
        # "0/0 deployed" would pass: a filter that matches nothing is the user's mistake.
        parser.error("no repository selected (check --only and --corpus)")
    work = lc.state_dir() / "e2e"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for name, path in selected:
        print(f"e2e: {name} ...", file=sys.stderr, flush=True)
        results.append(run_repo(name, path, work, args.timeout))
    line, ok = report(results)
    if args.json:
        args.json.write_text(json.dumps([
            {"repo": r.name, "seconds": round(r.seconds, 1), "upgrades": r.upgrades,
             "problems": r.problems,
             "envs": [e.__dict__ for e in r.envs]} for r in results], indent=2),
            encoding="utf-8")
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
