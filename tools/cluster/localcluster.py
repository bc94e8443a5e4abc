"""A local Kubernetes control plane for kubealign's end-to-end tests (make cluster).

Real components on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
(built from their Go modules by ``make tools``) and KWOK, which plays the kubelets: it keeps
fake nodes Ready, turns scheduled pods Running, completes Job pods, and (its ``volume`` stages)
provisions and binds a PersistentVolume for every claim of the ``kwok-volume`` StorageClass.
Nodes come from kubealign's own node preparation (``cluster/node-pools.yaml`` and
``cluster/prepare-nodes.sh``, as ``kubealign cluster`` or ``migrate`` writes them); the labels
and taints are applied by running that script, so the harness tests it as well.

Usage: ``python tools/cluster/localcluster.py up [--plan P | --pools DIR]``, ``down``,
``nodes --pools DIR``, ``env``. Everything lives under ``.cluster/`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS_GO = ROOT / "tools" / "go"
ESO_MODULE = "github.com/external-secrets/external-secrets@v0.16.2"
FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
POOL_LABEL = "kubealign.test/pool"
GPU_RESOURCE = "nvidia.com/gpu"
SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/16"
NODE_IP = "192.0.2.10"
PROCESSES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
CPU_NODES = 3
# A start that fails (a port taken between choosing and binding it, a component slow under
# load) is retried this many times with new ports before the failure is reported.
START_ATTEMPTS = 2
LOG_TAIL_LINES = 12


class ClusterError(RuntimeError):
    """The local cluster could not be brought up; the message says which part and why.

    An exception rather than ``SystemExit``: pytest caches a session fixture's failure only
    for ``Exception`` subclasses, and a ``SystemExit`` from the e2e fixture turned every later
    test into an internal ``assert not self._finalizers`` that hid the reason."""
# KWOK stage files (read from the kwok module source) that make fake nodes and pods behave.
KWOK_STAGES = (
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
    "kustomize/stage/volume/fast/pvc-provision.yaml",
    "kustomize/stage/volume/fast/pv-bind.yaml",
    "kustomize/stage/volume/fast/pv-delete.yaml",
    "kustomize/stage/volume/fast/pvc-delete.yaml",
)
STORAGE_CLASS = "kustomize/stage/volume/fast/storage-class.yaml"


def state_dir() -> Path:
    return Path(os.environ.get("KUBEALIGN_CLUSTER_DIR", ROOT / ".cluster")).resolve()


def tools_bin() -> Path:
    explicit = os.environ.get("TOOLS_BIN")
    if explicit:
        return Path(explicit).resolve()
    current = ROOT / ".tools" / "bin" / "current"
    return current.resolve()


def binary(name: str) -> str:
    path = tools_bin() / name
    if not path.is_file():
        raise ClusterError(f"{path}: missing; run `make tools` first")
    return str(path)


def kubeconfig_path() -> Path:
    return state_dir() / "kubeconfig"


def log(message: str) -> None:
    print(f"cluster: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- certificates


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _signed_cert(pki: Path, name: str, subject: str, extensions: str) -> None:
    """A key and a CA-signed certificate ``name.crt`` with the given v3 extensions."""
    (pki / f"{name}.ext").write_text(extensions, encoding="utf-8")
    _openssl("genrsa", "-out", f"{name}.key", "2048", cwd=pki)
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr",
             cwd=pki)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "30", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
             cwd=pki)


PKI_FILES = ("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key",
             "sa.key", "sa.pub")
# Each certificate with its key; both are issued by ca.crt.
PKI_PAIRS = (("apiserver.crt", "apiserver.key"), ("admin.crt", "admin.key"))


def pki_complete(pki: Path) -> bool:
    """Every file is there, each certificate matches its key and was issued by this CA.

    An interrupted generation (or an older layout) leaves files of different generations; the
    API server then starts but every client handshake fails (KEY_VALUES_MISMATCH), so such a
    folder is regenerated instead of trusted because one file exists.
    """
    if not all((pki / name).is_file() for name in PKI_FILES):
        return False
    for cert, key in PKI_PAIRS:
        try:
            ssl.create_default_context().load_cert_chain(str(pki / cert), str(pki / key))
        except (ssl.SSLError, OSError):
            return False
        verified = subprocess.run(
            ["openssl", "verify", "-CAfile", "ca.crt", cert], cwd=pki, capture_output=True,
            check=False)
        if verified.returncode != 0:
            return False
    return True


def _generate_pki(pki: Path) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "30", "-subj", "/CN=kubealign-test-ca", cwd=pki)
    _signed_cert(
        pki, "apiserver", "/CN=kube-apiserver",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,"
        "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,"
        "DNS:kubernetes.default.svc.cluster.local\n",
    )
    # O=system:masters: the admin identity every component and the tests use (loopback only).
    _signed_cert(
        pki, "admin", "/O=system:masters/CN=kubealign-admin",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=clientAuth\n",
    )
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=pki)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)


def ensure_pki(pki: Path) -> None:
    """CA, API server serving certificate, admin client certificate, service-account keys.

    Generated in a temporary folder beside ``pki`` and renamed into place, so a generation
    killed halfway leaves no half-written ``pki``; a folder that is incomplete or mixes
    generations (``pki_complete``) is replaced by a fresh one.
    """
    if pki_complete(pki):
        return
    pki.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".pki.", dir=pki.parent))
    try:
        _generate_pki(fresh)
        if pki.exists():
            stale = Path(tempfile.mkdtemp(prefix=".pki-stale.", dir=pki.parent))
            pki.rename(stale / "pki")
            shutil.rmtree(stale, ignore_errors=True)
        fresh.rename(pki)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports: every socket stays bound until all are chosen,
    so the kernel cannot hand out the same port twice (one closed socket's port may be the
    next one's)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True, slots=True)
class Ports:
    etcd_client: int
    etcd_peer: int
    apiserver: int


def _start(name: str, command: Sequence[str], root: Path) -> None:
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("ab") as out:
        process = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=root,
        )
    (root / "pids").mkdir(exist_ok=True)
    (root / "pids" / name).write_text(str(process.pid), encoding="utf-8")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def running_pids(root: Path) -> dict[str, int]:
    pids: dict[str, int] = {}
    for name in PROCESSES:
        path = root / "pids" / name
        if path.is_file():
            pid = int(path.read_text(encoding="utf-8").strip() or 0)
            if pid and _alive(pid):
                pids[name] = pid
    return pids


def _ssl_context(pki: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return context


def log_tail(root: Path, name: str, lines: int = LOG_TAIL_LINES) -> str:
    path = root / "logs" / f"{name}.log"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"({path} not written)"
    return "\n".join(f"  {line}" for line in text.splitlines()[-lines:])


def _died(root: Path, names: Sequence[str]) -> str | None:
    """The first of these components whose process has exited, with its log's last lines."""
    alive = running_pids(root)
    for name in names:
        if name not in alive:
            return f"{name} exited; the end of {root}/logs/{name}.log:\n{log_tail(root, name)}"
    return None


