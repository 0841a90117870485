"""The graph tables are exactly the committed golden ones, table by table.

``tests/data/golden/adversarial.jsonl`` holds every table the builder makes of
:func:`adversarial_filings` (a constructed set whose ids stress the ordering: accessions that
are prefixes of one another, ids holding the ``|`` separator, row numbers past 9, undefined
and repeated footnote references, CIK-less issuers and owners, an amendment, signers who are
no owner): per table its Arrow schema, the digest of its pandas frame (columns, dtypes, index,
values and their Python types) and every row. ``tests/data/golden/corpus.json`` holds the
digests of every table for the real corpus (XML only, and every file of it: rendered forms,
submissions) and the corpus repeated three times as ``bench/build.py`` does.

The files were written by the builder of commit dffce8b, before it was split by concern. An
intended change of the graph rewrites them in the same commit, and the diff of the
adversarial tables shows what changed::

    .venv/bin/python tests/test_graph_golden.py --write
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from insidergraph.graph.build import build_graph
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES
from insidergraph.graph.tables import GraphTables
from insidergraph.model import (
    DerivativeRow,
    Filing,
    Issuer,
    NonDerivativeRow,
    Relationship,
    ReportingOwner,
    Signature,
    Source,
)

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
ADVERSARIAL = GOLDEN / "adversarial.jsonl"
CORPUS_DIGESTS = GOLDEN / "corpus.json"


def table_digest(table: pa.Table) -> str:
    """Digest of an Arrow table's schema and values (not of its chunking or encoding)."""
    h = hashlib.sha256(str(table.schema).encode())
    for name in table.column_names:
        for v in table.column(name).to_pylist():
            h.update(repr(v).encode() + b"\x00")
    return h.hexdigest()[:20]


def frame_digest(df: Any) -> str:
    """Digest of a pandas frame: columns, dtypes, index, values and their Python types."""
    h = hashlib.sha256(repr((list(df.columns), [str(t) for t in df.dtypes], repr(df.index))).encode())
    for name in df.columns:
        for v in df[name].tolist():
            h.update(f"{type(v).__name__}:{v!r}".encode() + b"\x00")
    return h.hexdigest()[:20]


def _tables(g: GraphTables) -> list[tuple[str, pa.Table, Any]]:
    return [(f"{kind}/{name}", g.to_arrow(kind, name), (g.nodes if kind == "nodes" else g.edges)[name])
            for kind, names in (("nodes", NODE_TYPES), ("edges", EDGE_TYPES)) for name in names]


def digests(g: GraphTables) -> dict[str, str]:
    """Every table's Arrow and frame digest, keyed ``kind/name`` and ``kind/name:frame``."""
    out = {}
    for key, table, frame in _tables(g):
        out[key] = table_digest(table)
        out[f"{key}:frame"] = frame_digest(frame)
    return out


def _json(value: Any) -> Any:
    # Dates as ISO text: the schema line says which columns are dates.
    return value.isoformat() if isinstance(value, dt.date) else value


def golden_lines(g: GraphTables) -> list[str]:
    """Every table as JSON lines: a header (name, schema, frame digest), then one line per row."""
    lines = []
    for key, table, frame in _tables(g):
        header = {"table": key, "rows": table.num_rows, "schema": str(table.schema).splitlines(),
                  "frame": frame_digest(frame)}
        lines.append(json.dumps(header, sort_keys=True))
        columns = [table.column(name).to_pylist() for name in table.column_names]
        lines.extend(json.dumps([_json(v) for v in row], ensure_ascii=False) for row in zip(*columns))
    return lines


def _owner(cik: str | None, name: str, display: str, **rel: Any) -> ReportingOwner:
    return ReportingOwner(cik=cik, name=name, display_name=display, kind="person",
                          relationship=Relationship(**rel))


def _rows(n: int, notes: tuple[str, ...] = ()) -> tuple[NonDerivativeRow, ...]:
    return tuple(
        NonDerivativeRow(type="transaction" if i % 3 else "holding", security_title=f"Common Stock{' ' * (i % 2)}",
                         transaction_date=date(2024, 1, 1 + i), shares=Decimal(f"{i}.50"),
                         footnotes={"shares": notes} if notes else {})
        for i in range(n)
    )


