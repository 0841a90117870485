"""SEC's quarterly Insider Transactions Data Sets: every quirk on a fixture of our own, the bad
inputs (missing file, truncated zip, not a zip, wrong header, bad value), and the real excerpt."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from insidergraph.cli import cli
from insidergraph.errors import ParseError
from insidergraph.loaders.detect import iter_filings
from insidergraph.loaders.form345 import iter_dataset, parse_dataset, quarter_of

FIXTURE = Path(__file__).parent / "fixtures" / "form345" / "form345_2023q1_quirks"
EXCERPT = "tsv/form345_2024q3_excerpt"


def _load(path: Path | str) -> tuple[dict[str, object], list[str]]:
    errors: list[ParseError] = []
    filings = {f.accession: f for f in parse_dataset(path, errors)}
    return filings, [str(e) for e in errors]


@pytest.fixture(scope="module")
def quirks() -> dict[str, object]:
    filings, errors = _load(FIXTURE)
    assert errors == []
    return filings


def _zip(folder: Path, target: Path, edit: dict[str, str] | None = None,
         column: tuple[str, list[str]] | None = None) -> Path:
    """The fixture as a zip, with texts replaced and a SUBMISSION column added (name, cells)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for tsv in sorted(folder.glob("*.tsv")):
            text = tsv.read_text(encoding="utf-8")
            if column is not None and tsv.stem == "SUBMISSION":
                # Through a CSV reader and writer, so the quoted multi-line remarks stay one record.
                name, cells = column
                records = list(csv.reader(text.splitlines(keepends=True), delimiter="\t"))
                out = [[*records[0], name]] + [[*r, c] for r, c in zip(records[1:], cells)]
                buf = io.StringIO()
                csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(out)
                text = buf.getvalue()
            for old, new in (edit or {}).items():
                text = text.replace(old, new)
            zf.writestr(tsv.name, text)
    return target


def test_source_quarter_and_rounding_flag(quirks: dict) -> None:
    f = quirks["0009999901-23-000001"]
    assert (f.source.format, f.source.quarter, f.amounts_rounded) == ("form345", "2023q1", True)
    assert quarter_of("2024q3_form345.zip") == "2024q3"


def test_dates_dd_mon_yyyy_any_case(quirks: dict) -> None:
    f = quirks["0009999901-23-000002"]
    assert (f.filing_date, f.period_of_report) == (date(2023, 2, 15), date(2023, 2, 13))


def test_booleans_empty_0_1_false_true(quirks: dict) -> None:
    flags = {a: f.not_subject_to_section16 for a, f in quirks.items()}
    assert flags == {
        "0009999901-23-000001": False,  # "0"
        "0009999901-23-000002": False,  # "false"
        "0009999901-23-000003": True,  # "true"
        "0009999901-23-000004": None,  # empty
        "0009999901-23-000005": True,  # "1"
    }
    swaps = [r.equity_swap_involved for r in quirks["0009999901-23-000001"].non_derivative]
    assert swaps == [False, False]  # "false" (SK 3) then "0" (SK 12)


def test_quoted_fields_with_doubled_quotes_and_newlines(quirks: dict) -> None:
    f = quirks["0009999901-23-000001"]
    assert f.remarks == 'Remarks with a "quoted" word, a tab-free line\nand a second line'
    assert f.footnotes["F1"] == 'The price is a weighted average; the "range" is $224.01 to $224.09.'
    assert quirks["0009999901-23-000002"].signatures[0].text == 'Quirk Capital By" its GP, /s/ Richard Roe'


def test_footnote_siblings_and_value_only_by_footnote(quirks: dict) -> None:
    rows = quirks["0009999901-23-000001"].non_derivative
    assert [r.transaction_code for r in rows] == ["M", "S"]  # ordered by row key (SK 3, 12)
    assert rows[0].footnotes["shares_owned_following"] == ("F3", "F2", "F4")
    assert rows[1].price_per_share is None and rows[1].footnotes["price_per_share"] == ("F1",)
    assert rows[1].footnotes["transaction_code"] == ("F4",)  # EQUITY_SWAP_TRANS_CD_FN: the coding's footnotes
    option = quirks["0009999901-23-000001"].derivative[0]
    assert option.expiration_date is None and option.footnotes == {"expiration_date": ("F5",)}


