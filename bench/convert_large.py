"""Conversion of the 1,000-service repository without rendering, vs a bare parse; aim < 3x.

    .venv/bin/python bench/convert_large.py [--services 1000] [--variant production]

Generates the synthetic repository (bench/gen_compose_repo.py) and converts one variant
(``docker-compose.yml`` + ``docker-compose.<variant>.yml``) with ``kubealign convert
--no-render``: load and resolve, the conversion to chart values with its ledger, and the
atomic write of the output tree. Prints each stage and the ratio of the whole to a bare
``yaml.load`` (C loader) of the same files.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_common import bare_parse, best_of, print_table
from gen_compose_repo import VARIANT_NAMES, generate
from kubealign.actions.convert import ConvertRequest, convert
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.transform.convert import ConversionOptions, convert_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--variant", default="production", choices=VARIANT_NAMES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubealign-bench-") as tmp:
        root = Path(tmp) / "repo"
        files = generate(root, args.services, VARIANT_NAMES.index(args.variant) + 1)
        pair = (files[0], files[-1])
        out = Path(tmp) / "out"
        resolve_options = ResolveOptions(files=pair, project_directory=root, environ={})
        project, _ = load_project(resolve_options)
        request = ConvertRequest(out=out, files=pair, project_directory=root, environ={},
                                 render=False)
        parse = best_of(lambda: bare_parse(pair), args.repeat)
        loaded = best_of(lambda: load_project(resolve_options), args.repeat)
        options = ConversionOptions(release="synthetic")
        transform = best_of(lambda: convert_project(project, options), args.repeat)
        whole = best_of(lambda: convert(request), args.repeat)
        written = sum(1 for path in out.rglob("*") if path.is_file())
        print(f"convert --no-render: {args.services} services, variant {args.variant}, "
              f"best of {args.repeat}; {written} files written")
        rows = [
            ["yaml.load (C loader) of the 2 files", f"{parse * 1000:.0f}", "1.00x"],
            ["load + resolve (model)", f"{loaded * 1000:.0f}", f"{loaded / parse:.2f}x"],
            ["transform to values + ledger", f"{transform * 1000:.0f}",
             f"{transform / parse:.2f}x"],
            ["convert action (all, with writes)", f"{whole * 1000:.0f}", f"{whole / parse:.2f}x"],
        ]
        print_table(["stage", "ms", "vs parse"], rows)
        verdict = "within" if whole / parse < 3 else "ABOVE"
        print(f"convert / yaml.load = {whole / parse:.2f}x ({verdict} the 3x aim); "
              f"{whole / args.services * 1e6:.0f} us per service")


if __name__ == "__main__":
    main()
