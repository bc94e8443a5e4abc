import subprocess

import pytest

from kubealign.transform.probes import (
    env_reads_in_probe,
    http_get_from_command,
    probes_from_healthcheck,
)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["curl", "-f", "http://localhost:8000/health"], {"path": "/health", "port": 8000,
                                                          "scheme": "HTTP"}),
        (["curl", "-fsS", "--max-time", "3", "http://127.0.0.1/"], {"path": "/", "port": 80,
                                                                    "scheme": "HTTP"}),
        (["wget", "-q", "--spider", "http://localhost:3000/api/health?deep=1"],
         {"path": "/api/health?deep=1", "port": 3000, "scheme": "HTTP"}),
        (["curl", "-f", "https://localhost:8443/ok", "||", "exit", "1"],
         {"path": "/ok", "port": 8443, "scheme": "HTTPS"}),
    ],
)
def test_plain_local_http_checks_become_http_get(
    argv: list[str], expected: dict[str, object]
) -> None:
    assert http_get_from_command(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["curl", "-X", "POST", "http://localhost/x"],
        ["curl", "-H", "Host: a", "http://localhost/x"],
        ["curl", "http://db:5432/"],
        ["pg_isready", "-U", "postgres"],
    ],
)
def test_other_checks_are_not_http_get(argv: list[str]) -> None:
    assert http_get_from_command(argv) is None


def test_cmd_shell_curl_with_exit_suffix() -> None:
    probes = probes_from_healthcheck(
        "CMD-SHELL", ("curl -f http://localhost:8000/health || exit 1",), interval=15,
        timeout=5, retries=4, start_period=40,
    )
    assert probes.readiness == {
        "httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"},
        "periodSeconds": 15, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 4,
    }
    assert probes.liveness is not None and probes.liveness["failureThreshold"] == 8
    assert probes.startup is not None
    assert probes.startup["periodSeconds"] == 5
    assert probes.startup["failureThreshold"] == 8 + 4


def test_exec_probe_keeps_the_command() -> None:
    probes = probes_from_healthcheck("CMD", ("pg_isready", "-U", "sophia"))
    assert probes.readiness is not None
    assert probes.readiness["exec"] == {"command": ["pg_isready", "-U", "sophia"]}
    assert probes.readiness["periodSeconds"] == 30 and probes.readiness["timeoutSeconds"] == 30


def test_shell_pipeline_stays_exec() -> None:
    probes = probes_from_healthcheck("CMD-SHELL", ("redis-cli ping | grep PONG",))
    assert probes.readiness is not None
    assert probes.readiness["exec"]["command"] == ["/bin/sh", "-c", "redis-cli ping | grep PONG"]


def test_disabled_healthcheck_gives_no_probe() -> None:
    assert probes_from_healthcheck("CMD", ("true",), disable=True).readiness is None
    assert probes_from_healthcheck("NONE", ()).liveness is None


# Issue 11: Kubernetes never expands `$(VAR)` in a probe; the shell reads the variable instead.
def test_probe_reference_in_shell_script_reads_the_environment() -> None:
    names = frozenset({"SA_PASSWORD"})
    got = env_reads_in_probe(("/bin/sh", "-c", "sqlcmd -P $(SA_PASSWORD) -Q 'SELECT 1'"), names)
    assert got == ("/bin/sh", "-c", "sqlcmd -P ${SA_PASSWORD} -Q 'SELECT 1'")
    # Command substitution the healthcheck meant, and names the pod does not have, stay.
    legit = ("sh", "-c", "redis-cli -a $(cat /run/secrets/pw) ping $(OTHER)")
    assert env_reads_in_probe(legit, names) == legit


def test_probe_reference_in_exec_form_goes_through_a_shell() -> None:
    names = frozenset({"PW"})
    got = env_reads_in_probe(("printf", "%s|", "-a", "$(PW)", "x$(PW)y it's"), names)
    assert got[:2] == ("/bin/sh", "-c") and "$(" not in got[2]
    out = subprocess.run(got, env={"PW": "p w$(x)"}, capture_output=True, text=True,
                         check=True).stdout
    assert out == "-a|p w$(x)|xp w$(x)y it's|"
    untouched = ("redis-cli", "ping")
    assert env_reads_in_probe(untouched, names) is untouched
