"""One filing, one truth: which copy of an accession the graph keeps.

The same accession can come as its ownership XML, its complete-submission ``.txt`` and a
row of SEC's quarterly data set, or rendered as HTML or text. The filer's own document wins
over the data set (which rounds amounts to 2 decimals and has no schema version or
exhibits), a structured document over a rendering (which carries no CIKs); among the
rest, the one that tells more wins (the ``.txt`` brings the filing date and the other
documents). Two copies that tell as much are decided by their source path (the one that
sorts first), so the copy kept never depends on the order they were added in: a store
grown in parts equals one build of everything.

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
#: Renderings of a filing for people to read: no CIKs, ranked below the structured document.
RENDERED_FORMATS = frozenset({"html", "text", "legacy-text"})


def rank(filing: Filing) -> tuple[bool, bool, bool, int]:
    """How much a copy is to be trusted: the filer's own document first, a structured one
    before a rendering, then what it tells beyond the ownership XML (header dates, other
    documents)."""
    fmt = filing.source.format
    return (fmt not in DERIVED_FORMATS, fmt not in RENDERED_FORMATS, filing.filing_date is not None,
            len(filing.documents))


def prefer(existing: Filing, new: Filing) -> Filing:
    """The copy of one accession to keep: the higher ranked, and between equals the one
    whose source path sorts first (``existing`` when that is the same too).

    >>> from insidergraph.model import Issuer, Source
    >>> a = Filing(accession="1", document_type="4", issuer=Issuer("2", "X"), source=Source(path="a.xml", format="xml"))
    >>> b = Filing(accession="1", document_type="4", issuer=Issuer("2", "X"), source=Source(path="b.xml", format="xml"))
    >>> prefer(a, b).source.path, prefer(b, a).source.path
    ('a.xml', 'a.xml')
    """
    ranked_new, ranked_old = rank(new), rank(existing)
    if ranked_new != ranked_old:
        return new if ranked_new > ranked_old else existing
    return new if (new.source.path or "") < (existing.source.path or "") else existing
