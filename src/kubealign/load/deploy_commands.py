"""Classify one command line (a tuple of words) into a deployment action.

Shared by the shell, Python, Makefile and CI-workflow loaders so that ``docker stack
deploy`` means the same thing wherever it is written. Input words are already joined
(quotes removed, ``$VAR`` kept as written) and already masked for secrets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kubealign.load.hosts import host_refs
from kubealign.model.artifacts import (
    DeployCommand,
    DeployKind,
    HostRef,
    ScriptCall,
    TokenFinding,
)
from kubealign.model.secret_names import is_placeholder_name, is_secret_name

# Wrappers that run the command that follows them; their own options are skipped.
_WRAPPERS_WITH_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"}),
    "env": frozenset({"-u", "-C", "-S"}),
    "nohup": frozenset(),
    "time": frozenset(),
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "nice": frozenset({"-n"}),
    "xargs": frozenset({"-I", "-n", "-P", "-d", "-L", "-s", "-a", "-E"}),
}
_WRAPPERS_WITH_POSITIONAL: frozenset[str] = frozenset({"timeout"})  # `timeout 30 cmd`

SHELLS: frozenset[str] = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash"})
_PYTHONS: frozenset[str] = frozenset({"python", "python3", "python2"})
_SCRIPT_SUFFIXES: tuple[str, ...] = (".sh", ".bash", ".py", ".zsh")
_SYSTEM_DIRS: tuple[str, ...] = ("/usr/", "/bin/", "/sbin/", "/opt/homebrew/")


@dataclass(slots=True)
class _Options:
    """Options and positionals split the way a getopt-style CLI would."""

    values: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    positionals: list[str] = field(default_factory=list)

    def get(self, *names: str) -> list[str]:
        return [value for key, value in self.values if key in names]

    def has(self, *names: str) -> bool:
        return any(flag in names for flag in self.flags) or bool(self.get(*names))


def _split_options(args: Sequence[str], with_value: frozenset[str]) -> _Options:
    result = _Options()
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            result.positionals.extend(args[index:])
            break
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
            result.values.append((name, value))
        elif arg.startswith("-") and len(arg) > 1 and not arg.startswith("$"):
            if arg in with_value:
                if index < len(args):
                    result.values.append((arg, args[index]))
                    index += 1
                else:
                    result.flags.append(arg)
            elif not arg.startswith("--") and len(arg) > 2 and arg[:2] in with_value:
                result.values.append((arg[:2], arg[2:]))  # -fdocker-compose.yml
            else:
                result.flags.append(arg)
        else:
            result.positionals.append(arg)
    return result


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def strip_wrappers(words: Sequence[str]) -> tuple[str, ...]:
    """Drop ``sudo``/``env``/``nohup``/``time`` prefixes and leading ``VAR=value`` words."""
    current = list(words)
    while current:
        head = current[0]
        if "=" in head and not head.startswith("-") and head.split("=", 1)[0].isidentifier():
            current = current[1:]
            continue
        name = _basename(head)
        if name not in _WRAPPERS_WITH_VALUE_OPTIONS:
            break
        rest = current[1:]
        options = _WRAPPERS_WITH_VALUE_OPTIONS[name]
        index = 0
        while index < len(rest) and rest[index].startswith("-"):
            index += 2 if rest[index] in options else 1
        if name in _WRAPPERS_WITH_POSITIONAL and index < len(rest):
            index += 1
        current = rest[index:]
    return tuple(current)


# --------------------------------------------------------------------------- ssh family


def _option_set(spaced: str) -> frozenset[str]:
    """Option names written as one space-separated string, for readability."""
    return frozenset(spaced.split())


_SSH_VALUE_OPTIONS = _option_set("-B -b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w")
_SCP_VALUE_OPTIONS = _option_set("-c -D -F -i -J -l -o -P -S -X")
_RSYNC_VALUE_OPTIONS = _option_set(
    "-e --rsh --exclude --include --exclude-from --include-from --files-from "
    "--filter -f --rsync-path --chmod --chown -B --block-size --timeout --port "
    "--password-file --log-file --backup-dir --suffix -T --temp-dir --compare-dest "
    "--link-dest --copy-dest --bwlimit --max-size --min-size"
)


@dataclass(frozen=True, slots=True)
class SshInvocation:
    """``ssh [options] target [remote command...]`` split into its parts."""

    target: str | None
    remote_words: tuple[str, ...]


def split_ssh(words: Sequence[str]) -> SshInvocation:
    """Split an ssh command (``words[0]`` is ``ssh``) into target and remote command."""
    args = list(words[1:])
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        option = args[index]
        index += 2 if option in _SSH_VALUE_OPTIONS else 1
    if index < len(args) and args[index] == "--":
        index += 1
    if index >= len(args):
        return SshInvocation(None, ())
    return SshInvocation(args[index], tuple(args[index + 1 :]))


def remote_host_of(location: str) -> str | None:
    """``user@host:/path`` or ``host::module`` -> ``user@host``; local paths -> None."""
    if location.startswith(("/", "./", "../", "~")) or ":" not in location:
        return None
    if location.startswith(("rsync://", "ssh://")):
        rest = location.split("://", 1)[1]
        return rest.split("/", 1)[0].split(":", 1)[0] or None
    head, rest = location.split(":", 1)
    if rest[:1].isspace() or not _REMOTE_HEAD.fullmatch(head) or head.startswith("$("):
        return None
    return head


def _ssh(words: tuple[str, ...], line: int) -> DeployCommand:
    invocation = split_ssh(words)
    params: list[tuple[str, str]] = []
    if invocation.remote_words:
        params.append(("remote-command", " ".join(invocation.remote_words)))
    hosts = (invocation.target,) if invocation.target else ()
    return DeployCommand(DeployKind.SSH, words, line, hosts=hosts, params=tuple(params))


def _copy(
    kind: DeployKind, words: tuple[str, ...], line: int, options: frozenset[str]
) -> DeployCommand:
    parsed = _split_options(words[1:], options)
    hosts: list[str] = []
    files: list[str] = []
    for position, location in enumerate(parsed.positionals):
        host = remote_host_of(location)
        if host is not None:
            hosts.append(host)
        elif position < len(parsed.positionals) - 1 or len(parsed.positionals) == 1:
            files.append(location)  # local sources (the last positional is the destination)
    destination = parsed.positionals[-1] if parsed.positionals else ""
    params = (("destination", destination),) if destination else ()
    return DeployCommand(kind, words, line, hosts=_unique(hosts), files=tuple(files), params=params)


# --------------------------------------------------------------------------- docker

_DOCKER_GLOBAL_VALUE_OPTIONS = _option_set(
    "-H --host -c --context --config -l --log-level --tlscacert --tlscert --tlskey"
)
_COMPOSE_GLOBAL_VALUE_OPTIONS = _option_set(
    "-f --file -p --project-name --env-file --profile --project-directory --ansi "
    "--progress --parallel -H --host --context"
)
_COMPOSE_SUB_VALUE_OPTIONS = _option_set(
    "--scale -t --timeout --pull --wait-timeout --exit-code-from --attach --no-attach "
    "--rmi --build-arg --builder --ssh -e --env -w --workdir -u --user --entrypoint "
    "--name -v --volume -p --publish -l --label --index"
)
_DOCKER_RUN_VALUE_OPTIONS = _option_set(
    "-a --attach --add-host --annotation --blkio-weight --cap-add --cap-drop --cgroup-parent "
    "--cgroupns --cidfile --cpu-period --cpu-quota --cpu-shares -c --cpus --cpuset-cpus "
    "--cpuset-mems --device --device-cgroup-rule --dns --dns-option --dns-search "
    "--domainname --entrypoint -e --env --env-file --expose --gpus --group-add "
    "--health-cmd --health-interval --health-retries --health-start-period "
    "--health-timeout -h --hostname --ip --ip6 --ipc --isolation --kernel-memory -l "
    "--label --label-file --link --log-driver --log-opt --mac-address -m --memory "
    "--memory-reservation --memory-swap --mount --name --network --net --network-alias "
    "--oom-score-adj --pid --pids-limit --platform -p --publish --pull --restart "
    "--runtime --security-opt --shm-size --stop-signal --stop-timeout --storage-opt "
    "--sysctl --tmpfs --ulimit -u --user --userns --uts -v --volume --volume-driver "
    "--volumes-from -w --workdir --detach-keys"
)
_DOCKER_BUILD_VALUE_OPTIONS = _option_set(
    "-f --file -t --tag --target --platform --build-arg --build-context --cache-from "
    "--cache-to --secret --ssh --label --network --progress -o --output --builder "
    "--add-host --iidfile --metadata-file --shm-size --ulimit --allow --attest "
    "--sbom --provenance --annotation"
)
_SERVICE_VALUE_OPTIONS = _option_set(
    "--image --env-add --env-rm -e --env --label-add --label-rm --replicas "
    "--secret-add --secret-rm --secret --publish-add --publish-rm -p --publish "
    "--network --mount --constraint --constraint-add --update-parallelism "
    "--update-delay --name --mode --limit-cpu --limit-memory --reserve-cpu "
    "--reserve-memory --generic-resource --restart-condition -l --label"
)
_COMPOSE_KINDS: dict[str, DeployKind] = {
    "up": DeployKind.COMPOSE_UP,
    "down": DeployKind.COMPOSE_DOWN,
    "pull": DeployKind.COMPOSE_PULL,
    "build": DeployKind.COMPOSE_BUILD,
}


COMPOSE_VARIABLES: frozenset[str] = frozenset(
    {"COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE_ENV_FILES",
     "COMPOSE_PATH_SEPARATOR"})
"""Variables the compose CLI reads in place of ``-f``, ``--profile``, ``-p``, ``--env-file``."""
_COMPOSE_FLAG_OF = {"COMPOSE_PROFILES": "profile", "COMPOSE_PROJECT_NAME": "project",
                    "COMPOSE_ENV_FILES": "env-file"}


def with_compose_environment(command: DeployCommand, environ: Mapping[str, str]
                             ) -> DeployCommand:
    """A compose command as the CLI runs it with ``environ``: ``COMPOSE_FILE`` stands for
    ``-f`` (split on ``COMPOSE_PATH_SEPARATOR``, ``:`` by default) when no ``-f`` is given,
    the other variables for their flags; a flag on the command line wins."""
    if not command.kind.value.startswith("compose-") or not environ:
        return command
    files = command.files
    params = list(command.params)
    separator = environ.get("COMPOSE_PATH_SEPARATOR") or ":"
    if not files and environ.get("COMPOSE_FILE"):
        files = tuple(f for f in environ["COMPOSE_FILE"].split(separator) if f)
        params.append(("from-variable", "COMPOSE_FILE"))
    for variable, flag in _COMPOSE_FLAG_OF.items():
        value = environ.get(variable)
        if value and not command.param_values(flag):
            split = "," if flag != "project" else "\0"
            params += [(flag, item) for item in value.split(split) if item]
            params.append(("from-variable", variable))
    return replace(command, files=files, params=tuple(params))


def _compose(words: tuple[str, ...], args: Sequence[str], line: int) -> DeployCommand:
    """``docker compose ARGS`` or ``docker-compose ARGS``: files, project, subcommand."""
    globals_end = 0
    while globals_end < len(args) and args[globals_end].startswith("-"):
        option = args[globals_end]
        consumes = option in _COMPOSE_GLOBAL_VALUE_OPTIONS and "=" not in option
        globals_end += 2 if consumes else 1
    global_options = _split_options(args[:globals_end], _COMPOSE_GLOBAL_VALUE_OPTIONS)
    rest = args[globals_end:]
    subcommand = rest[0] if rest else ""
    sub = _split_options(rest[1:], _COMPOSE_SUB_VALUE_OPTIONS)
    params: list[tuple[str, str]] = [("subcommand", subcommand)] if subcommand else []
    params += [("project", p) for p in global_options.get("-p", "--project-name")]
    params += [("env-file", p) for p in global_options.get("--env-file")]
    params += [("profile", p) for p in global_options.get("--profile")]
    params += [("service", s) for s in sub.positionals]
    if subcommand == "up" and not sub.has("-d", "--detach"):
        params.append(("foreground", "true"))
    kind = _COMPOSE_KINDS.get(subcommand, DeployKind.COMPOSE_OTHER)
    files = tuple(global_options.get("-f", "--file"))
    return DeployCommand(kind, words, line, files=files, params=tuple(params))


def _docker(words: tuple[str, ...], line: int) -> DeployCommand | None:
    args = list(words[1:])
    index = 0
    hosts: list[str] = []
    while index < len(args) and args[index].startswith("-"):
        option = args[index]
        if option in _DOCKER_GLOBAL_VALUE_OPTIONS and index + 1 < len(args):
            if option in {"-H", "--host"}:
                host = _host_of_url(args[index + 1])
                if host:
                    hosts.append(host)
            index += 2
        else:
            index += 1
    rest = args[index:]
    if not rest:
        return None
    group, tail = rest[0], rest[1:]
    command = _docker_subcommand(words, group, tail, line)
    if command is not None and hosts:
        return _with_hosts(command, hosts)
    return command


def _docker_subcommand(
    words: tuple[str, ...], group: str, tail: Sequence[str], line: int
) -> DeployCommand | None:
    action = tail[0] if tail else ""
    if group == "compose":
        return _compose(words, tail, line)
    if group == "stack" and action in {"deploy", "up"}:
        parsed = _split_options(
            tail[1:], frozenset({"-c", "--compose-file", "--resolve-image", "--prune"})
        )
        files = tuple(parsed.get("-c", "--compose-file"))
        params = tuple(("stack", name) for name in parsed.positionals[-1:])
        return DeployCommand(DeployKind.STACK_DEPLOY, words, line, files=files, params=params)
    if group == "stack" and action in {"rm", "remove", "down"}:
        params = tuple(("stack", name) for name in tail[1:] if not name.startswith("-"))
        return DeployCommand(DeployKind.STACK_RM, words, line, params=params)
    if group in {"run", "container"} and (group == "run" or action in {"run", "create"}):
        run_args = tail if group == "run" else tail[1:]
        return _docker_run(words, run_args, line)
    if group == "build" or (group in {"buildx", "image", "builder"} and action == "build"):
        build_args = tail if group == "build" else tail[1:]
        return _docker_build(words, build_args, line)
    if group in {"push", "pull"} or (group == "image" and action in {"push", "pull"}):
        verb = group if group in {"push", "pull"} else action
        image_args = tail if group in {"push", "pull"} else tail[1:]
        images = [a for a in image_args if not a.startswith("-")]
        kind = DeployKind.DOCKER_PUSH if verb == "push" else DeployKind.DOCKER_PULL
        return DeployCommand(kind, words, line, params=tuple(("image", i) for i in images[:1]))
    if group == "login":
        parsed = _split_options(tail, frozenset({"-u", "--username", "-p", "--password"}))
        params = tuple(("registry", r) for r in parsed.positionals[:1])
        return DeployCommand(DeployKind.DOCKER_LOGIN, words, line, params=params)
    if group == "secret" and action == "create":
        parsed = _split_options(tail[1:], frozenset({"-l", "--label", "-d", "--driver"}))
        params = tuple(("secret", n) for n in parsed.positionals[:1])
        files = tuple(f for f in parsed.positionals[1:2] if f != "-")
        return DeployCommand(
            DeployKind.DOCKER_SECRET_CREATE, words, line, files=files, params=params
        )
    if group == "service" and action in {"update", "create", "rollback", "scale"}:
        # A rollback or scale changes a running service like an update does.
        return _docker_service(words, "create" if action == "create" else "update",
                               tail[1:], line)
    return None


def _docker_service(
    words: tuple[str, ...], action: str, args: Sequence[str], line: int
) -> DeployCommand:
    parsed = _split_options(args, _SERVICE_VALUE_OPTIONS)
    params: list[tuple[str, str]] = [("image", i) for i in parsed.get("--image")]
    if action == "update":
        params += [("service", s) for s in parsed.positionals[-1:]]
        return DeployCommand(DeployKind.DOCKER_SERVICE_UPDATE, words, line, params=tuple(params))
    params += [("service", n) for n in parsed.get("--name")]
    params += [("image", i) for i in parsed.positionals[:1]]
    return DeployCommand(DeployKind.DOCKER_SERVICE_CREATE, words, line, params=tuple(params))


def _docker_run(words: tuple[str, ...], args: Sequence[str], line: int) -> DeployCommand:
    # Options end at the image: everything after it is the container's command.
    index = 0
    values: list[tuple[str, str]] = []
    flags: list[str] = []
    while index < len(args) and args[index].startswith("-"):
        option = args[index]
        if "=" in option and option.startswith("--"):
            name, value = option.split("=", 1)
            values.append((name, value))
            index += 1
        elif option in _DOCKER_RUN_VALUE_OPTIONS and index + 1 < len(args):
            values.append((option, args[index + 1]))
            index += 2
        else:
            flags.append(option)
            index += 1
    params: list[tuple[str, str]] = []
    if index < len(args):
        params.append(("image", args[index]))
    params += [("name", v) for k, v in values if k == "--name"]
    params += [("gpus", v) for k, v in values if k == "--gpus"]
    params += [("network", v) for k, v in values if k in {"--network", "--net"}]
    params += [("publish", v) for k, v in values if k in {"-p", "--publish"}]
    params += [("restart", v) for k, v in values if k == "--restart"]
    if any(flag in {"-d", "--detach"} or (flag[1:2] != "-" and "d" in flag[1:]) for flag in flags):
        params.append(("detach", "true"))
    files = tuple(v for k, v in values if k == "--env-file")
    return DeployCommand(DeployKind.DOCKER_RUN, words, line, files=files, params=tuple(params))


def _docker_build(words: tuple[str, ...], args: Sequence[str], line: int) -> DeployCommand:
    parsed = _split_options(args, _DOCKER_BUILD_VALUE_OPTIONS)
    files = tuple(parsed.get("-f", "--file"))
    params: list[tuple[str, str]] = [("tag", t) for t in parsed.get("-t", "--tag")]
    params += [("target", t) for t in parsed.get("--target")]
    params += [("platform", p) for p in parsed.get("--platform")]
    params += [("context", c) for c in parsed.positionals[:1]]
    if parsed.has("--push"):
        params.append(("push", "true"))
    return DeployCommand(DeployKind.DOCKER_BUILD, words, line, files=files, params=tuple(params))


# --------------------------------------------------------------------------- kubernetes

_KUBECTL_GLOBAL_VALUE_OPTIONS = _option_set(
    "-n --namespace --context --kubeconfig -s --server --cluster --user --token "
    "--as --as-group --request-timeout --certificate-authority -v"
)
_KUBECTL_VALUE_OPTIONS = _KUBECTL_GLOBAL_VALUE_OPTIONS | _option_set(
    "-f --filename -k --kustomize -l --selector -o --output --field-manager "
    "--type --from-literal --from-file --from-env-file --docker-server "
    "--docker-username --docker-password --docker-email --cert --key "
    "--timeout --to-revision --replicas --prune-allowlist --dry-run -c --container"
)


def _kubectl(words: tuple[str, ...], line: int) -> DeployCommand:
    parsed = _split_options(words[1:], _KUBECTL_VALUE_OPTIONS)
    verb = parsed.positionals[0] if parsed.positionals else ""
    objects = parsed.positionals[1:]
    params: list[tuple[str, str]] = [("verb", verb)] if verb else []
    params += [("namespace", n) for n in parsed.get("-n", "--namespace")]
    params += [("context", c) for c in parsed.get("--context")]
    manifests = parsed.get("-f", "--filename")
    kustomizations = parsed.get("-k", "--kustomize")
    params += [("kustomization", k) for k in kustomizations]
    files = tuple(manifests + kustomizations)
    kind = DeployKind.KUBECTL_OTHER
    if verb in {"apply", "replace"} or (verb == "create" and (manifests or kustomizations)):
        kind = DeployKind.KUBECTL_APPLY
    elif verb == "delete" and files:
        kind = DeployKind.KUBECTL_DELETE
    elif verb == "set" and objects[:1] == ["image"]:
        kind = DeployKind.KUBECTL_SET_IMAGE
        params += [("resource", r) for r in objects[1:2]]
        params += [("image", spec.split("=", 1)[1]) for spec in objects[2:] if "=" in spec]
    elif verb == "create" and objects[:1] == ["secret"]:
        kind = DeployKind.KUBECTL_CREATE_SECRET
        params += [("secret-type", t) for t in objects[1:2]]
        params += [("secret", n) for n in objects[2:3]]
        files = tuple(v.split("=", 1)[-1] for v in parsed.get("--from-file", "--from-env-file"))
    elif verb == "rollout":
        kind = DeployKind.KUBECTL_ROLLOUT
        params += [("action", a) for a in objects[:1]]
        params += [("resource", r) for r in objects[1:2]]
    elif verb == "kustomize":
        return DeployCommand(
            DeployKind.KUSTOMIZE_BUILD, words, line, files=tuple(objects[:1]), params=tuple(params)
        )
    return DeployCommand(kind, words, line, files=files, params=tuple(params))


_HELM_VALUE_OPTIONS = _option_set(
    "-n --namespace -f --values --set --set-string --set-file --set-json --version "
    "--kube-context --kubeconfig --repo --timeout -o --output --description "
    "--post-renderer --username --password --ca-file --cert-file --key-file"
)


def _helm(words: tuple[str, ...], line: int) -> DeployCommand:
    parsed = _split_options(words[1:], _HELM_VALUE_OPTIONS)
    verb = parsed.positionals[0] if parsed.positionals else ""
    rest = parsed.positionals[1:]
    params: list[tuple[str, str]] = [("verb", verb)] if verb else []
    params += [("namespace", n) for n in parsed.get("-n", "--namespace")]
    params += [("release", r) for r in rest[:1]]
    params += [("chart", c) for c in rest[1:2]]
    params += [("version", v) for v in parsed.get("--version")]
    files = tuple(parsed.get("-f", "--values"))
    if verb == "upgrade":
        kind = DeployKind.HELM_UPGRADE
        if parsed.has("-i", "--install"):
            params.append(("install", "true"))
    elif verb == "install":
        kind = DeployKind.HELM_INSTALL
    else:
        kind = DeployKind.HELM_OTHER
    return DeployCommand(kind, words, line, files=files, params=tuple(params))


def _kustomize(words: tuple[str, ...], line: int) -> DeployCommand | None:
    parsed = _split_options(words[1:], frozenset({"-o", "--output"}))
    if parsed.positionals[:1] != ["build"]:
        return None
    files = tuple(parsed.positionals[1:2]) or (".",)
    return DeployCommand(DeployKind.KUSTOMIZE_BUILD, words, line, files=files)


def _argocd(words: tuple[str, ...], line: int) -> DeployCommand | None:
    parsed = _split_options(
        words[1:], frozenset({"--server", "--auth-token", "--grpc-web-root-path", "--revision"})
    )
    if parsed.positionals[:1] not in (["app"], ["appset"]):
        return None
    action = parsed.positionals[1] if len(parsed.positionals) > 1 else ""
    params: list[tuple[str, str]] = [("action", action)] if action else []
    params += [("app", a) for a in parsed.positionals[2:3]]
    kind = DeployKind.ARGOCD_SYNC if action == "sync" else DeployKind.ARGOCD_OTHER
    return DeployCommand(kind, words, line, params=tuple(params))


def _infra(kind: DeployKind, words: tuple[str, ...], line: int) -> DeployCommand:
    parsed = _split_options(
        words[1:], frozenset({"-chdir", "-var-file", "--stack", "-s", "--cwd", "-C"})
    )
    params = tuple(("subcommand", s) for s in parsed.positionals[:1])
    return DeployCommand(kind, words, line, params=params)


def _ansible(words: tuple[str, ...], line: int) -> DeployCommand:
    parsed = _split_options(
        words[1:],
        frozenset({"-i", "--inventory", "-l", "--limit", "-e", "--extra-vars", "-u", "-t"}),
    )
    files = tuple(parsed.positionals) + tuple(parsed.get("-i", "--inventory"))
    return DeployCommand(DeployKind.ANSIBLE_PLAYBOOK, words, line, files=files)


def _make(words: tuple[str, ...], line: int) -> DeployCommand:
    parsed = _split_options(words[1:], frozenset({"-C", "--directory", "-f", "--file", "-j", "-I"}))
    targets = [p for p in parsed.positionals if "=" not in p]
    params: list[tuple[str, str]] = [("target", t) for t in targets]
    params += [("directory", d) for d in parsed.get("-C", "--directory")]
    files = tuple(parsed.get("-f", "--file"))
    return DeployCommand(DeployKind.MAKE_CALL, words, line, files=files, params=tuple(params))


# --------------------------------------------------------------------------- scripts


def looks_like_script_path(word: str) -> bool:
    """``./deploy.sh``, ``scripts/x.py``, ``$DIR/x.sh``: a file run as a program."""
    if not word or word.startswith("-"):
        return False
    if word.startswith(_SYSTEM_DIRS):
        return False
    return word.endswith(_SCRIPT_SUFFIXES) or word.startswith(("./", "../"))


def script_call(words: Sequence[str], line: int) -> ScriptCall | None:
    """The script a command runs, if it runs one (``bash -c`` strings are not scripts)."""
    stripped = strip_wrappers(words)
    if not stripped:
        return None
    head = stripped[0]
    name = _basename(head)
    if name in {"source", "."} and len(stripped) > 1:
        return ScriptCall(stripped[1], line, "source")
    if name in SHELLS or name in _PYTHONS:
        for arg in stripped[1:]:
            if arg in {"-c", "-m"}:
                return None
            if arg.startswith("-"):
                continue
            return ScriptCall(arg, line) if name in SHELLS or arg.endswith(".py") else None
        return None
    if looks_like_script_path(head):
        return ScriptCall(head, line)
    return None


# --------------------------------------------------------------------------- dispatch

_Classifier = Callable[[tuple[str, ...], int], DeployCommand | None]

_CLASSIFIERS: dict[str, _Classifier] = {
    "ssh": _ssh,
    "scp": lambda w, n: _copy(DeployKind.SCP, w, n, _SCP_VALUE_OPTIONS),
    "rsync": lambda w, n: _copy(DeployKind.RSYNC, w, n, _RSYNC_VALUE_OPTIONS),
    "docker": _docker,
    "docker-compose": lambda w, n: _compose(w, w[1:], n),
    "podman": _docker,
    "podman-compose": lambda w, n: _compose(w, w[1:], n),
    "kubectl": _kubectl,
    "oc": _kubectl,
    "helm": _helm,
    "helm3": _helm,
    "kustomize": _kustomize,
    "argocd": _argocd,
    "terraform": lambda w, n: _infra(DeployKind.TERRAFORM, w, n),
    "terragrunt": lambda w, n: _infra(DeployKind.TERRAFORM, w, n),
    "tofu": lambda w, n: _infra(DeployKind.TERRAFORM, w, n),
    "pulumi": lambda w, n: _infra(DeployKind.PULUMI, w, n),
    "ansible-playbook": _ansible,
    "make": _make,
    "gmake": _make,
}


def classify(
    words: Sequence[str],
    line: int,
    *,
    function: str | None = None,
    in_heredoc: bool = False,
    remote_host: str | None = None,
    compose_env: Mapping[str, str] | None = None,
) -> DeployCommand | None:
    """The deployment action ``words`` performs, or None for ordinary commands;
    ``compose_env`` holds the ``COMPOSE_*`` variables in effect (see
    :func:`with_compose_environment`)."""
    stripped = strip_wrappers(words)
    if not stripped:
        return None
    name = _basename(stripped[0])
    classifier = _CLASSIFIERS.get(name)
    command = classifier(stripped, line) if classifier is not None else None
    if command is None:
        call = script_call(stripped, line)
        if call is None:
            return None
        params = (("mode", call.mode),)
        command = DeployCommand(
            DeployKind.SCRIPT_CALL, stripped, line, files=(call.target,), params=params
        )
    if compose_env:
        command = with_compose_environment(command, compose_env)
    return DeployCommand(
        command.kind,
        command.argv,
        command.line,
        hosts=command.hosts,
        files=command.files,
        params=tuple(sorted(set(command.params))),
        function=function,
        in_heredoc=in_heredoc,
        remote_host=remote_host,
    )


def _with_hosts(command: DeployCommand, hosts: Sequence[str]) -> DeployCommand:
    return DeployCommand(
        command.kind,
        command.argv,
        command.line,
        hosts=_unique([*command.hosts, *hosts]),
        files=command.files,
        params=command.params,
    )


def _host_of_url(url: str) -> str | None:
    if "://" not in url:
        return None
    scheme, rest = url.split("://", 1)
    if scheme not in {"ssh", "tcp", "http", "https"}:
        return None
    return rest.split("/", 1)[0].rsplit(":", 1)[0] or None


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------- literals
# Hard-coded addresses and credential-looking strings inside any literal the loaders
# meet (command words, assignment values, heredoc bodies, Python string constants).
# Regular expressions are right here: these scan the *value* of a literal that a real
# parser already isolated, they do not parse a language.

_TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}")),
    ("aws-access-key-id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("slack-token", re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}")),
)
_ENTROPY_CANDIDATE = re.compile(r"[A-Za-z0-9+/_\-]{24,}={0,2}")
#: A word of a name: ``Floor``, ``ELB``, ``2021`` (a capital run ends where a word starts).
_CLASS_RUN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_WORD_SEPARATORS = re.compile(r"[-_/+=]")
_WORD_RUN_MEAN = 3.0
#: A PEM block that is public by definition (a public key, a certificate, a CSR): its base64
#: looks random and is meant to be published.
_PUBLIC_PEM = re.compile(
    r"-----BEGIN (?P<label>(?:RSA |EC )?PUBLIC KEY|CERTIFICATE|CERTIFICATE REQUEST"
    r"|X509 CRL)-----.*?-----END (?P=label)-----",
    re.DOTALL,
)
#: An SSH public key as known_hosts and authorized_keys write it (``ecdsa-sha2-nistp256
#: AAAA…``): published by its host or owner, no credential.
_PUBLIC_SSH_KEY = re.compile(
    r"\b(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)"
    r"|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) AAAA[0-9A-Za-z+/]+=*"
)
_IDENTIFIER_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_ASSIGNED_VALUE = re.compile(r"[^\s\"'$`;&|]+")
_FROM_LITERAL = re.compile(r"--from-literal=[^=\s]+=(\S+)")
#: RFC 3986 userinfo never holds ``[ ] { } ^ \`` unencoded: with them it is a regular
#: expression (``sed 's|://([^:]+:[^@]+@)?…|'``) or a template, not a password.
_URL_PASSWORD = re.compile(r"://[^/\s:@\[\]{}^\\]+:([^/\s@$\[\]{}^\\]+)@")
_MIN_SECRET_LENGTH = 4
_NOT_SECRET_VALUES = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "enabled", "disabled"}
)
_SECRET_REFERENCE = re.compile(r"[A-Za-z0-9_.\-/]+")
#: ``os.getenv(``, ``os.environ[``, ``settings.db.password``: a call, an index or an
#: attribute path, as an inline program passes a value on.
_CODE_EXPRESSION = re.compile(
    r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*[(\[]|[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$"
)
_URL_WITHOUT_USERINFO = re.compile(r"[a-z][a-z0-9+.\-]*://[^/@\s]*(/[^@]*)?$", re.IGNORECASE)
_REMOTE_HEAD = re.compile(r"[\w.$@{}\-]+")


@dataclass(frozen=True, slots=True)
class LiteralScan:
    """A literal with secrets masked, plus what it revealed."""

    masked: str
    tokens: tuple[TokenFinding, ...]
    hosts: tuple[HostRef, ...]


def mask_preview(value: str) -> str:
    """At most four leading characters, never more than half the value, then an ellipsis."""
    return value[: min(4, len(value) // 2)] + "…"


def _position(text: str, offset: int, line: int, column: int) -> tuple[int, int]:
    newlines = text.count("\n", 0, offset)
    if newlines == 0:
        return line, column + offset
    return line + newlines, offset - text.rfind("\n", 0, offset)


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _looks_random(value: str) -> bool:
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return (
        classes == 3
        and _entropy(value) >= 4.0
        and "/" not in value.strip("/")[:1]
        and not _made_of_words(value)
    )


def _made_of_words(value: str) -> bool:
    """Names put together from words (``MS5FloorDashboard-Staging``, an Azure resource path
    ``…/Microsoft.OperationalInsights/…``, ``origin/claude/spec-check-UO5m6``): mixed case and
    digits like a token, but in runs. Random base62 changes class every one or two
    characters (a mean run under 2.5 in every real token measured), words keep a class for
    four or more; below three the value is not taken for a name."""
    runs = [run for piece in _WORD_SEPARATORS.split(value) for run in _CLASS_RUN.findall(piece)]
    return bool(runs) and sum(map(len, runs)) / len(runs) >= _WORD_RUN_MEAN


def _secret_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every secret in ``text``, without overlaps."""
    spans: list[tuple[int, int, str]] = []
    published = [
        (match.start(), match.end())
        for pattern in (_PUBLIC_PEM, _PUBLIC_SSH_KEY)
        for match in pattern.finditer(text)
    ]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans) and all(
            end <= s or start >= e for s, e in published
        )

    for kind, pattern in _TOKEN_PATTERNS:
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                spans.append((match.start(), match.end(), kind))
    for kind, pattern in (("secret-literal", _FROM_LITERAL), ("url-password", _URL_PASSWORD)):
        for match in pattern.finditer(text):
            if free(match.start(1), match.end(1)) and _could_be_secret(match.group(1)):
                spans.append((match.start(1), match.end(1), kind))
    for start, end in _inline_secret_assignments(text):
        if free(start, end):
            spans.append((start, end, "secret-assignment"))
    for match in _ENTROPY_CANDIDATE.finditer(text):
        # ``$secrets_DEPLOY_KEY``, ``${SOME_LONG_NAME}``: a variable's name, not a literal.
        expanded = text[max(0, match.start() - 2):match.start()].endswith(("$", "${"))
        if not expanded and _looks_random(match.group(0)) and free(match.start(), match.end()):
            spans.append((match.start(), match.end(), "high-entropy-string"))
    return sorted(spans)