def test_relationship_read_by_name(quirks: dict) -> None:
    def roles(acc: str) -> list[tuple[bool, bool, bool, bool]]:
        return [
            (o.relationship.is_director, o.relationship.is_officer, o.relationship.is_ten_percent_owner,
             o.relationship.is_other)
            for o in quirks[acc].reporting_owners
        ]

    assert roles("0009999901-23-000001") == [(True, True, False, False), (False, False, True, True)]
    assert roles("0009999901-23-000002") == [(False, False, True, False)]
    assert roles("0009999901-23-000004") == [(True, False, True, True)]
    assert roles("0009999901-23-000005") == [(False, True, False, False)]
    owner = quirks["0009999901-23-000001"].reporting_owners[0]
    assert (owner.cik, owner.relationship.officer_title, owner.address.city) == (
        "0009990101", "Chief Executive Officer", "Springfield")
    assert quirks["0009999901-23-000001"].reporting_owners[1].relationship.other_text == "Member of 13(d) group"
    assert quirks["0009999901-23-000002"].reporting_owners[0].cik == "0009990103"  # zero-padded


def test_duplicated_signature_rows_kept_one_per_owner(quirks: dict) -> None:
    sigs = quirks["0009999901-23-000001"].signatures
    assert [s.text for s in sigs] == ["/s/ Alan Smithee, Attorney-in-Fact"] * 2
    assert all(s.attorney_in_fact and s.date == date(2023, 1, 3) for s in sigs)


def test_excercise_date_and_exercise_date(quirks: dict) -> None:
    assert quirks["0009999901-23-000001"].derivative[0].exercisable_date == date(2020, 1, 1)  # EXCERCISE_DATE
    held = quirks["0009999901-23-000004"].derivative[0]
    assert (held.type, held.exercisable_date, held.expiration_date) == (
        "holding", date(2023, 3, 2), date(2024, 11, 2))  # EXERCISE_DATE


def test_form3_holdings_reported_either_spelling(quirks: dict, tmp_path: Path) -> None:
    f = quirks["0009999901-23-000005"]
    assert (f.form3_holdings_reported, f.form4_transactions_reported) == (True, False)
    readme = _zip(FIXTURE, tmp_path / "2023q1_form345.zip", {"FORM3_HOLDINGS_REPORTED": "FORM3_HOLDING_REPORTED"})
    filings, errors = _load(readme)
    assert errors == [] and filings["0009999901-23-000005"].form3_holdings_reported is True


def test_metadata_columns_missing_from_tsv_are_fine_extra_columns_ignored(tmp_path: Path) -> None:
    # The fixture, like SEC's files, has no CONTACT_* columns the metadata lists; a column
    # we do not know is left aside, not an error.
    extra = _zip(FIXTURE, tmp_path / "2023q1_form345.zip", column=("CONTACT_NAME", ["A. Clerk"] * 5))
    filings, errors = _load(extra)
    assert errors == [] and len(filings) == 5


def test_odd_tickers_kept_as_filed(quirks: dict) -> None:
    tickers = sorted(f.issuer.ticker for f in quirks.values())
    assert tickers == ["(SIRI)", "BFA, BFB", "N/A", "NONE", "NYSE: KRC"]
    assert quirks["0009999901-23-000001"].issuer.cik == "0009990001"


def test_rounded_amounts_kept_as_the_data_set_says(quirks: dict) -> None:
    row = quirks["0009999901-23-000001"].non_derivative[0]
    assert row.price_per_share == Decimal("224.05") and str(row.shares) == "250.0"


