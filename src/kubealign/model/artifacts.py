"""What the Dockerfile, script, Makefile and CI-workflow loaders return.

Frozen, slotted dataclasses holding tuples only, so results compare, hash and serialise
deterministically. No parsing library is imported here: the loaders in ``kubealign.load``
translate their parsers' output into these types.

Secret-looking literals never enter these objects verbatim: loaders replace them by a
masked preview (see :class:`TokenFinding`) before building any word, argument or value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- commands


class DeployKind(enum.Enum):
    """What a command line does to a deployment (values are stable JSON names)."""

    SSH = "ssh"
    SCP = "scp"
    RSYNC = "rsync"
    STACK_DEPLOY = "docker-stack-deploy"
    STACK_RM = "docker-stack-rm"
    COMPOSE_UP = "compose-up"
    COMPOSE_DOWN = "compose-down"
    COMPOSE_PULL = "compose-pull"
    COMPOSE_BUILD = "compose-build"
    COMPOSE_OTHER = "compose-other"
    DOCKER_RUN = "docker-run"
    DOCKER_BUILD = "docker-build"
    DOCKER_PUSH = "docker-push"
    DOCKER_PULL = "docker-pull"
    DOCKER_LOGIN = "docker-login"
    DOCKER_SECRET_CREATE = "docker-secret-create"
    DOCKER_SERVICE_CREATE = "docker-service-create"
    DOCKER_SERVICE_UPDATE = "docker-service-update"
    KUBECTL_APPLY = "kubectl-apply"
    KUBECTL_DELETE = "kubectl-delete"
    KUBECTL_SET_IMAGE = "kubectl-set-image"
    KUBECTL_CREATE_SECRET = "kubectl-create-secret"
    KUBECTL_ROLLOUT = "kubectl-rollout"
    KUBECTL_OTHER = "kubectl-other"
    HELM_UPGRADE = "helm-upgrade"
    HELM_INSTALL = "helm-install"
    HELM_OTHER = "helm-other"
    KUSTOMIZE_BUILD = "kustomize-build"
    ARGOCD_SYNC = "argocd-sync"
    ARGOCD_OTHER = "argocd-other"
    TERRAFORM = "terraform"
    PULUMI = "pulumi"
    ANSIBLE_PLAYBOOK = "ansible-playbook"
    SCRIPT_CALL = "script-call"
    MAKE_CALL = "make-call"


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One simple command as written: words after joining quoted parts (``$VAR`` kept)."""

    words: tuple[str, ...]
    line: int
    function: str | None = None  # enclosing shell function, if any
    in_heredoc: bool = False  # came from a here-document fed to a shell
    remote_host: str | None = None  # runs on this host through ssh


@dataclass(frozen=True, slots=True)
class DeployCommand:
    """A command line classified as a deployment action.

    ``hosts`` are remote targets (``user@host`` as written), ``files`` the files or
    directories it reads (compose files, manifests, scripts, values files), ``params``
    sorted ``(name, value)`` pairs such as ``("stack", "sophia")`` or ``("image", "x:1")``.
    """

    kind: DeployKind
    argv: tuple[str, ...]
    line: int
    hosts: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    function: str | None = None
    in_heredoc: bool = False
    remote_host: str | None = None

    def param(self, name: str) -> str | None:
        """The first value of parameter ``name``, if present."""
        for key, value in self.params:
            if key == name:
                return value
        return None

    def param_values(self, name: str) -> tuple[str, ...]:
        return tuple(value for key, value in self.params if key == name)


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """Another script this one runs (``./x.sh``, ``bash x.sh``, ``source x``, ``python x.py``)."""

    target: str
    line: int
    mode: str = "exec"  # "exec" | "source"


class HostKind(enum.Enum):
    IPV4 = "ipv4"
    HOSTNAME = "hostname"


class HostRole(enum.Enum):
    """Where a host stands in the code that names it (strongest first in :data:`rank`)."""

    REMOTE = "remote"  # where commands run: ssh/scp/rsync target, DOCKER_HOST, docker -H
    SETTING = "setting"  # a *_HOST=, *_URL=, --host, host= value
    CALL = "call"  # a URL or host a command fetches or probes (curl, wget, ping, requests)
    LITERAL = "literal"  # any other word of a command or value of a program
    MESSAGE = "message"  # text for a human (echo, printf, print, logging)

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]


