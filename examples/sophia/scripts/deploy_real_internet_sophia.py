#!/usr/bin/env python3
"""Deploy Sophia to the real internet (public DNS + TLS via Traefik) over SSH.

Uploads the Swarm stack file and the mounted configs with SFTP, then runs
`docker stack deploy` on the manager.
"""

import os
import sys

import paramiko

HOST = "192.0.2.10"
USER = "ubuntu"
KEY_FILE = os.path.expanduser("~/.ssh/lambda_sophia.pem")
REMOTE_DIR = "/opt/sophia"
FILES = [
    "docker-compose.cloud.yml",
    "config/llm/portkey-config.json",
    "config/llm/llm-gateway.yaml",
    "config/prometheus/prometheus.yml",
    "config/grafana/provisioning/datasources/datasources.yml",
]


def connect() -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(HOST, username=USER, key_filename=KEY_FILE, timeout=20)
    return client


def run(client: paramiko.SSHClient, command: str) -> str:
    print(f"$ {command}")
    _, stdout, stderr = client.exec_command(command)
    status = stdout.channel.recv_exit_status()
    out = stdout.read().decode()
    if status != 0:
        print(stderr.read().decode(), file=sys.stderr)
        raise SystemExit(f"command failed ({status}): {command}")
    return out


def main() -> None:
    client = connect()
    sftp = client.open_sftp()
    for path in FILES:
        run(client, f"mkdir -p {REMOTE_DIR}/{os.path.dirname(path) or '.'}")
        sftp.put(path, f"{REMOTE_DIR}/{path}")
    sftp.close()
    run(client, f"cd {REMOTE_DIR} && docker stack deploy -c docker-compose.cloud.yml sophia")
    print(run(client, "docker stack services sophia"))
    client.close()


if __name__ == "__main__":
    main()
