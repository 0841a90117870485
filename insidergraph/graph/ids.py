"""Every node and edge id of the graph, and the label of a node id: one definition, in Python and in Arrow.

A node id is a path whose first segment is its label in lower case, which is also the path
of the node's IRI under the ontology's base:

========================================  =====================================================
``person/<CIK>``, ``person/n/<key>``      a reporting owner by CIK; a CIK-less owner or a signer
``company/<CIK>``, ``company/n/<key>``    an issuer or entity owner; a CIK-less one
``filing/<accession>``                    a filing; ``filing/h/<hash>`` when it has no accession
``security/<issuer>/<d|nd>/<title>``      a class of one issuer (``<issuer>``: its id less ``company/``)
``transaction/<filing>/<nd|d>/<n>``       row ``n`` (from 1) of Table I or II (``<filing>``: its id
``holding/<filing>/<nd|d>/<n>``           less ``filing/``)
``footnote/<filing>/<footnote id>``       a footnote of one filing
========================================  =====================================================

An edge id is its ends joined by ``|``, then what tells apart two edges between the same
ends (a role's title, a signature's number, a footnote reference's field).

The label of an id is read from its first segment; an id whose first segment names no label
of :data:`~insidergraph.graph.schema.NODE_TYPES` is an :class:`UnknownIdError`, wherever it
is met (never a row silently left out).

>>> party_id("Person", cik="0001222287"), party_id("Company", key="acme-corp")
('person/0001222287', 'company/n/acme-corp')
>>> label_of("security/0001318605/nd/common-stock")
'Security'
>>> labels(pa.array(["filing/1", "person/2"])).to_pylist()
['Filing', 'Person']
>>> label_of("share/1")
Traceback (most recent call last):
...
insidergraph.graph.ids.UnknownIdError: 'share/1' is no node id: its first segment names no label (Person, Company, Security, Filing, Transaction, Holding, Footnote)
"""  # noqa: E501 (a doctest's expected output is one line)

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from insidergraph.errors import InsiderGraphError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES

if TYPE_CHECKING:
    from insidergraph.model import Filing

#: The first segment of each label's ids.
PREFIX: dict[str, str] = {label: label.lower() for label in NODE_TYPES}
_LABEL_OF_PREFIX: dict[str, str] = {prefix: label for label, prefix in PREFIX.items()}
#: The separator of the parts of an edge id.
EDGE_SEP = "|"
#: The middle segment of a row id: Table I (non-derivative) or Table II (derivative).
TABLE_TAGS: tuple[str, str] = ("nd", "d")

_SLUG = re.compile(r"[^a-z0-9]+")

Ids: TypeAlias = "pa.Array | pa.ChunkedArray"


class UnknownIdError(InsiderGraphError):
    """A node id whose label is unknown, or an edge whose ends' labels its type does not join."""


def slug(text: str) -> str:
    """A lower-case, hyphenated key for ids; a short hash when nothing alphanumeric is left.

    >>> slug("Class A Common Stock"), slug("***")
    ('class-a-common-stock', 'h36c3eaa0e1e2')
    """
    s = _SLUG.sub("-", text.lower()).strip("-")
    return s[:80] if s else "h" + hashlib.sha1(text.encode()).hexdigest()[:12]


# -- node ids ----------------------------------------------------------------------------
def party_id(label: str, cik: str | None = None, key: str | None = None) -> str:
    """The id of a Person or Company: by CIK, else by a name key (``<prefix>/n/<key>``).

    >>> party_id("Person", key="doe-jane")
    'person/n/doe-jane'
    """
    prefix = PREFIX["Person"] if label == "Person" else PREFIX["Company"]
    return f"{prefix}/{cik}" if cik else f"{prefix}/n/{key}"


def filing_id(filing: Filing) -> str:
    """``filing/<accession>``, or ``filing/h/<hash>`` of the content when there is no accession.

    The hash leaves out where the filing was read from, so the same content read from two
    paths is one filing, and Form 5's ``form3_holdings_reported`` and
    ``form4_transactions_reported``: the XML loader came to read them later, and a filing
    keeps the id that stores built before gave it (its graph does not hold them).
    """
    if filing.accession:
        return accession_filing_id(filing.accession)
    hashed = replace(filing, source=replace(filing.source, path="", line=None), form3_holdings_reported=None,
                     form4_transactions_reported=None)
    digest = hashlib.sha1(repr(hashed).encode())
    return f"{PREFIX['Filing']}/h/{digest.hexdigest()[:20]}"


def accession_filing_id(accession: str) -> str:
    """The id of the filing of an accession number.

    >>> accession_filing_id("0001-24-000001")
    'filing/0001-24-000001'
    """
    return f"{PREFIX['Filing']}/{accession}"