def _wait_http(root: Path, name: str, url: str, context: ssl.SSLContext | None,
               components: Sequence[str], timeout: float) -> None:
    """``url`` answers 200 within ``timeout``; fails at once when a component it needs dies."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, context=context, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError as exc:
            last = str(exc)
        died = _died(root, components)
        if died:
            raise ClusterError(f"{name} not ready: {died}")
        time.sleep(0.5)
    raise ClusterError(f"{name} not ready after {timeout:.0f}s ({last}); the end of "
                       f"{root}/logs/{name}.log:\n{log_tail(root, name)}")


def wait_ready(root: Path, port: int, path: str = "/readyz", timeout: float = 180) -> None:
    _wait_http(root, "kube-apiserver", f"https://127.0.0.1:{port}{path}",
               _ssl_context(root / "pki"), ("etcd", "kube-apiserver"), timeout)


def write_kubeconfig(root: Path, port: int) -> Path:
    pki = root / "pki"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubealign-e2e", "cluster": {
            "server": f"https://127.0.0.1:{port}",
            "certificate-authority": str(pki / "ca.crt")}}],
        "users": [{"name": "admin", "user": {
            "client-certificate": str(pki / "admin.crt"),
            "client-key": str(pki / "admin.key")}}],
        "contexts": [{"name": "kubealign-e2e", "context": {
            "cluster": "kubealign-e2e", "user": "admin"}}],
        "current-context": "kubealign-e2e",
    }
    path = root / "kubeconfig"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)
    return path


def module_dir(module: str) -> Path:
    """A Go module's source folder in GOMODCACHE (downloaded through the module proxy)."""
    done = subprocess.run(["go", "mod", "download", "-json", module], cwd=TOOLS_GO,
                          capture_output=True, text=True, check=True)
    return Path(json.loads(done.stdout)["Dir"])