def test_amendment_has_original_date_but_no_original_accession(quirks: dict) -> None:
    f = quirks["0009999901-23-000003"]
    assert f.is_amendment and f.date_of_original_submission == date(2023, 1, 3)


def test_aff10b5one_column_present_in_some_quarters_only(quirks: dict, tmp_path: Path) -> None:
    assert all(f.aff10b5one is None for f in quirks.values())
    cells = ["1", "false", "", "0", "true"]
    filings, errors = _load(_zip(FIXTURE, tmp_path / "2024q1_form345.zip", column=("AFF10B5ONE", cells)))
    assert errors == []
    assert [filings[f"0009999901-23-00000{i}"].aff10b5one for i in (1, 2, 3)] == [True, False, None]
    assert filings["0009999901-23-000001"].source.quarter == "2024q1"


def test_missing_file_loads_the_rest_and_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "2023q1"
    shutil.copytree(FIXTURE, folder)
    (folder / "REPORTINGOWNER.tsv").unlink()
    filings, errors = _load(folder)
    assert len(filings) == 5 and all(f.reporting_owners == () for f in filings.values())
    assert errors == [f"{folder}: missing from the data set: REPORTINGOWNER.tsv;"
                      " its filings are read without those rows"]


def test_bad_value_leaves_out_only_its_filing_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "2023q1"
    shutil.copytree(FIXTURE, folder)
    sub = folder / "SUBMISSION.tsv"
    sub.write_text(sub.read_text().replace("15-FEB-2023", "31-FEB-2023"))
    filings, errors = _load(folder)
    assert sorted(filings) == ["0009999901-23-000001", "0009999901-23-000003", "0009999901-23-000004",
                               "0009999901-23-000005"]
    # Line 4: the quoted remarks of the first filing span lines 2 and 3.
    assert errors == [f"{sub}:4: FILING_DATE: not a date (DD-MON-YYYY): '31-FEB-2023' "
                      "(accession 0009999901-23-000002; its filing is left out)"]