#: An EDGAR accession number: the filer's CIK, the year and a sequence, with or without dashes.
_ACCESSION = re.compile(r"(\d{10})-?(\d{2})-?(\d{6})")


def edgar_filing_url(accession: str, cik: str | int) -> str | None:
    """The address of a filing's index page on EDGAR, or ``None`` when ``accession`` is no
    EDGAR accession number or ``cik`` no CIK (a filing read from a file without one).

    EDGAR files a filing under the CIK of each of its parties: the issuer's is the one every
    filing about it shares, so callers pass it.

    >>> edgar_filing_url("0000899243-21-044060", "0001318605")
    'https://www.sec.gov/Archives/edgar/data/1318605/000089924321044060/0000899243-21-044060-index.htm'
    >>> edgar_filing_url("000089924321044060", 1318605)[-31:]
    '/0000899243-21-044060-index.htm'
    >>> edgar_filing_url("0001-24-000001", "1318605"), edgar_filing_url("0000899243-21-044060", "")
    (None, None)
    """
    match = _ACCESSION.fullmatch(accession.strip())
    digits = str(cik).strip()
    if match is None or not digits.isdigit() or int(digits) == 0:
        return None
    dashed = "-".join(match.groups())
    return f"https://www.sec.gov/Archives/edgar/data/{int(digits)}/{''.join(match.groups())}/{dashed}-index.htm"


def filing_key(fid: str) -> str:
    """A filing id less its ``filing/``: the part row and footnote ids are made of.

    >>> filing_key("filing/h/abc")
    'h/abc'
    """
    return fid.removeprefix(PREFIX["Filing"] + "/")


def security_id(issuer: str, derivative: bool, title_slug: str) -> str:
    """The id of an issuer's class of security (``title_slug``: :func:`slug` of its normalised title).

    >>> security_id("company/n/acme", True, "option")
    'security/n/acme/d/option'
    """
    return f"{PREFIX['Security']}/{issuer.split('/', 1)[1]}/{TABLE_TAGS[derivative]}/{title_slug}"


def edge_id(src: str, dst: str, *parts: str) -> str:
    """An edge id: its ends, then the parts that tell it from other edges between them.

    >>> edge_id("person/1", "company/2", "ceo")
    'person/1|company/2|ceo'
    """
    return EDGE_SEP.join((src, dst, *parts))


def view_edge_key(rel: str, eid: str) -> str:
    """The id of an edge in a view (GraphML, GEXF): table ids are unique per type only.

    >>> view_edge_key("DIRECTOR_OF", "person/1|company/2")
    'DIRECTOR_OF:person/1|company/2'
    """
    return f"{rel}:{eid}"


def interlock_id(a: str, b: str) -> str:
    """The id of the ``interlocks`` view's edge between two issuers.

    >>> interlock_id("company/1", "company/2")
    'interlock/company/1/company/2'
    """
    return f"interlock/{a}/{b}"


# -- node ids, column-wise ---------------------------------------------------------------
def _decoded(part: str | pa.Array) -> str | pa.Array:
    return part.dictionary_decode() if isinstance(part, pa.DictionaryArray) else part


def row_ids(is_transaction: np.ndarray, filing_keys: pa.Array, derivative: np.ndarray, seq: pa.Array) -> pa.Array:
    """The ids of Transaction and Holding rows, one per row.

    ``filing_keys`` holds each row's :func:`filing_key`, ``derivative`` whether it is a Table
    II row, ``seq`` its number in its table (from 1).

    >>> row_ids(np.array([True, False]), pa.array(["1", "1"]), np.array([0, 1]), pa.array([1, 1])).to_pylist()
    ['transaction/1/nd/1', 'holding/1/d/1']
    """
    kinds = pa.array([PREFIX["Transaction"], PREFIX["Holding"]])
    kind = pc.take(kinds, pa.array(np.where(is_transaction, 0, 1).astype(np.int32)))
    tag = pc.take(pa.array(TABLE_TAGS), pa.array(np.asarray(derivative, dtype=np.int32)))
    return pc.binary_join_element_wise(kind, _decoded(filing_keys), tag, seq.cast(pa.string()), "/")


def footnote_ids(filing_keys: pa.Array, footnote: pa.Array) -> pa.Array:
    """The ids of footnotes: each filing's key and the footnote's own id (``F1``).

    >>> footnote_ids(pa.array(["1"]), pa.array(["F1"])).to_pylist()
    ['footnote/1/F1']
    """
    return pc.binary_join_element_wise(PREFIX["Footnote"], _decoded(filing_keys), _decoded(footnote), "/")


