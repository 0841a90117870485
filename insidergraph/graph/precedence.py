"""One filing, one truth: which copy of an accession the graph keeps.

The same accession can come as its ownership XML, its complete-submission ``.txt`` and a
row of SEC's quarterly data set. The filer's own document wins over the data set, whatever
the order they were added in (the data set rounds amounts to 2 decimals and has no
schema version or exhibits); among the filer's documents, the one that tells more wins
(the ``.txt`` brings the filing date and the other documents). A tie keeps the first.

>>> from insidergraph.model import Filing, Issuer, Source
>>> xml = Filing(accession="0000000001-24-000001", document_type="4", issuer=Issuer("0000000002", "X"),
...              source=Source(path="a.xml", format="xml"))
>>> tsv = Filing(accession="0000000001-24-000001", document_type="4", issuer=Issuer("0000000002", "X"),
...              source=Source(path="2024q1_form345.zip", format="form345"), amounts_rounded=True)
>>> prefer(xml, tsv).source.format, prefer(tsv, xml).source.format
('xml', 'xml')
"""

from __future__ import annotations

from insidergraph.model import Filing

__all__ = ["prefer", "rank"]

#: Sources derived from the filer's document by someone else, ranked below it.
DERIVED_FORMATS = frozenset({"form345"})


def rank(filing: Filing) -> tuple[bool, bool, int]:
    """How much a copy is to be trusted: the filer's own document first, then what it tells
    beyond the ownership XML (header dates, other documents)."""
    return (filing.source.format not in DERIVED_FORMATS, filing.filing_date is not None, len(filing.documents))


def prefer(existing: Filing, new: Filing) -> Filing:
    """The copy of one accession to keep: ``new`` only if it ranks strictly higher."""
    return new if rank(new) > rank(existing) else existing
