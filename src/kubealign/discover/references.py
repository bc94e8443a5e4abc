"""Second pass: what one file says about another.

- files a compose file mounts or loads (``env_file``, bind-mount sources, ``configs``/
  ``secrets`` ``file:``) become mounted configs; ``env_file`` targets are env files;
- Dockerfiles a compose ``build:`` names are Dockerfiles whatever their name;
- compose files passed to ``docker stack deploy -c`` by a script or CI job are Swarm stacks;
  those passed to ``docker compose -f`` are compose files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from kubealign.discover.classify import Draft, add_dockerfile, add_env_file
from kubealign.discover.reading import TEXT_CAP_BYTES, read_text
from kubealign.model.inventory import ArtifactKind, MountedConfigInfo, MountReference

K = ArtifactKind
_MOUNT_KEYS = frozenset({"env_file", "volume", "config", "secret"})


def _text_of(draft: Draft) -> str | None:
    if draft.text is None:
        content = read_text(draft.file.location, draft.file.size, TEXT_CAP_BYTES)
        draft.text = content.text if content is not None else None
    return draft.text


def _under(directory: str, drafts: Mapping[str, Draft]) -> list[Draft]:
    prefix = directory + "/"
    return [draft for path, draft in drafts.items() if path.startswith(prefix)]


def _mount_targets(compose_path: str, target: str, drafts: Mapping[str, Draft]) -> list[Draft]:
    if target in drafts:
        return [drafts[target]]
    compose_dir = posixpath.dirname(compose_path)
    # Mounting the project itself (".:/app") says nothing about the files in it.
    if target in (".", compose_dir) or compose_dir.startswith(target + "/"):
        return []
    return _under(target, drafts)


def _link_compose(
    compose: Draft, drafts: Mapping[str, Draft], mounts: dict[str, list[MountReference]]
) -> None:
    info = compose.sections.get("compose")
    if info is None:
        return
    for ref in info.references:
        if not ref.exists:
            continue
        if ref.key == "build" and ref.path in drafts:
            target = drafts[ref.path]
            if not target.has(K.DOCKERFILE):
                target.add(K.DOCKERFILE, f"built by {compose.path}")
                text = _text_of(target)
                if text is not None:
                    add_dockerfile(target, text)
            continue
        if ref.key not in _MOUNT_KEYS:
            continue
        for target in _mount_targets(compose.path, ref.path, drafts):
            target.add(K.MOUNTED_CONFIG, f"used by {compose.path}")
            mounts.setdefault(target.path, []).append(
                MountReference(compose.path, ref.key, ref.pointer)
            )
            if ref.key == "env_file" and not target.has(K.ENV_FILE):
                target.add(K.ENV_FILE, f"env_file of {compose.path}")
                text = _text_of(target)
                if text is not None:
                    add_env_file(target, text)


def _link_script(script: Draft, drafts: Mapping[str, Draft]) -> None:
    scan = script.scan
    if scan is None:
        return
    for path in scan.stack_deploys:
        target = drafts.get(path)
        if target is not None:
            target.add(K.SWARM_STACK, f"deployed with docker stack deploy by {script.path}")
            target.add(K.COMPOSE, f"passed to docker stack deploy by {script.path}")
    for path in scan.compose_files:
        target = drafts.get(path)
        if target is not None:
            target.add(K.COMPOSE, f"passed to docker compose -f by {script.path}")


def link_references(drafts: Mapping[str, Draft]) -> None:
    """Apply the cross-file evidence to ``drafts`` (path -> draft), in path order."""
    mounts: dict[str, list[MountReference]] = {}
    for path in sorted(drafts):
        _link_compose(drafts[path], drafts, mounts)
        _link_script(drafts[path], drafts)
    for path, references in mounts.items():
        unique = sorted(set(references), key=lambda r: (r.compose, r.pointer, r.key))
        drafts[path].sections["mounted"] = MountedConfigInfo(tuple(unique))
