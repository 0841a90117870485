"""The CLI documents itself and the README documents the CLI (as sqlite-utils' tests/test_docs.py does).

Every command (named queries and ``neo4j`` subcommands included) has a ``--help`` with
examples; every option of it is used in one of those examples; every example, and every
``insidergraph`` command line of the README, parses with the real CLI (so a renamed option
or a stale choice fails here); and every command and option is described in the README's
section of that command. The choices and defaults the CLI shows are the registries' own.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from insidergraph.backends import BACKENDS
from insidergraph.cli import cli
from insidergraph.graph.exporters import EXPORTERS, VIEWS
from insidergraph.graph.store import DEFAULT_STORE, SPARQL_SCOPES
from insidergraph.queries.commands import EXAMPLES
from insidergraph.queries.registry import QUERIES

README = Path(__file__).resolve().parents[1] / "README.md"
#: Shell words that end the insidergraph part of a command line (redirections, pipes, chains).
_SHELL_OPERATORS = {">", ">>", "<", "|", "&&", "||", ";", "2>", "2>&1"}


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from _walk(sub, (*path, name))


COMMANDS = dict(_walk(cli))
IDS = [" ".join(path) or "insidergraph" for path in COMMANDS]


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def _options(command: click.Command) -> list[click.Option]:
    """The options a user can give (``--help`` aside)."""
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden and p.name != "help"]


def _examples(help_text: str) -> list[str]:
    """The command lines under ``Example:``/``Examples:`` in a ``--help``."""
    lines: list[str] = []
    block = False
    for line in help_text.splitlines():
        if line.strip() in ("Example:", "Examples:"):
            block = True
        elif block and line.startswith("    ") and line.strip():
            lines.append(line.strip())
        else:
            block = False
    return lines


def _argv(line: str) -> list[str] | None:
    """The arguments after ``insidergraph`` in a shell line (env assignments before it, a
    redirection or a chained command after it, a comment and ``.venv/bin/`` left out);
    None when the line runs no insidergraph command."""
    words = shlex.split(line, comments=True)
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words.pop(0)
    if not words or words[0].rsplit("/", 1)[-1] != "insidergraph":
        return None
    argv = words[1:]
    for i, word in enumerate(argv):
        if word in _SHELL_OPERATORS:
            return argv[:i]
    return argv


def _parses(argv: list[str]) -> None:
    """Parse ``argv`` as the real CLI would, down to its command, without running it."""
    command: click.Command = cli
    path = ["insidergraph"]
    while isinstance(command, click.Group) and argv and not argv[0].startswith("-"):
        sub = command.get_command(click.Context(command), argv[0])
        assert sub is not None, f"{' '.join(path)}: no command {argv[0]!r}"
        command, path, argv = sub, [*path, argv[0]], argv[1:]
    try:
        command.make_context(" ".join(path), list(argv))
    except click.exceptions.Exit as done:  # --version, --help: parsed, then they exit
        assert done.exit_code == 0
    except click.ClickException as err:
        pytest.fail(f"`{' '.join(path)} {shlex.join(argv)}` does not parse: {err.format_message()}")


def _readme_lines() -> Iterator[str]:
    """Every line of the README's code blocks, continuation lines (``\\``) joined."""
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        yield from block.replace("\\\n", " ").splitlines()


def _sections() -> dict[str, str]:
    """The README's usage sections by command path: ``### `insidergraph query NAME`, ...``."""
    text = README.read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for match in re.finditer(r"^### (.*?)\n(.*?)(?=^##? |^### |\Z)", text, flags=re.DOTALL | re.MULTILINE):
        heading, body = match.groups()
        for name in re.findall(r"`insidergraph ([a-z0-9 -]+?)(?: NAME)?`", heading):
            sections[name] = heading + "\n" + body
    return sections


