"""Python deploy scripts: sinks, literal evaluation, wrappers, loops, literals, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubealign.errors import LoadError
from kubealign.load.python_script import load_python_script, parse_python_script
from kubealign.model.artifacts import DeployKind, ScriptInfo


def script(text: str) -> ScriptInfo:
    return parse_python_script(textwrap.dedent(text).lstrip("\n"), "deploy.py")


def summary(info: ScriptInfo) -> list[tuple[int, DeployKind, tuple[str, ...]]]:
    return [(c.line, c.kind, c.argv) for c in info.deploy_commands]


def test_subprocess_list_and_shell_string_forms() -> None:
    info = script("""
        import subprocess
        import subprocess as sp
        from subprocess import check_call
        import os
        subprocess.run(["docker", "stack", "deploy", "-c", "stack.yml", "app"], check=True)
        sp.check_output("kubectl apply -f k8s/ && kubectl rollout status deploy/web", shell=True)
        check_call(args=["helm", "upgrade", "--install", "app", "./chart"])
        os.system("docker compose -f docker-compose.prod.yml up -d")
        subprocess.Popen(["ls", "-la"])
        """)
    assert [(line, kind) for line, kind, _ in summary(info)] == [
        (5, DeployKind.STACK_DEPLOY),
        (6, DeployKind.KUBECTL_APPLY),
        (6, DeployKind.KUBECTL_ROLLOUT),
        (7, DeployKind.HELM_UPGRADE),
        (8, DeployKind.COMPOSE_UP),
    ]
    assert ("ls", "-la") in [c.words for c in info.commands]


def test_fstrings_constants_shlex_and_placeholders() -> None:
    info = script("""
        import os, shlex, subprocess
        STACK = "sophia"
        FILES = ["-c", "docker-compose.cloud.yml"]
        def main(tag):
            subprocess.run(["docker", "stack", "deploy", *FILES, STACK])
            subprocess.run(shlex.split(f"docker service update --image app:{tag} {STACK}_web"))
            subprocess.run(["kubectl", "--context", os.environ.get("CTX", "prod"), "get", "pods"])
            subprocess.run(" ".join(["docker", "push", "app:" + "1.0"]).split())
        """)
    rows = summary(info)
    assert rows[0] == (
        5,
        DeployKind.STACK_DEPLOY,
        ("docker", "stack", "deploy", "-c", "docker-compose.cloud.yml", "sophia"),
    )
    assert rows[1][2] == ("docker", "service", "update", "--image", "app:$tag", "sophia_web")
    assert rows[2][2][:3] == ("kubectl", "--context", "${CTX:-prod}")
    assert rows[3][2] == ("docker", "push", "app:1.0")


def test_wrapper_functions_are_followed_to_their_call_sites() -> None:
    info = script("""
        import subprocess
        MANAGER = "ubuntu@192.0.2.10"
        SSH = ["ssh", "-o", "StrictHostKeyChecking=no"]

        def sh(*cmd):
            subprocess.run(cmd, check=True)

        def remote(host, command, check=True):
            full = [*SSH, host, command]
            return subprocess.run(full, check=check)

        def main():
            sh("docker", "build", "-f", "docker/Dockerfile.optimized", "-t", "img:1", ".")
            remote(MANAGER, "docker stack deploy -c stack.yml sophia")
        """)
    rows = summary(info)
    assert rows[0][:2] == (13, DeployKind.DOCKER_BUILD)
    assert info.deploy_commands[0].files == ("docker/Dockerfile.optimized",)
    assert rows[1][:2] == (14, DeployKind.SSH)
    assert info.deploy_commands[1].hosts == ("ubuntu@192.0.2.10",)
    stack = info.deploy_commands[2]
    assert stack.kind is DeployKind.STACK_DEPLOY and stack.remote_host == "ubuntu@192.0.2.10"
    assert stack.function == "main"


def test_loops_over_literal_lists_expand() -> None:
    info = script("""
        import subprocess
        DIRS = ["k8s/base", "k8s/prod"]
        for d in DIRS:
            subprocess.run(["kubectl", "apply", "-f", d])
        for h in get_hosts():
            subprocess.run(["ssh", h, "uptime"])
        """)
    assert [c.files for c in info.deploy_commands[:2]] == [("k8s/base",), ("k8s/prod",)]
    assert info.deploy_commands[2].hosts == ("$h",)


def test_loops_over_a_table_of_hosts_reach_every_host() -> None:
    # The shape of real deploy scripts: a table of instances, a loop over it, and the
    # command put together in the loop body before it runs.
    info = script("""
        import subprocess
        INSTANCES = {"production": "192.0.2.10", "ai-core": "192.0.2.11"}
        def check_all():
            for name, ip in INSTANCES.items():
                ssh_test = f"ssh -o ConnectTimeout=5 ubuntu@{ip} 'echo OK'"
                subprocess.run(ssh_test, shell=True)
            for ip in INSTANCES.values():
                subprocess.run(["scp", "app.tar", f"ubuntu@{ip}:/srv"])
            for name in INSTANCES:
                subprocess.run(["ssh", f"{name}.example.net", "uptime"])
        """)
    assert [c.hosts for c in info.deploy_commands] == [
        ("ubuntu@192.0.2.10",), ("ubuntu@192.0.2.11",), ("ubuntu@192.0.2.10",),
        ("ubuntu@192.0.2.11",), ("production.example.net",), ("ai-core.example.net",),
    ]


def test_paramiko_exec_command_and_sftp_put_use_the_connected_host() -> None:
    info = script("""
        import paramiko
        HOST = "203.0.113.7"
        client = paramiko.SSHClient()
        client.connect(HOST, username="ubuntu")
        sftp = client.open_sftp()
        sftp.put("docker-compose.cloud.yml", "/opt/app/docker-compose.cloud.yml")
        client.exec_command("cd /opt/app && docker stack deploy -c docker-compose.cloud.yml app")
        """)
    upload, deploy = info.deploy_commands
    assert upload.kind is DeployKind.SCP and upload.hosts == ("ubuntu@203.0.113.7",)
    assert upload.files == ("docker-compose.cloud.yml",) and upload.line == 6
    assert deploy.kind is DeployKind.STACK_DEPLOY and deploy.remote_host == "ubuntu@203.0.113.7"
    assert deploy.line == 7


def test_fabric_run_sudo_put() -> None:
    info = script("""
        from fabric import Connection
        c = Connection("deploy@app.sophia.internal")
        c.put("stack.yml", "/srv/stack.yml")
        c.sudo("docker stack deploy -c /srv/stack.yml app")
        c.run("docker compose pull")
        """)
    assert [c.kind for c in info.deploy_commands] == [
        DeployKind.SCP,
        DeployKind.STACK_DEPLOY,
        DeployKind.COMPOSE_PULL,
    ]
    assert info.deploy_commands[1].remote_host == "deploy@app.sophia.internal"
    assert [h.value for h in info.hostnames] == ["app.sophia.internal"]


def test_no_sinks_no_commands() -> None:
    info = script("""
        def run(cmd):
            return cmd
        run(["docker", "stack", "deploy"])
        print("kubectl apply -f x")
        """)
    assert info.deploy_commands == () and info.commands == ()


def test_tokens_hosts_main_guard_and_flags() -> None:
    token = "ghp_" + "Z9y8X7w6" * 5
    text = textwrap.dedent(f'''
        """Deploys to 10.10.10.10 (docstrings are documentation, not configuration)."""
        import argparse, subprocess
        GITHUB_TOKEN = "{token}"
        DB = {{"password": "pl41n-pa55word", "name": "db_password"}}
        SECRET_MAP = {{"POSTGRES_PASSWORD": "postgres_password"}}
        HOST = "192.0.2.44"
        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--env", default="prod")
            parser.add_argument("-n", "--dry-run", action="store_true")
            subprocess.run(["git", "clone", f"https://{{GITHUB_TOKEN}}@github.com/o/r"])
        if __name__ == "__main__":
            main()
        ''').lstrip("\n")
    info = parse_python_script(text, "x.py")
    assert [(t.line, t.kind) for t in info.tokens] == [
        (3, "secret-assignment"),
        (4, "secret-assignment"),
    ]
    assert [(h.line, h.value) for h in info.ips] == [(6, "192.0.2.44")]
    assert info.has_main_guard
    assert info.cli_flags == ("--dry-run", "--env", "-n")
    rendered = repr(info) + str(info)
    assert token not in rendered and "pl41n-pa55word" not in rendered
    assert info.language == "python"
    assert [f.name for f in info.functions] == ["main"]


def test_syntax_error_is_a_load_error_with_line(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        parse_python_script("import os\n\ndef broken(:\n    pass\n", "scripts/bad.py")
    assert caught.value.line == 3 and caught.value.path == "scripts/bad.py"
    assert str(caught.value).startswith("scripts/bad.py:3")
    path = tmp_path / "ok.py"
    path.write_text("import os\nos.system('./scripts/deploy.sh prod')\n")
    info = load_python_script(path, "ok.py")
    assert [c.target for c in info.calls] == ["./scripts/deploy.sh"]
    assert not info.has_main_guard


def test_a_secret_or_host_in_a_multi_line_f_string_is_placed_on_its_own_line() -> None:
    """Python 3.11 gives every part of an f-string the f-string's own position: a report
    template naming a key on its tenth line was reported on its first line, and could not
    be grouped with the same key elsewhere."""
    key = "Zq8" + "xW2vN7bK4mP9tR3s" * 2
    text = textwrap.dedent(f'''
        import datetime
        now = datetime.date.today()
        report = f"""# Report {{now}}

        Generated {{now.isoformat()}} with {{{{braces}}}} written doubled.

        - **API_KEY**: `{key}`
        - **HOST**: 203.0.113.9
        """
        ''').lstrip("\n")
    lines = text.splitlines()
    info = parse_python_script(text, "x.py")
    assert [(t.line, t.kind) for t in info.tokens] == [(7, "high-entropy-string")]
    token = info.tokens[0]
    assert lines[token.line - 1][token.column - 1:].startswith(key[:8])
    assert [(h.line, h.value) for h in info.ips] == [(8, "203.0.113.9")]
