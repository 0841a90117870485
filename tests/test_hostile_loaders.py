"""Hostile and malformed inputs: one bad file never sinks a batch, nor makes a loader open a file.

Every input is one of the small forms in ``tests/fixtures/hostile`` (written for these
tests: an ownershipDocument, the same in an EDGAR submission, an HTML rendering), changed
in exactly one place. Each case runs ``insidergraph parse`` and ``insidergraph build`` on
a folder holding the bad file and the three good ones and checks the batch contract of
:mod:`batch_contract`: one stderr line naming the file (and line) and what is wrong, the
good files still out, exit status 1, no traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from insidergraph.errors import ParseError
from insidergraph.loaders import detect, jsonout

from batch_contract import check_build, check_parse, error_line, invoke

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
XML = (HOSTILE / "form4.xml").read_bytes()
TXT = (HOSTILE / "submission.txt").read_bytes()
HTML = (HOSTILE / "form4.html").read_bytes()
GOOD = {"form4.xml": XML, "submission.txt": TXT, "form4.html": HTML}


def line_of(data: bytes, needle: bytes) -> int:
    """1-based line of the first ``needle`` in ``data``."""
    at = data.index(needle)
    return data[:at].count(b"\n") + 1


def swap(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) >= 1, old
    return data.replace(old, new, 1)


def batch(tmp_path: Path, name: str, content: bytes) -> tuple[Path, Path, list[Path]]:
    """A folder with the three good forms and ``name`` holding ``content``."""
    folder = tmp_path / "in"
    folder.mkdir()
    good = []
    for good_name, data in GOOD.items():
        (folder / good_name).write_bytes(data)
        good.append(folder / good_name)
    bad = folder / name
    bad.write_bytes(content)
    return folder, bad, good


def check_batch(tmp_path: Path, name: str, content: bytes, *needles: str, line: int | None) -> None:
    """``parse`` and ``build`` of the batch: the bad file one line (at ``line``), the rest kept."""
    folder, bad, good = batch(tmp_path, name, content)
    run = check_parse(folder, {bad: needles}, good)
    error_line(run, bad, *needles, line=line)
    run = check_build(folder, tmp_path / "store", {bad: needles}, good)
    error_line(run, bad, *needles, line=line)


# --- the XML parser opens nothing -----------------------------------------------------------


def with_doctype(system: str, data: bytes = XML) -> bytes:
    return swap(data, b"<ownershipDocument>",
                f'<!DOCTYPE ownershipDocument SYSTEM "{system}">\n<ownershipDocument>'.encode())


def test_doctype_system_fifo_is_never_opened(tmp_path: Path) -> None:
    # Opening a FIFO without a writer blocks for ever: a parse that opens the DOCTYPE's
    # SYSTEM path hangs, and the timeout turns that into a failure.
    fifo = tmp_path / "dtd.fifo"
    os.mkfifo(fifo)
    path = tmp_path / "fifo.xml"
    path.write_bytes(with_doctype(str(fifo)))
    done = subprocess.run([sys.executable, "-m", "insidergraph.cli", "parse", "--format", "jsonl", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"name":"QUILL ADA"' in done.stdout


def test_doctype_system_path_existence_changes_nothing(tmp_path: Path) -> None:
    # Were the path read, an existing file (not a DTD) would fail the parse and a missing
    # one would not: a file-existence oracle. Both must give the same filing.
    existing = tmp_path / "exists.dtd"
    existing.write_text("this is not a DTD <<<\n")
    outputs = []
    for target in (existing, tmp_path / "missing.dtd"):
        path = tmp_path / f"{target.stem}.xml"
        path.write_bytes(with_doctype(str(target)))
        run = invoke("parse", "--format", "jsonl", str(path))
        assert run.code == 0 and run.stderr == "", run.stderr
        outputs.append(run.stdout.replace(str(path), "X"))
    assert outputs[0] == outputs[1]


def test_external_dtd_entity_is_an_error_not_an_empty_name(tmp_path: Path) -> None:
    # An entity only the external DTD could define: were the DTD read the name would be
    # PWNED; as it is not, the reference must fail the file rather than leave the name empty.
    dtd = tmp_path / "names.dtd"
    dtd.write_text('<!ENTITY who "PWNED">\n')
    content = swap(with_doctype(str(dtd)), b"<rptOwnerName>QUILL ADA", b"<rptOwnerName>&who;")
    check_batch(tmp_path, "entity.xml", content, "entity &who;", "external DTDs are never read",
                line=line_of(content, b"<rptOwnerName>"))


def test_doctype_url_is_never_fetched(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        port = server.getsockname()[1]
        path = tmp_path / "url.xml"
        path.write_bytes(with_doctype(f"http://127.0.0.1:{port}/form.dtd"))
        run = invoke("parse", "--format", "jsonl", str(path))
        assert run.code == 0, run.stderr
        with pytest.raises(socket.timeout):
            server.accept()


# --- one bad file, the rest of the batch kept -----------------------------------------------

_SHARES = b"<transactionShares><value>1500</value>"
_CIK = b"<rptOwnerCik>"


def _shares(value: str) -> Callable[[bytes], bytes]:
    return lambda data: swap(data, _SHARES, f"<transactionShares><value>{value}</value>".encode())


def _cik(value: str) -> Callable[[bytes], bytes]:
    return lambda data: swap(data, b"<rptOwnerCik>0000000002</rptOwnerCik>",
                             f"<rptOwnerCik>{value}</rptOwnerCik>".encode())


XML_CASES: dict[str, tuple[Callable[[bytes], bytes], bytes, tuple[str, ...]]] = {
    # name: (change, where it is, what the line says)
    "shares-5000-digits": (_shares("9" * 5000), b"<transactionShares>",
                           ("<transactionShares>", "number too long (5000 characters")),
    "shares-1e999999": (_shares("1e999999"), b"<transactionShares>",
                        ("<transactionShares>", "amount out of range", "'1E+999999'")),
    "shares-21-digits": (_shares("1" + "0" * 20), b"<transactionShares>",
                         ("<transactionShares>", "more than 20 digits before the decimal point")),
    "shares-tiny": (_shares("1e-30"), b"<transactionShares>",
                    ("<transactionShares>", "more than 20 digits after the decimal point")),
    "shares-inf": (_shares("inf"), b"<transactionShares>", ("<transactionShares>", "not a finite number")),
    "shares-nan": (_shares("NaN"), b"<transactionShares>", ("<transactionShares>", "not a finite number")),
    "year-1": (lambda d: swap(d, b"<periodOfReport>2024-03-01", b"<periodOfReport>0001-03-01"),
               b"<periodOfReport>", ("<periodOfReport>", "date out of range (years 1900 to 2100)")),
    "year-9999": (lambda d: swap(d, b"<value>2024-03-01", b"<value>9999-03-01"), b"<transactionDate>",
                  ("<transactionDate>", "date out of range", "9999-03-01")),
    "cik-dots": (_cik("../x"), _CIK, ("<rptOwnerCik>", "not a CIK (1 to 10 digits): '../x'")),
    "cik-gt": (_cik("1&gt;2"), _CIK, ("<rptOwnerCik>", "not a CIK", "'1>2'")),
    "cik-letters": (_cik("ABC"), _CIK, ("<rptOwnerCik>", "not a CIK", "'ABC'")),
    "cik-20-digits": (_cik("1" * 20), _CIK, ("<rptOwnerCik>", "not a CIK", "1" * 20)),
    "cik-pipe": (_cik("A|company/B"), _CIK, ("<rptOwnerCik>", "not a CIK", "'A|company/B'")),
    "issuer-cik": (lambda d: swap(d, b"<issuerCik>0000000001", b"<issuerCik>12345678901"), b"<issuerCik>",
                   ("<issuerCik>", "not a CIK")),
    "nul": (lambda d: swap(d, b"QUILL ADA", b"QUILL\x00ADA"), b"QUILL", ("NUL character",)),
    "deep": (lambda d: swap(d, b"<remarks/>" if b"<remarks/>" in d else b"</ownershipDocument>",
                            b"<a>" * 300 + b"</a>" * 300 + b"</ownershipDocument>"),
             b"<a>", ("nested deeper than 256 levels",)),
}


@pytest.mark.parametrize("case", sorted(XML_CASES))
def test_one_bad_xml_value(tmp_path: Path, case: str) -> None:
    change, where, needles = XML_CASES[case]
    content = change(XML)
    check_batch(tmp_path, f"{case}.xml", content, *needles, line=line_of(content, where))


def test_huge_attribute_is_one_line(tmp_path: Path) -> None:
    content = swap(XML, b"<issuer>", b'<issuer note="' + b"x" * 20_000_000 + b'">')
    check_batch(tmp_path, "attribute.xml", content, "longer than libxml2's limit", line=line_of(content, b"<issuer "))


def test_bad_values_in_the_submission_header_and_documents(tmp_path: Path) -> None:
    content = swap(TXT, b"<SEQUENCE>2", b"<SEQUENCE>" + b"2" * 5000)
    check_batch(tmp_path, "sequence.txt", content, "<SEQUENCE>", "not a document sequence number",
                line=line_of(content, b"<SEQUENCE>22"))


def test_bad_filing_date_in_the_submission_header(tmp_path: Path) -> None:
    content = swap(TXT, b"FILED AS OF DATE:\t\t20240304", b"FILED AS OF DATE:\t\t20241399")
    check_batch(tmp_path, "filed.txt", content, "FILED AS OF DATE", "no such date",
                line=line_of(content, b"FILED AS OF DATE"))


def test_submission_without_an_xml_block_says_so(tmp_path: Path) -> None:
    start, end = TXT.index(b"<XML>"), TXT.index(b"</XML>") + len(b"</XML>")
    content = TXT[:start] + b"(the form was here)" + TXT[end:]
    check_batch(tmp_path, "no-xml.txt", content, "EDGAR submission holds no ownership document", line=1)


HTML_CASES: dict[str, tuple[Callable[[bytes], bytes], bytes | None, tuple[str, ...]]] = {
    "th-outside-table": (lambda d: swap(d, b"<table>\n<thead>", b"<th>Table I - loose</th>\n<table>\n<thead>"),
                         b"<th>Table I - loose", ("heading 'Table I -' is not inside a table",)),
    "explanation-outside-row": (
        lambda d: swap(d, b"<tr><td><b>Explanation of Responses:</b></td></tr>",
                       b"</table><td><b>Explanation of Responses:</b></td><table>"),
        b"</table><td><b>Explanation", ("'Explanation of Responses:' is not inside a table",)),
    "signature-label-outside-row": (
        lambda d: swap(d, b"<tr><td></td><td>** Signature of Reporting Person</td><td>Date</td></tr>",
                       b"</table><td>** Signature of Reporting Person</td><table>"),
        b"</table><td>** Signature", ("'** Signature of Reporting Person' is not inside a table row",)),
    "sup-5000-digits": (lambda d: swap(d, b"<sup>(1)</sup>", b"<sup>(" + b"1" * 5000 + b")</sup>"),
                        b"<sup>(111", ("<sup> footnote marker", "footnote number out of range")),
    "footnote-5000-digits": (lambda d: swap(d, b"<td>1. Weighted", b"<td>" + b"1" * 5000 + b". Weighted"),
                             b"<td>111", ("Explanation of Responses", "footnote number out of range")),
    "nested-300": (lambda d: swap(d, b"<body>", b"<body>" + b"<div>" * 300), b"<div>",
                   ("HTML elements nested deeper than 256 levels",)),
    "price-1e999999": (lambda d: swap(d, b"<span>12.25</span>", b"<span>" + b"9" * 5000 + b"</span>"),
                       b"<tbody>", ("price_per_share", "number too long (5000 characters")),
    "year-2999": (lambda d: swap(d, b"<span>03/04/2024</span>", b"<span>03/04/2999</span>"), None,
                  ("signature date", "date out of range")),
}


@pytest.mark.parametrize("case", sorted(HTML_CASES))
def test_one_bad_html_page(tmp_path: Path, case: str) -> None:
    change, where, needles = HTML_CASES[case]
    content = change(HTML)
    # A value's error names its table row; a label's, its element.
    line = None if where is None else line_of(content, where)
    check_batch(tmp_path, f"{case}.html", content, *needles, line=line)


def test_script_and_style_text_never_merge_into_values(tmp_path: Path) -> None:
    content = swap(HTML, b">QUILL ADA</a>", b">QUILL<script>document.title='PWNED'</script><style>b{}</style> ADA</a>")
    path = tmp_path / "script.html"
    path.write_bytes(content)
    run = invoke("parse", "--format", "jsonl", str(path))
    assert run.code == 0, run.stderr
    (record,) = run.records()
    assert record["reporting_owners"][0]["name"] == "QUILL ADA"
    assert "PWNED" not in run.stdout


# --- encodings, several documents ------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_xml_are_read(tmp_path: Path, codec: str) -> None:
    text = XML.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{codec.upper()}"?>')
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "wide.xml"
    path.write_bytes(data)
    run = invoke("parse", "--format", "jsonl", str(path))
    assert run.code == 0, run.stderr
    (record,) = run.records()
    assert record["reporting_owners"][0]["name"] == "QUILL ADA"
    assert record["non_derivative"][0]["price_per_share"] == Decimal("12.25")


def test_broken_utf16_says_utf16(tmp_path: Path) -> None:
    data = XML.decode().encode("utf-16")[:-1]  # an odd number of bytes
    check_batch(tmp_path, "broken16.xml", data, "starts as UTF-16 but is not valid UTF-16", line=1)


def two_documents() -> bytes:
    start, end = TXT.index(b"<DOCUMENT>"), TXT.index(b"</DOCUMENT>") + len(b"</DOCUMENT>")
    second = TXT[start:end].replace(b"QUILL ADA", b"RAKE BO").replace(b"<SEQUENCE>1", b"<SEQUENCE>3")
    return TXT[:end] + b"\n" + second + TXT[end:]


def test_submission_with_two_ownership_documents_gives_both(tmp_path: Path) -> None:
    data = two_documents()
    path = tmp_path / "two.txt"
    path.write_bytes(data)
    run = invoke("parse", "--format", "jsonl", str(path))
    assert run.code == 0, run.stderr
    records = run.records()
    assert [r["reporting_owners"][0]["name"] for r in records] == ["QUILL ADA", "RAKE BO"]
    assert [r["source"]["line"] for r in records] == [
        line_of(data, b"<?xml"),
        line_of(data, b"<?xml") + data[data.index(b"<?xml") + 1:].split(b"<?xml")[0].count(b"\n")]
    assert {r["accession"] for r in records} == {"0000000002-24-000007"}
    assert [d["type"] for d in records[1]["documents"]] == ["EX-24"]
    assert [f.reporting_owners[0].name for f in detect.parse_all(path)] == ["QUILL ADA", "RAKE BO"]


def test_two_ownership_documents_under_one_accession_are_refused_by_build(tmp_path: Path) -> None:
    # The graph keeps one filing per accession: rather than keep the first and drop the
    # second unseen, build refuses the file with one line naming both documents' lines.
    data = two_documents()
    first = line_of(data, b"<?xml")
    check_batch_build_only = check_build
    folder, bad, good = batch(tmp_path, "two.txt", data)
    run = check_batch_build_only(folder, tmp_path / "store", {bad: ("2 different ownership documents",)}, good)
    error_line(run, bad, f"(lines {first}, ", line=first)
    with pytest.raises(ParseError, match="2 different ownership documents"):
        detect.parse_path(bad)


def test_the_same_document_twice_is_one_filing(tmp_path: Path) -> None:
    start, end = TXT.index(b"<DOCUMENT>"), TXT.index(b"</DOCUMENT>") + len(b"</DOCUMENT>")
    path = tmp_path / "twice.txt"
    path.write_bytes(TXT[:end] + b"\n" + TXT[start:end] + TXT[end:])
    assert len(detect.parse_all(path)) == 1


# --- the JSON writer and the one line ---------------------------------------------------------


def test_json_writer_never_crashes_nor_grows_a_value() -> None:
    assert jsonout.dumps([Decimal("9" * 5000)]) == "[" + "9" * 5000 + "]"
    assert jsonout.dumps([Decimal("1e999999")]) == "[1E+999999]"
    assert jsonout.dumps([Decimal("-1E-999999")]) == "[-1E-999999]"
    with pytest.raises(ValueError, match="JSON has no number for Infinity"):
        jsonout._json_number(Decimal("Infinity"))


def test_a_file_name_with_a_newline_is_still_one_line(tmp_path: Path) -> None:
    folder, _, _good = batch(tmp_path, "ok.xml", XML)
    bad = folder / "two\nlines.xml"
    bad.write_bytes(b"<ownershipDocument>")
    run = invoke("parse", "--format", "jsonl", str(folder))
    assert run.code == 1
    assert len(run.errors) == 1 and run.errors[0].startswith(str(folder / "two\\nlines.xml:")), run.errors
    assert len(run.records()) == 4