_ROLE_RANK = {role: len(HostRole) - index for index, role in enumerate(HostRole)}


@dataclass(frozen=True, slots=True, order=True)
class HostRef:
    """A hard-coded address in a literal (IPv4 or DNS name), with where it stands.

    ``name`` is the setting or option that holds it (``SSH_HOST``, ``--host``) and
    ``evidence`` the command or assignment, secrets masked, as the audit shows it."""

    line: int
    column: int
    value: str
    kind: HostKind = field(compare=False)
    role: HostRole = field(default=HostRole.LITERAL, compare=False)
    name: str = field(default="", compare=False)
    evidence: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True, order=True)
class TokenFinding:
    """A literal that looks like a credential. ``preview`` is masked; the value is not kept."""

    line: int
    column: int
    kind: str  # "github-token", "openai-key", "aws-access-key-id", "slack-token", ...
    preview: str


# --------------------------------------------------------------------------- scripts


@dataclass(frozen=True, slots=True)
class StrictMode:
    """Shell options in effect at top level after the script's own ``set`` commands."""

    errexit: bool = False
    nounset: bool = False
    pipefail: bool = False
    line: int | None = None  # first top-level ``set`` that enabled one of them

    @property
    def complete(self) -> bool:
        return self.errexit and self.nounset and self.pipefail


@dataclass(frozen=True, slots=True)
class FunctionDef:
    name: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ScriptInfo:
    """Facts about a deploy script (bash/sh or Python)."""

    path: str
    language: str  # "bash", "sh", "zsh", "python"
    shebang: str | None
    strict: StrictMode
    functions: tuple[FunctionDef, ...]
    commands: tuple[ShellCommand, ...]
    deploy_commands: tuple[DeployCommand, ...]
    calls: tuple[ScriptCall, ...]
    hosts: tuple[HostRef, ...]
    tokens: tuple[TokenFinding, ...]
    fingerprint: frozenset[str]
    error_lines: tuple[int, ...] = ()  # lines the shell parser could only recover from
    has_main_guard: bool = False  # Python: ``if __name__ == "__main__"``
    cli_flags: tuple[str, ...] = ()  # Python: argparse option strings

    @property
    def ips(self) -> tuple[HostRef, ...]:
        return tuple(h for h in self.hosts if h.kind is HostKind.IPV4)

    @property
    def hostnames(self) -> tuple[HostRef, ...]:
        return tuple(h for h in self.hosts if h.kind is HostKind.HOSTNAME)


# --------------------------------------------------------------------------- Makefiles


@dataclass(frozen=True, slots=True)
class RecipeLine:
    line: int
    text: str  # as written, without the tab and the @/-/+ prefixes
    silent: bool = False
    ignore_errors: bool = False


@dataclass(frozen=True, slots=True)
class MakeTarget:
    name: str
    line: int
    prerequisites: tuple[str, ...]
    recipe: tuple[RecipeLine, ...]
    phony: bool = False


@dataclass(frozen=True, slots=True)
class MakefileInfo:
    path: str
    targets: tuple[MakeTarget, ...]
    variables: tuple[tuple[str, int], ...]  # (name, line); values may be secrets, not kept
    includes: tuple[str, ...]
    commands: tuple[ShellCommand, ...]
    deploy_commands: tuple[DeployCommand, ...]
    calls: tuple[ScriptCall, ...]
    hosts: tuple[HostRef, ...]
    tokens: tuple[TokenFinding, ...]

    def target(self, name: str) -> MakeTarget | None:
        for candidate in self.targets:
            if candidate.name == name:
                return candidate
        return None


# --------------------------------------------------------------------------- CI workflows


@dataclass(frozen=True, slots=True)
class CiStep:
    name: str | None
    line: int
    uses: str | None = None
    run_line: int | None = None  # first line of the shell text
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class CiJob:
    name: str
    line: int
    steps: tuple[CiStep, ...]
    disabled: bool = False
    disabled_reason: str | None = None
    needs: tuple[str, ...] = ()
    environment: str | None = None
    stage: str | None = None  # GitLab
    #: False when nothing in the job gives kubectl or helm a cluster (no kubeconfig,
    #: context, credentials action or self-hosted runner): its cluster commands reach none.
    cluster_access: bool = True


