"""Read EDGAR's HTML rendering of a Form 3, 4 or 5 (stylesheet ``xslF345X0N``).

The page is found by its printed labels, never by position alone: each numbered box is
the innermost ``<td>`` whose text starts with the box's label; a ticked box is an ``X``
(or a checked ``<input>``) in the cell right before its label; footnote markers are the
``<sup>`` elements after a value. What a reader never sees (``<script>``, ``<style>``,
``<template>``) is dropped before any text is read. A label out of its place (a table
heading outside a table, a signature label outside a row) makes the file an error.

>>> form = read(open("form5.snow.html", "rb").read(), "form5.snow.html")  # doctest: +SKIP
>>> form.form, form.ticker  # doctest: +SKIP
('5', 'SNOW')
"""

from __future__ import annotations

import re
from typing import TypeAlias

import lxml.etree
import lxml.html

from insidergraph.errors import ParseError, shown
from insidergraph.loaders import bounds
from insidergraph.loaders.rendered_form import (
    Cell,
    OwnerBlock,
    RenderedForm,
    TableRow,
    assign_title,
    collapse,
    split_city_line,
)

_SAVED_FROM = re.compile(rb"saved from url=\(\d+\)\S*/Archives/edgar/data/\d+/(\d{10})(\d{2})(\d{6})/")
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_RELATIONSHIP_LABELS = {
    "Director": "is_director",
    "10% Owner": "is_ten_percent_owner",
    "Officer (give title below)": "is_officer",
    "Other (specify below)": "is_other",
}
Element: TypeAlias = lxml.html.HtmlElement


def _text(el: Element) -> str:
    return collapse(el.text_content())


def _boxes(doc: Element, label: str) -> list[Element]:
    """Innermost cells whose text starts with ``label``, in document order."""
    found = [td for td in doc.iter("td") if _text(td).startswith(label)]
    return [td for td in found
            if not any(inner is not td and _text(inner).startswith(label) for inner in td.iter("td"))]


def _marked(td: Element | None) -> bool:
    """A check cell is ticked when it shows an X or holds a checked input."""
    if td is None:
        return False
    if td.xpath(".//input[@checked]"):
        return True
    return _text(td).upper() in {"X", "☒", "(X)", "[X]"}


def _cell(td: Element, path: str) -> Cell:
    """A table cell's value, with its ``<sup>`` markers as footnote ids."""
    notes: list[str] = []
    parts: list[str] = []

    def walk(el: Element) -> None:
        if el.tag == "sup":
            try:
                notes.extend(bounds.footnote_id(n) for n in re.findall(r"\d+", el.text_content()))
            except bounds.OutOfBounds as err:
                raise ParseError(path, f"<sup> footnote marker: {err}", el.sourceline) from None
            return
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(td)
    return Cell(collapse("".join(parts)), tuple(notes))


def _owner(td: Element, path: str) -> OwnerBlock:
    tables = list(td.iter("table"))
    last = next((i for i, t in enumerate(tables) if "(Last)" in _text(t)), None)
    city_label = next((i for i, t in enumerate(tables) if "(City)" in _text(t)), None)
    if last is None or city_label is None or city_label < last + 2:
        raise ParseError(path, "box 1 is not laid out as name, (Last)..., street, city, (City)...",
                         td.sourceline)
    name = " ".join(_text(t) for t in tables[:last])
    street = tuple(s for s in (_text(tr) for tr in tables[last + 1].iter("tr")) if s)
    city_cells = [_text(c) for c in tables[city_label - 1].iter("td")]
    city: str | None
    state: str | None
    zip_code: str | None
    city, state, zip_code = (city_cells + [""] * 3)[:3]
    if len(city_cells) < 3:
        city, state, zip_code = split_city_line(" ".join(city_cells))
    return OwnerBlock(name=name, street=street, city=city or None, state=state or None,
                      zip_code=zip_code or None)


def _date_after(td: Element, label_end: str) -> str | None:
    text = _text(td)
    tail = text.split(label_end, 1)[-1] if label_end in text else text
    m = _DATE.search(tail)
    return m.group(0) if m else None


