"""One filing, one truth: the XML of an accession wins over its data-set row, in either order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from insidergraph.graph.build import GraphBuilder
from insidergraph.graph.precedence import prefer
from insidergraph.loaders.detect import parse_path
from insidergraph.model import Source

XML = "xml/0001062993-24-014684__SQ__F4__2024-08-06__BOTHA-ROELOF.xml"
TXT = "txt/0000320193-22-000061__AAPL__F4.txt"


def _as_dataset(filing):  # type: ignore[no-untyped-def]
    """The data set's copy of a filing: rounded amounts, a filing date, its own source."""
    rounded = tuple(
        replace(r, shares=None if r.shares is None else r.shares.quantize(Decimal("0.01")))
        for r in filing.non_derivative
    )
    return replace(filing, non_derivative=rounded, filing_date=date(2024, 8, 8), amounts_rounded=True,
                   source=Source(path="2024q3_form345.zip", format="form345", quarter="2024q3"))


def _kept(*filings):  # type: ignore[no-untyped-def]
    builder = GraphBuilder()
    changed = [builder.add(f) for f in filings]
    frame = builder.tables().nodes["Filing"]
    return changed, frame.set_index("accession")["source_format"].to_dict()


def test_xml_wins_in_either_order(corpus: Path) -> None:
    xml = parse_path(corpus / XML)
    tsv = _as_dataset(xml)
    assert prefer(xml, tsv) is xml and prefer(tsv, xml) is xml
    assert _kept(xml, tsv) == ([True, False], {xml.accession: "xml"})
    assert _kept(tsv, xml) == ([True, True], {xml.accession: "xml"})


def test_submission_txt_wins_over_data_set_and_over_bare_xml(corpus: Path) -> None:
    txt = parse_path(corpus / TXT)
    tsv = _as_dataset(txt)
    bare = replace(txt, filing_date=None, documents=(), source=Source(path="a.xml", format="xml"))
    assert _kept(tsv, txt)[1] == {txt.accession: "submission"}
    assert _kept(txt, tsv)[1] == {txt.accession: "submission"}
    assert _kept(tsv, bare, txt)[1] == {txt.accession: "submission"}
    assert prefer(bare, tsv) is bare  # the filer's XML, though the data set knows the filing date


def test_data_set_alone_is_kept_and_says_so(corpus: Path) -> None:
    tsv = _as_dataset(parse_path(corpus / XML))
    assert _kept(tsv, tsv) == ([True, False], {tsv.accession: "form345"})