def kwok_config(root: Path) -> Path:
    kwok = module_dir(_required_version("sigs.k8s.io/kwok"))
    documents = [
        "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions:\n"
        "  enableCRDs: []\n  nodeLeaseDurationSeconds: 40\n  nodeLeaseParallelism: 4\n"
        "  podPlayStageParallelism: 4\n  nodePlayStageParallelism: 4\n"
        "  podsOnNodeSyncParallelism: 4\n"
    ]
    documents += [(kwok / stage).read_text(encoding="utf-8") for stage in KWOK_STAGES]
    path = root / "kwok.yaml"
    path.write_text("\n---\n".join(doc.strip() + "\n" for doc in documents), encoding="utf-8")
    return path


def _required_version(module: str) -> str:
    done = subprocess.run(["go", "list", "-m", "-f", "{{.Path}}@{{.Version}}", module],
                          cwd=TOOLS_GO, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def start(root: Path) -> Ports:
    ensure_pki(root / "pki")
    pki = root / "pki"
    ports = Ports(*free_ports(3))
    (root / "ports.json").write_text(json.dumps(_ports_dict(ports)), encoding="utf-8")
    etcd_client = f"http://127.0.0.1:{ports.etcd_client}"
    etcd_peer = f"http://127.0.0.1:{ports.etcd_peer}"
    _start("etcd", [
        binary("etcd"), "--name", "e2e", "--data-dir", str(root / "etcd"),
        "--listen-client-urls", etcd_client, "--advertise-client-urls", etcd_client,
        "--listen-peer-urls", etcd_peer, "--initial-advertise-peer-urls", etcd_peer,
        "--initial-cluster", f"e2e={etcd_peer}", "--unsafe-no-fsync",
        "--log-level", "warn",
    ], root)
    # etcd first, on its own: a port lost to another process shows here as etcd's own
    # error instead of as an API server that never becomes ready.
    _wait_http(root, "etcd", f"{etcd_client}/health", None, ("etcd",), 60)
    _start("kube-apiserver", [
        binary("kube-apiserver"), "--etcd-servers", etcd_client,
        "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
        "--secure-port", str(ports.apiserver), "--cert-dir", str(root / "apiserver-certs"),
        "--tls-cert-file", str(pki / "apiserver.crt"),
        "--tls-private-key-file", str(pki / "apiserver.key"),
        "--client-ca-file", str(pki / "ca.crt"),
        "--service-account-key-file", str(pki / "sa.pub"),
        "--service-account-signing-key-file", str(pki / "sa.key"),
        "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range", SERVICE_CIDR,
        "--authorization-mode", "RBAC", "--allow-privileged=true",
        "--endpoint-reconciler-type", "none",
    ], root)
    kubeconfig = write_kubeconfig(root, ports.apiserver)
    wait_ready(root, ports.apiserver)
    _start("kube-controller-manager", [
        binary("kube-controller-manager"), "--kubeconfig", str(kubeconfig),
        "--authentication-kubeconfig", str(kubeconfig),
        "--authorization-kubeconfig", str(kubeconfig),
        "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", "0",
        "--service-account-private-key-file", str(pki / "sa.key"),
        "--root-ca-file", str(pki / "ca.crt"),
        "--service-cluster-ip-range", SERVICE_CIDR, "--use-service-account-credentials=false",
        "--controllers", "*,-nodeipam", "--concurrent-deployment-syncs", "10",
    ], root)
    _start("kube-scheduler", [
        binary("kube-scheduler"), "--kubeconfig", str(kubeconfig),
        "--authentication-kubeconfig", str(kubeconfig),
        "--authorization-kubeconfig", str(kubeconfig),
        "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", "0",
    ], root)
    _start("kwok", [
        binary("kwok"), "--kubeconfig", str(kubeconfig), "--config", str(kwok_config(root)),
        "--manage-all-nodes=false",
        f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}=fake",
        # Fake nodes get an address from TEST-NET-1, not loopback: a hostNetwork pod takes its
        # node's IP, and the API server refuses loopback addresses in Endpoints. Pod IPs
        # come from a /16 so a corpus run never exhausts them.
        "--node-ip", NODE_IP, "--cidr", POD_CIDR,
        "--server-address", f"127.0.0.1:{free_port()}",
    ], root)
    return ports


