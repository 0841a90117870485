"""The parameters written into SPARQL text (for servers) give the rows the embedded engine's
substitutions give, for every named query and option the query tests use; hostile values
stay values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from insidergraph.backends import store_engines
from insidergraph.backends.oxigraph.engine import OxigraphEngine
from insidergraph.backends.sparql_server.substitute import substitute, term, tokens
from insidergraph.errors import QueryError
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.queries import normalise, run
from insidergraph.queries.registry import QUERIES

from test_queries import CASES

HOSTILE = ['"', "'", "\\", '"} ; DROP ALL ; {"', "} ; DROP ALL ; {", "a\nb\r\nc", "#", "?x", "<urn:x>",
           '""" ; DROP ALL', "\\u0022) } DROP ALL {", "\x00\x1f", "ÿ \u2028"]


class TextEngine(OxigraphEngine):
    """The embedded store, asked the substituted text with no substitutions."""

    def _query(self, text: str, params: dict[str, Any]) -> Any:
        written = substitute(text, params)
        assert not any(t[0] == "var" and t[1][1:] in params for t in tokens(written))
        return self._store.query(written)


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("subst-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


@pytest.mark.parametrize("case", range(len(CASES)),
                         ids=[f"{n}-{'-'.join(map(str, p.values())) or 'default'}" for n, p in CASES])
def test_substituted_text_gives_the_bound_rows(store: Store, case: int) -> None:
    name, params = CASES[case]
    query = QUERIES[name]
    expected = run(name, store, engine="sparql", **params)
    got = normalise(query, TextEngine(store).run_named(query, query.bind(params)))
    assert len(expected) > 0
    assert got.to_dict("records") == expected.to_dict("records")


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_is_one_literal(store: Store, value: str) -> None:
    text = "SELECT ?v ?n WHERE { BIND(?v AS ?n) }"
    written = substitute(text, {"v": value})
    assert [t[1] for t in tokens(written) if t[0] == "str"] == [term(value)]
    solutions = list(ox.Store().query(written))
    assert [s["n"].value for s in solutions] == [value]  # type: ignore[union-attr,index]


@pytest.mark.parametrize("iri", ["https://e.org/a>b", "https://e.org/a b", "https://e.org/{x}", "relative",
                                 "https://e.org/\n", 'https://e.org/"', "https://e.org/a|b", "https://e.org/`"])
def test_an_iri_that_could_change_the_query_is_refused(iri: str) -> None:
    with pytest.raises(QueryError, match="is not an IRI"):
        # pyoxigraph would refuse to make most of these: a NamedNode-like value reaches the check.
        substitute("SELECT ?s WHERE { ?s ?p ?o FILTER(?s = ?x) }", {"x": _Named(iri)})
    assert substitute("SELECT ?s WHERE { ?s ?p ?x }", {"x": ox.NamedNode("https://e.org/a")}).endswith(
        "?s ?p <https://e.org/a> }")


class _Named:
    """A NamedNode-like value that pyoxigraph itself would not construct."""

    def __init__(self, value: str) -> None:
        self.value = value


_Named.__name__ = "NamedNode"


def test_guards_drop_the_branches_they_switch_off() -> None:
    text = QUERIES["shared-directors"].text("sparql")
    def words(params: dict[str, Any]) -> list[str]:
        return [t[1] for t in tokens(substitute(text, QUERIES["shared-directors"].bind(params))) if t[0] != "ws"]

    off, on = words({}), words({"as_of": "2021-03-01"})
    assert "VALUES" not in off and "ig:spanStart" not in off and "UNION" not in off
    assert "ig:spanStart" in on and "UNION" not in on and "ig:directorOf" in on
