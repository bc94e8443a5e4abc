"""Resolve time vs a bare ``yaml.load`` (C loader) of the same files; target: within 3x.

    .venv/bin/python bench/resolve_vs_parse.py [--services 1000] [--variants 6] [--repeat 3]

Generates the synthetic repository (bench/gen_compose_repo.py), then for each variant
resolves ``docker-compose.yml`` + ``docker-compose.<variant>.yml`` the way ``kubealign
resolve`` does (safe loading with source positions, interpolation, merge, compose-spec
schema validation, normalisation to the typed model), and parses the same two files with
PyYAML's C loader. Prints both times and the ratio, per variant and in total.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_common import bare_parse, best_of, print_table
from gen_compose_repo import generate
from kubealign.actions.resolve import ResolveOptions, load_project, resolve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serialize", action="store_true",
                        help="Also time the printed output (resolve --format yaml).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubealign-bench-") as tmp:
        root = Path(tmp) / "repo"
        files = generate(root, args.services, args.variants)
        base, variants = files[0], files[1:]
        rows = []
        total_parse = total_resolve = total_print = 0.0
        for variant in variants:
            pair = (base, variant)
            options = ResolveOptions(files=pair, project_directory=root, environ={})
            parse = best_of(lambda pair=pair: bare_parse(pair), args.repeat)
            loaded = best_of(lambda options=options: load_project(options), args.repeat)
            total_parse += parse
            total_resolve += loaded
            row = [variant.name, f"{parse * 1000:.0f}", f"{loaded * 1000:.0f}",
                   f"{loaded / parse:.2f}x"]
            if args.serialize:
                printed = best_of(lambda options=options: resolve(options), args.repeat)
                total_print += printed
                row.append(f"{printed / parse:.2f}x")
            rows.append(row)
        headers = ["variant", "yaml.load ms", "resolve ms", "ratio"]
        if args.serialize:
            headers.append("with output")
        total = ["total", f"{total_parse * 1000:.0f}", f"{total_resolve * 1000:.0f}",
                 f"{total_resolve / total_parse:.2f}x"]
        if args.serialize:
            total.append(f"{total_print / total_parse:.2f}x")
        rows.append(total)
        size = sum(path.stat().st_size for path in files) / 1e6
        print(f"resolve vs bare parse: {args.services} services, {args.variants} variants "
              f"({size:.1f} MB of compose YAML), best of {args.repeat}")
        print_table(headers, rows)
        verdict = "within" if total_resolve / total_parse <= 3 else "ABOVE"
        print(f"resolve / yaml.load = {total_resolve / total_parse:.2f}x ({verdict} the 3x target)")


if __name__ == "__main__":
    main()
