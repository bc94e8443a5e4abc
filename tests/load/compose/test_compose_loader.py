"""Raw project loading: merge, extends, include, profiles, env files, paths, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from kubealign.errors import ComposeError, ExtendsError, InterpolationError, LoadError, YamlError
from kubealign.load.compose.loader import ComposeOptions, RawProject, load_raw_project


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def load(root: Path, *files: str, **kwargs: Any) -> RawProject:
    options = ComposeOptions(
        files=tuple(root / f for f in files),
        environ=kwargs.pop("environ", {"HOME": "/home/u"}),
        **kwargs,
    )
    return load_raw_project(options)


def service(project: RawProject, name: str) -> dict[str, Any]:
    result: dict[str, Any] = project.data["services"][name]
    return result


# --------------------------------------------------------------------------- files and names


def test_default_files_with_override(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services: {web: {image: a}}\n",
            "compose.override.yaml": "services: {web: {image: b}}\n",
        },
    )
    project = load_raw_project(ComposeOptions(project_directory=tmp_path))
    assert [p.name for p in project.files] == ["compose.yaml", "compose.override.yaml"]
    assert service(project, "web")["image"] == "b"
    assert project.name == tmp_path.name.lower().lstrip("_-")


def test_missing_compose_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no compose file found"):
        load_raw_project(ComposeOptions(project_directory=tmp_path))
    with pytest.raises(LoadError, match="file not found"):
        load(tmp_path, "nope.yaml")


def test_project_name_precedence(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "name: From_File\nservices: {}\n"})
    assert load(tmp_path, "c.yaml").name == "from_file"
    env = {"COMPOSE_PROJECT_NAME": "Env.Name"}
    assert load(tmp_path, "c.yaml", environ=env).name == "envname"
    assert load(tmp_path, "c.yaml", environ=env, project_name="cli").name == "cli"


def test_version_is_accepted_and_dropped(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "version: '3.8'\nservices: {web: {image: a}}\n"})
    assert "version" not in load(tmp_path, "c.yaml").data


# --------------------------------------------------------------------------- interpolation


def test_process_environment_wins_over_dotenv(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env": "TAG=from-dotenv\nONLY=dotenv\n",
            "c.yaml": "services:\n  web:\n    image: app:${TAG}\n    labels: {x: $ONLY}\n",
        },
    )
    project = load(tmp_path, "c.yaml", environ={"TAG": "from-shell"})
    assert service(project, "web")["image"] == "app:from-shell"
    assert service(project, "web")["labels"] == {"x": "dotenv"}
    assert project.variables["ONLY"] == "dotenv"


def test_env_file_option_replaces_dotenv(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env": "TAG=dotenv\n",
            "prod.env": "TAG=prod\n",
            "c.yaml": "services: {web: {image: 'app:${TAG}'}}\n",
        },
    )
    project = load(tmp_path, "c.yaml", env_files=(tmp_path / "prod.env",))
    assert service(project, "web")["image"] == "app:prod"
    with pytest.raises(LoadError, match="env file not found"):
        load(tmp_path, "c.yaml", env_files=(tmp_path / "missing.env",))


def test_interpolation_applies_to_values_not_keys(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  web:\n    labels:\n      $KEY: $KEY\n"})
    project = load(tmp_path, "c.yaml", environ={"KEY": "k"})
    assert service(project, "web")["labels"] == {"$KEY": "k"}


def test_unset_variable_warns_once_with_position(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  web:\n    image: a:$NOPE\n    user: $NOPE\n"})
    project = load(tmp_path, "c.yaml")
    assert service(project, "web")["image"] == "a:"
    [warning] = [w for w in project.warnings if w.rule == "LOAD001"]
    assert warning.line == 3
    assert "NOPE" in warning.message


def test_missing_required_variable_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n"})
    with pytest.raises(InterpolationError) as info:
        load(tmp_path, "c.yaml")
    assert info.value.line == 3
    assert str(info.value).endswith("required variable IMAGE is missing a value: set IMAGE")
    assert "c.yaml:3" in str(info.value)


def test_compose_project_name_is_available_to_interpolation(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "name: shop\nservices: {web: {image: '${COMPOSE_PROJECT_NAME}'}}\n"})
    assert service(load(tmp_path, "c.yaml"), "web")["image"] == "shop"


# --------------------------------------------------------------------------- merge


BASE = """\
services:
  web:
    image: web:1
    command: ["run", "--base"]
    environment: [A=1, B=2]
    labels: {team: core}
    ports: ["8080:80", "9000:9000"]
    volumes: ["./a:/data", "logs:/logs"]
    dns: 1.1.1.1
    depends_on: [db]
    healthcheck: {test: ["CMD", "a"], interval: 10s}
  db:
    image: postgres