def _inline_secret_assignments(text: str) -> list[tuple[int, int]]:
    """Value spans of ``NAME=value`` inside a literal where NAME names a secret.

    Every ``=`` is tried, so ``--from-literal=password=x`` finds ``password=x``. The value
    passes the same test as an assignment's (:func:`_is_literal_secret_value`: ``sed
    's|KEY=.*|…|'`` writes a pattern, not a key), and a literal that an expansion continues
    (``webhook_url="https://host/$path"``) is only part of a value, no credential.
    """
    spans: list[tuple[int, int]] = []
    position = text.find("=")
    while position > 0:
        name = _IDENTIFIER_TAIL.search(text, 0, position)
        value = _ASSIGNED_VALUE.match(text, position + 1)
        # f(credential=credential), {"k": v}: the brackets close code around the value.
        literal = value.group(0).rstrip(")]},") if value is not None else ""
        if (
            name is not None
            and value is not None
            and literal
            and not text.startswith("$", value.end())
            and _is_literal_secret_value(name.group(0), literal)
        ):
            spans.append((value.start(), value.start() + len(literal)))
        position = text.find("=", position + 1)
    return spans


def scan_literal(text: str, line: int, column: int = 1) -> LiteralScan:
    """Mask secrets in ``text`` and report them and any hard-coded host, with positions."""
    if not text:
        return LiteralScan(text, (), ())
    spans = _secret_spans(text)
    tokens: list[TokenFinding] = []
    pieces: list[str] = []
    cursor = 0
    for start, end, kind in spans:
        value = text[start:end]
        at_line, at_column = _position(text, start, line, column)
        tokens.append(TokenFinding(at_line, at_column, kind, mask_preview(value)))
        pieces.append(text[cursor:start])
        pieces.append(mask_preview(value))
        cursor = end
    pieces.append(text[cursor:])
    masked = "".join(pieces)
    return LiteralScan(masked, tuple(tokens), tuple(host_refs(masked, line, column)))


