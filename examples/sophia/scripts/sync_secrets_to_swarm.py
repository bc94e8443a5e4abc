#!/usr/bin/env python3
"""Rotate Docker Swarm secrets from deployment/env/production.env.

Swarm secrets cannot be updated in place, so every rotation creates `<name>_vN`
and prints the `docker service update --secret-rm/--secret-add` commands to run.

Usage: python scripts/sync_secrets_to_swarm.py [--env-file deployment/env/production.env] [--apply]
"""

import argparse
import subprocess
import sys
from pathlib import Path

# env var -> swarm secret base name
SECRET_MAP = {
    "POSTGRES_PASSWORD": "postgres_password",
    "PORTKEY_API_KEY": "portkey_api_key",
    "OPENROUTER_API_KEY": "openrouter_api_key",
    "GITHUB_TOKEN": "github_token",
    "SLACK_BOT_TOKEN": "slack_bot_token",
}

SERVICES_USING = {
    "postgres_password": ["sophia_postgres", "sophia_sophia-backend"],
    "portkey_api_key": ["sophia_sophia-backend", "sophia_ai-core"],
    "openrouter_api_key": ["sophia_sophia-backend", "sophia_ai-core"],
    "github_token": ["sophia_mcp-github"],
    "slack_bot_token": ["sophia_mcp-slack"],
}


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"')
    return values


def existing_versions(base: str) -> list[int]:
    out = subprocess.run(
        ["docker", "secret", "ls", "--format", "{{.Name}}"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    versions = [0] if base in out else []
    for name in out:
        if name.startswith(base + "_v") and name[len(base) + 2:].isdigit():
            versions.append(int(name[len(base) + 2:]))
    return versions


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--env-file", default="deployment/env/production.env")
    parser.add_argument("--apply", action="store_true")
    args = parser.parse_args()

    env = parse_env_file(Path(args.env_file))
    for var, base in SECRET_MAP.items():
        if var not in env:
            print(f"skip {var}: not in {args.env_file}")
            continue
        version = max(existing_versions(base), default=0) + 1
        new_name = f"{base}_v{version}"
        print(f"creating {new_name}")
        if args.apply:
            subprocess.run(["docker", "secret", "create", new_name, "-"],
                           input=env[var], text=True, check=True)
        for service in SERVICES_USING[base]:
            cmd = (f"docker service update --secret-rm {base} "
                   f"--secret-add source={new_name},target={base} {service}")
            print("  " + cmd)
            if args.apply:
                subprocess.run(cmd.split(), check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