def _check_row(doc: Element, label: str) -> bool | None:
    """The stand-alone check boxes above box 1 (Section 16, Form 5's Form 3 holdings and Form 4
    transactions reported, Rule 10b5-1): None if absent."""
    for td in doc.iter("td"):
        if _text(td).startswith(label):
            before = td.getprevious()
            return _marked(before)
    return None


def _data_table(doc: Element, title: str, path: str) -> Element | None:
    for th in doc.iter("th"):
        if _text(th).startswith(title):
            table = next(th.iterancestors("table"), None)
            if table is None:
                raise ParseError(path, f"the heading {title!r} is not inside a table", th.sourceline)
            return table
    return None


def _rows(table: Element, path: str) -> list[TableRow]:
    rows = []
    for tr in table.iter("tr"):
        if tr.find("th") is not None or any(a.tag == "thead" for a in tr.iterancestors()):
            continue
        tds = tr.findall("td")
        if tds:
            rows.append(TableRow(tuple(_cell(td, path) for td in tds), tr.sourceline))
    return rows


def _limit_message(message: str) -> str:
    if m := re.search(r"Excessive depth in document: (\d+)", message):
        return f"HTML elements nested deeper than {m.group(1)} levels; not read"
    return ("HTML beyond libxml2's size limits (a text, attribute or name over 10,000,000 bytes): "
            f"{shown(message.strip())}")


def _document(data: bytes, path: str) -> Element:
    """The page as a tree, with what a reader never sees emptied; libxml2's limits are errors."""
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False)
    try:
        doc = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ParseError(path, f"unreadable HTML: {err}") from None
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            # libxml2 stops reading there, so the rest of the page would look missing.
            raise ParseError(path, _limit_message(entry.message), entry.line or None)
    for hidden in list(doc.iter("script", "style", "template")):
        # Emptied in place rather than dropped: dropping joins its tail to the text
        # before it, which lxml refuses when the page holds control characters.
        hidden.text = None
        for child in list(hidden):
            hidden.remove(child)
    return doc


def _accession(data: bytes) -> str | None:
    """EDGAR's page has no accession; a browser's "saved from" note keeps the archive path.

    >>> _accession(b"<!-- saved from url=(0077)https://www.sec.gov/Archives/edgar/data/1/000120919121045678/x.html -->")
    '0001209191-21-045678'
    """
    if saved := _SAVED_FROM.search(data[:2000]):
        return "-".join(g.decode() for g in saved.groups())
    return None


def _landmarks(doc: Element, path: str) -> tuple[Element, Element, Element]:
    """Table I, Table II and the signature label; a page without one of them is truncated."""
    table1 = _data_table(doc, "Table I -", path)
    table2 = _data_table(doc, "Table II -", path)
    signature_label = next((td for td in doc.iter("td")
                            if _text(td).startswith("** Signature of Reporting Person")), None)
    missing = [name for name, el in (("Table I", table1), ("Table II", table2),
                                     ("signature block", signature_label)) if el is None]
    if missing:
        raise ParseError(path, "not a complete rendered Form 3/4/5 (truncated?): missing "
                         + ", ".join(missing))
    assert table1 is not None and table2 is not None and signature_label is not None
    return table1, table2, signature_label


def _form_number(doc: Element, path: str) -> str:
    """3, 4 or 5, from the form name printed at the top."""
    form_name = next((_text(td) for td in doc.iter("td") if "FormName" in (td.get("class") or "")), "")
    m = re.match(r"FORM\s*([345])", form_name)
    if not m:
        raise ParseError(path, f"no form name (FORM 3, 4 or 5) at the top: {form_name[:30]!r}")
    return m.group(1)