def test_bad_zips_one_line_each_other_quarters_load_exit_1(tmp_path: Path) -> None:
    good = _zip(FIXTURE, tmp_path / "2023q1_form345.zip")
    truncated = tmp_path / "2023q2_form345.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_zip = tmp_path / "2023q3_form345.zip"
    not_zip.write_text("<html>404 Not Found</html>")
    header = _zip(FIXTURE, tmp_path / "2023q4_form345.zip", {"ISSUERCIK\t": "ISSUER_CIK\t"})
    result = CliRunner().invoke(cli, ["parse", "--format", "jsonl", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 5  # the good quarter, whole
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{truncated}: not a readable zip")
    assert lines[1].startswith(f"{not_zip}: not a readable zip")
    assert lines[2].startswith(f"{header}/SUBMISSION.tsv:1: wrong header: no column ISSUERCIK")


def test_damaged_member_names_zip_and_file(tmp_path: Path) -> None:
    good = _zip(FIXTURE, tmp_path / "2023q1_form345.zip")
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("FOOTNOTES.tsv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 5] ^= 0xFF  # corrupt the compressed bytes: CRC or inflate error
    good.write_bytes(bytes(data))
    filings, errors = _load(good)
    assert len(filings) == 5 and all(not f.footnotes for f in filings.values())
    assert len(errors) == 1 and errors[0].startswith(f"{good}/FOOTNOTES.tsv: damaged in the zip")


def test_real_excerpt_loads_every_row(corpus: Path) -> None:
    folder = corpus / EXCERPT
    filings, errors = _load(folder)
    assert errors == [f"{folder}: missing from the data set: REPORTINGOWNER.tsv, NONDERIV_TRANS.tsv, "
                      "FOOTNOTES.tsv; its filings are read without those rows"]

    def records(name: str) -> list[dict[str, str]]:
        with (folder / f"{name}.tsv").open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))

    assert len(filings) == len(records("SUBMISSION")) == 275
    for name, get in (
        ("NONDERIV_HOLDING", lambda f: [r for r in f.non_derivative if r.type == "holding"]),
        ("DERIV_TRANS", lambda f: [r for r in f.derivative if r.type == "transaction"]),
        ("DERIV_HOLDING", lambda f: [r for r in f.derivative if r.type == "holding"]),
        ("OWNER_SIGNATURE", lambda f: list(f.signatures)),
    ):
        rows = records(name)
        assert sum(len(get(f)) for f in filings.values()) == len(rows), name
    # Every footnote id of every cell is on its row, and every share count equals the cell.
    for rec in records("DERIV_TRANS"):
        f = filings[rec["ACCESSION_NUMBER"]]
        ids = {i.strip() for k, v in rec.items() if k.endswith("_FN") and v for i in v.split(",")}
        assert ids <= {i for r in f.derivative for ids_ in r.footnotes.values() for i in ids_}
        if rec["TRANS_SHARES"]:
            assert Decimal(rec["TRANS_SHARES"]) in {r.shares for r in f.derivative}
    sirius = filings["0001225208-24-008881"]
    assert (sirius.document_type, sirius.issuer.ticker, sirius.date_of_original_submission) == (
        "4/A", "(SIRI)", date(2024, 9, 11))
    assert sirius.remarks.startswith('This Form 4/A is being filed to amend and restate Table I of the original '
                                     'Form 4 filed by the reporting person on September 11, 2024 ("Original Form 4")')


def test_iter_filings_takes_a_corpus_folder_with_a_data_set_inside(corpus: Path) -> None:
    items = list(iter_filings([corpus / "tsv"]))
    assert sum(not isinstance(x, ParseError) for x in items) == 275
    assert [str(x) for x in items if isinstance(x, ParseError)] == [
        f"{corpus / EXCERPT}: missing from the data set: REPORTINGOWNER.tsv, NONDERIV_TRANS.tsv, FOOTNOTES.tsv; "
        "its filings are read without those rows"]


def test_iter_dataset_yields_errors_first() -> None:
    assert [type(x).__name__ for x in iter_dataset(FIXTURE)] == ["Filing"] * 5


def _synth():  # type: ignore[no-untyped-def]
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[1] / "bench" / "synth.py"
    spec = importlib.util.spec_from_file_location("insidergraph_bench_synth", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_synth_writes_data_set_zips_that_read_back_as_its_xml(tmp_path: Path) -> None:
    from insidergraph.loaders.xml import parse_bytes

    synth = _synth()
    zips = synth.write_form345(300, 5, tmp_path)
    assert zips and all(quarter_of(z.name) for z in zips)
    errors: list[ParseError] = []
    read = {f.accession: f for z in zips for f in parse_dataset(z, errors)}
    assert errors == []
    xml = {f.accession: f for f in (parse_bytes(d, n) for n, d in synth.generate(300, 5))}
    assert read.keys() == xml.keys() and len(read) == 300
    for acc, f in xml.items():
        got = read[acc]
        assert (got.issuer, got.document_type, got.period_of_report) == (f.issuer, f.document_type, f.period_of_report)
        assert [o.cik for o in got.reporting_owners] == [o.cik for o in f.reporting_owners]
        assert len(got.non_derivative) + len(got.derivative) == len(f.non_derivative) + len(f.derivative)
        assert got.source.quarter == f"{got.filing_date.year}q{(got.filing_date.month - 1) // 3 + 1}"


def test_synth_accession_agent_makes_a_second_population_of_new_accessions() -> None:
    synth = _synth()
    first = {n.split("__")[0] for n, _ in synth.generate(200, 1)}
    second = {n.split("__")[0] for n, _ in synth.generate(200, 1, agent=9_000_000)}
    assert len(first) == len(second) == 200 and not first & second
    assert all(a.startswith("0009000000-") for a in second)


def test_build_takes_zips_and_goes_on_past_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    good = _zip(FIXTURE, tmp_path / "in" / "2023q1_form345.zip")
    (tmp_path / "in" / "2023q2_form345.zip").write_bytes(good.read_bytes()[:100])
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "in"), "--store", str(store), "--no-progress"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{tmp_path / 'in' / '2023q2_form345.zip'}: not a readable zip (truncated or not a zip at all): "
        "File is not a zip file"]
    assert "filings read 5, added 5, failed 1" in result.stdout
    from insidergraph.graph.store import Store

    frame = Store(store).tables().nodes["Filing"]
    assert sorted(frame["source_format"]) == ["form345"] * 5
    roles = Store(store).tables().edges["TEN_PERCENT_OWNER_OF"]
    assert len(roles) == 3  # Quirk Capital, Roe, Poe: roles read by name


