"""Where each command lives, so that the CLI imports only the command it runs.

``kubealign --help`` lists these names with their summaries without importing any command
module; running a command imports its module alone (see ``kubealign.cli.lazy``). A test
checks that this table and the registered commands agree (names, modules, summaries).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandEntry:
    name: str
    module: str
    # The first sentence of the command's docstring: the line `kubealign --help` shows.
    summary: str


COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry("audit", "kubealign.cli.audit",
                 "Audit deployment sprawl: strategies, variants, drift, secrets, scripts, debt."),
    CommandEntry("cleanup", "kubealign.cli.cleanup",
                 "Remove or move the files the consolidation makes redundant."),
    CommandEntry("cluster", "kubealign.cli.cluster",
                 "Print the node preparation the plan's GPU pools need."),
    CommandEntry("convert", "kubealign.cli.convert",
                 "Convert Compose/Swarm services into the fixed Helm chart, with a per-key "
                 "ledger."),
    CommandEntry("deploy", "kubealign.cli.deploy",
                 "Pre-flight (render, validate, policies, migration order) then `helm upgrade "
                 "--install` of DIR/chart with values.yaml + values-ENV.yaml, rolling back on "
                 "failure."),
    CommandEntry("status", "kubealign.cli.deploy",
                 "The release of an environment as Helm reports it, with its revision history."),
    CommandEntry("rollback", "kubealign.cli.deploy",
                 "Roll the environment's release back through Helm (to --revision, else the "
                 "previous)."),
    CommandEntry("inventory", "kubealign.cli.inventory",
                 "List and classify every deployment-related file of a repository."),
    CommandEntry("migrate", "kubealign.cli.migrate",
                 "Plan (if none) -> audit -> convert -> validate, then a summary of every "
                 "artifact."),
    CommandEntry("plan", "kubealign.cli.plan",
                 "Detect the environments of a repository and write kubealign.yaml."),
    CommandEntry("resolve", "kubealign.cli.resolve",
                 "Print the fully resolved Compose project, in the shape of `docker compose "
                 "config`."),
    CommandEntry("validate", "kubealign.cli.validate",
                 "Validate every rendered object against the Kubernetes schemas (strict), "
                 "kubealign's CRD schemas and the API server's field rules (and, with "
                 "--policies, the POL rules; where a cluster is reachable, its API server's "
                 "dry run)."),
    CommandEntry("rules", "kubealign.cli.rules", "List and explain the audit rules."),
)

COMMANDS_BY_NAME: dict[str, CommandEntry] = {entry.name: entry for entry in COMMANDS}
