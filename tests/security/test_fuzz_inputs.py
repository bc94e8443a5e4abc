"""Property-based fuzzing: whatever a repository holds, kubealign ends with exit 0, 1 or 2.

Compose documents, env files and plan files are generated from the shapes real ones have (the
keys of the Compose spec and of ``kubealign.yaml``, with values of every YAML type, variable
references, odd names) and fed to the command-line entry point in this process. Each case must
end within the per-case deadline with exit 0, 1 or 2; an exit 2 ends with its one error line; no
traceback and no "internal error" (what the last line of defence in ``cli.app`` prints for an
exception kubealign did not raise on purpose) ever appears.

The runs are derandomized so CI sees the same cases every time; set KUBEALIGN_FUZZ_EXAMPLES
to explore further locally (the shrunk failing case is printed).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_runner import run_cli as _run

from .inprocess import assert_clean_end as _assert_clean_end

EXAMPLES = int(os.environ.get("KUBEALIGN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=30), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                database=None)

SERVICE_KEYS = ("image", "build", "ports", "expose", "environment", "env_file", "volumes",
                "command", "entrypoint", "healthcheck", "deploy", "depends_on", "networks",
                "restart", "labels", "secrets", "configs", "profiles", "user", "platform",
                "extra_hosts", "mem_limit", "cpus", "working_dir", "container_name",
                "hostname", "privileged", "cap_add", "tmpfs", "ulimits", "logging",
                "network_mode", "devices", "runtime", "x-custom")
WORDS = ("api", "db", "web", "postgres:16", "8080:80", "80", "./data:/data", "/tmp:/t",
         "${PORT}", "${IMAGE:-nginx}:${TAG:?tag required}", "$$HOME", "${", "host-gateway",
         "on-failure", "no", "all", "nvidia", "gpu", "1.5", "512m", "-1", "0", "", " ",
         "KEY=value", "A_PASSWORD=hunter2hunter2", "http://user:pw@db:5432/x", "../../x",
         "~/.ssh/id_rsa", "Ünïcode", "a\nb", "*", "&", "!!binary", "{}", "[]")


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(WORDS), st.integers(-2**40, 2**40),
                     st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                     st.none(), st.text(max_size=12))


def _values() -> st.SearchStrategy[Any]:
    return st.recursive(
        _scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(SERVICE_KEYS + WORDS), st.text(max_size=8)),
                            inner, max_size=4)),
        max_leaves=12)


_names = st.one_of(st.sampled_from(("api", "db", "web_1", "Web", "x.y", "1st", "a" * 70, "-")),
                   st.text(max_size=10))
_service = st.dictionaries(st.sampled_from(SERVICE_KEYS), _values(), max_size=6)
# Services close to what real files hold, so cases get past the schema check into the
# interpolation, the loader's normalisation and the converter.
_word = st.sampled_from(WORDS)
_port = st.one_of(st.sampled_from(("80", "8080:80", "127.0.0.1:5432:5432", "${PORT}:80",
                                   "9000-9002:9000-9002", "53/udp", "0", "99999", "x")),
                  st.integers(-1, 70000))
_plausible_service = st.fixed_dictionaries(
    {"image": st.one_of(st.sampled_from(("nginx", "postgres:16", "${REG}/app:${TAG:-1}",
                                         "ghcr.io/a/b@sha256:" + "0" * 64, "")), _word)},
    optional={
        "ports": st.lists(_port, max_size=3),
        "environment": st.one_of(st.dictionaries(st.sampled_from(("A", "DB_PASSWORD", "URL",
                                                                  "TOKEN", "x-y")),
                                                 st.one_of(_word, st.none(), st.integers())),
                                 st.lists(_word, max_size=3)),
        "volumes": st.lists(st.one_of(_word, st.sampled_from(("data:/var/lib", "./conf:/etc/c:ro",
                                                              "/var/run/docker.sock:/s"))),
                            max_size=3),
        "command": st.one_of(_word, st.lists(_word, max_size=3)),
        "healthcheck": st.fixed_dictionaries({"test": st.one_of(
            st.lists(st.sampled_from(("CMD", "CMD-SHELL", "curl", "-f", "${URL}")), max_size=3),
            _word)}, optional={"interval": _word, "retries": st.integers(-1, 5)}),
        "deploy": st.fixed_dictionaries({}, optional={
            "replicas": st.one_of(st.integers(-1, 5), _word),
            "resources": st.fixed_dictionaries({}, optional={
                "limits": st.dictionaries(st.sampled_from(("cpus", "memory", "pids")), _word),
                "reservations": st.fixed_dictionaries({}, optional={
                    "devices": st.lists(st.dictionaries(
                        st.sampled_from(("driver", "count", "capabilities", "device_ids")),
                        st.one_of(_word, st.lists(_word, max_size=2))), max_size=2)})}),
            "placement": st.dictionaries(st.just("constraints"), st.lists(_word, max_size=2)),
            "restart_policy": st.dictionaries(st.just("condition"), _word)}),
        "depends_on": st.one_of(st.lists(_names, max_size=2),
                                st.dictionaries(_names, st.dictionaries(
                                    st.just("condition"), _word), max_size=2)),
        "restart": _word, "profiles": st.lists(_word, max_size=2), "user": _word,
        "platform": _word, "extra_hosts": st.lists(_word, max_size=2)})
_top_entry = st.one_of(st.none(), st.dictionaries(
    st.sampled_from(("driver", "external", "file", "name", "content", "environment", "labels",
                     "driver_opts", "ipam", "internal", "x-k")), _values(), max_size=3))
_top_section = st.one_of(st.dictionaries(_names, _top_entry, max_size=3), _values())
_services = st.dictionaries(_names, st.one_of(_plausible_service, _plausible_service, _service,
                                              _scalars()), max_size=4)
_compose = st.fixed_dictionaries(
    # Mostly a mapping of services: a scalar there ends every case at the first check.
    {"services": st.integers(0, 9).flatmap(lambda n: _scalars() if n == 0 else _services)},
    optional={"volumes": _top_section, "networks": _top_section, "secrets": _top_section,
              "configs": _top_section, "name": _word, "version": _word, "x-anchors": _values()})


@contextmanager
def _repository(files: dict[str, str | bytes]) -> Iterator[Path]:
    # A fresh folder per case: hypothesis runs many cases inside one test function.
    with tempfile.TemporaryDirectory(prefix="kubealign-fuzz-") as top:
        repo = Path(top) / "repo"
        repo.mkdir()
        (repo / ".git").mkdir()  # the read boundary's root is this folder, not the temp dir
        for name, content in files.items():
            target = repo / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        yield repo


def _dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@FUZZ
@given(document=_compose, validate=st.booleans())
def test_resolve_survives_any_compose_document(document: dict[str, Any], validate: bool) -> None:
    with _repository({"compose.yaml": _dump(document)}) as repo:
        flags = () if validate else ("--no-validate",)
        _assert_clean_end(_run("resolve", "-f", str(repo / "compose.yaml"), *flags))


@FUZZ
@given(document=_compose)
def test_convert_survives_any_compose_document(document: dict[str, Any]) -> None:
    with _repository({"compose.yaml": _dump(document)}) as repo:
        outcome = _run("convert", str(repo), "--out", str(repo.parent / "out"), "--no-render")
        _assert_clean_end(outcome)


_env_line = st.one_of(
    st.sampled_from(("A=1", "export B=2", "# c", "C='x", 'D="multi\nline"', "E", "=F",
                     "G=${A}", "H=${UNSET:?needed}", "I=$$", "J=\\", "K L=1", "\ufeffM=1")),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))


@FUZZ
@given(lines=st.lists(_env_line, max_size=8), raw=st.binary(max_size=16))
def test_resolve_survives_any_env_file(lines: list[str], raw: bytes) -> None:
    compose = "services:\n  api:\n    image: nginx:${TAG:-1}\n    env_file: [app.env]\n"
    env = "\n".join(lines).encode("utf-8", errors="surrogatepass") + raw
    with _repository({"compose.yaml": compose, "app.env": env, ".env": env}) as repo:
        _assert_clean_end(_run("resolve", "-f", str(repo / "compose.yaml")))


PLAN_KEYS = ("version", "release", "namespace", "base", "migrationOrder", "gpu", "gitops",
             "environments", "nodePools", "services", "components", "separateReleases",
             "ambiguous", "root")
_environment = st.dictionaries(
    st.sampled_from(("kind", "files", "projectDirectory", "envFiles", "profiles", "gpuPool",
                     "servicePools", "namespace", "origin")),
    st.one_of(_values(), st.just(["compose.yaml"]), st.just("compose")), max_size=5)
_plan = st.dictionaries(
    st.sampled_from(PLAN_KEYS),
    st.one_of(_values(), st.dictionaries(_names, _environment, max_size=3)), max_size=8)


@FUZZ
@given(plan=_plan)
def test_plan_readers_survive_any_plan_file(plan: dict[str, Any]) -> None:
    compose = "services:\n  api:\n    image: nginx:1\n"
    with _repository({"compose.yaml": compose, "kubealign.yaml": _dump(plan)}) as repo:
        _assert_clean_end(_run("cluster", str(repo / "kubealign.yaml")))
        outcome = _run("convert", "--plan", str(repo / "kubealign.yaml"),
                       "--out", str(repo.parent / "out"), "--no-render")
        _assert_clean_end(outcome)