def test_real_excerpt_written_back_cell_for_cell(corpus: Path, tmp_path: Path) -> None:
    """Every cell of the real excerpt survives loading: written back, each file's cells equal the
    original's (flags as 1/0, numbers as numbers, the row keys renumbered in the same order)."""
    from insidergraph.graph.export_form345 import write_dataset
    from insidergraph.loaders.form345_columns import COLUMNS

    folder = corpus / EXCERPT
    write_dataset(parse_dataset(folder), tmp_path)

    def records(path: Path) -> dict[str, list[dict[str, str]]]:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        sk = next((c for c in rows[0] if c.endswith("_SK")), None) if rows else None
        if sk:
            rows.sort(key=lambda r: (r["ACCESSION_NUMBER"], int(r[sk])))
        out: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            out.setdefault(r["ACCESSION_NUMBER"], []).append(r)
        return out

    def cell(kind: str, text: str) -> object:
        if kind == "number" and text:
            return Decimal(text)
        if kind == "bool" and text:
            return text.lower() in ("1", "true")
        return text

    for name in ("SUBMISSION", "NONDERIV_HOLDING", "DERIV_TRANS", "DERIV_HOLDING", "OWNER_SIGNATURE"):
        original, written = records(folder / f"{name}.tsv"), records(tmp_path / f"{name}.tsv")
        assert original.keys() == written.keys(), name
        kinds = COLUMNS[name]
        for accession, rows in original.items():
            assert len(rows) == len(written[accession]), (name, accession)
            for a, b in zip(rows, written[accession]):
                for column, text in a.items():
                    if column.endswith("_SK"):
                        continue
                    assert cell(kinds[column], text) == cell(kinds[column], b[column]), (name, accession, column)


def test_row_with_missing_cells_or_bad_bytes_is_one_line_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "2023q1"
    shutil.copytree(FIXTURE, folder)
    (folder / "OWNER_SIGNATURE.tsv").write_text(
        "ACCESSION_NUMBER\tOWNERSIGNATURENAME\tOWNERSIGNATUREDATE\n0009999901-23-000001\tonly two\n")
    (folder / "FOOTNOTES.tsv").write_bytes(
        b"ACCESSION_NUMBER\tFOOTNOTE_ID\tFOOTNOTE_TXT\n0009999901-23-000001\tF1\t\xff\xfe\n")
    filings, errors = _load(folder)
    assert len(filings) == 5 and all(not f.signatures and not f.footnotes for f in filings.values())
    assert errors == [
        f"{folder / 'FOOTNOTES.tsv'}: not a data set TSV: In CSV column #2: Row #2: CSV conversion error to string: "
        "invalid UTF8 data",
        f"{folder / 'OWNER_SIGNATURE.tsv'}: not a data set TSV: CSV parse error: Row #2: Expected 3 columns, got 2: "
        "0009999901-23-000001\\tonly two",  # a ParseError shows control characters escaped: one line
    ]


def test_zip_picked_by_content_whatever_its_name(tmp_path: Path) -> None:
    odd = _zip(FIXTURE, tmp_path / "insiders-2023q1.dat")
    items = list(iter_filings([odd]))
    assert [type(x).__name__ for x in items] == ["Filing"] * 5
    assert items[0].source.quarter == "2023q1"
