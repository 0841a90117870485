"""The store keeps filings as Parquet tables of the model: exact round trips, generic over
model fields, nothing executable in a store, old formats refused with one line."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import pickle
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from insidergraph.backends import store_engines
from insidergraph.cli import cli
from insidergraph.errors import InsiderGraphError, StoreError
from insidergraph.graph.filing_tables import FilingCodec
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.loaders.detect import iter_paths, parse_path
from insidergraph.model import Filing, Issuer, NonDerivativeRow, Source


def _corpus_filings(corpus: Path) -> list[Filing]:
    out = []
    for path in iter_paths([str(corpus)]):
        with contextlib.suppress(InsiderGraphError):
            out.append(parse_path(path))
    return out


@pytest.fixture(scope="module")
def filings(corpus: Path) -> list[Filing]:
    return _corpus_filings(corpus)


def test_every_corpus_filing_round_trips_through_the_tables_exactly(filings: list[Filing]) -> None:
    assert len(filings) > 600
    codec = FilingCodec(Filing)
    tables = codec.encode(filings)
    assert {"filings", "reporting_owners", "non_derivative", "derivative", "footnotes", "signatures",
            "documents"} <= set(tables)
    assert codec.decode(tables) == filings


def test_the_store_gives_back_equal_filings(filings: list[Filing], tmp_path: Path) -> None:
    from insidergraph.graph.build import GraphBuilder

    store = Store(tmp_path / "s")
    store.add(filings[:200], engines=store_engines())
    store.add(filings, engines=store_engines())
    builder = GraphBuilder()
    kept = [f for f in filings[:200] if builder.add(f)]
    kept += [f for f in filings if builder.add(f)]
    assert Store(tmp_path / "s").filings() == kept


def _held_values(filings: list[Filing]) -> tuple[int, int]:
    """(cells holding a string, date or amount; distinct objects among them) over every field
    of the filings, their parties and rows."""
    import dataclasses
    from datetime import date

    cells = 0
    objects: set[int] = set()

    def walk(value: object) -> None:
        nonlocal cells
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, (str, date, Decimal)) and (not isinstance(value, str) or len(value) > 1):
            cells += 1  # (one-character strings are shared by Python itself)
            objects.add(id(value))

    for f in filings:
        walk(f)
    return cells, len(objects)


def test_equal_values_of_the_filings_are_one_object_each(filings: list[Filing], tmp_path: Path) -> None:
    # Parsed and read back, a filing's repeated names, CIKs, titles, dates and amounts are
    # shared objects (the memory of a million filings). On the real corpus, parsed: 75% as
    # many objects as cells before the sharing, 20% now; read back from the store (shared
    # within each column): one object per cell before, half now. And the filings read back
    # equal those parsed.
    from insidergraph.graph.build import GraphBuilder

    cells, objects = _held_values(filings)
    assert objects < 0.4 * cells, (cells, objects)
    store = Store(tmp_path / "s")
    store.add(filings, engines=store_engines())
    back = store.filings()
    builder = GraphBuilder()
    assert back == [f for f in filings if builder.add(f)]
    cells_back, objects_back = _held_values(back)
    assert objects_back < 0.6 * cells_back, (cells_back, objects_back)
    # The same issuer's name in two of its filings is one object.
    by_cik: dict[str, list[Filing]] = {}
    for f in back:
        by_cik.setdefault(f.issuer.cik or "", []).append(f)
    pairs = [(a, b) for fs in by_cik.values() for a, b in itertools.pairwise(fs) if a.issuer.name == b.issuer.name]
    assert pairs and all(a.issuer.name is b.issuer.name for a, b in pairs)


def test_clear_caches_empties_every_cache_of_the_loaders() -> None:
    # One registry: a cache added to the loaders is emptied with the rest (the memory of a
    # batch goes back to the system only when nothing of it lives).
    from insidergraph.loaders import clear_caches, memo, names, signatures, xml_fields

    for name in ("Jane Q Public", "ACME HOLDINGS LLC"):
        names.person_key(name)
        names.owner_kind(name)
    signatures.parse_signature("/s/ Jane Q Public", None, ())
    xml_fields.decimal_value("12.50")
    memo.shared("Common Stock")
    assert memo._CACHES and all(cached.cache_info().currsize for cached in
                                (names.person_key, names.owner_kind, xml_fields.decimal_value, memo._first))
    clear_caches()
    assert [cached.cache_info().currsize for cached in memo._CACHES] == [0] * len(memo._CACHES)


def test_decimals_keep_every_digit_and_exponent() -> None:
    amounts = [Decimal("12345678901234567890.123456789012345678"), Decimal("1.50"), Decimal("-0"),
               Decimal("1E+7"), Decimal("0.000000000000000000000001")]
    f = Filing(accession="0000000001-26-000001", document_type="4", issuer=Issuer(cik="1", name="X"),
               source=Source(path="x", format="xml"),
               non_derivative=tuple(NonDerivativeRow(type="holding", shares=a) for a in amounts))
    codec = FilingCodec(Filing)
    back = codec.decode(codec.encode([f]))[0]
    assert [str(r.shares) for r in back.non_derivative] == [str(a) for a in amounts]


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    """A made-up model class the store has never seen."""

    attorney: str
    granted: Decimal | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Form345Source(Source):
    quarter: str | None = None
    rounded: bool = False


@dataclass(frozen=True, slots=True)
class FilingPlus(Filing):
    source: Form345Source
    powers_of_attorney: tuple[PowerOfAttorney, ...] = ()
    extra_note: str | None = None


def test_fields_added_to_the_model_need_no_store_change() -> None:
    f = FilingPlus(accession="0000000001-26-000002", document_type="4", issuer=Issuer(cik="1", name="X"),
                   source=Form345Source(path="q.zip", format="xml", quarter="2026q1", rounded=True),
                   powers_of_attorney=(PowerOfAttorney("Jane Roe", Decimal("2.5"), ("sign", "file")),
                                       PowerOfAttorney("John Doe")),
                   extra_note="n")
    codec = FilingCodec(FilingPlus)
    tables = codec.encode([f, f])
    assert tables["powers_of_attorney"].num_rows == 4
    assert "extra_note" in tables["filings"].column_names
    assert codec.decode(tables) == [f, f]


def test_a_table_with_an_unknown_column_is_refused() -> None:
    f = FilingPlus(accession="a", document_type="4", issuer=Issuer(cik="1", name="X"),
                   source=Form345Source(path="x", format="xml"), extra_note="n")
    tables = FilingCodec(FilingPlus).encode([f])
    with pytest.raises(StoreError, match="extra_note"):
        FilingCodec(Filing).decode({k: v for k, v in tables.items() if k != "powers_of_attorney"})


def test_a_store_holds_no_pickle_and_a_planted_one_is_never_loaded(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "s"
    xml = sorted(str(p) for p in (corpus / "xml").glob("*.xml"))
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--no-progress", "--store", str(path), *xml[:20]]).exit_code == 0
    assert not [p for p in path.rglob("*") if p.suffix in (".pickle", ".pkl")]
    for p in path.rglob("*"):
        if p.is_file():
            assert p.read_bytes()[:2] != b"\x80\x04", p  # no pickle stream under another name

    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            import os
            return (os.system, (f"touch {marker}",))

    gen = Store(path).generation_dir
    (gen / "filings" / "000000" / "000000.pickle").write_bytes(pickle.dumps([Boom()]))
    result = runner.invoke(cli, ["build", "--no-progress", "--store", str(path), *xml[20:30]])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["query", "shared-directors", "--store", str(path)]).exit_code == 0
    assert not marker.exists()


def test_an_old_format_store_gets_one_line_saying_to_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "old"
    (path / "filings").mkdir(parents=True)
    (path / "manifest.json").write_text('{"format": 2, "filings": 1}')
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            import os
            return (os.system, (f"touch {marker}",))

    (path / "filings" / "000000.pickle").write_bytes(pickle.dumps([Boom()]))
    runner = CliRunner()
    for args in (["query", "shared-directors", "--store", str(path)],
                 ["build", "--no-progress", "--store", str(path), str(tmp_path)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "store format 2" in lines[0] and "build it again" in lines[0], lines
    assert not marker.exists()


def test_the_manifest_keeps_its_writers_own_keys_across_builds(corpus: Path, tmp_path: Path) -> None:
    xml = sorted((corpus / "xml").glob("*.xml"))
    store = Store(tmp_path / "s")
    store.add([parse_path(str(xml[0]))], meta={"fetch": {"last": "2026-12-01"}}, engines=store_engines())
    store.add([parse_path(str(p)) for p in xml[1:4]], engines=store_engines())
    assert Store(tmp_path / "s").manifest()["fetch"] == {"last": "2026-12-01"}
    with pytest.raises(StoreError, match="files"):
        store.add([], meta={"files": {}}, engines=store_engines())


def test_a_graph_of_an_older_insidergraph_is_named_and_rebuilt_by_the_next_build(corpus: Path,
                                                                                   tmp_path: Path) -> None:
    # The graph tables of a store built before Transaction had ``superseded``: the column dropped,
    # the manifest's digests kept consistent, as the older version wrote them.
    files = [str(corpus / "xml" / n) for n in ("C__F4__2025-10-22__Fraser-Jane-Nind.xml",
                                               "C__F4A__2025-10-22__Fraser-Jane-Nind.xml")]
    path = tmp_path / "store"
    build_store(files, path, engines=store_engines())
    store = Store(path)
    table = store.graph_dir / "nodes" / "Transaction.parquet"
    pq.write_table(pq.read_table(table).drop_columns(["superseded"]), table)
    manifest_path = store.generation_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    rel = table.relative_to(store.generation_dir).as_posix()
    manifest["files"][rel] = {"size": table.stat().st_size, "sha256": hashlib.sha256(table.read_bytes()).hexdigest()}
    manifest_path.write_text(json.dumps(manifest))
    runner = CliRunner()
    for engine in ("cypher", "sparql", "networkx"):
        old = runner.invoke(cli, ["query", "insider-trades", "--store", str(path), "--engine", engine])
        assert old.exit_code == 1, engine
        assert old.stderr == (f"Error: {path}: its graph was written by an older insidergraph "
                              f"(nodes/Transaction.parquet: superseded is missing); run "
                              f"`insidergraph build PATH... --store {path}` (any filings) to rebuild its graph\n")
    rebuilt = runner.invoke(cli, ["build", files[0], "--store", str(path)])
    assert rebuilt.exit_code == 0, rebuilt.output
    again = runner.invoke(cli, ["query", "insider-trades", "--store", str(path), "--engine", "networkx",
                                "--format", "csv"])
    assert again.exit_code == 0 and len(again.stdout.splitlines()) == 3  # the amendment's two rows