def adversarial_filings() -> list[Filing]:
    """Filings whose ids test every ordering rule of the tables."""
    acme = Issuer(cik="0000000001", name="ACME CORP", ticker="ACME")
    odd = Issuer(cik="7|7", name="PIPE | CO", ticker=None)
    out = []
    for acc in ("1", "12", "1-2", "1|2", "1.2", "12-1", None):
        owners = (_owner("0000000011", "DOE JANE", "Jane Doe", is_director=True, is_officer=True,
                         officer_title="C.E.O."),
                  _owner("00000000111", "ROE RICHARD", "Richard Roe", is_other=True, other_text="Trust | Trustee"),
                  _owner(None, "POE EDGAR", "Edgar Poe", is_ten_percent_owner=True))
        out.append(Filing(
            accession=acc, document_type="4", issuer=odd if acc == "1|2" else acme, reporting_owners=owners,
            source=Source(path=f"{acc}.xml", format="xml"), period_of_report=date(2024, 2, 1 + len(acc or "")),
            non_derivative=_rows(12, ("F1", "F10", "F1", "F2|x", "F9")),
            derivative=(DerivativeRow(type="transaction", security_title="Option", underlying_title="Common  Stock",
                                      exercise_price=Decimal("1E+3"), footnotes={"exercise_price": ("F1",)}),
                        DerivativeRow(type="holding", security_title="Option|2", underlying_title="Common Stock")),
            footnotes={"F1": "one", "F10": "ten", "F2|x": None, "F3": "unused"},  # type: ignore[dict-item]
            signatures=(Signature(text="/s/ Max Agent, attorney-in-fact for Jane Doe", signer="Max Agent",
                                  attorney_in_fact=True, on_behalf_of="DOE JANE", date=date(2024, 3, 1)),
                        Signature(text="Jane Doe", signer="Jane Doe")),
        ))
    # An amendment with rows (its original's holdings are superseded).
    out.append(replace(out[0], accession="1A", document_type="4/A", date_of_original_submission=None))
    # Blank role texts, an entity owner, a signer who is no owner, a signature without text.
    out.append(Filing(
        accession="2", document_type="3", issuer=replace(acme, cik=None), source=Source(path="2.html", format="html"),
        reporting_owners=(_owner("0000000012", "SMITH JOHN", "John Smith", is_officer=True, officer_title="  ",
                                 is_other=True, other_text=""),
                          replace(_owner(None, "ACME HOLDINGS LLC", "Acme Holdings LLC", is_ten_percent_owner=True),
                                  kind="entity")),
        signatures=(Signature(text="  "), Signature(text="/s/ Pat Q. Lee", signer="Pat Q. Lee", date=date(2024, 1, 9))),
    ))
    return out


def _load_bench_build() -> Any:
    path = REPO / "bench" / "build.py"
    spec = importlib.util.spec_from_file_location("insidergraph_bench_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _relative(filing: Filing, corpus: Path) -> Filing:
    """The filing as read from its path inside the corpus, wherever the corpus is."""
    path = Path(filing.source.path)
    return replace(filing,
                   source=replace(filing.source, path=str(path.relative_to(corpus) if path.is_absolute() else path)))


def _corpus_xml(corpus: Path) -> list[Filing]:
    from insidergraph.loaders.xml import parse

    return [_relative(parse(p), corpus) for p in sorted((corpus / "xml").glob("*.xml"))]


def _corpus_all(corpus: Path) -> list[Filing]:
    from insidergraph.errors import InsiderGraphError
    from insidergraph.loaders.detect import iter_paths, parse_path

    out = []
    for path in iter_paths([str(corpus)]):
        with contextlib.suppress(InsiderGraphError):
            out.append(_relative(parse_path(path), corpus))
    return out


def _replicated(corpus: Path) -> list[Filing]:
    bench = _load_bench_build()
    return list(bench.replicate(_corpus_xml(corpus), 3 * 633))


CASES: dict[str, Callable[[Path], list[Filing]]] = {
    "corpus-xml": _corpus_xml,
    "corpus-all": _corpus_all,
    "corpus-x3": _replicated,
}


def _golden_adversarial() -> list[str]:
    return ADVERSARIAL.read_text(encoding="utf-8").splitlines()


def test_adversarial_graph_is_the_golden_one() -> None:
    assert golden_lines(build_graph(adversarial_filings())) == _golden_adversarial()


@pytest.mark.parametrize("case", list(CASES))
def test_corpus_graph_is_the_golden_one(case: str, corpus: Path) -> None:
    filings = CASES[case](corpus)
    assert len(filings) >= 633
    assert digests(build_graph(filings)) == json.loads(CORPUS_DIGESTS.read_text())[case]


def test_written_and_read_tables_are_the_built_ones(corpus: Path, tmp_path: Path) -> None:
    built = build_graph(adversarial_filings())
    built.write(tmp_path)
    assert digests(GraphTables.read(tmp_path)) == digests(built)


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_the_graph_does_not_depend_on_the_hash_seed(seed: str) -> None:
    import os
    import subprocess

    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import test_graph_golden as t; "
            "print(json.dumps(t.golden_lines(t.build_graph(t.adversarial_filings()))))")
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == _golden_adversarial()


def write_golden(corpus: Path) -> None:
    """Rewrite the golden files from the builder as it is now."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    ADVERSARIAL.write_text("\n".join(golden_lines(build_graph(adversarial_filings()))) + "\n", encoding="utf-8")
    cases = {case: digests(build_graph(make(corpus))) for case, make in CASES.items()}
    CORPUS_DIGESTS.write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/test_graph_golden.py --write   (rewrites tests/data/golden/)")
    write_golden(REPO.parent / "shared" / "corpus")
