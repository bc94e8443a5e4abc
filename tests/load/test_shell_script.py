"""Shell scripts: constructs, strict mode, deploy command kinds, literals, fingerprints."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubealign.errors import LoadError
from kubealign.load.deploy_commands import classify, mask_preview, remote_host_of
from kubealign.load.shell_script import load_shell_script, parse_shell, similarity
from kubealign.model.artifacts import DeployKind, HostKind, ScriptInfo


def script(text: str, path: str = "deploy.sh") -> ScriptInfo:
    return parse_shell(textwrap.dedent(text).lstrip("\n"), path)


def words_at(info: ScriptInfo, line: int) -> list[tuple[str, ...]]:
    return [c.words for c in info.commands if c.line == line]


def kinds(info: ScriptInfo) -> list[DeployKind]:
    return [c.kind for c in info.deploy_commands]


# --------------------------------------------------------------------------- constructs


def test_words_join_quoted_parts_and_keep_expansions() -> None:
    info = script("""
        #!/bin/bash
        echo "yes $X"x'lit' "${Y:-default}" a\\ b
        """)
    assert words_at(info, 2) == [("echo", "yes $Xxlit", "${Y:-default}", "a b")]


def test_if_double_bracket_and_case_commands_are_found_with_lines() -> None:
    info = script("""
        if [[ -n "${ENV:-}" && $ENV == prod ]]; then
          kubectl apply -f k8s/prod
        fi
        case "$1" in
          staging) docker compose -f docker-compose.staging.yml up -d ;;
          *) echo "usage" ;;
        esac
        """)
    assert words_at(info, 2) == [("kubectl", "apply", "-f", "k8s/prod")]
    assert words_at(info, 5) == [
        ("docker", "compose", "-f", "docker-compose.staging.yml", "up", "-d")
    ]
    assert kinds(info) == [DeployKind.KUBECTL_APPLY, DeployKind.COMPOSE_UP]


def test_arrays_and_loops() -> None:
    info = script("""
        HOSTS=(10.1.0.1 "10.1.0.2")
        for h in "${HOSTS[@]}"; do
          ssh "deploy@$h" "docker stack deploy -c stack.yml app"
        done
        """)
    assert [h.value for h in info.ips] == ["10.1.0.1", "10.1.0.2"]
    assert [h.line for h in info.ips] == [1, 1]
    assert kinds(info) == [DeployKind.SSH, DeployKind.STACK_DEPLOY]
    remote = info.deploy_commands[1]
    assert remote.remote_host == "deploy@$h" and remote.line == 3


def test_command_and_arithmetic_substitution_are_recursed() -> None:
    info = script("""
        count=$(( $(docker ps -q | wc -l) + 1 ))
        echo "$(kubectl set image deploy/web web=img:2)"
        """)
    assert ("docker", "ps", "-q") in words_at(info, 1)
    assert ("wc", "-l") in words_at(info, 1)
    assert kinds(info) == [DeployKind.KUBECTL_SET_IMAGE]
    assert info.deploy_commands[0].param("image") == "img:2"


def test_pipelines_and_lists() -> None:
    info = script("""
        docker compose pull && docker compose up -d || echo failed | tee log
        """)
    assert [c.words[0] for c in info.commands] == ["docker", "docker", "echo", "tee"]
    assert kinds(info) == [DeployKind.COMPOSE_PULL, DeployKind.COMPOSE_UP]


def test_heredoc_fed_to_ssh_is_parsed_as_remote_shell() -> None:
    info = script("""
        ssh ubuntu@gpu-1 bash -s <<'EOF'
        cd /opt/sophia
        docker compose -f docker-compose.gh200.yml up -d
        EOF
        echo done
        """)
    up = [c for c in info.deploy_commands if c.kind is DeployKind.COMPOSE_UP]
    assert len(up) == 1
    assert up[0].line == 3 and up[0].in_heredoc and up[0].remote_host == "ubuntu@gpu-1"
    assert up[0].files == ("docker-compose.gh200.yml",)
    assert words_at(info, 5) == [("echo", "done")]


def test_heredoc_written_to_a_file_is_data_not_commands() -> None:
    info = script("""
        cat > /etc/app.conf <<EOF
        docker stack deploy -c x.yml y
        host = 10.9.9.9
        EOF
        """)
    assert kinds(info) == []
    assert [h.value for h in info.ips] == ["10.9.9.9"]
    assert info.ips[0].line == 3


def test_functions_are_recorded_and_commands_know_their_function() -> None:
    info = script("""
        deploy_gpu() {
          helm upgrade --install sophia ./chart -f values-gpu.yaml
        }
        function cleanup {
          docker system prune -f
        }
        deploy_gpu
        """)
    assert [(f.name, f.line, f.end_line) for f in info.functions] == [
        ("deploy_gpu", 1, 3),
        ("cleanup", 4, 6),
    ]
    assert info.deploy_commands[0].function == "deploy_gpu"
    assert [c.function for c in info.commands] == ["deploy_gpu", "cleanup", None]


def test_bash_c_and_eval_strings_are_parsed() -> None:
    info = script("""
        bash -c "docker compose -f a.yml pull && docker compose -f a.yml up -d"
        eval "kubectl apply -k overlays/prod"
        """)
    assert kinds(info) == [
        DeployKind.COMPOSE_PULL,
        DeployKind.COMPOSE_UP,
        DeployKind.KUBECTL_APPLY,
    ]
    assert info.deploy_commands[2].files == ("overlays/prod",)
    assert info.deploy_commands[2].line == 2


def test_double_quoted_text_is_unescaped_before_it_is_parsed_again() -> None:
    # A remote command quoted inside `bash -c "..."` (real: unified_deployment.sh of the
    # Sophia repository): \" closes the inner string, \\ is a line join, newlines separate
    # commands. Read raw, the inner string swallowed the following commands into one word.
    info = script(r"""
        esc run env -- bash -c "
        ssh -i key ubuntu@host \"
            cd /tmp &&
            sudo docker stack deploy \\
                -c docker-compose.cloud.yml \\
                --with-registry-auth \\
                \$STACK_NAME
        \"
        echo 'done'
        "
        """)
    stack = [c for c in info.deploy_commands if c.argv[:3] == ("docker", "stack", "deploy")]
    assert [c.argv[3:] for c in stack] == [
        ("-c", "docker-compose.cloud.yml", "--with-registry-auth", "$STACK_NAME")]
    assert stack[0].remote_host == "ubuntu@host" and stack[0].line == 4
    assert ("echo", "done") in [c.words for c in info.commands]


def test_a_backslash_before_other_characters_stays_inside_double_quotes() -> None:
    info = script(r"""
        docker compose -f "dir\name.yml" --env-file "a\\b.env" up -d
        """)
    assert info.deploy_commands[0].argv[3] == "dir\\name.yml"
    assert "a\\b.env" in info.deploy_commands[0].argv


def test_syntax_errors_cost_a_line_not_the_file() -> None:
    info = script("""
        docker compose up -d
        if then fi ((
        kubectl apply -f k8s/
        """)
    assert info.error_lines
    assert DeployKind.COMPOSE_UP in kinds(info)


# --------------------------------------------------------------------------- strict mode


@pytest.mark.parametrize(
    "line",
    [
        "set -euo pipefail",
        "set -Eeuo pipefail",
        "set -e -u -o pipefail",
        "set -o errexit -o nounset -o pipefail",
        "set -eu\nset -o pipefail",
    ],
)
def test_strict_mode_forms(line: str) -> None:
    info = script(f"#!/bin/bash\n{line}\necho hi\n")
    assert info.strict.complete
    assert info.strict.line == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("set -e\n", (True, False, False)),
        ("set -euo pipefail\nset +e\n", (False, True, True)),
        ("f() { set -euo pipefail; }\n", (False, False, False)),
        ("echo 'set -e'\n", (False, False, False)),
        ("", (False, False, False)),
    ],
)
def test_strict_mode_partial_or_absent(text: str, expected: tuple[bool, bool, bool]) -> None:
    strict = script(text).strict
    assert (strict.errexit, strict.nounset, strict.pipefail) == expected


def test_shebang_flags_count_and_language_is_detected() -> None:
    info = script("#!/usr/bin/env -S bash -e\necho hi\n")
    assert info.language == "bash" and info.strict.errexit and not info.strict.nounset
    assert script("echo hi\n", "x.sh").language == "sh"
    assert script("#!/bin/zsh\n").shebang == "/bin/zsh"


# --------------------------------------------------------------------------- command kinds

KIND_CASES: list[tuple[str, DeployKind]] = [
    ("ssh -p 2222 -i key.pem ops@10.0.0.9 uptime", DeployKind.SSH),
    ("scp -P 22 app.tar ops@host.example.io:/opt/", DeployKind.SCP),
    ("rsync -az -e 'ssh -p 2' build/ ops@web1:/srv/", DeployKind.RSYNC),
    (
        "docker stack deploy -c docker-stack.yml --with-registry-auth sophia",
        DeployKind.STACK_DEPLOY,
    ),
    ("docker stack rm sophia", DeployKind.STACK_RM),
    ("docker compose -f a.yml -f b.yml up -d web", DeployKind.COMPOSE_UP),
    ("docker-compose -f a.yml down -v", DeployKind.COMPOSE_DOWN),
    ("docker-compose pull", DeployKind.COMPOSE_PULL),
    ("docker compose build --no-cache", DeployKind.COMPOSE_BUILD),
    ("docker compose logs -f", DeployKind.COMPOSE_OTHER),
    ("docker run -d --gpus all -p 80:80 --name web nginx:1.25 nginx -g x", DeployKind.DOCKER_RUN),
    ("docker build -f Dockerfile.gh200 -t img:gpu .", DeployKind.DOCKER_BUILD),
    ("docker buildx build --platform linux/arm64 -t img --push .", DeployKind.DOCKER_BUILD),
    ("docker push ghcr.io/o/img:1", DeployKind.DOCKER_PUSH),
    ("docker secret create db_password ./secrets/db.txt", DeployKind.DOCKER_SECRET_CREATE),
    ("docker service update --image img:2 sophia_web", DeployKind.DOCKER_SERVICE_UPDATE),
    ("kubectl apply -f k8s/ -n prod", DeployKind.KUBECTL_APPLY),
    ("kubectl -n prod apply -k overlays/prod", DeployKind.KUBECTL_APPLY),
    ("kubectl delete -f k8s/old.yaml", DeployKind.KUBECTL_DELETE),
    ("kubectl set image deployment/web web=img:2", DeployKind.KUBECTL_SET_IMAGE),
    ("kubectl create secret generic db --from-file=pw=./pw.txt", DeployKind.KUBECTL_CREATE_SECRET),
    ("kubectl rollout restart deployment/web", DeployKind.KUBECTL_ROLLOUT),
    ("kubectl get pods", DeployKind.KUBECTL_OTHER),
    ("helm upgrade --install sophia ./chart -f values.yaml", DeployKind.HELM_UPGRADE),
    ("helm install sophia ./chart", DeployKind.HELM_INSTALL),
    ("helm repo update", DeployKind.HELM_OTHER),
    ("kustomize build overlays/prod", DeployKind.KUSTOMIZE_BUILD),
    ("argocd app sync sophia", DeployKind.ARGOCD_SYNC),
    ("terraform apply -auto-approve", DeployKind.TERRAFORM),
    ("pulumi up --yes", DeployKind.PULUMI),
    ("ansible-playbook -i hosts site.yml", DeployKind.ANSIBLE_PLAYBOOK),
    ("./scripts/build.sh --fast", DeployKind.SCRIPT_CALL),
    ("bash scripts/deploy.sh prod", DeployKind.SCRIPT_CALL),
    ("source ./env.sh", DeployKind.SCRIPT_CALL),
    ("python3 tools/migrate.py", DeployKind.SCRIPT_CALL),
    ("make deploy ENV=prod", DeployKind.MAKE_CALL),
    ("sudo -u deploy docker compose up -d", DeployKind.COMPOSE_UP),
]


@pytest.mark.parametrize(("line", "kind"), KIND_CASES)
def test_each_command_kind_is_classified(line: str, kind: DeployKind) -> None:
    info = script(line + "\n")
    assert kinds(info)[:1] == [kind]
    assert info.deploy_commands[0].line == 1


@pytest.mark.parametrize(
    "line",
    [
        "echo docker stack deploy",
        "ls -la /opt",
        "docker ps",
        "docker images",
        "kustomize edit set image x",
        "argocd login cd.example.io",
        "python3 -m pip install x",
        "bash -c 'echo hi'",
        "/usr/bin/env",
    ],
)
def test_ordinary_commands_are_not_deploy_commands(line: str) -> None:
    assert kinds(script(line + "\n")) == []


def test_parameters_of_classified_commands() -> None:
    stack = classify(("docker", "stack", "deploy", "-c", "a.yml", "-c", "b.yml", "app"), 1)
    assert stack is not None
    assert stack.files == ("a.yml", "b.yml") and stack.param("stack") == "app"
    compose = classify(
        ("docker", "compose", "-p", "proj", "--env-file", ".env.prod", "-f", "c.yml", "up", "web"),
        1,
    )
    assert compose is not None
    assert compose.files == ("c.yml",)
    assert compose.param("project") == "proj" and compose.param("env-file") == ".env.prod"
    assert compose.param_values("service") == ("web",)
    assert compose.param("foreground") == "true"
    run = classify(("docker", "run", "--rm", "-v", "/a:/b", "img:1", "--name", "x"), 1)
    assert run is not None and run.param("image") == "img:1" and run.param("name") is None
    build = classify(("docker", "build", "-f", "D.gpu", "-t", "a:1", "--target", "gpu", "ctx"), 1)
    assert build is not None and build.files == ("D.gpu",)
    assert (build.param("tag"), build.param("target"), build.param("context")) == (
        "a:1",
        "gpu",
        "ctx",
    )
    helm = classify(("helm", "upgrade", "-i", "rel", "chart/", "-n", "ns", "--values", "v.yaml"), 1)
    assert helm is not None and helm.files == ("v.yaml",)
    assert (helm.param("release"), helm.param("chart"), helm.param("namespace")) == (
        "rel",
        "chart/",
        "ns",
    )
    scp = classify(("scp", "-r", "dist", "conf", "ops@10.0.0.1:/srv"), 1)
    assert scp is not None and scp.hosts == ("ops@10.0.0.1",) and scp.files == ("dist", "conf")
    docker_remote = classify(("docker", "-H", "ssh://ops@box", "compose", "up", "-d"), 1)
    assert docker_remote is not None and docker_remote.hosts == ("ops@box",)


def test_remote_host_of_locations() -> None:
    assert remote_host_of("ops@host:/srv") == "ops@host"
    assert remote_host_of("host::module") == "host"
    assert remote_host_of("rsync://mirror.example.io/x") == "mirror.example.io"
    assert remote_host_of("./local/dir") is None
    assert remote_host_of("/abs:odd") is None
    assert remote_host_of("Authorization: Bearer x") is None


# --------------------------------------------------------------------------- literals

GITHUB = "ghp_" + "Ab1" * 12
OPENAI = "sk-proj-" + "Zx9Yw8" * 5
AWS = "AKIA" + "ABCDEFGHIJKLMNOP"
SLACK = "xoxb-" + "123456789012-abcdefABCDEF"
PASSWORD = "correct-horse-battery"


def test_tokens_are_found_masked_and_never_kept() -> None:
    text = (
        f"export GITHUB_TOKEN={GITHUB}\n"
        f'curl -H "Authorization: Bearer {OPENAI}" https://api.sophia.ai/v1\n'
        f"docker run -e AWS_ACCESS_KEY_ID={AWS} img\n"
        f"DB_PASSWORD='{PASSWORD}'\n"
        f'ssh ops@host "echo {SLACK}"\n'
        f"kubectl create secret generic db --from-literal=url=postgres://u:{PASSWORD}@db/x\n"
    )
    info = parse_shell(text, "t.sh")
    found = [(t.line, t.kind) for t in info.tokens]
    assert (1, "secret-assignment") in found
    assert (2, "openai-key") in found
    assert (3, "aws-access-key-id") in found
    assert (4, "secret-assignment") in found
    assert (5, "slack-token") in found
    assert (6, "secret-literal") in found
    everything = repr(info) + str(info)
    for raw in (GITHUB, OPENAI, AWS, PASSWORD, SLACK):
        assert raw not in everything
    for token in info.tokens:
        assert token.preview.endswith("…") and len(token.preview) <= 5


def test_high_entropy_strings_are_tokens_but_names_are_not() -> None:
    random_like = "q8Xz2LmN4vB7tR1kP9sD3fG6hJ0w"
    info = script(f"curl -d {random_like} https://x.example.io\necho sophia-backend-production\n")
    assert [t.kind for t in info.tokens] == ["high-entropy-string"]
    assert random_like not in repr(info)


def test_variable_references_switches_and_secret_names_are_not_secrets() -> None:
    info = script(
        'DB_PASSWORD="$1"\nAPI_TOKEN=${TOKEN:-}\nexport SECRET_KEY=$(cat key)\n'
        "SKIP_SECRETS=false\nTOKEN_TTL=3600\nSECRET_NAME=postgres_password\n"
    )
    assert info.tokens == ()
    assert [t.kind for t in script("ADMIN_PASSWORD=admin123\n").tokens] == ["secret-assignment"]


def test_a_value_built_from_expansions_is_no_credential_but_its_pieces_are_scanned() -> None:
    # A webhook URL names a secret, but this one is put together from variables: the
    # literal pieces are no credential (found in a real deploy script's function).
    built = script('f() {\n  local webhook_url="https://api.example.dev/hooks/$ORG/${1}"\n}\n')
    assert built.tokens == ()
    leaked = script(f'DB_URL="postgres://app:{PASSWORD}@$DB_HOST/app"\n')
    assert [t.kind for t in leaked.tokens] == ["url-password"]
    assert PASSWORD not in repr(leaked)
    assert [t.kind for t in script(f'WEBHOOK_URL="{PASSWORD}"\n').tokens] == [
        "secret-assignment"
    ]


def test_mask_preview_never_reveals_short_values() -> None:
    assert mask_preview("abcd") == "ab…"
    assert mask_preview("abcdefghijkl") == "abcd…"
    assert mask_preview("a") == "…"


def test_hosts_and_ips_in_any_word() -> None:
    info = script("""
        API=https://api.sophia.internal:8443/v1
        curl http://192.168.10.20:9000/health
        echo 0.0.0.0 127.0.0.1 999.1.1.1 1.2.3.4.5
        docker pull ghcr.io/org/app:1.0
        cp ./conf/site.io /tmp
        # 10.0.0.99 in a comment is documentation
        """)
    assert [(h.value, h.kind, h.line) for h in info.hosts] == [
        ("api.sophia.internal", HostKind.HOSTNAME, 1),
        ("192.168.10.20", HostKind.IPV4, 2),
    ]
    assert info.hosts[1].column == 13


# --------------------------------------------------------------------------- fingerprint

DEPLOY_A = """
#!/bin/bash
set -euo pipefail
echo "Deploying sophia to production"
cd /opt/sophia
git pull origin main
docker compose -f docker-compose.production.yml pull
docker compose -f docker-compose.production.yml up -d --remove-orphans
docker system prune -f
curl -f http://10.0.0.5:8000/health
echo "done"
"""

DEPLOY_A_EDITED = """
#!/bin/bash
set -euo pipefail
echo "Deploying sophia to staging now"
cd /srv/sophia-staging
git pull origin main
docker compose -f docker-compose.staging.yml pull
docker compose -f docker-compose.staging.yml up -d --remove-orphans
docker system prune -f
curl -f http://10.0.0.7:8000/health
echo "finished"
"""

DEPLOY_A_EXTENDED = DEPLOY_A + "docker image prune -af\n"

DIFFERENT = """
#!/bin/sh
kubectl config use-context prod
helm repo add bitnami https://charts.bitnami.com/bitnami
helm upgrade --install redis bitnami/redis -n data
kubectl rollout status deployment/api -n prod
"""


def test_near_duplicates_are_similar_and_different_scripts_are_not() -> None:
    a = parse_shell(DEPLOY_A.lstrip(), "a.sh")
    b = parse_shell(DEPLOY_A_EDITED.lstrip(), "b.sh")
    c = parse_shell(DIFFERENT.lstrip(), "c.sh")
    assert a.shebang == "/bin/bash"
    # Other hosts, paths and messages only: the same script after abstraction.
    assert similarity(a, b) == 1.0
    assert similarity(a, parse_shell(DEPLOY_A_EXTENDED, "d.sh")) >= 0.75
    assert similarity(a, c) <= 0.1
    assert similarity(a, a) == 1.0
    assert similarity(a.fingerprint, b.fingerprint) == similarity(b, a)


def test_fingerprint_is_deterministic_and_free_of_values() -> None:
    first = parse_shell(DEPLOY_A, "a.sh").fingerprint
    assert first == parse_shell(DEPLOY_A, "a.sh").fingerprint
    assert not any("10.0.0.5" in shingle or "production" in shingle for shingle in first)


# --------------------------------------------------------------------------- files


def test_load_from_disk_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "d.sh"
    path.write_text("#!/bin/bash\ndocker stack deploy -c s.yml x\n", encoding="utf-8")
    info = load_shell_script(path, "scripts/d.sh")
    assert info.path == "scripts/d.sh" and info.deploy_commands[0].line == 2
    with pytest.raises(LoadError, match="cannot read"):
        load_shell_script(tmp_path / "missing.sh")


# --------------------------------------------------------------------------- examples/sophia

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def test_every_sophia_script_dockerfile_makefile_and_workflow_parses() -> None:
    if not SOPHIA.is_dir():
        pytest.skip("examples/sophia is not in this checkout")
    from kubealign.load.ci_workflow import load_workflow
    from kubealign.load.dockerfile import load_dockerfile
    from kubealign.load.makefile import load_makefile
    from kubealign.load.python_script import load_python_script

    deploy_commands = 0
    files = sorted(p for p in SOPHIA.rglob("*") if p.is_file())
    for path in files:
        name = path.relative_to(SOPHIA).as_posix()
        if path.suffix == ".sh":
            deploy_commands += len(load_shell_script(path, name).deploy_commands)
        elif path.suffix == ".py":
            load_python_script(path, name)
        elif path.name.startswith("Dockerfile"):
            assert load_dockerfile(path, name).stages
        elif path.name == "Makefile":
            assert load_makefile(path, name).targets
        elif ".github/workflows/" in name:
            assert load_workflow(path, name).jobs
    assert deploy_commands > 0