def _head_boxes(doc: Element, form: RenderedForm) -> None:
    """Boxes 1 to 5 and the check boxes above them (their numbers differ on Form 3)."""
    owners = [_owner(td, form.path) for td in _boxes(doc, "1. Name and Address of Reporting Person")]
    form.owners = list(dict.fromkeys(owners))  # the joint-filing list repeats the first owner
    for td in _boxes(doc, f"{'3' if form.form == '3' else '2'}. Issuer Name"):
        if im := re.search(r"Trading Symbol\s*(.*?)\s*\[\s*(.*?)\s*\]", _text(td)):
            form.issuer_name, form.ticker = im.group(1), im.group(2) or None
    for label in ("3. Date of Earliest Transaction", "3. Statement for Issuer's Fiscal Year Ended",
                  "2. Date of Event Requiring Statement"):
        for td in _boxes(doc, label):
            form.period = _date_after(td, "(Month/Day/Year)")
    for td in doc.iter("td"):
        text = _text(td)
        if re.match(r"[45]\. If Amendment, Date of Original Filed", text) and not td.findall(".//td"):
            form.amendment = _date_after(td, "(Month/Day/Year)")
    for td in _boxes(doc, f"{'4' if form.form == '3' else '5'}. Relationship of Reporting Person"):
        _relationship(td, form)
    if form.form != "3":
        form.not_subject_to_section16 = bool(_check_row(doc, "Check this box if no longer subject"))
    form.aff10b5one = _check_row(doc, "Check this box to indicate that a transaction was made")
    if form.form == "5":  # the XML's form3HoldingsReported / form4TransactionsReported
        form.form3_holdings_reported = _check_row(doc, "Form 3 Holdings Reported")
        form.form4_transactions_reported = _check_row(doc, "Form 4 Transactions Reported")


def read(data: bytes, path: str) -> RenderedForm:
    """Cut an HTML rendering into boxes, table rows, footnotes and signatures."""
    doc = _document(data, path)
    accession = _accession(data)
    table1, table2, signature_label = _landmarks(doc, path)
    form = RenderedForm(path=path, format="html", form=_form_number(doc, path), accession=accession)
    _head_boxes(doc, form)
    form.table1 = _rows(table1, path)
    form.table2 = _rows(table2, path)
    _tail(doc, form)
    _signatures(signature_label, form)
    return form


def _relationship(td: Element, form: RenderedForm) -> None:
    inner = next(td.iter("table"), None)
    if inner is None:
        return
    rows = list(inner.iter("tr"))
    for tr in rows:
        tds = tr.findall("td")
        for i, cell in enumerate(tds):
            fname = _RELATIONSHIP_LABELS.get(_text(cell))
            if fname:
                setattr(form, fname, _marked(tds[i - 1] if i else None))
    last = rows[-1].findall("td") if rows else []
    if len(last) == 1:
        # Older pages print the title(s) as spans in one centred cell.
        texts = [_text(s) for s in last[0].iter("span")] or [_text(last[0])]
        form.officer_title, form.other_text = assign_title(texts, form.is_officer, form.is_other)
    elif len(last) == 4 and not any(_text(c) in _RELATIONSHIP_LABELS for c in last):
        form.officer_title, form.other_text = _text(last[1]) or None, _text(last[3]) or None


def _tail(doc: Element, form: RenderedForm) -> None:
    """Footnotes and remarks: the rows after "Explanation of Responses:"."""
    start = next((td for td in doc.iter("td") if _text(td) == "Explanation of Responses:"), None)
    if start is None:
        return
    table = next(start.iterancestors("table"), None)
    if table is None:
        raise ParseError(form.path, "'Explanation of Responses:' is not inside a table", start.sourceline)
    section = "notes"
    remarks: list[str] = []
    for tr in table.iter("tr"):
        text = _text(tr)
        if text == "Explanation of Responses:":
            continue
        if text == "Remarks:":
            section = "remarks"
            continue
        if section == "notes":
            if m := re.match(r"(\d+)\.\s*(.*)$", text):
                try:
                    form.footnotes[bounds.footnote_id(m.group(1))] = m.group(2)
                except bounds.OutOfBounds as err:
                    raise ParseError(form.path, f"Explanation of Responses: {err}", tr.sourceline) from None
        elif text:
            remarks.append(text)
    form.remarks = " ".join(remarks) or None


def _signatures(label: Element, form: RenderedForm) -> None:
    """Each signature row above the "** Signature of Reporting Person" label: name and date."""
    label_row = next(label.iterancestors("tr"), None)
    if label_row is None:
        raise ParseError(form.path, "the label '** Signature of Reporting Person' is not inside a table row",
                         label.sourceline)
    for tr in label_row.itersiblings(preceding=True):
        tds = [_text(td) for td in tr.findall("td")]
        texts = [t for t in tds if t]
        if not texts:
            continue
        date_text = texts[-1] if _DATE.fullmatch(texts[-1]) else None
        name = " ".join(texts[:-1] if date_text else texts)
        if name:
            form.signatures.insert(0, (name, date_text))
