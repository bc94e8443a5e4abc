"""Re-planning: a freshly detected plan merged into the plan file a user already edited.

The user's file wins. Without the plan kubealign wrote last time there is no telling a
user's edit from a change in the repository, so nothing the file says is overwritten:

- an environment is recognised by its compose files and project directory (then by its
  name), so a renamed environment, a changed namespace or a deleted key stays as written;
  where detection now says something else, the report says so and keeps the user's value;
- a detected environment the file does not have is added (with the pools and service
  matches it needs), its comments explaining why, and appended to ``migrationOrder``;
- an environment of the file that is no longer detected is kept and marked with a comment
  (once), since its files may be gone;
- comments, key order and quoting of the file are kept (ruamel.yaml round trip).

Components, separate releases and doubtful files detected anew are reported, not added:
each changes what is converted, and the user may have removed them on purpose.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kubealign.emit.plan_document import comment_before, dump_document, load_document, to_node
from kubealign.model.plan import Plan
from kubealign.transform.plan.codec import plan_to_data

ADDED = "added by `kubealign plan` (detected since the plan was written)"
VANISHED = "kubealign plan: environment {name} is no longer detected"


@dataclass(frozen=True, slots=True)
class PlanMerge:
    text: str
    """The merged plan file (the user's text unchanged when nothing was added)."""
    added: tuple[str, ...]
    """What the merge added, one line each."""
    marked: tuple[str, ...]
    """Environments of the file no longer detected (kept, with a comment saying so)."""
    kept: tuple[str, ...]
    """Where detection differs from the file and the file's value was kept."""
    unchanged: bool


def _identity(entry: Any) -> tuple[tuple[str, ...], str] | None:
    if not isinstance(entry, Mapping):
        return None
    files = entry.get("files")
    if not isinstance(files, list):
        return None
    return tuple(str(f) for f in files), str(entry.get("projectDirectory") or ".")


def _plain(value: Any) -> Any:
    """ruamel nodes as plain data, None and empty lists alike (both mean "nothing")."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()} or None
    if isinstance(value, list):
        return [_plain(v) for v in value] or None
    return value


def _match(user: Mapping[str, Any], detected: Mapping[str, Any]) -> dict[str, str]:
    """detected environment name -> the user's name for it."""
    matched: dict[str, str] = {}
    by_identity: dict[tuple[tuple[str, ...], str], str] = {}
    for name, entry in user.items():
        identity = _identity(entry)
        if identity is not None:
            by_identity.setdefault(identity, str(name))
    for name, entry in detected.items():
        mine = by_identity.get(_identity(entry) or ((), ""))
        if mine is not None and mine not in matched.values():
            matched[name] = mine
    for name in detected:
        if name not in matched and name in user and name not in matched.values():
            matched[name] = name
    return matched


def _section(document: CommentedMap, key: str) -> CommentedMap:
    value = document.get(key)
    if isinstance(value, CommentedMap):
        if not value:
            value.fa.set_block_style()  # `{}` as written; entries go below it, block style
        return value
    fresh = CommentedMap()
    document[key] = fresh
    return fresh


def _free_name(name: str, taken: Sequence[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name[:38]}-{number}" in taken:
        number += 1
    return f"{name[:38]}-{number}"


def _shown(value: Any) -> str:
    plain = _plain(value)
    if plain is None:
        return "nothing"
    if isinstance(plain, list):
        return ", ".join(str(v) for v in plain)
    return str(plain)


def merge_plan(user_text: str, path: str, detected: Plan,
               notes: Mapping[str, Sequence[str]] | None = None, *,
               exists: Callable[[str], bool] = lambda _: True) -> PlanMerge:
    """Merge ``detected`` into the plan file ``user_text`` (see the module docstring).

    ``exists`` tells whether a repository-relative file exists (to say why an environment
    vanished); :class:`PlanError` when the file is not a YAML mapping.
    """
    notes = notes or {}
    document = load_document(user_text, path)
    fresh = plan_to_data(detected)
    added: list[str] = []
    kept: list[str] = []
    for key in ("release", "namespace", "base"):
        mine = document.get(key)
        if mine is not None and _plain(mine) != fresh[key]:
            kept.append(f"{key}: {_shown(mine)} (detected: {fresh[key]})")

    environments = _section(document, "environments")
    detected_envs: Mapping[str, Any] = fresh["environments"]
    names = _match(environments, detected_envs)
    for name, mine in names.items():
        if mine != name:
            kept.append(f"environments.{mine}: your name (detected as {name})")
        entry = environments[mine]
        if not isinstance(entry, Mapping):
            continue
        theirs: Mapping[str, Any] = detected_envs[name]
        for key in dict.fromkeys([*theirs, *(str(k) for k in entry)]):
            if _plain(entry.get(key)) != _plain(theirs.get(key)):
                kept.append(f"environments.{mine}.{key}: {_shown(entry.get(key))} "
                            f"(detected: {_shown(theirs.get(key))})")

    new = [name for name in detected_envs if name not in names]
    for name in new:
        target = _free_name(name, [str(n) for n in environments])
        names[name] = target
        environments[target] = to_node(detected_envs[name])
        lines = [*notes.get(f"/environments/{name}", ()), ADDED]
        comment_before(environments, target,
                       [piece for line in lines for piece in _wrap(line, 2)], indent=2)
        added.append(f"environment {target} ({' + '.join(detected_envs[name]['files'])})")
        order = document.get("migrationOrder")
        if isinstance(order, CommentedSeq):
            order.append(target)
    _add_pools(document, fresh, [names[n] for n in new], added)
    _add_service_names(document, fresh, {n: names[n] for n in new}, added)

    marked: list[str] = []
    # Comments are wrapped: compare with the words of the file, comment marks dropped.
    text_so_far = " ".join(dump_document(document).replace("#", " ").split())
    for name in [str(n) for n in environments]:
        if name in names.values():
            continue
        marker = VANISHED.format(name=name)
        if marker in text_so_far:
            continue
        files = _plain(environments[name].get("files")) if isinstance(
            environments[name], Mapping) else None
        gone = [str(f) for f in files or () if not exists(str(f))]
        why = (f"{', '.join(gone)} no longer exist(s): convert refuses it until you fix or "
               "delete this entry") if gone else "delete it, or keep it on purpose"
        comment_before(environments, name, _wrap(f"{marker}: {why}", 2), indent=2)
        marked.append(f"environment {name} is no longer detected"
                      + (f" ({', '.join(gone)} gone)" if gone else ""))

    kept.extend(_not_added(document, fresh))
    text = dump_document(document) if added or marked else user_text
    return PlanMerge(text, tuple(added), tuple(marked), tuple(kept),
                     unchanged=text == user_text)


def _wrap(text: str, indent: int) -> list[str]:
    # The width plan_yaml wraps its comments at, so a marked entry reads like the others.
    return textwrap.wrap(text, width=96 - indent, break_long_words=False,
                         break_on_hyphens=False)


def _add_pools(document: CommentedMap, fresh: Mapping[str, Any], envs: Sequence[str],
               added: list[str]) -> None:
    """The node pools the added environments name, when the file lacks them."""
    if not envs:
        return
    environments = document["environments"]
    wanted: list[str] = []
    for env in envs:
        entry = environments[env]
        wanted += [str(entry["nodePool"])] if entry.get("nodePool") else []
        wanted += [str(p) for p in (entry.get("servicePools") or {}).values()]
    pools: Mapping[str, Any] = fresh["nodePools"]
    missing = [p for p in dict.fromkeys(wanted) if p in pools]
    if not missing:
        return
    section = _section(document, "nodePools")
    for pool in missing:
        if pool not in section:
            section[pool] = to_node(pools[pool])
            comment_before(section, pool, [ADDED], indent=2)
            added.append(f"node pool {pool}")


def _add_service_names(document: CommentedMap, fresh: Mapping[str, Any],
                       renamed: Mapping[str, str], added: list[str]) -> None:
    """Service matches naming the added environments, under the names they now have."""
    matches: Mapping[str, Any] = fresh["services"]
    for service, match in matches.items():
        wanted = {renamed[env]: compose for env, compose in match.get("names", {}).items()
                  if env in renamed}
        if not wanted:
            continue
        section = _section(document, "services")
        entry = section.get(service)
        if not isinstance(entry, CommentedMap):
            entry = to_node({"names": {}, **({"evidence": match["evidence"]}
                                             if match.get("evidence") else {})})
            section[service] = entry
        names = entry.get("names")
        if not isinstance(names, CommentedMap):
            names = CommentedMap()
            entry["names"] = names
        for env, compose in wanted.items():
            if env not in names:
                names[env] = compose
                added.append(f"service {service}: named {compose} in {env}")


def _not_added(document: CommentedMap, fresh: Mapping[str, Any]) -> list[str]:
    """Files detection lists that the user's file does not mention anywhere."""
    mentioned = set()
    for key in ("components", "separateReleases", "ambiguous"):
        for item in document.get(key) or ():
            if isinstance(item, Mapping) and item.get("file"):
                mentioned.add(str(item["file"]))
    for entry in (document.get("environments") or {}).values():
        if isinstance(entry, Mapping):
            mentioned.update(str(f) for f in entry.get("files") or ())
    out = []
    what = {"components": "component", "separateReleases": "separate release",
            "ambiguous": "doubtful file"}
    for key, label in what.items():
        for item in fresh[key]:
            if item["file"] not in mentioned:
                out.append(f"{key}: detected {label} {item['file']} is not in your plan (not "
                           f"added; `kubealign plan --stdout --replace` shows the fresh plan)")
                mentioned.add(item["file"])
    return out
