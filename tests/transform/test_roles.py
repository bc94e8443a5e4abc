from kubealign.model.compose import FileReference, Project, SecretDefinition, Service, VolumeMount
from kubealign.transform.roles import Role, classify_service, proxied_services

NGINX_PROXY = """
upstream api { server sophia-backend:8000; }
server {
  listen 80;
  location /api/ { proxy_pass http://api; }
  location / { proxy_pass http://sophia-frontend:3000; }
}
"""
NGINX_STATIC = """
server {
  listen 80;
  server_name _;
  root /usr/share/nginx/html;
  location / { try_files $uri /index.html; }
}
"""


def _project(*services: Service, configs: tuple[SecretDefinition, ...] = ()) -> Project:
    return Project(name="p", services=services, configs=configs)


def test_images_of_replaced_tools() -> None:
    cases = {
        "traefik:v3.2": Role.EDGE_ROUTER,
        "containrrr/watchtower:1.7.1": Role.IMAGE_UPDATER,
        "portainer/portainer-ce:2.21.4": Role.DOCKER_UI,
        "certbot/certbot:v2.11.0": Role.ACME_COMPANION,
        "docker.io/library/postgres:16": Role.APPLICATION,
    }
    for image, role in cases.items():
        service = Service(name="x", image=image)
        assert classify_service(service, _project(service), lambda _: None).role is role, image


def test_nginx_that_proxies_is_the_edge_router() -> None:
    edge = Service(
        name="edge",
        image="nginx:1.27-alpine",
        volumes=(VolumeMount(type="bind", source="/repo/nginx.conf", target="/etc/nginx/nginx.conf",
                             read_only=True),),
    )
    project = _project(edge, Service(name="sophia-backend", image="b"),
                       Service(name="sophia-frontend", image="f"))
    decision = classify_service(edge, project, {"/repo/nginx.conf": NGINX_PROXY}.get)
    assert decision.role is Role.EDGE_ROUTER
    assert "sophia-backend" in decision.evidence and "sophia-frontend" in decision.evidence


def test_nginx_that_serves_files_is_an_application() -> None:
    web = Service(name="web", image="nginx:1.27", configs=(FileReference(source="site"),))
    project = _project(web, Service(name="api", image="a"),
                       configs=(SecretDefinition(name="site", content=NGINX_STATIC),))
    assert classify_service(web, project, lambda _: None).role is Role.APPLICATION


def test_upstream_detection_ignores_unknown_hosts() -> None:
    assert proxied_services("proxy_pass http://example.com;", {"api"}) == set()
    assert proxied_services("reverse_proxy api:8080", {"api"}) == {"api"}