"""


def test_merge_rules_of_the_spec(tmp_path: Path) -> None:
    override = """\
    services:
      web:
        image: web:2
        command: ["run"]
        environment: {B: "3", C: "4"}
        labels: ["tier=front"]
        ports: ["8443:443"]
        volumes: ["./b:/data"]
        dns: [8.8.8.8]
        depends_on: {cache: {condition: service_healthy}}
        healthcheck: {test: ["CMD", "b"]}
      cache:
        image: redis
    """
    write(tmp_path, {"a.yaml": BASE, "b.yaml": override})
    web = service(load(tmp_path, "a.yaml", "b.yaml"), "web")
    assert web["image"] == "web:2"
    assert web["command"] == ["run"]  # replaced, not appended
    assert web["environment"] == {"A": "1", "B": "3", "C": "4"}
    assert web["labels"] == {"team": "core", "tier": "front"}
    assert web["ports"] == ["8080:80", "9000:9000", "8443:443"]  # appended
    # same target: the later volume replaces the earlier one, in its place
    assert web["volumes"] == [f"{tmp_path}/b:/data", "logs:/logs"]
    assert web["dns"] == ["1.1.1.1", "8.8.8.8"]
    assert web["depends_on"] == {
        "db": {"condition": "service_started", "required": True},
        "cache": {"condition": "service_healthy"},
    }
    assert web["healthcheck"] == {"test": ["CMD", "b"], "interval": "10s"}


def test_same_port_twice_is_kept_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"a.yaml": BASE, "b.yaml": "services:\n  web:\n    ports: ['8080:80']\n"},
    )
    assert service(load(tmp_path, "a.yaml", "b.yaml"), "web")["ports"] == ["8080:80", "9000:9000"]


def test_reset_and_override_tags(tmp_path: Path) -> None:
    override = """\
    services:
      web:
        ports: !reset []
        labels: !override {only: this}
        environment:
          A: !reset null
        depends_on: !reset
    """
    write(tmp_path, {"a.yaml": BASE, "b.yaml": override})
    web = service(load(tmp_path, "a.yaml", "b.yaml"), "web")
    assert "ports" not in web
    assert "depends_on" not in web
    assert web["labels"] == {"only": "this"}
    assert web["environment"] == {"B": "2"}


def test_sources_follow_merged_values(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": BASE, "b.yaml": "services:\n  web:\n    ports: ['1:1']\n"})
    project = load(tmp_path, "a.yaml", "b.yaml")
    assert project.sources["/services/web/ports/0"].path.endswith("a.yaml")
    third = project.sources["/services/web/ports/2"]
    assert third.path.endswith("b.yaml") and third.line == 3
    assert project.sources["/services/web/image"].line == 3


# --------------------------------------------------------------------------- extends


def test_extends_same_and_other_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "c.yaml": """\
            services:
              base:
                image: base
                environment: {A: "1"}
              mid:
                extends: base
                environment: {B: "2"}
              web:
                extends: {service: mid}
                ports: ["80"]
              worker:
                extends: {file: common/defs.yaml, service: job}
                command: ["work"]
            """,
            "common/defs.yaml": """\
            services:
              job:
                image: job
                build: ./ctx
                command: ["default"]
                volumes: ["./cache:/cache"]
            """,
        },
    )
    project = load(tmp_path, "c.yaml")
    web = service(project, "web")
    assert web["image"] == "base"
    assert web["environment"] == {"A": "1", "B": "2"}
    assert "extends" not in web
    worker = service(project, "worker")
    assert worker["command"] == ["work"]
    # relative paths of the extended file resolve against that file's directory
    assert worker["build"] == f"{tmp_path}/common/ctx"
    assert worker["volumes"] == [f"{tmp_path}/common/cache:/cache"]


def test_extends_cycle_is_reported_with_position(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"c.yaml": "services:\n  a:\n    extends: b\n  b:\n    extends: {service: a}\n"},
    )
    with pytest.raises(ExtendsError, match="extends cycle") as info:
        load(tmp_path, "c.yaml")
    assert info.value.line in (3, 5)
    assert "c.yaml" in str(info.value)


def test_extends_missing_service(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  a:\n    extends: nope\n"})
    with pytest.raises(ExtendsError, match="cannot extend service 'nope'"):
        load(tmp_path, "c.yaml")


# --------------------------------------------------------------------------- include


def test_include_loads_its_own_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "c.yaml": """\
            include:
              - inc/compose.yaml
              - path: other/x.yaml
                env_file: other/custom.env
            services:
              web: {image: web, depends_on: [cache]}
            """,
            "inc/.env": "TAG=7\n",
            "inc/compose.yaml": "services:\n  cache:\n    image: redis:$TAG\n"
            "    volumes: ['./conf:/conf']\nvolumes: {cachedata: {}}\n",
            "other/x.yaml": "services: {queue: {image: 'mq:${QTAG}'}}\n",
            "other/custom.env": "QTAG=3\n",
        },
    )
    project = load(tmp_path, "c.yaml")
    assert service(project, "cache")["image"] == "redis:7"
    assert service(project, "cache")["volumes"] == [f"{tmp_path}/inc/conf:/conf"]
    assert service(project, "queue")["image"] == "mq:3"
    assert "cachedata" in project.data["volumes"]
    assert "include" not in project.data


def test_include_conflict_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "c.yaml": "include: [inc.yaml]\nservices: {web: {image: a}}\n",
            "inc.yaml": "services: {web: {image: b}}\n",
        },
    )
    with pytest.raises(ComposeError, match="defines service 'web' differently"):
        load(tmp_path, "c.yaml")


# --------------------------------------------------------------------------- profiles


PROFILES = """\
services:
  web: {image: web}
  debug: {image: busybox, profiles: [debug]}
  tools: {image: tools, profiles: [debug, ops], depends_on: [debug]}
