"""``gitops/README.md``: how to hand the generated chart to Argo CD.

Written for the platform engineer who installs it, so it names the exact commands and what Argo
CD must already have (its CRDs, access to the repository, the chart committed at the
revision). The ApplicationSet and the plain Applications are two forms of the same thing (they
create Applications with the same names), so only the chosen form is written and the README
says how to get the other one (``convert --gitops-form``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kubealign.model.plan import Plan
from kubealign.transform.gitops import EnvironmentTarget, GitSource


def gitops_readme(plan: Plan, source: GitSource, targets: Sequence[EnvironmentTarget],
                  *, guessed_path: bool, image_updater: bool,
                  form: str = "applicationset") -> str:
    """Markdown for ``gitops/README.md``; paths in it are relative to the output folder."""
    ns = plan.gitops.argocd_namespace
    names = ", ".join(f"`{plan.release}-{t.name}`" for t in targets)
    lines = [
        f"# Argo CD for {plan.release}",
        "",
        f"Argo CD deploys the chart at `{source.chart_path}` of `{source.repo_url}` "
        f"(revision `{source.revision}`), one Application per environment: {names}.",
        "",
    ]
    if guessed_path:
        lines += [
            f"> **Check the chart path.** The output folder is not inside the repository, so "
            f"the path `{source.chart_path}` is a guess. Commit the chart into the repository "
            "and convert again with `--chart-path <path of the chart folder from the "
            "repository root>` (or set `gitops.chartPath` in the plan).",
            "",
        ]
    lines += [
        "## Before you apply",
        "",
        f"- Argo CD is installed in the namespace `{ns}` (its CRDs `Application` and "
        "`ApplicationSet` exist: `kubectl get crd applications.argoproj.io "
        "applicationsets.argoproj.io`).",
        f"- Argo CD can read `{source.repo_url}`: for a private repository add it first "
        f"(`argocd repo add {source.repo_url} ...` or a repository Secret in `{ns}`).",
        f"- The chart folder and its values files are committed at `{source.revision}` under "
        f"`{source.chart_path}`: Argo CD reads Git, not this folder.",
        "- The External Secrets Operator and its CRDs are installed when the chart renders "
        "`SecretStore`/`ExternalSecret` objects (see `../secrets.md`).",
        f"- The AppProject `{plan.gitops.project}` exists and allows the destination "
        f"`{plan.gitops.server}` and the namespaces below (`default` allows everything).",
        "",
        "## Apply",
        "",
    ]
    if form == "applications":
        lines += [
            "One Application per environment, in the migration order:",
            "",
            "```sh",
            *(f"kubectl apply -n {ns} -f gitops/applications/{t.name}.yaml" for t in targets),
            "```",
            "",
            "For one ApplicationSet that keeps every environment in step instead, convert "
            "again with `--gitops-form applicationset` (it replaces these files: both forms "
            "create Applications with the same names, so never apply both).",
            "",
        ]
    else:
        lines += [
            "One ApplicationSet creates the Application of every environment and keeps them "
            "in step with the list:",
            "",
            "```sh",
            f"kubectl apply -n {ns} -f gitops/applicationset.yaml",
            "```",
            "",
            "To apply environment by environment instead (plain Applications), convert again "
            "with `--gitops-form applications` (it replaces this file: both forms create "
            "Applications with the same names, so never apply both).",
            "",
        ]
    lines += [
        "Run the commands from the output folder (the one holding `chart/` and `gitops/`).",
        "",
        "## Environments",
        "",
        "| Application | Namespace | Values files (last wins) |",
        "|---|---|---|",
    ]
    lines += [f"| `{plan.release}-{t.name}` | `{t.namespace}` | "
              f"{', '.join(f'`{v}`' for v in t.value_files)} |" for t in targets]
    lines += [
        "",
        "Sync is automated with prune and self-heal: after the first sync, change the "
        "deployment by committing to the values files, not with kubectl.",
    ]
    if image_updater:
        lines += [
            "",
            "`image-updater.yaml` replaces the repository's Keel annotations; it needs Argo CD "
            f"Image Updater installed (`kubectl apply -n {ns} -f gitops/image-updater.yaml`) "
            "and write access to the repository for its git write-back.",
        ]
    return "\n".join(lines) + "\n"