def is_switch(value: str) -> bool:
    """``true``, ``off``, ``disabled``: a setting's switch, never a secret's value."""
    return value.strip().lower() in _NOT_SECRET_VALUES


def _could_be_secret(value: str) -> bool:
    """A value's own shape allows a secret: not a switch (``true``), not an expansion."""
    return len(value) >= _MIN_SECRET_LENGTH and not is_switch(value) and not value.startswith("$")


def _is_literal_secret_value(name: str, value: str) -> bool:
    if not value or not is_secret_name(name) or "$(" in value:
        return False
    # SKIP_SECRETS=false is a switch, and "postgres_password" assigned to
    # POSTGRES_PASSWORD names a secret: neither is one.
    if not _could_be_secret(value) or value.isdigit():
        return False
    if _CODE_EXPRESSION.match(value) or value.lower() == name.lower():
        return False  # password=os.getenv(…), credential=credential: code passing a value
    if _URL_WITHOUT_USERINFO.match(value) or is_placeholder_name(value):
        # A plain URL is an address (its password, if any, is found as one); SECRET_NAME
        # written in capitals is a name for the reader to fill in.
        return False
    return not (_SECRET_REFERENCE.fullmatch(value) and is_secret_name(value))


def scan_assignment(name: str, value: str, line: int, column: int = 1) -> LiteralScan:
    """Like :func:`scan_literal`, and a literal value of a secret-named variable is a secret."""
    if _is_literal_secret_value(name, value):
        finding = TokenFinding(line, column, "secret-assignment", mask_preview(value))
        return LiteralScan(mask_preview(value), (finding,), ())
    return scan_literal(value, line, column)