"""


def test_profiles(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": PROFILES})
    assert sorted(load(tmp_path, "c.yaml").data["services"]) == ["web"]
    assert sorted(load(tmp_path, "c.yaml", profiles=("debug",)).data["services"]) == [
        "debug",
        "tools",
        "web",
    ]
    env = {"COMPOSE_PROFILES": "debug"}
    assert "debug" in load(tmp_path, "c.yaml", environ=env).data["services"]
    assert len(load(tmp_path, "c.yaml", profiles=("*",)).data["services"]) == 3


def test_dependency_on_disabled_service_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": PROFILES})
    with pytest.raises(ComposeError, match="depends on 'debug'") as info:
        load(tmp_path, "c.yaml", profiles=("ops",))
    assert info.value.line == 4


def test_optional_dependency_on_disabled_service_is_dropped(tmp_path: Path) -> None:
    text = (
        "services:\n  web:\n    image: w\n    depends_on:\n      dbg: {required: false}\n"
        "  dbg: {image: d, profiles: [debug]}\n"
    )
    write(tmp_path, {"c.yaml": text})
    assert service(load(tmp_path, "c.yaml"), "web")["depends_on"] == {}


def test_keep_inactive_keeps_profile_services_and_their_dependencies(tmp_path: Path) -> None:
    """Conversion keeps every service (the disabled ones become enabled: false in values), so
    a profile is one flag per environment instead of a service missing from the chart."""
    text = (
        "services:\n  web:\n    image: w\n    depends_on:\n      dbg: {required: false}\n"
        "  dbg: {image: d, profiles: [debug]}\n"
    )
    write(tmp_path, {"c.yaml": text})
    raw = load(tmp_path, "c.yaml", keep_inactive=True)
    assert sorted(raw.data["services"]) == ["dbg", "web"]
    assert raw.active_profiles == ()
    assert "dbg" in service(raw, "web")["depends_on"]
    assert any(w.rule == "LOAD002" and "enabled: false" in w.message for w in raw.warnings)
    assert load(tmp_path, "c.yaml").active_profiles is None
    assert load(tmp_path, "c.yaml", keep_inactive=True,
                profiles=("debug",)).active_profiles == ("debug",)


# --------------------------------------------------------------------------- env_file


def test_env_file_folded_into_environment(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env": "TAG=1.2\n",
            "conf/app.env": "A=fromfile\nC=${TAG}-c\n",
            "conf/extra.env": "D=extra\n",
            "c.yaml": """\
            services:
              web:
                image: web
                env_file:
                  - conf/app.env
                  - path: conf/missing.env
                    required: false
                  - conf/extra.env
                environment: [A=env, B]
            """,
        },
    )
    project = load(tmp_path, "c.yaml", environ={"B": "shell"})
    web = service(project, "web")
    assert web["environment"] == {"A": "env", "B": "shell", "C": "1.2-c", "D": "extra"}
    assert "env_file" not in web
    assert project.sources["/services/web/environment/C"].line == 2


def test_missing_required_env_file(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  web:\n    image: w\n    env_file: nope.env\n"})
    with pytest.raises(ComposeError, match=r"nope\.env not found") as info:
        load(tmp_path, "c.yaml")
    assert info.value.line == 4


def test_bare_environment_key_unset_stays_null(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services: {web: {image: w, environment: [UNSET_X]}}\n"})
    assert service(load(tmp_path, "c.yaml"), "web")["environment"] == {"UNSET_X": None}


# --------------------------------------------------------------------------- paths and errors


def test_paths_made_absolute(tmp_path: Path) -> None:
    text = """\
    services:
      web:
        build: {context: ./app, dockerfile: Dockerfile.prod}
        volumes:
          - ~/cache:/cache
          - type: bind
            source: ../shared
            target: /shared
          - named:/named
          - /abs:/abs
    secrets:
      token: {file: ./secrets/token.txt}
    """
    write(tmp_path / "proj", {"c.yaml": text})
    web = service(load(tmp_path / "proj", "c.yaml"), "web")
    assert web["build"] == {"context": f"{tmp_path}/proj/app", "dockerfile": "Dockerfile.prod"}
    assert web["volumes"][0] == "/home/u/cache:/cache"
    assert web["volumes"][1]["source"] == f"{tmp_path}/shared"
    assert web["volumes"][2:] == ["named:/named", "/abs:/abs"]
    project = load(tmp_path / "proj", "c.yaml")
    assert project.data["secrets"]["token"]["file"] == f"{tmp_path}/proj/secrets/token.txt"


def test_remote_build_context_untouched(tmp_path: Path) -> None:
    url = "https://github.com/docker/app.git#main"
    write(tmp_path, {"c.yaml": f"services: {{web: {{build: '{url}'}}}}\n"})
    assert service(load(tmp_path, "c.yaml"), "web")["build"] == url


def test_yaml_errors_surface_with_position(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "services:\n  web: {image: a}\n  web: {image: b}\n"})
    with pytest.raises(YamlError, match="duplicate mapping key") as info:
        load(tmp_path, "c.yaml")
    assert info.value.line == 3


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, {"c.yaml": "- a\n"})
    with pytest.raises(ComposeError, match="expected a mapping at the top level"):
        load(tmp_path, "c.yaml")
