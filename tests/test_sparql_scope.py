"""``build --sparql relations|none``: a smaller SPARQL store that still answers every
relationship query exactly, and says so clearly when a query needs what it left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from insidergraph.backends import store_engines
from insidergraph.backends.oxigraph.engine import store_path
from insidergraph.cli import cli
from insidergraph.errors import QueryError, StoreError
from insidergraph.graph.rdf_mapping import row_only_terms
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.ontology import ID_NS
from insidergraph.queries import run

from test_queries import CASES

ROW_NODES = tuple(f"{ID_NS}{kind}/" for kind in ("transaction", "holding", "footnote", "footnote-reference"))


@pytest.fixture(scope="module")
def stores(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    out = {}
    for scope in ("full", "relations"):
        path = tmp_path_factory.mktemp(f"scope-{scope}") / "store"
        build_store([str(corpus / "xml")], path, sparql=scope, engines=store_engines())
        out[scope] = Store(path)
    return out


def _triples(store: Store) -> set[ox.Triple]:
    s = ox.Store.read_only(str(store_path(store)))
    return {ox.Triple(q.subject, q.predicate, q.object) for q in s.quads_for_pattern(None, None, None)}


def _is_row_level(t: ox.Triple) -> bool:
    terms = row_only_terms()
    iris = [x.value for x in (t.subject, t.object) if isinstance(x, ox.NamedNode)]
    return (t.predicate.value in terms or any(i in terms for i in iris)
            or any(i.startswith(ROW_NODES) for i in iris))


def test_relations_is_the_full_graph_without_exactly_the_row_level_triples(stores: dict[str, Store]) -> None:
    full, relations = _triples(stores["full"]), _triples(stores["relations"])
    assert relations < full
    assert relations == {t for t in full if not _is_row_level(t)}
    # On the corpus the rows are most of the graph.
    assert len(relations) < 0.3 * len(full)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[n for n, _ in CASES])
def test_relationship_queries_answer_the_same_on_a_relations_store(stores: dict[str, Store], case: int) -> None:
    name, params = CASES[case]
    expected = run(name, stores["full"], engine="sparql", **params)
    if name in ("issuer-insiders", "insider-trades", "insider-summary"):  # rows: refused, never answered half
        with pytest.raises(QueryError, match=r"--sparql relations.*--sparql full"):
            run(name, stores["relations"], engine="sparql", **params)
        return
    got = run(name, stores["relations"], engine="sparql", **params)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_adhoc_queries_on_row_terms_are_refused_with_the_term_named(stores: dict[str, Store]) -> None:
    runner = CliRunner()
    q = "PREFIX f: <https://w3id.org/insidergraph/ontology#> SELECT ?t WHERE { ?t a f:Transaction }"
    result = runner.invoke(cli, ["sparql", "--store", str(stores["relations"].path), q])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: f:Transaction is a row-level term")
    full = runner.invoke(cli, ["sparql", "--store", str(stores["full"].path), "--format", "csv", q])
    assert full.exit_code == 0 and full.stdout.count("\n") > 3000
    # Relationship terms go through, full IRIs of row terms are caught too.
    ok = runner.invoke(cli, ["sparql", "--store", str(stores["relations"].path),
                             "SELECT (COUNT(*) AS ?n)"
                             " WHERE { ?p <https://w3id.org/insidergraph/ontology#directorOf> ?c }"])
    assert ok.exit_code == 0, ok.stderr
    bad = runner.invoke(cli, ["sparql", "--store", str(stores["relations"].path),
                              "SELECT * WHERE { ?o <https://w3id.org/insidergraph/ontology#holds> ?r }"])
    assert bad.exit_code == 1 and "ontology#holds> is a row-level term" in bad.stderr


def test_the_scope_is_kept_across_builds_and_can_be_changed(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    xml = sorted((corpus / "xml").glob("*.xml"))
    runner = CliRunner()

    def build(*args: str) -> None:
        result = runner.invoke(cli, ["build", "--no-progress", "--store", str(path), *args])
        assert result.exit_code == 0, result.stderr

    def scope() -> str:
        return str(Store(path).manifest()["engines"]["sparql"])

    build("--sparql", "relations", *map(str, xml[:100]))
    build(*map(str, xml[100:]))  # more filings, no option: still relations
    assert scope() == "relations" and Store(path).sparql_scope() == "relations"
    n_rel = len(_triples(Store(path)))

    build("--sparql", "none", str(xml[0]))  # no new filing, yet the SPARQL store goes
    assert scope() == "none" and not store_path(Store(path)).exists()
    with pytest.raises(StoreError, match="without a SPARQL store"):
        run("shared-directors", Store(path), engine="sparql")
    assert len(run("shared-directors", Store(path), engine="cypher")) == 8

    build("--sparql", "full", str(xml[0]))
    assert scope() == "full" and len(_triples(Store(path))) > 3 * n_rel
    assert len(run("issuer-insiders", Store(path), engine="sparql", issuer="YELP")) > 0
