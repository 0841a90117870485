"""A miniature EDGAR built at test time from ``../shared/corpus``: the files a local server serves.

The 18 real complete submissions (``corpus/txt``) are served as they are; every other
XML filing of ``corpus/xml`` is wrapped into a complete submission of the same shape
(``<SEC-HEADER>`` with owner and issuer blocks, one ``<DOCUMENT>`` holding the XML).
For each CIK the site has a submissions JSON shaped like the real one of Apple in
``corpus/edgar/submissions`` (its other fields kept, ``filings.recent`` as parallel
columns, the older half of the filings on a page named in ``filings.files``, and a
10-K among them that no ownership fetch may take); a daily ``form.idx`` per business
day and a quarterly ``full-index/form.idx``, listing a filing once per entity, in the
current column widths from 2013 on and in older, narrower ones before; the real
``company_tickers.json``; and a data-set zip of the 2024 Q3 excerpt.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from insidergraph.loaders import submission, xml
from insidergraph.model import Filing

DATASET_PATH = "/files/structureddata/data/insider-transactions-data-sets"
_IDX_HEAD = (
    "Description:           Daily Index of EDGAR Dissemination Feed by Form Type\n"
    "Last Data Received:    {day}\nComments:              webmaster@sec.gov\n"
    "Anonymous FTP:         ftp://ftp.sec.gov/edgar/\n \n \n \n \n"
)


@dataclass(frozen=True)
class SiteFiling:
    """One filing of the site: accession, form, the day EDGAR filed it, its entities
    (issuer first), their names, and the complete submission."""

    accession: str
    form: str
    filed: date
    ciks: tuple[str, ...]
    names: tuple[str, ...]
    body: bytes = field(repr=False)


def business_day(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend (EDGAR files on weekdays)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _wrap(f: Filing, accession: str, filed: date, data: bytes) -> bytes:
    """A complete submission around an ownership XML, in EDGAR's ``<SEC-HEADER>`` style."""
    d = f"{filed:%Y%m%d}"
    owners = "".join(
        f"REPORTING-OWNER:\n\n\tOWNER DATA:\n\t\tCOMPANY CONFORMED NAME:\t\t\t{o.name}\n"
        f"\t\tCENTRAL INDEX KEY:\t\t\t{o.cik}\n\n\tFILING VALUES:\n\t\tFORM TYPE:\t\t{f.document_type}\n\n"
        for o in f.reporting_owners
        if o.cik
    )
    text = data.decode("utf-8", "replace").strip()
    head = (
        f"<SEC-DOCUMENT>{accession}.txt : {d}\n<SEC-HEADER>{accession}.hdr.sgml : {d}\n"
        f"<ACCEPTANCE-DATETIME>{d}160000\nACCESSION NUMBER:\t\t{accession}\n"
        f"CONFORMED SUBMISSION TYPE:\t{f.document_type}\nPUBLIC DOCUMENT COUNT:\t\t1\n"
        + (f"CONFORMED PERIOD OF REPORT:\t{f.period_of_report:%Y%m%d}\n" if f.period_of_report else "")
        + f"FILED AS OF DATE:\t\t{d}\nDATE AS OF CHANGE:\t\t{d}\n\n{owners}"
        f"ISSUER:\n\n\tCOMPANY DATA:\n\t\tCOMPANY CONFORMED NAME:\t\t\t{f.issuer.name}\n"
        f"\t\tCENTRAL INDEX KEY:\t\t\t{f.issuer.cik}\n</SEC-HEADER>\n"
    )
    doc = (
        f"<DOCUMENT>\n<TYPE>{f.document_type}\n<SEQUENCE>1\n<FILENAME>doc{f.document_type[0]}.xml\n"
        f"<DESCRIPTION>FORM {f.document_type} SUBMISSION\n<TEXT>\n<XML>\n{text}\n</XML>\n</TEXT>\n</DOCUMENT>\n"
    )
    return (head + doc + "</SEC-DOCUMENT>\n").encode("utf-8")


def corpus_filings(corpus: Path) -> list[SiteFiling]:
    """Every filing of the corpus as the site serves it, sorted by accession."""
    out: dict[str, SiteFiling] = {}
    for path in sorted((corpus / "txt").glob("*.txt")):
        data = path.read_bytes()
        f = submission.parse_bytes(data, str(path))
        assert f.accession and f.filing_date and f.issuer.cik
        entities = _entities(f)
        out[f.accession] = SiteFiling(f.accession, f.document_type, f.filing_date, entities[0], entities[1], data)
    for path in sorted((corpus / "xml").glob("*.xml")):
        accession = path.name.split("__")[0]
        if not re.fullmatch(r"\d{10}-\d{2}-\d{6}", accession) or accession in out:
            continue  # the XML taken out of a submission that is served whole
        data = path.read_bytes()
        f = xml.parse_bytes(data, str(path))
        if not f.issuer.cik or not f.period_of_report:
            continue
        filed = business_day(f.period_of_report + timedelta(days=1))
        ciks, names = _entities(f)
        out[accession] = SiteFiling(accession, f.document_type, filed, ciks, names, _wrap(f, accession, filed, data))
    return [out[k] for k in sorted(out)]