def _ports_dict(ports: Ports) -> dict[str, int]:
    return {"etcd_client": ports.etcd_client, "etcd_peer": ports.etcd_peer,
            "apiserver": ports.apiserver}


def stop(root: Path) -> None:
    pids = running_pids(root)
    for name in reversed(PROCESSES):
        pid = pids.get(name)
        if pid is None:
            continue
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            continue
    deadline = time.monotonic() + 20
    for pid in pids.values():
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- kubectl


def kubectl(*args: str, stdin: str | None = None, check: bool = True) -> str:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig_path())}
    done = subprocess.run([binary("kubectl"), *args], input=stdin, capture_output=True,
                          text=True, env=env, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def kubectl_json(*args: str) -> Any:
    return json.loads(kubectl(*args, "-o", "json"))


def install_base() -> None:
    """The simulated provisioner's StorageClass (default class) and the CRDs the chart uses."""
    kwok = module_dir(_required_version("sigs.k8s.io/kwok"))
    kubectl("apply", "-f", str(kwok / STORAGE_CLASS))
    eso = module_dir(ESO_MODULE) / "config" / "crds" / "bases"
    for crd in sorted(eso.glob("external-secrets.io_*.yaml")):
        kubectl("apply", "--server-side", "--force-conflicts", "-f", str(crd))
    wait_established(("externalsecrets.external-secrets.io", "secretstores.external-secrets.io",
                      "clustersecretstores.external-secrets.io"))


def wait_established(crds: Sequence[str], timeout: float = 60) -> None:
    """Every CRD reports Established. Polled rather than ``kubectl wait``: a CRD created a
    moment ago has no status.conditions yet, and ``kubectl wait`` fails on that instead of
    waiting."""
    deadline = time.monotonic() + timeout
    pending = list(crds)
    while pending:
        pending = [name for name in pending if not any(
            c.get("type") == "Established" and c.get("status") == "True"
            for c in (kubectl_json("get", "crd", name).get("status") or {}).get("conditions")
            or [])]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise ClusterError(
                f"CRDs not Established after {timeout:.0f}s: {', '.join(pending)}")
        time.sleep(0.5)


# --------------------------------------------------------------------------- nodes


def _node(name: str, labels: Mapping[str, str], capacity: Mapping[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {FAKE_NODE_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                       "type": "kwok", **labels},
        },
        "spec": {},
        "status": {"capacity": dict(capacity), "allocatable": dict(capacity)},
    }


def _base_capacity() -> dict[str, str]:
    # The plan names GPU models, not machine sizes, so every simulated node is as large as
    # the seed's largest Lambda Labs machine (GH200: 64 vCPUs, 432 GiB) with headroom: CPU
    # and memory never decide placement here; GPU counts, labels and taints do.
    return {"cpu": "72", "memory": "480Gi", "pods": "110", "ephemeral-storage": "1Ti"}


def pool_nodes(inventory: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(pool, node name, Node object) for every node of every pool of a node-pools.yaml."""
    nodes: list[tuple[str, str, dict[str, Any]]] = []
    for pool in inventory.get("pools") or []:
        names = list(pool.get("nodes") or []) or [f"{pool['name']}-node-0"]
        arch = str(pool.get("architecture") or "amd64")
        capacity = _base_capacity()
        # A GPU pool whose count the plan does not know still has one GPU per node, as the
        # smallest real machine of that model does (a GH200 instance: one superchip).
        gpus = pool.get("gpusPerNode") or (1 if pool.get("gpu") else None)
        if gpus:
            capacity[GPU_RESOURCE] = str(gpus)
        for name in names:
            labels = {"kubernetes.io/arch": arch, POOL_LABEL: str(pool["name"])}
            product = pool.get("expectedGpuProduct")
            if product:
                labels["nvidia.com/gpu.product"] = str(product)
            nodes.append((str(pool["name"]), str(name), _node(str(name), labels, capacity)))
    return nodes


def labelled_nodes(inventory: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(placeholder, node name, Node object): an untainted node for every node that
    ``nodeLabels`` of a node-pools.yaml asks someone to label (placement constraints on
    ``node.labels.*``), with the GPUs the entry says its nodes need; kubealign's
    prepare-nodes.sh labels it, as a user would."""
    nodes: list[tuple[str, str, dict[str, Any]]] = []
    for index, entry in enumerate(inventory.get("nodeLabels") or []):
        capacity = _base_capacity()
        if entry.get("gpusPerNode"):  # GPU services select these nodes: they have GPUs
            capacity[GPU_RESOURCE] = str(entry["gpusPerNode"])
        for number, placeholder in enumerate(entry.get("placeholders") or [], start=1):
            name = f"labelled-{index}-{number}"
            nodes.append((str(placeholder), name, _node(
                name, {"kubernetes.io/arch": "amd64", POOL_LABEL: "cpu"}, capacity)))
    return nodes


def ensure_cpu_nodes(count: int = CPU_NODES) -> None:
    objects = [_node(f"cpu-node-{i}", {"kubernetes.io/arch": "amd64", POOL_LABEL: "cpu"},
                     _base_capacity()) for i in range(count)]
    _apply_nodes(objects)


def _apply_nodes(objects: Sequence[Mapping[str, Any]]) -> None:
    if not objects:
        return
    kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(list(objects), sort_keys=False))
    # A Node's status is a subresource: apply writes the spec, so set capacity explicitly
    # before KWOK initialises the node (its stage keeps the capacity it finds).
    for obj in objects:
        patch = json.dumps({"status": obj["status"]})
        kubectl("patch", "node", obj["metadata"]["name"], "--subresource", "status",
                "--type", "merge", "-p", patch)


def apply_pools(pools_dir: Path) -> list[str]:
    """Create the nodes of ``pools_dir/cluster/node-pools.yaml``, then run kubealign's own
    ``prepare-nodes.sh`` on them; return the problems found comparing nodes with the inventory.
    """
    cluster_dir = pools_dir / "cluster" if (pools_dir / "cluster").is_dir() else pools_dir
    inventory = yaml.safe_load((cluster_dir / "node-pools.yaml").read_text(encoding="utf-8"))
    nodes = pool_nodes(inventory or {})
    labelled = labelled_nodes(inventory or {})
    _apply_nodes([obj for _, _, obj in (*nodes, *labelled)])
    script = (cluster_dir / "prepare-nodes.sh").read_text(encoding="utf-8")
    for pool, name, _ in nodes:
        # Pools without node names get a placeholder in the script; it names our node here.
        script = script.replace(shlex.quote(f"<{pool}-node>"), shlex.quote(name))
    for placeholder, name, _ in labelled:
        script = script.replace(shlex.quote(placeholder), shlex.quote(name))
    shim = Path(tempfile.mkdtemp(prefix="kubealign-kubectl-"))
    try:
        (shim / "kubectl").symlink_to(binary("kubectl"))
        env = {**os.environ, "KUBECONFIG": str(kubeconfig_path()),
               "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}"}
        done = subprocess.run(["sh", "-s"], input=script, text=True, capture_output=True,
                              env=env, check=False)
    finally:
        shutil.rmtree(shim, ignore_errors=True)
    problems = [] if done.returncode == 0 else [
        f"prepare-nodes.sh failed ({done.returncode}): {done.stderr.strip()[-300:]}"]
    problems += share_gpus(cluster_dir / "gpu-sharing.yaml", nodes)
    return problems + compare_nodes(inventory or {}, nodes) + \
        compare_labelled(inventory or {}, labelled)


SHARING_LABEL = "nvidia.com/device-plugin.config"


def share_gpus(config_file: Path, nodes: Sequence[tuple[str, str, dict[str, Any]]]) -> list[str]:
    """The simulated NVIDIA device plugin with time-slicing: a node labelled
    ``nvidia.com/device-plugin.config=<key>`` advertises each of its GPUs ``replicas`` times,
    as the key of kubealign's gpu-sharing.yaml says (what the real plugin reads from that
    ConfigMap). Returns the problems: a label naming no key, a key with no replicas."""
    if not config_file.is_file():
        return []
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    keys = config.get("data") or {}
    problems: list[str] = []
    for _pool, name, obj in nodes:
        live = kubectl_json("get", "node", name)
        key = (live["metadata"].get("labels") or {}).get(SHARING_LABEL)
        if key is None:
            continue
        if key not in keys:
            problems.append(f"node {name}: {SHARING_LABEL}={key} names no key of "
                            f"{config_file.name}")
            continue
        resources = ((yaml.safe_load(keys[key]) or {}).get("sharing", {})
                     .get("timeSlicing", {}).get("resources") or [])
        replicas = next((int(r["replicas"]) for r in resources
                         if r.get("name") == GPU_RESOURCE), None)
        gpus = obj["status"]["capacity"].get(GPU_RESOURCE)
        if replicas is None or gpus is None:
            problems.append(f"node {name}: key {key} of {config_file.name} has no "
                            f"{GPU_RESOURCE} replicas, or the node no GPU")
            continue
        shared = str(int(gpus) * replicas)
        patch = json.dumps({"status": {"capacity": {GPU_RESOURCE: shared},
                                       "allocatable": {GPU_RESOURCE: shared}}})
        kubectl("patch", "node", name, "--subresource", "status", "--type", "merge",
                "-p", patch)
    return problems


def compare_nodes(inventory: Mapping[str, Any],
                  nodes: Sequence[tuple[str, str, dict[str, Any]]]) -> list[str]:
    """Every node carries its pool's labels and taints after prepare-nodes.sh ran."""
    problems: list[str] = []
    pools = {str(p["name"]): p for p in inventory.get("pools") or []}
    for pool_name, name, _ in nodes:
        pool = pools[pool_name]
        live = kubectl_json("get", "node", name)
        labels = live["metadata"].get("labels") or {}
        for key, value in (pool.get("labels") or {}).items():
            if labels.get(key) != str(value):
                problems.append(f"node {name}: label {key}={value} missing after "
                                "prepare-nodes.sh")
        taints = {(t["key"], t.get("value"), t["effect"])
                  for t in live.get("spec", {}).get("taints") or []}
        for taint in pool.get("taints") or []:
            if (taint["key"], taint.get("value"), taint["effect"]) not in taints:
                problems.append(f"node {name}: taint {taint} missing after prepare-nodes.sh")
    return problems


def compare_labelled(inventory: Mapping[str, Any],
                     nodes: Sequence[tuple[str, str, dict[str, Any]]]) -> list[str]:
    """Every node standing for a ``nodeLabels`` placeholder carries its labels afterwards."""
    wanted = {str(placeholder): entry.get("labels") or {}
              for entry in inventory.get("nodeLabels") or []
              for placeholder in entry.get("placeholders") or []}
    problems: list[str] = []
    for placeholder, name, _ in nodes:
        labels = kubectl_json("get", "node", name)["metadata"].get("labels") or {}
        problems += [f"node {name}: label {key}={value} missing after prepare-nodes.sh"
                     for key, value in wanted[placeholder].items()
                     if labels.get(key) != str(value)]
    return problems


_LIFECYCLE_TAINTS = frozenset({"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"})


def wait_nodes_ready(timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = kubectl_json("get", "nodes")["items"]
        # Ready, and the node lifecycle controller has taken its not-ready taint off: a node
        # that still carries it looks tainted to the placement checks for a moment.
        ready = [n for n in items if any(c["type"] == "Ready" and c["status"] == "True"
                                         for c in n.get("status", {}).get("conditions") or [])
                 and not any(t.get("key") in _LIFECYCLE_TAINTS
                             for t in n.get("spec", {}).get("taints") or ())]
        if items and len(ready) == len(items):
            return
        time.sleep(1)
    root = state_dir()
    raise ClusterError(f"KWOK did not make every node Ready within {timeout:.0f}s; the end of "
                       f"{root}/logs/kwok.log:\n{log_tail(root, 'kwok')}")


# --------------------------------------------------------------------------- commands


def kubealign(*args: str) -> subprocess.CompletedProcess[str]:
    exe = ROOT / ".venv" / "bin" / "kubealign"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=False)


def default_pools(root: Path) -> Path:
    """The seed's Lambda Labs layout: the node pools kubealign plans for examples/sophia."""
    out = root / "default-plan"
    if not (out / "cluster" / "node-pools.yaml").is_file():
        done = kubealign("migrate", str(ROOT / "examples" / "sophia"), "--out", str(out))
        if not (out / "cluster" / "node-pools.yaml").is_file():
            raise ClusterError(
                f"kubealign migrate examples/sophia failed: {done.stderr[-500:]}")
    return out


def pools_from_plan(plan: Path, root: Path) -> Path:
    out = root / "plan-nodes"
    shutil.rmtree(out, ignore_errors=True)
    done = kubealign("cluster", str(plan), "--out", str(out))
    if done.returncode != 0:
        raise ClusterError(f"kubealign cluster {plan} failed: {done.stderr.strip()}")
    return out


def up(plan: Path | None, pools: Path | None) -> Path:
    root = state_dir()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    pids = running_pids(root)
    if set(pids) != set(PROCESSES):
        if pids:
            stop(root)
        ports = start_with_retry(root)
        log(f"control plane on https://127.0.0.1:{ports.apiserver}")
    # Both are idempotent applies: a start interrupted after the control plane came up
    # (or a base that changed) is completed by the next `up` instead of left half-made.
    install_base()
    ensure_cpu_nodes()
    source = pools or (pools_from_plan(plan, root) if plan else default_pools(root))
    problems = apply_pools(source)
    wait_nodes_ready()
    for problem in problems:
        log(f"node preparation: {problem}")
    log(f"ready in {time.monotonic() - started:.1f}s")
    if problems:
        raise ClusterError(f"{len(problems)} node preparation problem(s): {problems[0]}")
    return kubeconfig_path()


def start_with_retry(root: Path, attempts: int = START_ATTEMPTS) -> Ports:
    """``start`` from an empty etcd, again with new ports if a component fails to come up;
    the last failure is raised with every earlier one (they are also logged)."""
    failures: list[str] = []
    for attempt in range(1, attempts + 1):
        shutil.rmtree(root / "etcd", ignore_errors=True)
        try:
            return start(root)
        except ClusterError as exc:
            failures.append(f"attempt {attempt}: {exc}")
            log(f"start failed (attempt {attempt} of {attempts}): {exc}")
            stop(root)
    raise ClusterError("the control plane did not start:\n" + "\n".join(failures))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    up_cmd = sub.add_parser("up", help="start (or reuse) the cluster and create the nodes")
    up_cmd.add_argument("--plan", type=Path, help="kubealign.yaml: nodes from `kubealign cluster`")
    up_cmd.add_argument("--pools", type=Path, help="a folder holding cluster/node-pools.yaml")
    nodes_cmd = sub.add_parser("nodes", help="add the nodes of a cluster/ folder")
    nodes_cmd.add_argument("pools", type=Path)
    sub.add_parser("down", help="stop every component and delete .cluster/")
    sub.add_parser("env", help="print the export line")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ClusterError as exc:
        log(str(exc))
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "up":
        path = up(args.plan, args.pools)
        print(f"export KUBECONFIG={path}")
    elif args.command == "nodes":
        problems = apply_pools(args.pools)
        wait_nodes_ready()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    elif args.command == "down":
        root = state_dir()
        stop(root)
        shutil.rmtree(root, ignore_errors=True)
        log(f"stopped; removed {root}")
    else:
        print(f"export KUBECONFIG={kubeconfig_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
