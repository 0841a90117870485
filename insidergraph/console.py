"""What the command line shows a person, in one place: the one-line errors, the progress
bars, and the option values (choices, defaults) read from the registries that define them.

Every command of :mod:`insidergraph.cli`, :mod:`insidergraph.queries.commands` and
:mod:`insidergraph.edgar.commands` reports through these helpers, so an error is always
``Error: ...`` and exit status 1, and a bar always goes to stderr and only on request.

A registry is named ``"module:attribute"`` and imported when a value is first needed
(parsing an option, or printing its ``--help``), so that ``insidergraph --help`` imports
no heavy module, as :data:`insidergraph.backends.BACKENDS` names its engines:

>>> resolve("insidergraph.graph.exporters:VIEWS")
('full', 'people-issuers', 'interlocks')
>>> RegistryChoice("insidergraph.graph.exporters:VIEWS").choices
('full', 'people-issuers', 'interlocks')
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from types import TracebackType
from typing import Any, NoReturn, Self

import click

#: Where the store directory's default name is defined (``--store``'s default everywhere).
DEFAULT_STORE = "insidergraph.graph.store:DEFAULT_STORE"


def resolve(target: str) -> Any:
    """The attribute a ``"module:attribute"`` name points at, imported now.

    >>> resolve("insidergraph:__version__")
    '0.1.0'
    """
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)


def say(line: str) -> None:
    """One line on stderr: a bad file, a failure of a batch, what a command wrote."""
    click.echo(line, err=True)


def fail(message: str) -> NoReturn:
    """``Error: message`` on stderr and exit status 1: how every command ends on bad input.

    >>> from click.testing import CliRunner
    >>> CliRunner().invoke(click.Command("x", callback=lambda: fail("no such store"))).stderr
    'Error: no such store\\n'
    """
    say(f"Error: {message}")
    sys.exit(1)


def exit_if(failed: object) -> None:
    """Exit with status 1 when ``failed`` is true (some file or filing failed, each said why)."""
    if failed:
        sys.exit(1)


class ErrorGroup(click.Group):
    """A command group that reports library errors as one ``Error: ...`` line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from insidergraph.errors import InsiderGraphError

        try:
            return super().invoke(ctx)
        except InsiderGraphError as err:
            fail(str(err))


class RegistryChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among the names a registry defines, read from it on first use.

    ``extra`` adds names the registry does not hold (``export --format form345``); ``sort``
    sorts them all, else they keep the registry's order.

    >>> RegistryChoice("insidergraph.graph.exporters:VIEWS", extra=("zz",), sort=True).choices
    ('full', 'interlocks', 'people-issuers', 'zz')
    """

    def __init__(self, target: str, extra: tuple[str, ...] = (), sort: bool = False) -> None:
        super().__init__((), case_sensitive=True)
        self._target, self._extra, self._sort = target, extra, sort

    @property
    def choices(self) -> tuple[str, ...]:
        names = [*resolve(self._target), *self._extra]
        return tuple(sorted(names) if self._sort else names)

    @choices.setter
    def choices(self, value: Any) -> None:
        """click.Choice sets its choices on creation; these come from the registry instead."""


class RegistryOption(click.Option):
    """An option whose default is a registry's value (``registry="module:attribute"``), read
    when the command runs or its ``--help`` is shown."""

    def __init__(self, *args: Any, registry: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = registry

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        return resolve(self.registry)

    def to_info_dict(self) -> dict[str, Any]:
        info = super().to_info_dict()
        info["default"] = resolve(self.registry)
        return info


def store_option(func: Any) -> Any:
    """``--store DIR``, the same option on every command that reads or writes a store."""
    return click.option(
        "--store",
        "store",
        cls=RegistryOption,
        registry=DEFAULT_STORE,
        show_default=True,
        type=click.Path(file_okay=False),
        help="Store directory.",
    )(func)


def progress_option(plural: bool = False) -> Callable[[Any], Any]:
    """``--progress/--no-progress``: bars on stderr, by default when stderr is a terminal."""
    return click.option("--progress/--no-progress", default=None,
                        help=f"Progress bar{'s' if plural else ''} (default: on a terminal).")


def wants_progress(option: bool | None) -> bool:
    """What ``--progress/--no-progress`` asked for, or whether stderr is a terminal."""
    return sys.stderr.isatty() if option is None else option


class Bars:
    """Progress bars on stderr, one per task name: done / to do, rate, time left.

    Nothing is drawn (and rich is not imported) unless ``show``; a bar appears when its
    task is first updated. Use it as a context manager so the bars stop on any exit.

    >>> with Bars(False) as bars:
    ...     bars.update("fetching filings", 1, 10)
    ...     bars.counter("fetching filings")(2, 10)
    ...     bars.add("Person", 219)
    ...     bars.advance("Person", 100)
    """

    def __init__(self, show: bool, transient: bool = True) -> None:
        self.show, self._transient = show, transient
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def _task(self, name: str, total: int) -> Any:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                                      console=Console(stderr=True), transient=self._transient)
            self._progress.start()
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(name, total=total, rate="")
        return self._tasks[name]

    def update(self, name: str, done: int, total: int) -> None:
        """Task ``name`` has ``done`` of ``total`` items done."""
        if not self.show:
            return
        task = self._task(name, total)
        speed = next(t.speed for t in self._progress.tasks if t.id == task)
        self._progress.update(task, completed=done, total=total, rate=f"{speed:.1f}/s" if speed else "")

    def add(self, name: str, total: int) -> None:
        """Show task ``name`` at 0 of ``total`` now (a loader's bar per table, all at once)."""
        self.update(name, 0, total)

    def advance(self, name: str, n: int = 1) -> None:
        """Task ``name`` (added before) has ``n`` more items done."""
        if self.show and name in self._tasks:
            task = next(t for t in self._progress.tasks if t.id == self._tasks[name])
            self.update(name, int(task.completed) + n, int(task.total or 0))

    def counter(self, name: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for one task, as the library's functions take."""
        return lambda done, total: self.update(name, done, total)

    def stop(self) -> None:
        """Take the bars off the terminal (transient ones) or leave them as they ended."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


__all__ = [
    "DEFAULT_STORE",
    "Bars",
    "ErrorGroup",
    "RegistryChoice",
    "RegistryOption",
    "exit_if",
    "fail",
    "progress_option",
    "resolve",
    "say",
    "store_option",
    "wants_progress",
]
