"""`export --format form345`: the whole XML corpus written as SEC's data set files, built again
from them, gives the XML's graph table by table; the files read back with pandas by the
metadata's column names and types."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from insidergraph.cli import cli
from insidergraph.errors import ParseError
from insidergraph.graph.build import build_graph
from insidergraph.graph.export_form345 import write_dataset
from insidergraph.graph.store import Store
from insidergraph.loaders.detect import iter_filings
from insidergraph.loaders.form345 import parse_dataset
from insidergraph.loaders.form345_columns import ALIASES, COLUMNS

FIXTURE = Path(__file__).parent / "fixtures" / "form345" / "form345_2023q1_quirks"
_AMOUNTS = {"shares", "price_per_share", "shares_owned_following", "value_owned_following", "exercise_price",
            "transaction_total_value", "underlying_shares", "underlying_value"}
#: What the data set has no column for (its Filing node keeps them empty), and where it came from.
_NOT_IN_DATA_SET = ("schema_version", "source_path", "source_format")


def _transactions_first(f):  # type: ignore[no-untyped-def]
    # The data set keeps transactions and holdings in two files: where a holding sat among the
    # transactions of a table is not in it (5 XML filings list a holding first). The loader puts
    # transactions first, so the XML is compared in that order.
    def key(r):  # type: ignore[no-untyped-def]
        return r.type != "transaction"

    return replace(f, non_derivative=tuple(sorted(f.non_derivative, key=key)),
                   derivative=tuple(sorted(f.derivative, key=key)))


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in _NOT_IN_DATA_SET if c in frame.columns]).copy()
    for column in out.columns:
        if column in _AMOUNTS:
            out[column] = [None if v is None or v != v
                           else str(Decimal(str(v)).quantize(Decimal("0.01"), ROUND_HALF_UP))
                           for v in out[column]]
    return out.astype(str).reset_index(drop=True)


@pytest.fixture(scope="module")
def exported(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("form345-export")
    runner = CliRunner()
    built = runner.invoke(cli, ["build", str(corpus / "xml"), "--store", str(base / "xml-store"), "--no-progress"])
    assert built.exit_code == 0, built.output
    out = runner.invoke(cli, ["export", "--store", str(base / "xml-store"), "--format", "form345", "-o",
                              str(base / "2025q4")])
    assert out.exit_code == 0, out.output
    again = runner.invoke(cli, ["build", str(base / "2025q4"), "--store", str(base / "tsv-store"), "--no-progress"])
    assert again.exit_code == 0, again.output
    return base / "2025q4", base / "tsv-store", out.stderr


def test_export_says_what_it_left_out(exported: tuple[Path, Path, str]) -> None:
    folder, _, note = exported
    assert note.strip() == (f"480 filings written to {folder} as SEC's data set files; 153 filings without an "
                            "accession number are not (the data set is keyed by accession)")


def test_xml_corpus_through_the_data_set_gives_the_same_graph(corpus: Path, exported: tuple[Path, Path, str]) -> None:
    _, store, _ = exported
    xml = [f for f in iter_filings([corpus / "xml"]) if not isinstance(f, ParseError) and f.accession]
    assert len(xml) == 480
    expected = build_graph(_transactions_first(f) for f in xml)
    got = Store(store).tables()
    assert expected.counts() == got.counts()
    for kind in ("nodes", "edges"):
        for name, frame in getattr(expected, kind).items():
            left, right = _normalised(frame), _normalised(getattr(got, kind)[name])
            assert list(left.columns) == list(right.columns), name
            pd.testing.assert_frame_equal(left, right, obj=f"{kind} {name}")
    sources = got.nodes["Filing"]["source_format"].unique().tolist()
    assert sources == ["form345"]


def test_files_read_back_with_pandas_by_the_metadata(corpus: Path, exported: tuple[Path, Path, str]) -> None:
    folder, _, _ = exported
    meta = json.loads((corpus / "tsv/form345_2024q3_excerpt/FORM_345_metadata.json").read_text(encoding="utf-8"))
    rows = {}
    for table in meta["tables"]:
        name = table["url"].removesuffix(".tsv")
        frame = pd.read_csv(folder / table["url"], sep="\t", dtype=str, keep_default_na=False)
        written = [ALIASES.get(c, c) for c in frame.columns]
        described = {ALIASES.get(c["name"], c["name"]): c["datatype"]["base"] for c in table["tableSchema"]["columns"]}
        # Every column written is the metadata's (AFF10B5ONE: later quarters); every metadata
        # column is written but the SUBMISSION contact columns, which no SEC TSV has either.
        assert set(written) - set(described) <= {"AFF10B5ONE"}, name
        assert {c for c in described if c not in written} <= {
            "CONTACT_NAME", "CONTACT_PHONE_NUMBER", "CONTACT_EMAIL_ADDRESS", "NOTIFICATION_EMAIL_ADDRESS"}, name
        assert written == list(COLUMNS[name]), name
        for column, base in described.items():
            if column not in frame.columns:
                continue
            cells = frame[column][frame[column] != ""]
            if base.startswith("date"):
                pd.to_datetime(cells, format="%d-%b-%Y")  # raises on a cell that is not DD-MON-YYYY
            elif base == "NUMBER":
                numbers = pd.to_numeric(cells)
                assert (numbers.round(2) == numbers).all(), column
        rows[name] = len(frame)
    assert rows["SUBMISSION"] == 480 and rows["OWNER_SIGNATURE"] > 480 and rows["FOOTNOTES"] > 0


def test_quirks_fixture_survives_write_and_read(tmp_path: Path) -> None:
    original = {f.accession: f for f in parse_dataset(FIXTURE)}
    write_dataset(original.values(), tmp_path / "2023q1")
    errors: list[ParseError] = []
    again = {f.accession: f for f in parse_dataset(tmp_path / "2023q1", errors)}
    assert errors == []
    for accession, f in original.items():
        assert replace(again[accession], source=f.source) == f, accession


def test_form_5_reported_flags_read_from_xml_go_through_the_data_set(corpus: Path,
                                                                    exported: tuple[Path, Path, str]) -> None:
    folder, _, _ = exported
    submission = pd.read_csv(folder / "SUBMISSION.tsv", sep="\t", dtype=str, keep_default_na=False)
    musk = submission[submission["ACCESSION_NUMBER"] == "0000899243-22-006240"].iloc[0]
    assert (musk["FORM3_HOLDINGS_REPORTED"], musk["FORM4_TRANS_REPORTED"]) == ("0", "0")
    back = {f.accession: f for f in parse_dataset(folder)}
    xml = [f for f in iter_filings([corpus / "xml"]) if not isinstance(f, ParseError) and f.accession]
    stated = {f.accession: (f.form3_holdings_reported, f.form4_transactions_reported) for f in xml}
    assert sum(v != (None, None) for v in stated.values()) == 3  # McMahon's Form 5 has no accession
    assert {a: (f.form3_holdings_reported, f.form4_transactions_reported) for a, f in back.items()} == stated
