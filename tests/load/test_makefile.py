"""Makefiles: targets, prerequisites, recipes read as shell, variables and secrets."""

from __future__ import annotations

from pathlib import Path

from kubealign.load.makefile import load_makefile, parse_makefile
from kubealign.model.artifacts import DeployKind

MAKEFILE = (
    "# ops shortcuts\n"  # 1
    "STACK ?= sophia\n"  # 2
    "REGISTRY := ghcr.io/org\n"  # 3
    "TAG = $(shell git rev-parse --short HEAD)\n"  # 4
    "API_TOKEN = ghp_" + "Aa1Bb2Cc3" * 4 + "\n"  # 5
    ".PHONY: deploy build sub\n"  # 6
    "\n"  # 7
    "ifeq ($(ENV),prod)\n"  # 8
    "EXTRA = -f docker-compose.prod.yml\n"  # 9
    "endif\n"  # 10
    "\n"  # 11
    "build: Dockerfile requirements.txt\n"  # 12
    "\t@docker build -f Dockerfile.production.2025 \\\n"  # 13
    "\t  -t $(REGISTRY)/app:$(TAG) .\n"  # 14
    "\n"  # 15
    "deploy: build ## ship it\n"  # 16
    "\t-docker stack deploy -c docker-stack.yml $(STACK)\n"  # 17
    "\t./scripts/notify.sh $@ $$HOME\n"  # 18
    "\n"  # 19
    "sub:\n"  # 20
    "\t+$(MAKE) -C services/api deploy\n"  # 21
    "define HELP\n"  # 22
    "\tdocker stack rm everything\n"  # 23
    "endef\n"  # 24
    "quick: ; docker compose up -d\n"  # 25
    "include common.mk\n"  # 26
    "prod: ENV = production\n"  # 27
)


def test_targets_prerequisites_and_recipes() -> None:
    info = parse_makefile(MAKEFILE, "Makefile")
    assert [(t.name, t.line, t.prerequisites, t.phony) for t in info.targets] == [
        ("build", 12, ("Dockerfile", "requirements.txt"), True),
        ("deploy", 16, ("build",), True),
        ("sub", 20, (), True),
        ("quick", 25, (), False),
    ]
    build = info.target("build")
    assert build is not None
    assert [(r.line, r.silent, r.ignore_errors) for r in build.recipe] == [(13, True, False)]
    deploy = info.target("deploy")
    assert deploy is not None and deploy.recipe[0].ignore_errors
    assert info.includes == ("common.mk",)
    assert [name for name, _ in info.variables] == [
        "STACK", "REGISTRY", "TAG", "API_TOKEN", "EXTRA", "HELP",
    ]  # fmt: skip


def test_recipes_are_classified_with_make_expansion() -> None:
    info = parse_makefile(MAKEFILE, "Makefile")
    rows = [(c.line, c.kind, c.function) for c in info.deploy_commands]
    assert rows == [
        (13, DeployKind.DOCKER_BUILD, "build"),
        (17, DeployKind.STACK_DEPLOY, "deploy"),
        (18, DeployKind.SCRIPT_CALL, "deploy"),
        (21, DeployKind.MAKE_CALL, "sub"),
        (25, DeployKind.COMPOSE_UP, "quick"),
    ]
    build, stack, notify, make, _ = info.deploy_commands
    assert build.files == ("Dockerfile.production.2025",)
    assert build.param("tag") == "ghcr.io/org/app:$(git rev-parse --short HEAD)"
    assert stack.param("stack") == "sophia"
    assert notify.argv == ("./scripts/notify.sh", "deploy", "$HOME")
    assert make.param("directory") == "services/api" and make.param("target") == "deploy"
    assert [c.target for c in info.calls] == ["./scripts/notify.sh"]
    # define blocks are variables, not recipes
    assert not any(c.kind is DeployKind.STACK_RM for c in info.deploy_commands)


def test_secret_variables_are_masked() -> None:
    info = parse_makefile(MAKEFILE, "Makefile")
    assert [(t.line, t.kind) for t in info.tokens] == [(5, "secret-assignment")]
    assert "Aa1Bb2Cc3" * 4 not in repr(info)


def test_sophia_style_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "Makefile"
    path.write_text("deploy:\n\t./deploy_sophia_unified.sh production\n", encoding="utf-8")
    info = load_makefile(path, "Makefile")
    assert info.calls[0].target == "./deploy_sophia_unified.sh" and info.calls[0].line == 2
    assert parse_makefile("", "Makefile").targets == ()
