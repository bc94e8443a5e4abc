"""`kubealign validate --manifests` vs kubeconform: same objects, same local schemas.

    .venv/bin/python bench/peers_validate.py [--objects 5000] [--files 50] [--repeat 3]

Writes N generated objects (six kinds, every 50th made invalid the same way for both) as
multi-document files, then times each whole process on that folder: kubealign against its
packaged Kubernetes schemas, kubeconform against the very same schema files (the
``-local-strict`` set kubealign ships, through ``-schema-location``), both strict. Both must
report the same number of invalid objects, or the comparison is void and the script fails.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import yaml

from bench_common import print_table
from kubealign.validate.schemas import _schema_root
from peer_tools import find_tool, kubealign_command, run, time_process
from validate_throughput import MAKERS, generate


def _break(obj: dict[str, object]) -> None:
    """An unknown top-level field: strict validation refuses it in every kind."""
    obj["unexpectedField"] = True


def kubeconform_schemas(target: Path, kube_version: str, kinds: set[str]) -> str:
    """The schemas kubealign validates with, as standalone files kubeconform can read.

    kubealign's packaged schemas refer to shared definitions in ``/api/_definitions.json``,
    a name only its own registry resolves; each copy here carries the definitions it uses
    under its own ``$defs`` (the same definitions, byte for byte, referenced locally).
    """
    name = f"v{kube_version}.0-local-strict"
    source_dir = _schema_root() / name
    definitions = json.loads((source_dir / "_definitions.json").read_text("utf-8"))["$defs"]
    folder = target / name
    folder.mkdir(parents=True)
    for kind_file in sorted(kinds):
        text = (source_dir / kind_file).read_text("utf-8")
        needed: dict[str, object] = {}
        pending = _references(text)
        while pending:
            ref = pending.pop()
            if ref not in needed:
                needed[ref] = definitions[ref]
                pending |= _references(json.dumps(definitions[ref]))
        schema = json.loads(text.replace('"/api/_definitions.json#', '"#'))
        # Its $id names a kubernetes.io URL that is not where the file is; kubeconform
        # resolves the local references against the file itself.
        schema.pop("$id", None)
        schema["$defs"] = json.loads(
            json.dumps(needed).replace('"/api/_definitions.json#', '"#'))
        folder.joinpath(kind_file).write_text(json.dumps(schema), encoding="utf-8")
    return f"{target}/{{{{ .NormalizedKubernetesVersion }}}}-local-strict/" \
        "{{ .ResourceKind }}{{ .KindSuffix }}.json"


def _references(text: str) -> set[str]:
    return set(re.findall(r'"(?:/api/_definitions\.json)?#/\$defs/([^"]+)"', text))


def _schema_file(obj: dict[str, object]) -> str:
    group, _, version = str(obj["apiVersion"]).rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{str(obj['kind']).lower()}{suffix}.json"


def write_objects(folder: Path, count: int, files: int) -> int:
    objects = generate(count)
    broken = 0
    for index, obj in enumerate(objects):
        if index % 50 == 49:
            _break(obj)
            broken += 1
    per_file = max(1, len(objects) // files)
    for start in range(0, len(objects), per_file):
        chunk = objects[start:start + per_file]
        text = yaml.safe_dump_all(chunk, sort_keys=False)
        (folder / f"objects-{start // per_file:04d}.yaml").write_text(text, encoding="utf-8")
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kube-version", default="1.31")
    args = parser.parse_args()
    kubeconform = find_tool("kubeconform")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "manifests"
        folder.mkdir()
        broken = write_objects(folder, args.objects, args.files)
        kinds = {_schema_file(obj) for obj in generate(len(MAKERS))}
        schema_location = kubeconform_schemas(Path(scratch) / "schemas", args.kube_version, kinds)
        ours = [*kubealign_command(), "validate", "--manifests", str(folder), "--kube-version",
                args.kube_version, "--format", "json"]
        theirs = [str(kubeconform), "-strict", "-summary", "-output", "json",
                  "-kubernetes-version", f"{args.kube_version}.0",
                  "-schema-location", schema_location, str(folder)]
        our_report = json.loads(run(ours, ok=(0, 1)))
        their_report = json.loads(run(theirs, ok=(0, 1)))
        our_invalid = _count_invalid(our_report)
        their_invalid = int(their_report["summary"]["invalid"]) + int(
            their_report["summary"]["errors"])
        if not our_invalid == their_invalid == broken:
            raise SystemExit(f"verdicts differ: {broken} broken objects, kubealign found "
                             f"{our_invalid}, kubeconform {their_invalid}")
        our_time = time_process(ours, repeat=args.repeat, ok=(0, 1))
        their_time = time_process(theirs, repeat=args.repeat, ok=(0, 1))
    print(f"{args.objects} objects in {args.files} files, Kubernetes {args.kube_version}, strict, "
          f"{broken} invalid (both agree); whole process, best of {args.repeat}")
    print_table(
        ("tool", "seconds", "objects/s"),
        [("kubealign validate --manifests", f"{our_time:.2f}", f"{args.objects / our_time:,.0f}"),
         ("kubeconform -strict", f"{their_time:.2f}", f"{args.objects / their_time:,.0f}")],
    )
    print(f"ratio kubealign / kubeconform time: {our_time / their_time:.2f}x")


def _count_invalid(report: object) -> int:
    """Invalid objects in kubealign's JSON report, whichever casing its schema version uses."""
    if not isinstance(report, dict):
        raise SystemExit("unexpected kubealign report")
    for key in ("invalid", "invalid_objects", "invalidObjects"):
        summary = report.get("summary")
        if isinstance(summary, dict) and isinstance(summary.get(key), int):
            return int(summary[key])
    objects = report.get("objects") or report.get("results") or []
    return sum(1 for item in objects if isinstance(item, dict) and not item.get("valid", True))


if __name__ == "__main__":
    main()
