"""The ``npo-analysis`` command line.

Each sub-command lives in its own module ``npo_analysis.cli.<name>`` exposing a click command
called ``command``; modules are imported only when their command runs, so ``--help`` stays fast
and a command's heavy dependencies (statsmodels, papermill) load only when needed.
"""

from __future__ import annotations

import importlib

import click

from npo_analysis import __version__

#: Sub-command name -> (module, one-line help shown in ``npo-analysis --help``).
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("npo_analysis.cli.demo", "Generate the synthetic demo country Demoland."),
    "validate": ("npo_analysis.cli.validate", "Check a dataset directory against the data model."),
    "indicator": ("npo_analysis.cli.indicator",
                  "Compute CBS disadvantage scores for pupils, schools and municipalities."),
    "allocate": ("npo_analysis.cli.allocate",
                 "Distribute GOAB and NPO budgets over municipalities and schools."),
    "national": ("npo_analysis.cli.national",
                 "Compute the national tables once: indicator, budgets per year, scenarios."),
    "reports": ("npo_analysis.cli.reports",
                "Make the municipality reports (HTML) with an index, via Papermill."),
    "import-public": ("npo_analysis.cli.import_public",
                      "Build a school-level dataset from the public DUO and CBS files."),
    "fetch": ("npo_analysis.cli.fetch",
              "Download the current public DUO and CBS files (cached, with checksums)."),
}


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, short_help = COMMANDS[name]
        command = importlib.import_module(module_name).command
        command.short_help = short_help
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="npo-analysis")
def main() -> None:
    """npo-analysis: education disadvantage and the money that fights it, per Dutch municipality.

    Typical use: `npo-analysis demo --profile small --out outputs/data/small`, then
    `npo-analysis validate --data outputs/data/small`.
    """
