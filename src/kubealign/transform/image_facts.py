"""What well-known images need at run time, so the restricted Pod Security default fits them.

Official images often start as root and drop privileges in their entrypoint; under
``runAsNonRoot`` the kubelet refuses a root image unless the pod names a non-root UID, and a
read-only root filesystem breaks every path the process writes. These facts give the UID/GID
each image's own user has, the paths it writes (served by emptyDirs), and which images
cannot run without root (those get an explicit, reported relaxation instead).
Facts come from the images' Dockerfiles (``useradd``/``USER`` lines and documented paths).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImageFacts:
    image: str
    uid: int | None
    gid: int | None
    writable: tuple[str, ...] = ("/tmp",)
    needs_root: bool = False
    root_reason: str = ""
    alternative: str = ""
    """An image variant that runs unprivileged, for the finding's advice."""
    capabilities: tuple[str, ...] = ()
    """Capabilities a root image needs once ALL are dropped (all within Pod Security baseline)."""
    read_only_root: bool = True
    note: str = ""


_FACTS: tuple[ImageFacts, ...] = (
    ImageFacts("postgres", 999, 999, ("/var/run/postgresql", "/tmp"),
               note="set PGDATA to a subdirectory of the volume (e.g. .../data/pgdata): a "
                    "fresh volume's root is not owned by UID 999"),
    ImageFacts("postgres:alpine", 70, 70, ("/var/run/postgresql", "/tmp"),
               note="set PGDATA to a subdirectory of the volume (e.g. .../data/pgdata)"),
    ImageFacts("redis", 999, 999, ("/data", "/tmp")),
    ImageFacts("redis:alpine", 999, 1000, ("/data", "/tmp")),
    ImageFacts("valkey/valkey", 999, 999, ("/data", "/tmp")),
    ImageFacts("mysql", 999, 999, ("/var/run/mysqld", "/tmp")),
    ImageFacts("mariadb", 999, 999, ("/run/mysqld", "/tmp")),
    ImageFacts("mongo", 999, 999, ("/data/db", "/data/configdb", "/tmp")),
    ImageFacts("rabbitmq", 999, 999, ("/var/lib/rabbitmq", "/tmp")),
    ImageFacts("memcached", 11211, 11211, ("/tmp",)),
    ImageFacts("grafana/grafana", 472, 0, ("/var/lib/grafana", "/tmp")),
    ImageFacts("grafana/grafana-oss", 472, 0, ("/var/lib/grafana", "/tmp")),
    ImageFacts("prom/prometheus", 65534, 65534, ("/prometheus", "/tmp")),
    ImageFacts("prom/alertmanager", 65534, 65534, ("/alertmanager", "/tmp")),
    ImageFacts("qdrant/qdrant", 1000, 1000,
               ("/qdrant/storage", "/qdrant/snapshots", "/tmp"),
               note="the default tag runs as root; UID 1000 is the user of its "
                    "`-unprivileged` variant, which is the safer pin"),
    ImageFacts("traefik", 65532, 65532, ("/tmp",),
               note="listen on ports >= 1024 (entrypoints) when not root"),
    ImageFacts("nginxinc/nginx-unprivileged", 101, 101, ("/var/cache/nginx", "/tmp")),
    ImageFacts("nginx", None, None, ("/var/cache/nginx", "/var/run", "/tmp"), needs_root=True,
               root_reason="its master process starts as root, binds port 80 and switches "
                           "workers to UID 101",
               alternative="nginxinc/nginx-unprivileged (UID 101, listens on 8080)",
               capabilities=("CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID")),
    ImageFacts("httpd", None, None, ("/usr/local/apache2/logs", "/tmp"), needs_root=True,
               root_reason="Apache starts as root to bind port 80, then switches users",
               capabilities=("NET_BIND_SERVICE", "SETGID", "SETUID"), read_only_root=False),
    ImageFacts("wordpress", None, None, ("/var/www/html", "/tmp"), needs_root=True,
               root_reason="Apache starts as root and copies WordPress into /var/www/html",
               capabilities=("CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE", "SETGID",
                             "SETUID"), read_only_root=False),
    ImageFacts("nextcloud", None, None, ("/var/www/html", "/tmp"), needs_root=True,
               root_reason="Apache starts as root and installs Nextcloud at first start",
               capabilities=("CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE", "SETGID",
                             "SETUID"), read_only_root=False),
    ImageFacts("minio/minio", 1000, 1000, ("/data", "/tmp")),
    ImageFacts("docker.elastic.co/elasticsearch/elasticsearch", 1000, 0,
               ("/usr/share/elasticsearch/data", "/usr/share/elasticsearch/logs", "/tmp"),
               read_only_root=False, note="it writes its keystore under config/"),
    ImageFacts("elasticsearch", 1000, 0,
               ("/usr/share/elasticsearch/data", "/usr/share/elasticsearch/logs", "/tmp"),
               read_only_root=False, note="it writes its keystore under config/"),
)
_BY_NAME = {f.image: f for f in _FACTS}


def _repository(image: str) -> tuple[str, str]:
    """``docker.io/library/redis:7.2-alpine`` -> (``redis``, ``7.2-alpine``)."""
    ref = image.split("@", 1)[0]
    name, tag = ref, ""
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/",
                   "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name, tag


def image_facts(image: str | None) -> ImageFacts | None:
    """Facts for a known image (its alpine variant when the tag says so), else None."""
    if not image:
        return None
    name, tag = _repository(image)
    if "alpine" in tag and f"{name}:alpine" in _BY_NAME:
        return _BY_NAME[f"{name}:alpine"]
    return _BY_NAME.get(name)
