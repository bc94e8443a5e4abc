"""CI workflows (GitHub Actions and GitLab CI): jobs, steps and the commands they run.

``run:`` blocks and ``script:`` items are parsed with the shell loader, their lines mapped
back to the YAML file (the line of the block plus the offset inside it). Well-known
actions that deploy (``docker/build-push-action``, ``appleboy/ssh-action``,
``appleboy/scp-action``, ``azure/k8s-deploy``) become deploy commands too, so the audit
sees which Dockerfile CI builds and which host it reaches. Jobs that can never run
(``if: false``, GitLab hidden jobs and ``when: never``) are marked disabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.errors import LoadError
from kubealign.load.deploy_commands import scan_literal
from kubealign.load.host_positions import setting_refs
from kubealign.load.hosts import merge_hosts
from kubealign.load.shell_script import ShellFacts, read_text, scan_shell
from kubealign.load.yaml_safe import load_yaml_text, opens_block_scalar
from kubealign.model.artifacts import (
    CiJob,
    CiStep,
    DeployCommand,
    DeployKind,
    HostRef,
    ScriptCall,
    ShellCommand,
    TokenFinding,
    WorkflowInfo,
)
from kubealign.model.source import SourceSpan, pointer

GITHUB = "github-actions"
GITLAB = "gitlab-ci"
_GITLAB_RESERVED = frozenset(
    {
        "stages", "variables", "default", "include", "workflow", "image", "services",
        "before_script", "after_script", "cache", "types",
    }
)  # fmt: skip
_GITLAB_SCRIPT_KEYS = ("before_script", "script", "after_script")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_NON_SHELL = frozenset({"python", "pwsh", "powershell", "cmd"})


def detect_system(data: Any, path: str) -> str | None:
    """``github-actions``, ``gitlab-ci`` or None when ``data`` is neither."""
    if not isinstance(data, Mapping):
        return None
    normalized = path.replace("\\", "/")
    if ".github/workflows/" in normalized or ("jobs" in data and ("on" in data or True in data)):
        return GITHUB
    if normalized.endswith(".gitlab-ci.yml") or "stages" in data:
        return GITLAB
    return None


def _expression_false(value: Any) -> bool:
    """``if: false``, ``if: ${{ false }}``, ``if: false && …``: the job never runs."""
    if value is False:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    match = _EXPRESSION.fullmatch(text)
    if match:
        text = match.group(1)
    text = text.strip().lower()
    return text in {"false", "0"} or text.startswith(("false &&", "false and"))


@dataclass(slots=True)
class _Collector:
    path: str
    sources: Mapping[str, SourceSpan]
    lines: Sequence[str]
    commands: list[ShellCommand] = field(default_factory=list)
    deploys: list[DeployCommand] = field(default_factory=list)
    calls: list[ScriptCall] = field(default_factory=list)
    hosts: list[HostRef] = field(default_factory=list)
    tokens: list[TokenFinding] = field(default_factory=list)

    def line(self, ptr: str) -> int:
        span = self.sources.get(ptr)
        if span is None:
            nearest = getattr(self.sources, "nearest", None)
            span = nearest(ptr) if callable(nearest) else None
        return span.line if isinstance(span, SourceSpan) else 1

    def content_line(self, ptr: str, value: str) -> int:
        """First line of a scalar's content: after the key for ``|``/``>`` blocks."""
        line = self.line(ptr)
        if 0 < line <= len(self.lines):
            return line + 1 if opens_block_scalar(self.lines[line - 1]) else line
        return line + 1 if "\n" in value.rstrip("\n") or value.endswith("\n") else line

    def shell(
        self, text: str, first_line: int, function: str, env: Mapping[str, str]
    ) -> ShellFacts:
        facts = scan_shell(
            _substitute_expressions(text, env), first_line=first_line, function=function
        )
        self.add(facts)
        return facts

    def add(self, facts: ShellFacts) -> None:
        self.commands.extend(facts.commands)
        self.deploys.extend(facts.deploy_commands)
        self.calls.extend(facts.calls)
        self.hosts.extend(facts.hosts)
        self.tokens.extend(facts.tokens)

    def literal(self, text: str, line: int) -> str:
        scan = scan_literal(text, line)
        self.hosts.extend(scan.hosts)
        self.tokens.extend(scan.tokens)
        return scan.masked

    def settings(self, value: Any, ptr: str) -> None:
        """Hosts in an ``env:``/``variables:`` mapping (``DEPLOY_HOST: 10.1.2.3``)."""
        for name, text in _literal_env(value).items():
            scan = scan_literal(text, 1)
            if not scan.tokens:
                self.hosts.extend(
                    setting_refs(name, scan.masked, self.line(ptr + pointer(name)))
                )


