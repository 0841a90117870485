"""The EDGAR complete-submission loader on the 18 real submissions of the corpus.

Header facts are checked against the raw header text read here with plain string
handling; the filing content against the corpus's XML file extracted from the same
submission (MANIFEST ``derived_from``), parsed on its own.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from insidergraph.errors import ParseError, UnknownFormatError
from insidergraph.loaders import detect, submission
from insidergraph.loaders import xml as xml_loader
from insidergraph.model import Document, Filing


@pytest.fixture(scope="module")
def pairs(corpus: Path) -> list[tuple[Path, Path]]:
    """(submission .txt, the XML file extracted from it) for every submission."""
    with open(corpus / "MANIFEST.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    found = [
        (corpus / row["derived_from"], corpus / row["relpath"])
        for row in rows
        if row["kind"] == "xml" and row["derived_from"].startswith("txt/")
    ]
    assert len(found) == 18
    return sorted(found)


def header_value(text: str, kv_key: str, tag: str) -> str:
    """A header field read by hand: the first ``KEY:`` line or ``<TAG>`` line."""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if line.startswith(kv_key + ":"):
            return line[len(kv_key) + 1 :].strip()
        if line.startswith(f"<{tag}>"):
            return line[len(tag) + 2 :].strip()
        if line.startswith("<DOCUMENT>"):
            break
    raise AssertionError(f"{kv_key} not in header")


def test_every_submission_parses_with_its_header_facts(pairs: list[tuple[Path, Path]]) -> None:
    styles = set()
    for txt, _ in pairs:
        text = txt.read_bytes().decode("latin-1")
        styles.add("tag" if text.lstrip().startswith("<SUBMISSION>") else "key/value")
        f = submission.parse(txt)
        assert f.source.format == "submission" and f.source.path == str(txt)
        assert f.accession == header_value(text, "ACCESSION NUMBER", "ACCESSION-NUMBER")
        assert f.accession == txt.name[:20]
        assert f.submission_type == header_value(text, "CONFORMED SUBMISSION TYPE", "TYPE")
        filed = header_value(text, "FILED AS OF DATE", "FILING-DATE")
        assert f.filing_date == date(int(filed[:4]), int(filed[4:6]), int(filed[6:8]))
        assert f.submission_type == f.document_type
    assert styles == {"tag", "key/value"}


def test_submission_content_equals_the_extracted_xml(pairs: list[tuple[Path, Path]]) -> None:
    for txt, xml_path in pairs:
        from_txt = submission.parse(txt)
        from_xml = xml_loader.parse(xml_path)
        assert from_xml.accession == from_txt.accession
        for field in ("document_type", "schema_version", "issuer", "reporting_owners", "non_derivative",
                      "derivative", "footnotes", "remarks", "signatures", "period_of_report"):
            assert getattr(from_txt, field) == getattr(from_xml, field), (txt.name, field)


def test_other_documents_are_listed(corpus: Path) -> None:
    air = submission.parse(corpus / "txt" / "0001127602-25-001055__AIR__F4.txt")
    assert air.documents == (
        Document(type="EX-24", sequence=2, filename="doc1.htm", description="POWER OF ATTORNEY: POA"),
    )
    infu = submission.parse(corpus / "txt" / "0001140361-14-019536__INFU__F4.txt")
    assert infu.documents == (
        Document(type="EX-24.1", sequence=2, filename="poa1.htm", description="POWER OF ATTORNEY"),
    )
    amd = submission.parse(corpus / "txt" / "0000002488-24-000005__AMD__F4.txt")
    assert amd.documents == ()


def test_source_line_is_the_xml_declaration_line_of_the_file(pairs: list[tuple[Path, Path]]) -> None:
    for txt, _ in pairs:
        lines = txt.read_bytes().decode("latin-1").splitlines()
        expected = next(i for i, line in enumerate(lines, 1) if "<?xml" in line or "<ownershipDocument" in line)
        assert submission.parse(txt).source.line == expected, txt.name


def test_lone_cr_and_indented_submissions(corpus: Path) -> None:
    arw = submission.parse(corpus / "txt" / "0001127602-25-004598__ARW__F4.txt")  # lone CR line ends
    assert (arw.accession, arw.filing_date, arw.submission_type) == ("0001127602-25-004598", date(2025, 2, 13), "4")
    assert arw.reporting_owners[0].relationship.officer_title == "SVP, CLO & Secretary"
    tsla = submission.parse(corpus / "txt" / "0001790565-23-000009__TSLA__F4.txt")  # indented <?xml
    assert tsla.accession == "0001790565-23-000009"
    assert tsla.signatures[0].text == "By: Aaron Beckman, Power of Attorney For: Andrew D. Baglino"


def test_detection_picks_the_submission_loader_by_content(corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "filing.xml"  # a misleading extension
    copy.write_bytes((corpus / "txt" / "0000320193-22-000061__AAPL__F4.txt").read_bytes())
    f = detect.parse_path(copy)
    assert f.source.format == "submission" and f.issuer.ticker == "AAPL"


# --- bad submissions: lines are the file's lines ----------------------------------------

HEADER = """<SEC-DOCUMENT>0000000001-24-000001.txt : 20240101
<SEC-HEADER>0000000001-24-000001.hdr.sgml : 20240101
ACCESSION NUMBER:\t\t0000000001-24-000001
CONFORMED SUBMISSION TYPE:\t4
FILED AS OF DATE:\t\t20240102
</SEC-HEADER>
<DOCUMENT>
<TYPE>4
<SEQUENCE>1
<FILENAME>form4.xml
<TEXT>
<XML>
<?xml version="1.0"?>
<ownershipDocument>
<schemaVersion>X0508</schemaVersion>
<documentType>4</documentType>
<issuer><issuerCik>1</issuerCik><issuerName>Example & Co</issuerName></issuer>
</ownershipDocument>
</XML>
</TEXT>
</DOCUMENT>
</SEC-DOCUMENT>
"""
BAD_LINE = 17  # the line with the bare "&"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_malformed_xml_in_a_submission_reports_the_submission_line(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(HEADER.replace("\n", newline).encode())
    with pytest.raises(ParseError) as info:
        detect.parse_path(path)
    assert info.value.line == BAD_LINE
    assert "malformed XML" in info.value.message


def test_good_synthetic_submission_and_its_header(tmp_path: Path) -> None:
    path = tmp_path / "good.txt"
    path.write_text(HEADER.replace("Example & Co", "Example &amp; Co"))
    f = submission.parse(path)
    assert (f.accession, f.filing_date, f.issuer.name, f.source.line) == (
        "0000000001-24-000001",
        date(2024, 1, 2),
        "Example & Co",
        13,
    )


def test_truncated_submission(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_text(HEADER[: HEADER.index("</ownershipDocument>")])
    with pytest.raises(ParseError) as info:
        submission.parse(path)
    assert "truncated" in info.value.message and info.value.line == 17  # its last line


def test_submission_without_ownership_xml_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "8k.txt"
    path.write_text(HEADER.split("<DOCUMENT>")[0] + "<DOCUMENT>\n<TYPE>8-K\n<TEXT>\nhello\n</TEXT>\n</DOCUMENT>\n")
    with pytest.raises(UnknownFormatError):
        submission.parse(path)


def test_replace_keeps_the_model_frozen(corpus: Path) -> None:
    f: Filing = submission.parse(corpus / "txt" / "0000002488-24-000005__AMD__F4.txt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.accession = "x"  # type: ignore[misc]
    assert re.fullmatch(r"\d{10}-\d{2}-\d{6}", f.accession or "")
