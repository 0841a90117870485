"""Incremental builds: a store grown in parts equals one build of everything.

The graph tables are recomputed from every filing; the embedded engines take only what
changed (``insidergraph.graph.diff``), updated in place. Whatever the order the corpus comes
in (amendments before their originals, a ``.txt`` submission after the bare XML of the same
accession, CIK-less rendered forms before and after the CIK filings they resolve to), the
store ends with the same Parquet bytes, the same triples and rows in both engines, the same
named-query answers on every embedded engine and the same exports as one build of it all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ladybug as lb
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from insidergraph.backends import close_all
from insidergraph.cli import cli
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.store import Store
from insidergraph.queries import run

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("shared-directors", {}),
    ("interlocks", {}),
    ("co-owners", {"min_issuers": 1}),
    ("attorney-network", {}),
    ("unauthorized-signatures", {}),
    ("insider-roles", {"person": "levchin"}),
    ("issuer-insiders", {"issuer": "YELP"}),
    ("connection", {"source": "1539853", "target": "1222287"}),
]
ENGINES = ("cypher", "sparql", "networkx")
EXPORTS = ("nt", "graphml")


def _files(corpus: Path, folder: str) -> list[str]:
    return sorted(str(p) for p in (corpus / folder).iterdir() if p.is_file())


def _build(store: Path, files: list[str]) -> str:
    result = CliRunner().invoke(cli, ["build", "--no-progress", "--store", str(store), *files])
    assert result.exit_code == 0, result.output
    return result.output


def _written(store: Path) -> dict[str, str]:
    return dict(Store(store).manifest()["engines"]["written"])


def _split(files: list[str], parts: int) -> list[list[str]]:
    size = -(-len(files) // parts)
    return [files[i : i + size] for i in range(0, len(files), size)]


def _triples(store: Store) -> set[str]:
    return {str(q) for q in ox.Store.read_only(str(store.engines_dir / "oxigraph"))}


def _ladybug_rows(store: Store) -> dict[str, list[str]]:
    db = lb.Database(str(store.engines_dir / "ladybug" / "graph.lbug"), read_only=True)
    conn = lb.Connection(db)
    try:
        out = {}
        for label in NODE_TYPES:
            out[label] = sorted(map(repr, conn.execute(f"MATCH (n:{label}) RETURN n.*").get_all()))
        for rel in EDGE_TYPES:
            got = conn.execute(f"MATCH (a)-[r:{rel}]->(b) RETURN a.id, b.id, r.*").get_all()
            out[rel] = sorted(map(repr, got))
        return out
    finally:
        conn.close()
        db.close()


def _exports(store: Path, tmp: Path) -> dict[str, bytes]:
    out = {}
    for fmt in EXPORTS:
        target = tmp / f"{store.name}.{fmt}"
        result = CliRunner().invoke(cli, ["export", "--store", str(store), "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        out[fmt] = target.read_bytes()
    return out


def _state(path: Path, tmp: Path) -> dict[str, Any]:
    """Everything a user can see of a store, in comparable form."""
    close_all()
    store = Store(path)
    manifest = store.manifest()
    state: dict[str, Any] = {
        "filings": manifest["filings"],
        "counts": manifest["counts"],
        "tables": {rel: entry["sha256"] for rel, entry in manifest["files"].items() if rel.startswith("graph/")},
        "triples": _triples(store),
        "ladybug": _ladybug_rows(store),
        "exports": _exports(path, tmp),
    }
    for name, params in QUERIES:
        for engine in ENGINES:
            frame = run(name, store, engine=engine, **params)
            state[f"{name} {engine}"] = json.dumps(frame.to_dict("split"), default=str, sort_keys=True)
    close_all()
    return state


@pytest.fixture(scope="module")
def everything(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str], dict[str, Any]]:
    """The corpus's XML and its other formats, and the state of one build of them all."""
    xml = _files(corpus, "xml")
    other = _files(corpus, "txt") + _files(corpus, "html") + _files(corpus, "text")
    tmp = tmp_path_factory.mktemp("whole")
    _build(tmp / "store", xml + other)
    return xml, other, _state(tmp / "store", tmp)


def _grown(parts: list[list[str]], tmp: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    store = tmp / "store"
    written = []
    for part in parts:
        _build(store, part)
        written.append(_written(store))
    return _state(store, tmp), written


def _compare(grown: dict[str, Any], whole: dict[str, Any]) -> None:
    assert grown.keys() == whole.keys()
    for key in whole:
        assert grown[key] == whole[key], f"{key} differs from one build of everything"


def test_three_parts_with_the_submissions_after_their_xml(everything: tuple[list[str], list[str], dict[str, Any]],
                                                          tmp_path: Path) -> None:
    xml, other, whole = everything
    parts = [*_split(xml, 2), other]
    grown, written = _grown(parts, tmp_path)
    _compare(grown, whole)
    assert written[-1] == {"cypher": "updated", "sparql": "updated"}


def test_ten_parts_in_reverse_with_rendered_forms_first(everything: tuple[list[str], list[str], dict[str, Any]],
                                                        tmp_path: Path) -> None:
    # Reversed: later accessions (the amendments) come before the filings they amend; the
    # rendered forms without CIKs come before the CIK filings they resolve to.
    xml, other, whole = everything
    parts = [other, *_split(list(reversed(xml)), 9)]
    grown, written = _grown(parts, tmp_path)
    _compare(grown, whole)
    assert [w["cypher"] for w in written[-4:]] == ["updated"] * 4
    assert [w["sparql"] for w in written[-4:]] == ["updated"] * 4


def test_one_filing_at_a_time_at_the_end(everything: tuple[list[str], list[str], dict[str, Any]],
                                         tmp_path: Path) -> None:
    xml, other, whole = everything
    rest = xml[::7] + other[::3]
    first = [f for f in xml + other if f not in rest]
    grown, written = _grown([first, *([f] for f in rest[:12]), rest[12:]], tmp_path)
    _compare(grown, whole)
    assert all(w == {"cypher": "updated", "sparql": "updated"} for w in written[1:])


def test_engines_built_for_other_declarations_are_rebuilt_not_updated(
        everything: tuple[list[str], list[str], dict[str, Any]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A store built by a version whose graph declarations differ (an edge type has gained
    # a pair of labels since): its engines' tables were made for those, so the next build
    # rebuilds them; the one after that updates them again. The result equals one build.
    import insidergraph.graph.store as store_module

    xml, other, whole = everything
    first, second, third = [*_split(xml, 2), other]
    store = tmp_path / "s"
    with monkeypatch.context() as m:
        m.setattr(store_module, "schema_digest", lambda: "an-older-schema")
        _build(store, first)
        assert Store(store).manifest()["schema"] == "an-older-schema"
    _build(store, second)
    assert _written(store) == {"cypher": "rebuilt", "sparql": "rebuilt"}
    assert Store(store).manifest()["schema"] == store_module.schema_digest()
    _build(store, third)
    assert _written(store) == {"cypher": "updated", "sparql": "updated"}
    _compare(_state(store, tmp_path), whole)