def _substitute_expressions(text: str, env: Mapping[str, str]) -> str:
    """``${{ env.X }}`` -> its literal value when known, other expressions -> ``$expr``."""

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("env.") and expression[4:] in env:
            return env[expression[4:]]
        return "$" + (re.sub(r"\W+", "_", expression).strip("_") or "expr")

    return _EXPRESSION.sub(replace, text)


def _literal_env(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {
        str(k): str(v)
        for k, v in value.items()
        if isinstance(v, str | int | float) and "${{" not in str(v)
    }


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


# --------------------------------------------------------------------------- GitHub Actions


def _action_command(
    uses: str, with_: Mapping[str, Any], line: int, job: str
) -> DeployCommand | None:
    """Deploy commands performed by well-known actions."""
    action = uses.split("@", 1)[0].lower()
    argv = ("uses", uses)

    def values(*keys: str) -> list[str]:
        found: list[str] = []
        for key in keys:
            found.extend(
                s.strip() for s in re.split(r"[,\n]", str(with_.get(key, ""))) if s.strip()
            )
        return found

    if action == "docker/build-push-action":
        params = [("tag", t) for t in values("tags")]
        params += [("context", c) for c in values("context")]
        params += [("platform", p) for p in values("platforms")]
        params += [("target", t) for t in values("target")]
        if str(with_.get("push", "")).lower() == "true":
            params.append(("push", "true"))
        files = tuple(values("file")) or (
            tuple(f"{c.rstrip('/')}/Dockerfile" for c in values("context")) or ("Dockerfile",)
        )
        return DeployCommand(
            DeployKind.DOCKER_BUILD,
            argv,
            line,
            files=files,
            params=tuple(sorted(set(params))),
            function=job,
        )
    if action in {"appleboy/ssh-action", "appleboy/scp-action"}:
        users = values("username")
        hosts = tuple(f"{users[0]}@{h}" if users else h for h in values("host"))
        if action.endswith("scp-action"):
            return DeployCommand(
                DeployKind.SCP,
                argv,
                line,
                hosts=hosts,
                files=tuple(values("source")),
                params=tuple(("destination", t) for t in values("target")),
                function=job,
            )
        return DeployCommand(DeployKind.SSH, argv, line, hosts=hosts, function=job)
    if action in {"azure/k8s-deploy", "steebchen/kubectl"}:
        return DeployCommand(
            DeployKind.KUBECTL_APPLY, argv, line, files=tuple(values("manifests")), function=job
        )
    return None


def _github(
    data: Mapping[Any, Any], collector: _Collector
) -> tuple[str | None, tuple[str, ...], list[CiJob]]:
    triggers_value = data.get("on", data.get(True))
    if isinstance(triggers_value, Mapping):
        triggers = tuple(sorted(str(k) for k in triggers_value))
    else:
        triggers = tuple(sorted(_strings(triggers_value)))
    workflow_env = _literal_env(data.get("env"))
    collector.settings(data.get("env"), pointer("env"))
    jobs: list[CiJob] = []
    raw_jobs = data.get("jobs")
    for job_name, job in raw_jobs.items() if isinstance(raw_jobs, Mapping) else []:
        if not isinstance(job, Mapping):
            continue
        jobs.append(_github_job(str(job_name), job, workflow_env, collector))
    name = data.get("name")
    return (str(name) if name is not None else None), triggers, jobs


def _github_job(
    name: str, job: Mapping[str, Any], workflow_env: Mapping[str, str], collector: _Collector
) -> CiJob:
    job_ptr = pointer("jobs", name)
    disabled = _expression_false(job.get("if"))
    env = {**workflow_env, **_literal_env(job.get("env"))}
    collector.settings(job.get("env"), job_ptr + "/env")
    default_shell = (
        job.get("defaults", {}).get("run", {}).get("shell")
        if isinstance(job.get("defaults"), Mapping)
        and isinstance(job["defaults"].get("run"), Mapping)
        else None
    )
    reusable = job.get("uses")
    if isinstance(reusable, str):
        collector.calls.append(ScriptCall(reusable, collector.line(job_ptr + "/uses")))
    steps: list[CiStep] = []
    raw_steps = job.get("steps")
    for index, step in enumerate(raw_steps if isinstance(raw_steps, list) else []):
        if isinstance(step, Mapping):
            steps.append(_github_step(name, index, step, env, default_shell, collector))
    environment = job.get("environment")
    if isinstance(environment, Mapping):
        environment = environment.get("name")
    return CiJob(
        name=name,
        line=collector.line(job_ptr),
        steps=tuple(steps),
        disabled=disabled,
        disabled_reason="if: false" if disabled else None,
        needs=tuple(_strings(job.get("needs"))),
        environment=str(environment) if environment is not None else None,
        cluster_access=_github_cluster_access(job, workflow_env),
    )


#: What gives kubectl or helm a cluster on a GitHub-hosted runner, which has none: a
#: kubeconfig (file, variable, flag), a context or credentials set, a credentials action, a
#: throw-away cluster, or the API server and token on the command line.
_CLUSTER_ACCESS = re.compile(
    r"kube_?config|\.kube/|kube[-_]?context|kube[-_]?api|kube[-_]?token"
    r"|kubectl\s+config\s+(?:set|use)|set-context|set-cluster|get-credentials"
    r"|get-gke-credentials|update-kubeconfig|kubernetes\s+cluster\s+kubeconfig"
    r"|\bkind\s+create\s+cluster|\bk3d\s+cluster\s+create|\bminikube\s+start"
    r"|--server[= ]|--token[= ]",
    re.IGNORECASE,
)
_HOSTED_RUNNER = re.compile(r"(?:ubuntu|windows|macos)-", re.IGNORECASE)


def _github_cluster_access(job: Mapping[str, Any], workflow_env: Mapping[str, str]) -> bool:
    """Whether anything in the job can point kubectl at a cluster. A self-hosted runner (or
    one we cannot name) may hold a kubeconfig of its own, so only a GitHub-hosted runner
    whose job sets none is without a cluster; shell comments set nothing (``# this would
    normally use kubeconfig from secrets`` above an ``echo``)."""
    runs_on = " ".join(_strings(job.get("runs-on")))
    if not runs_on or "${{" in runs_on or not _HOSTED_RUNNER.match(runs_on):
        return True
    texts = list(workflow_env) + [_without_comments(t) for t in _all_strings(job)]
    return any(_CLUSTER_ACCESS.search(text) for text in texts)


def _all_strings(value: Any) -> list[str]:
    """Every key and string value below ``value``."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in [str(k), *_all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _all_strings(v)]
    return []


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _github_step(
    job: str,
    index: int,
    step: Mapping[str, Any],
    job_env: Mapping[str, str],
    default_shell: Any,
    collector: _Collector,
) -> CiStep:
    step_ptr = pointer("jobs", job, "steps", index)
    line = collector.line(step_ptr)
    env = {**job_env, **_literal_env(step.get("env"))}
    collector.settings(step.get("env"), step_ptr + "/env")
    uses = step.get("uses") if isinstance(step.get("uses"), str) else None
    run = step.get("run")
    run_line: int | None = None
    shell = str(step.get("shell") or default_shell or "bash").split()[0]
    if isinstance(run, str):
        run_line = collector.content_line(step_ptr + "/run", run)
        if shell not in _NON_SHELL:
            collector.shell(run, run_line, job, env)
        else:
            collector.literal(run, run_line)
    if uses is not None:
        raw_with = step.get("with")
        with_: Mapping[Any, Any] = raw_with if isinstance(raw_with, Mapping) else {}
        masked_with = {
            str(k): collector.literal(_substitute_expressions(str(v), env), line)
            for k, v in with_.items()
        }
        command = _action_command(uses, masked_with, collector.line(step_ptr + "/uses"), job)
        if command is not None:
            collector.deploys.append(command)
            if command.kind in {DeployKind.SSH, DeployKind.SCP}:
                collector.hosts.extend(setting_refs("SSH_HOST", masked_with.get("host", ""), line))
        script = masked_with.get("script")
        if uses.lower().startswith("appleboy/ssh-action") and script:
            host = command.hosts[0] if command is not None and command.hosts else "$host"
            script_line = collector.content_line(step_ptr + "/with/script", script)
            facts = scan_shell(
                script,
                first_line=script_line,
                remote_host=host,
                function=job,
            )
            collector.commands.extend(facts.commands)
            collector.deploys.extend(facts.deploy_commands)
            collector.calls.extend(facts.calls)
        if uses.startswith("./"):
            collector.calls.append(ScriptCall(uses, line))
    name = step.get("name")
    return CiStep(
        name=str(name) if name is not None else None,
        line=line,
        uses=uses,
        run_line=run_line,
        disabled=_expression_false(step.get("if")),
    )


# --------------------------------------------------------------------------- GitLab CI


def _gitlab(
    data: Mapping[str, Any], collector: _Collector
) -> tuple[str | None, tuple[str, ...], list[CiJob]]:
    global_env = _literal_env(data.get("variables"))
    collector.settings(data.get("variables"), pointer("variables"))
    jobs: list[CiJob] = []
    for key in _GITLAB_SCRIPT_KEYS:
        if key in data:
            _gitlab_scripts(pointer(key), data[key], "default", global_env, collector)
    default = data.get("default")
    if isinstance(default, Mapping):
        for key in _GITLAB_SCRIPT_KEYS:
            if key in default:
                _gitlab_scripts(
                    pointer("default", key), default[key], "default", global_env, collector
                )
    for name, job in data.items():
        if not isinstance(name, str) or name in _GITLAB_RESERVED or not isinstance(job, Mapping):
            continue
        env = {**global_env, **_literal_env(job.get("variables"))}
        collector.settings(job.get("variables"), pointer(name, "variables"))
        for key in _GITLAB_SCRIPT_KEYS:
            if key in job:
                _gitlab_scripts(pointer(name, key), job[key], name, env, collector)
        reason = _gitlab_disabled(name, job)
        environment = job.get("environment")
        if isinstance(environment, Mapping):
            environment = environment.get("name")
        stage = job.get("stage")
        jobs.append(
            CiJob(
                name=name,
                line=collector.line(pointer(name)),
                steps=(),
                disabled=reason is not None,
                disabled_reason=reason,
                needs=tuple(
                    n if isinstance(n, str) else str(n.get("job", ""))
                    for n in job.get("needs", []) or []
                    if isinstance(n, str | Mapping)
                ),
                environment=str(environment) if environment is not None else None,
                stage=str(stage) if stage is not None else None,
            )
        )
    return None, (), jobs


def _gitlab_disabled(name: str, job: Mapping[str, Any]) -> str | None:
    if name.startswith("."):
        return "hidden job (template)"
    if job.get("when") == "never":
        return "when: never"
    rules = job.get("rules")
    if (
        isinstance(rules, list)
        and rules
        and all(isinstance(r, Mapping) and r.get("when") == "never" for r in rules)
    ):
        return "rules: when: never"
    return None


def _gitlab_scripts(
    ptr: str, value: Any, job: str, env: Mapping[str, str], collector: _Collector
) -> None:
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        if isinstance(item, list):  # nested lists from YAML anchors are flattened by GitLab
            _gitlab_scripts(pointer_child(ptr, index), item, job, env, collector)
            continue
        if not isinstance(item, str):
            continue
        item_ptr = pointer_child(ptr, index) if isinstance(value, list) else ptr
        collector.shell(item, collector.content_line(item_ptr, item), job, env)


def pointer_child(ptr: str, token: int | str) -> str:
    return ptr + pointer(token)


# --------------------------------------------------------------------------- entry points


def workflow_from_data(
    data: Any, path: str, sources: Mapping[str, SourceSpan] | None = None, text: str = ""
) -> WorkflowInfo:
    """Facts about a parsed workflow document; ``sources`` maps JSON pointers to lines."""
    system = detect_system(data, path)
    if system is None:
        raise LoadError(
            "not a CI workflow; expected GitHub Actions (jobs/on) or GitLab CI (stages/jobs)",
            path=path,
            line=1,
        )
    collector = _Collector(path, sources or {}, text.splitlines())
    reader = _github if system == GITHUB else _gitlab
    name, triggers, jobs = reader(data, collector)
    return WorkflowInfo(
        path=path,
        system=system,
        name=name,
        triggers=triggers,
        jobs=tuple(jobs),
        commands=tuple(collector.commands),
        deploy_commands=tuple(sorted(collector.deploys, key=lambda c: c.line)),
        calls=tuple(collector.calls),
        hosts=merge_hosts(collector.hosts),
        tokens=tuple(sorted(set(collector.tokens))),
        disabled=bool(jobs) and all(job.disabled for job in jobs),
    )


def parse_workflow_text(text: str, path: str) -> WorkflowInfo:
    """Parse a workflow file's text (YamlError on bad YAML, LoadError if not a workflow)."""
    loaded = load_yaml_text(text, path)
    return workflow_from_data(loaded.data, path, loaded.sources, text)


def load_workflow(path: Path, display_path: str | None = None) -> WorkflowInfo:
    """Read and parse a workflow file; ``display_path`` is how findings name it."""
    return parse_workflow_text(read_text(path), display_path or str(path))