# -- labels ------------------------------------------------------------------------------
def _unknown(node_id: object) -> UnknownIdError:
    return UnknownIdError(f"{node_id!r} is no node id: its first segment names no label ({', '.join(NODE_TYPES)})")


def label_of(node_id: str) -> str:
    """The label of a node id (see the module's table).

    >>> label_of("company/n/acme-corp")
    'Company'
    """
    prefix, sep, _rest = node_id.partition("/") if isinstance(node_id, str) else ("", "", "")
    label = _LABEL_OF_PREFIX.get(prefix) if sep else None
    if label is None:
        raise _unknown(node_id)
    return label


_LABEL_NAMES = pa.array(list(_LABEL_OF_PREFIX.values()), pa.string())
_PREFIXES = pa.array(list(_LABEL_OF_PREFIX), pa.string())


def label_codes(ids: Ids) -> Ids:
    """Per id the index of its label in :data:`~insidergraph.graph.schema.NODE_TYPES` (int32).

    >>> label_codes(pa.chunked_array([["company/1"], ["person/2"]])).to_pylist()
    [1, 0]
    """
    if pa.types.is_dictionary(ids.type):
        arr = _flat(ids)
        return pc.take(label_codes(arr.dictionary), arr.indices)
    parts = pc.split_pattern(ids, "/", max_splits=1)
    codes = pc.index_in(pc.list_element(parts, 0), value_set=_PREFIXES)
    # A bare prefix ("person") is no id either.
    codes = pc.if_else(pc.equal(pc.list_value_length(parts), 2), codes, pa.scalar(None, pa.int32()))
    if codes.null_count:
        raise _unknown(_flat(ids).filter(_flat(codes).is_null())[0].as_py())
    return codes


def check_labels(label: str, ids: Ids) -> None:
    """Raise :class:`UnknownIdError` unless every id is one of a ``label`` node.

    >>> check_labels("Person", pa.array(["person/1", "company/2"]))
    Traceback (most recent call last):
    ...
    insidergraph.graph.ids.UnknownIdError: 'company/2' is in the Person table but is the id of a Company
    """
    codes = label_codes(ids)
    wrong = pc.not_equal(codes, list(NODE_TYPES).index(label))
    if pc.any(wrong).as_py():
        node_id = _flat(ids).filter(_flat(wrong))[0].as_py()
        raise UnknownIdError(f"{node_id!r} is in the {label} table but is the id of a {label_of(node_id)}")


def labels(ids: Ids) -> pa.Array:
    """The label of each node id, as label names.

    >>> labels(pa.array(["holding/1/nd/2", "footnote/1/F1"])).to_pylist()
    ['Holding', 'Footnote']
    """
    codes = label_codes(ids)
    return pc.take(_LABEL_NAMES, codes.combine_chunks() if isinstance(codes, pa.ChunkedArray) else codes)


def pair_codes(rel: str, src: Ids, dst: Ids) -> Ids:
    """Per edge of type ``rel`` the index of its (source, target) label pair in the type's ``pairs``.

    An end whose label is unknown, or a pair of labels the type does not join, is an
    :class:`UnknownIdError` naming the edge's ends.

    >>> pair_codes("DIRECTOR_OF", pa.array(["company/1", "person/2"]), pa.array(["company/3", "company/3"])).to_pylist()
    [1, 0]
    >>> pair_codes("ABOUT", pa.array(["person/2"]), pa.array(["company/3"]))
    Traceback (most recent call last):
    ...
    insidergraph.graph.ids.UnknownIdError: ABOUT edge 'person/2' -> 'company/3': ABOUT joins no Person to a Company
    """
    pairs = EDGE_TYPES[rel].pairs
    n = len(NODE_TYPES)
    index = {label: k for k, label in enumerate(NODE_TYPES)}
    # Each (source, target) label pair as one integer, looked up among the declared ones.
    declared = pa.array([index[a] * n + index[b] for a, b in pairs], pa.int64())
    pair = pc.add(pc.multiply(label_codes(src).cast(pa.int64()), n), label_codes(dst).cast(pa.int64()))
    codes = pc.index_in(pair, value_set=declared)
    if codes.null_count:
        k = pc.index(pc.is_null(codes), True).as_py()
        a, b = _flat(src)[k].as_py(), _flat(dst)[k].as_py()
        raise UnknownIdError(f"{rel} edge {a!r} -> {b!r}: {rel} joins no {label_of(a)} to a {label_of(b)}")
    return codes


def _flat(ids: Ids) -> pa.Array:
    """One array of a chunked one (only on the error paths and for dictionaries: it copies)."""
    return ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