@dataclass(frozen=True, slots=True)
class WorkflowInfo:
    path: str
    system: str  # "github-actions" | "gitlab-ci"
    name: str | None
    triggers: tuple[str, ...]
    jobs: tuple[CiJob, ...]
    commands: tuple[ShellCommand, ...]
    deploy_commands: tuple[DeployCommand, ...]
    calls: tuple[ScriptCall, ...]
    hosts: tuple[HostRef, ...]
    tokens: tuple[TokenFinding, ...]
    disabled: bool = False  # the whole workflow can never run

    def job(self, name: str) -> CiJob | None:
        for candidate in self.jobs:
            if candidate.name == name:
                return candidate
        return None

    @property
    def live_deploy_commands(self) -> tuple[DeployCommand, ...]:
        """Deploy commands of jobs that can run (``function`` holds the job name)."""
        dead = {job.name for job in self.jobs if job.disabled}
        return tuple(c for c in self.deploy_commands if c.function not in dead)


# --------------------------------------------------------------------------- Dockerfiles


@dataclass(frozen=True, slots=True)
class ImageRef:
    """``[registry/]repository[:tag][@digest]`` split as the Docker CLI does."""

    text: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned_by_digest(self) -> bool:
        return self.digest is not None

    @property
    def unpinned(self) -> bool:
        """``latest`` or no tag at all, and no digest (``scratch`` is never pulled)."""
        if self.digest is not None or self.repository == "scratch":
            return False
        return self.tag is None or self.tag == "latest"

    @property
    def has_variable(self) -> bool:
        return "$" in self.text


@dataclass(frozen=True, slots=True)
class RunMount:
    type: str  # cache, secret, bind, ssh, tmpfs
    line: int
    target: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class DockerStage:
    index: int
    name: str | None
    base: ImageRef  # after substituting global ARG defaults
    base_written: str  # as written in FROM
    base_stage: str | None  # when FROM names an earlier stage
    platform: str | None
    line: int
    user: str | None  # last USER in this stage
    user_line: int | None
    copy_from: tuple[str, ...]  # stages or images named by COPY --from
    mounts: tuple[RunMount, ...]


class HealthcheckState(enum.Enum):
    ABSENT = "absent"
    DISABLED = "disabled"  # HEALTHCHECK NONE
    PRESENT = "present"


@dataclass(frozen=True, slots=True)
class DockerArg:
    name: str
    default: str | None  # masked when it looks like a secret
    line: int
    stage: int | None  # None: global (before the first FROM)


@dataclass(frozen=True, slots=True)
class DockerfileInfo:
    path: str
    syntax: str | None
    stages: tuple[DockerStage, ...]
    args: tuple[DockerArg, ...]
    env: tuple[tuple[str, str, int], ...]  # (name, masked value, line), final stage only
    exposed_ports: tuple[str, ...]  # final stage
    healthcheck: HealthcheckState
    healthcheck_line: int | None
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    gpu_hints: tuple[tuple[int, str], ...]  # (line, reason)
    add_urls: tuple[tuple[int, str], ...]  # (line, url)
    apt_without_cleanup: tuple[int, ...]  # lines of RUN apt-get install with no list cleanup
    tokens: tuple[TokenFinding, ...]

    @property
    def final_stage(self) -> DockerStage:
        return self.stages[-1]

    @property
    def effective_user(self) -> str:
        """The user the final image runs as: inherited through stage bases, root by default."""
        by_name = {s.name: s for s in self.stages if s.name}
        stage: DockerStage | None = self.final_stage
        seen: set[int] = set()
        while stage is not None and stage.index not in seen:
            seen.add(stage.index)
            if stage.user is not None:
                return stage.user
            stage = by_name.get(stage.base_stage) if stage.base_stage else None
        return "root"

    @property
    def runs_as_root(self) -> bool:
        user = self.effective_user.split(":", 1)[0]
        return user in {"root", "0"}

    @property
    def unpinned_bases(self) -> tuple[DockerStage, ...]:
        return tuple(s for s in self.stages if s.base_stage is None and s.base.unpinned)

    @property
    def gpu(self) -> bool:
        return bool(self.gpu_hints)


@dataclass(frozen=True, slots=True)
class DockerfileDifference:
    aspect: str  # "syntax", "base-image", "stages", "user", "exposed-ports", ...
    left: str
    right: str
