#!/usr/bin/env python3
"""Deploy Sophia to the real internet (public DNS + TLS via Traefik) over SSH - v2.

v2: retries the SSH connection, pins BACKEND_TAG, and checks the public health endpoint.
"""

import os
import sys
import time
import urllib.request

import paramiko

HOST = "192.0.2.10"
USER = "ubuntu"
KEY_FILE = os.path.expanduser("~/.ssh/lambda_sophia.pem")
REMOTE_DIR = "/opt/sophia"
BACKEND_TAG = "2025.01.10"
FILES = [
    "docker-compose.cloud.yml",
    ".env",
    "config/llm/portkey-config.json",
    "config/llm/llm-gateway.yaml",
    "config/prometheus/prometheus.yml",
    "config/grafana/provisioning/datasources/datasources.yml",
]


def connect(retries: int = 3) -> paramiko.SSHClient:
    for attempt in range(1, retries + 1):
        try:
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            client.connect(HOST, username=USER, key_filename=KEY_FILE, timeout=20)
            return client
        except (paramiko.SSHException, OSError) as exc:
            print(f"ssh attempt {attempt} failed: {exc}")
            time.sleep(5 * attempt)
    raise SystemExit(f"cannot reach {HOST}")


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
    run(client, f"cd {REMOTE_DIR} && BACKEND_TAG={BACKEND_TAG} "
                "docker stack deploy -c docker-compose.cloud.yml --with-registry-auth sophia")
    print(run(client, "docker stack services sophia"))
    client.close()

    for _ in range(30):
        try:
            with urllib.request.urlopen("https://api.sophia-ai.example.com/health", timeout=5) as r:
                print("public health:", r.status)
                return
        except OSError:
            time.sleep(10)
    raise SystemExit("public endpoint not healthy")


if __name__ == "__main__":
    main()