def _section(path: tuple[str, ...]) -> str:
    """The README section of a command: its own, else its group's (``query NAME``), or for a
    group the section of its subcommands (``neo4j``: ``neo4j load``)."""
    sections = _sections()
    for end in range(len(path), 0, -1):
        key = " ".join(path[:end])
        if key in sections:
            return sections[key]
    for key, section in sections.items():
        if path and key.startswith(" ".join(path) + " "):
            return section
    if not path:
        return README.read_text(encoding="utf-8")
    pytest.fail(f"README.md has no `### \\`insidergraph {' '.join(path)}\\`` section")


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_every_command_has_help_and_examples_of_itself(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    assert command.help, f"{IDS[list(COMMANDS).index(path)]} has no help"
    examples = [argv for argv in map(_argv, _examples(_help(path))) if argv is not None]
    assert examples, f"`insidergraph {' '.join(path)} --help` shows no example"
    assert any(argv[: len(path)] == list(path) for argv in examples), examples


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_every_option_is_in_help_and_used_in_an_example(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    text = _help(path)
    used = {word.split("=", 1)[0] for line in _examples(text) for word in (_argv(line) or [])}
    for option in _options(command):
        names = [*option.opts, *option.secondary_opts]
        assert option.help, f"{names[0]} of `insidergraph {' '.join(path)}` has no help"
        assert any(name in text for name in names), names
        assert used & set(names), f"no example of `insidergraph {' '.join(path)} --help` uses {names[0]}"


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_every_example_in_help_parses(path: tuple[str, ...]) -> None:
    for line in _examples(_help(path)):
        argv = _argv(line)
        assert argv is not None, f"not an insidergraph command line: {line}"
        _parses(argv)


def test_every_command_line_of_the_readme_parses() -> None:
    lines = [argv for argv in map(_argv, _readme_lines()) if argv is not None]
    assert len(lines) > 30  # the usage sections' examples, not just the first two commands
    for argv in lines:
        _parses(argv)


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_every_command_and_option_is_in_the_readme(path: tuple[str, ...]) -> None:
    section = _section(path)
    if path:
        assert f"insidergraph {' '.join(path[:1])}" in section
        assert f"`{path[-1]}" in section or f"insidergraph {' '.join(path)}" in section, path
    for option in _options(COMMANDS[path]):
        names = [*option.opts, *option.secondary_opts]
        assert any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", section) for n in names), (
            f"README.md's section of `insidergraph {' '.join(path)}` does not mention {names[0]}")
        if isinstance(option.type, click.Choice):
            missing = [c for c in option.type.choices
                       if not re.search(rf"(?<![\w/-]){re.escape(str(c))}(?![\w/-])", section)]
            assert not missing, f"README.md's section of `insidergraph {' '.join(path)}` lacks {names[0]} {missing}"


def test_the_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = text.index("```bash")
    block = text[first: text.index("```", first + 7)]
    assert ".venv/bin/insidergraph build ../shared/corpus/xml --store insidergraph-store" in block
    assert "bash scripts/test" in block


def test_every_named_query_has_its_examples() -> None:
    assert sorted(EXAMPLES) == sorted(QUERIES)
    group = COMMANDS[("query",)]
    assert isinstance(group, click.Group)
    assert sorted(group.list_commands(click.Context(group))) == sorted(QUERIES)


def _choices(path: tuple[str, ...], name: str) -> tuple[str, ...]:
    option = next(p for p in COMMANDS[path].params if p.name == name)
    assert isinstance(option.type, click.Choice)
    return tuple(option.type.choices)


def test_choices_are_the_registries() -> None:
    assert _choices(("build",), "sparql") == SPARQL_SCOPES
    assert _choices(("export",), "view") == VIEWS
    assert _choices(("export",), "fmt") == tuple(sorted([*EXPORTERS, "form345"]))
    for name in QUERIES:
        assert _choices(("query", name), "engine") == tuple(BACKENDS)
    assert _choices(("cypher",), "engine") == ("cypher", "neo4j")
    assert _choices(("sparql",), "engine") == ("sparql", "sparql-server")


def test_one_default_store_everywhere() -> None:
    with_store = [path for path, command in COMMANDS.items() if any(p.name == "store" for p in command.params)]
    assert len(with_store) == len(QUERIES) + 7  # build, export, neo4j load/export-csv, cypher, sparql, update
    for path in with_store:
        option = next(p for p in COMMANDS[path].params if p.name == "store")
        with click.Context(COMMANDS[path]) as ctx:
            assert option.get_default(ctx) == DEFAULT_STORE
        assert f"[default: {DEFAULT_STORE}]" in _help(path)


def test_a_library_error_is_one_line_and_status_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "shared-directors", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr


def test_help_imports_no_heavy_module() -> None:
    """The registries behind the choices are read when shown, so ``insidergraph --help`` stays light."""
    code = ("import sys; from click.testing import CliRunner; from insidergraph.cli import cli; "
            "CliRunner().invoke(cli, ['--help']); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'networkx', 'insidergraph.graph.store') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_one_default_mirror() -> None:
    from insidergraph.edgar.fetching import DEFAULT_OUT

    for path in (("fetch",), ("update",)):
        option = next(p for p in COMMANDS[path].params if p.name == "out")
        with click.Context(COMMANDS[path]) as ctx:
            assert option.get_default(ctx) == DEFAULT_OUT
