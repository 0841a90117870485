"""The ``insidergraph`` command: thin click commands over the library.

Each command parses its options, makes one library call, and turns the library's
:class:`~insidergraph.errors.InsiderGraphError` into one ``Error: ...`` line and exit
status 1. Heavy modules are imported inside the commands so that ``--help`` stays fast.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(cli, ["--help"]).exit_code
0
"""

from __future__ import annotations

import sys
from typing import Any

import click

from insidergraph import __version__


class _Group(click.Group):
    """A group that reports library errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from insidergraph.errors import InsiderGraphError

        try:
            return super().invoke(ctx)
        except InsiderGraphError as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="insidergraph")
def cli() -> None:
    """Turn SEC insider filings (Forms 3, 4, 5) into a knowledge graph of who sits where."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="insidergraph")


if __name__ == "__main__":
    main()