def _entities(f: Filing) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = {f"{int(f.issuer.cik or 0):010d}": f.issuer.name or "UNKNOWN"}
    for o in f.reporting_owners:
        if o.cik:
            pairs.setdefault(f"{int(o.cik):010d}", o.name)
    return tuple(pairs), tuple(pairs.values())


def synthetic_filings(base: list[SiteFiling], n: int, filed: date) -> list[SiteFiling]:
    """``n`` distinct filings for the benchmark: copy ``k`` of a corpus filing gets its own
    accession (prefix 9999999999, year of ``filed``), the same entities and day ``filed``."""
    out = []
    for k in range(n):
        src = base[k % len(base)]
        acc = f"9999999999-{filed:%y}-{k:06d}"
        out.append(replace(src, accession=acc, filed=filed,
                           body=src.body.replace(src.accession.encode(), acc.encode())))
    return out


def _idx_line(form: str, name: str, cik: str, day: date, acc: str, old: bool) -> str:
    file = f"edgar/data/{int(cik)}/{acc}.txt"
    if old:  # the narrower columns of older indexes
        return f"{form:<10}{name[:58]:<60}{int(cik):<10}{day:%Y%m%d}  {file}\n"
    return f"{form:<12}{name[:60]:<62}{int(cik):<12}{day:%Y%m%d}    {file}         \n"


def form_idx(filings: list[SiteFiling], day: date, quarterly: bool = False) -> bytes:
    """A ``form.idx`` listing ``filings`` once per entity, sorted by form and company as EDGAR does."""
    old = day.year < 2013
    rows = sorted(
        (f.form, name, cik, f.filed, f.accession) for f in filings for cik, name in zip(f.ciks, f.names)
    )
    head = _IDX_HEAD.format(day=f"{day:%b %d, %Y}")
    cols = ("Form Type Company Name" + " " * 49 + "CIK       Date Filed  File Name\n") if old else (
        "Form Type   Company Name" + " " * 50 + "CIK         Date Filed  File Name\n")
    lines = [_idx_line(*r, old=old) for r in rows]
    if quarterly:  # the full-index spells the date with dashes
        lines = [ln.replace(f"{r[3]:%Y%m%d}  ", f"{r[3]:%Y-%m-%d}", 1) for ln, r in zip(lines, rows)]
    return (head + cols + "-" * 141 + "\n" + "".join(lines)).encode("latin-1", "replace")


def submissions_json(template: dict[str, Any], cik: str, filings: list[SiteFiling]) -> tuple[bytes, bytes]:
    """The submissions JSON of ``cik`` and its older page: newest first, the older half on the page."""
    rows = sorted(filings, key=lambda f: (f.filed, f.accession), reverse=True)
    if rows:  # a filing of another form, which an ownership fetch must leave alone
        last = rows[-1]
        rows.append(replace(last, accession=f"{int(cik) % 10**10:010d}-{last.filed:%y}-999999", form="10-K"))
    cut = max(1, len(rows) // 2)

    def columns(part: list[SiteFiling]) -> dict[str, list[object]]:
        return {
            "accessionNumber": [f.accession for f in part],
            "filingDate": [f"{f.filed:%Y-%m-%d}" for f in part],
            "reportDate": [f"{f.filed:%Y-%m-%d}" for f in part],
            "acceptanceDateTime": [f"{f.filed:%Y-%m-%d}T16:00:00.000Z" for f in part],
            "act": ["" for _ in part], "form": [f.form for f in part], "fileNumber": ["" for _ in part],
            "filmNumber": ["" for _ in part], "items": ["" for _ in part], "size": [len(f.body) for f in part],
            "isXBRL": [0 for _ in part], "isInlineXBRL": [0 for _ in part],
            "primaryDocument": [f"xslF345X05/doc{f.form[0]}.xml" for f in part],
            "primaryDocDescription": [f"FORM {f.form}" for f in part],
        }

    older, recent = rows[cut:], rows[:cut]
    page = f"CIK{cik}-submissions-001.json"
    doc = dict(template, cik=str(int(cik)), name=(filings[0].names[filings[0].ciks.index(cik)] if filings else ""))
    doc["tickers"], doc["exchanges"], doc["formerNames"] = [], [], []
    files = [{"name": page, "filingCount": len(older), "filingFrom": f"{older[-1].filed:%Y-%m-%d}",
              "filingTo": f"{older[0].filed:%Y-%m-%d}"}] if older else []
    doc["filings"] = {"recent": columns(recent), "files": files}
    return json.dumps(doc).encode(), json.dumps(columns(older)).encode()


def dataset_zip(corpus: Path) -> bytes:
    """A small quarterly data-set zip (``2024q3_form345.zip``) of the corpus excerpt."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted((corpus / "tsv" / "form345_2024q3_excerpt").iterdir()):
            zf.writestr(p.name, p.read_bytes())
    return buf.getvalue()


def gzipped(data: bytes) -> bytes:
    """``data`` gzip-compressed, as EDGAR sends it when asked."""
    return gzip.compress(data, mtime=0)
