"""``insidergraph parse``: JSON lines that validate, exact numbers, errors as ``path:line:``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from insidergraph.cli import cli
from insidergraph.loaders import detect, frames, jsonout
from insidergraph.model import Filing

BAD = Path(__file__).parent / "fixtures" / "bad"


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:  # noqa: A002 (CliRunner.invoke's name)
    result = CliRunner().invoke(cli, ["parse", *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def corpus_lines(corpus: Path) -> list[dict[str, Any]]:
    code, out, err = run(str(corpus / "xml"), str(corpus / "txt"))
    assert code == 0 and err == ""
    return [json.loads(line, parse_float=Decimal) for line in out.splitlines()]


def test_every_corpus_filing_is_one_line_that_validates(corpus_lines: list[dict[str, Any]]) -> None:
    assert len(corpus_lines) == 633 + 18
    validator = jsonschema.Draft202012Validator(jsonout.load_schema())
    for line in corpus_lines:
        errors = list(validator.iter_errors(line))
        assert not errors, (line["source"]["path"], errors[0].message)


def test_totals_in_json_lines(corpus_lines: list[dict[str, Any]]) -> None:
    xml_lines = [d for d in corpus_lines if d["source"]["format"] == "xml"]
    assert sum(len(d["derivative"]) for d in xml_lines) == 702
    assert sum(len(d["non_derivative"]) for d in xml_lines) == 3463
    assert sum(len(d["footnotes"]) for d in xml_lines) == 3660
    assert {d["source"]["format"] for d in corpus_lines} == {"xml", "submission"}


def test_numbers_are_exact_json_numbers(corpus: Path) -> None:
    path = corpus / "xml" / "0001562180-25-000280__TSVT__F4__2025-01-06__Snow-Jessica__from-txt.xml"
    code, out, _ = run(str(path))
    assert code == 0
    # The filed digits, unquoted: no float rounding, trailing zeros kept.
    assert '"shares":106150.00,' in out and '"price_per_share":0.00,' in out
    assert '"exercise_price":2.64,' in out
    row = json.loads(out, parse_float=Decimal)["derivative"][0]
    assert row["exercise_price"] == Decimal("2.64")
    assert row["exercisable_date"] is None and row["footnotes"]["exercisable_date"] == ["F2"]
    assert row["expiration_date"] == "2035-01-06"


def test_dumps_keeps_digits_that_a_float_would_lose() -> None:
    text = jsonout.dumps({"a": Decimal("0.1234567890123456789"), "b": Decimal("-0"), "c": Decimal("1E+3")})
    assert text == '{"a":0.1234567890123456789,"b":-0,"c":1E+3}'
    assert json.loads(text, parse_float=Decimal)["a"] == Decimal("0.1234567890123456789")
    # Filed text that looks like the number markers once escaped stays text.
    tricky = {"s": "\\u0000x", "t": 'x\\u0000"', "n": [Decimal("1.50"), "\\"]}
    assert json.loads(jsonout.dumps(tricky), parse_float=Decimal) == tricky


def test_required_keys_of_the_issue(corpus_lines: list[dict[str, Any]]) -> None:
    line = next(d for d in corpus_lines if d["accession"] == "0000002488-24-000005")
    assert {"accession", "document_type", "period_of_report", "date_of_original_submission", "issuer",
            "reporting_owners", "non_derivative", "derivative", "footnotes", "signatures", "remarks",
            "source"} <= set(line)
    owner = line["reporting_owners"][0]
    assert owner["cik"] == "0001674334" and owner["is_other"] is True
    assert set(line["signatures"][0]) >= {"text", "date", "signer", "attorney_in_fact", "on_behalf_of"}
    assert line["derivative"][0]["type"] == "transaction"


def test_stdin(corpus: Path) -> None:
    data = (corpus / "txt" / "0000320193-22-000061__AAPL__F4.txt").read_bytes()
    code, out, err = run("-", input=data)
    assert code == 0 and err == ""
    line = json.loads(out)
    assert line["accession"] == "0000320193-22-000061" and line["source"]["path"] == "-"


def test_bad_files_are_one_line_each_and_good_files_still_come_out(corpus: Path) -> None:
    good = corpus / "xml" / "0000002488-24-000005__AMD__F4__2024-01-15__SMITH-DARLA-M__from-txt.xml"
    code, out, err = run(str(BAD), str(good))
    assert code == 1
    assert [json.loads(line)["accession"] for line in out.splitlines()] == ["0000002488-24-000005"]
    lines = err.splitlines()
    assert len(lines) == len(list(BAD.iterdir()))
    expected = {
        "billion-laughs.xml": 2,
        "empty.xml": 1,
        "malformed.xml": 7,
        "not-a-filing.txt": 1,
        "truncated.xml": 14,
        "wrong-root.xml": 2,
        "xxe.xml": 2,
    }
    for name, line in expected.items():
        assert any(text.startswith(f"{BAD / name}:{line}: ") for text in lines), name


def test_strict_stops_at_the_first_failure(corpus: Path) -> None:
    good = corpus / "txt" / "0000002488-24-000005__AMD__F4.txt"
    code, out, err = run("--strict", str(BAD / "empty.xml"), str(good))
    assert code == 1 and out == ""
    assert err.splitlines() == [f"{BAD / 'empty.xml'}:1: empty file"]
    code, out, _ = run("--strict", str(good), str(BAD / "empty.xml"))
    assert code == 1 and len(out.splitlines()) == 1


def test_missing_path_is_reported(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nope.xml"))
    assert code == 1 and out == "" and "nope.xml: cannot read" in err


def test_table_format(corpus: Path) -> None:
    code, out, _ = run("--format", "table", str(corpus / "txt"))
    assert code == 0
    assert "0000320193-22-000061" in out and "Apple Inc. (AAPL)" in out


def test_frames_are_keyed_by_accession_and_owner_cik(corpus: Path) -> None:
    filings = [f for f in detect.iter_filings([corpus / "xml"]) if isinstance(f, Filing)]
    assert len(filings) == 633
    fr = frames.to_frames(filings, exact=True)
    assert len(fr["owners"]) == sum(len(f.reporting_owners) for f in filings)
    assert len(fr["transactions"]) + len(fr["holdings"]) == 702 + 3463
    assert len(fr["footnotes"]) == 3660
    assert len(fr["signatures"]) == sum(len(f.signatures) for f in filings)
    owners = fr["owners"]
    assert set(owners[owners["accession"] == "0001493152-25-009612"]["owner_cik"]) >= {"0001065521", "0001883884"}
    tx = fr["transactions"]
    amd = tx[tx["accession"] == "0000002488-24-000005"]
    assert list(amd["owner_cik"].unique()) == ["0001674334"]
    assert Decimal("146.56") in set(amd["price_per_share"])
    joint = tx[tx["accession"] == "0001493152-25-009612"]
    assert len(joint) > 0 and joint["owner_cik"].isna().all()  # eight owners: no single owner to name


def test_help_lists_parse() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "parse" in result.stdout
