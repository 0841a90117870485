"""The graph's node labels and relationship types, and their RDF mapping, as data.

Every backend (the Parquet tables, the embedded Cypher database, Neo4j, RDF) reads
this one registry, so a label or property is declared once. Each node table has a
string key ``id`` that is also the path of the node's IRI under the ontology's base
(``person/0001222287`` becomes ``https://w3id.org/insidergraph/id/person/0001222287``).
Each edge table has ``src`` and ``dst`` (node ids) and a stable ``id`` of its own.

As followthemoney puts ``rdf:`` on each property, every declaration here also names its
RDF term (a prefixed name of the ontology, ``insidergraph/ontology/insidergraph.ttl``):
a node type its class, a property its predicate (``ig:`` and the property's name in
camelCase unless it says otherwise; the datatype follows from its type, or the object is
the node it names), an edge type its direct predicate and, when the edge is also a node of
its own (a role, a power of attorney, a signature), a :class:`Reified` template. Each one
also names its named graph and whether it is row-level (left out of a ``--sparql
relations`` store). :mod:`insidergraph.graph.rdf_emit` turns this into triples.

>>> NODE_TYPES["Person"].prop("cik").type
'string'
>>> [pair for pair in EDGE_TYPES["DIRECTOR_OF"].pairs]
[('Person', 'Company'), ('Company', 'Company')]
>>> NODE_TYPES["Person"].prop("name").rdf, NODE_TYPES["Person"].prop("name_key").rdf
('rdfs:label', 'ig:nameKey')
>>> NODE_TYPES["Security"].prop("issuer_id").ref, NODE_TYPES["Transaction"].graph
(True, 'filing_id')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PropType = Literal["string", "date", "decimal", "int", "bool", "string[]"]

#: Where a node's triples go: ``entities``; ``self`` (the node is a filing: its own graph);
#: ``filing_id`` (the graph of the filing that column names).
NodeGraph = Literal["entities", "self", "filing_id"]
#: Where an edge's triples go: ``entities``, or the graph of the node at one end:
#: ``src``/``dst`` (that end is a filing), ``src.filing_id``/``dst.filing_id`` (that end is
#: a node whose ``filing_id`` names its filing, as rows are).
EdgeGraph = Literal["entities", "src", "dst", "src.filing_id", "dst.filing_id"]


@dataclass(frozen=True, slots=True)
class Prop:
    """One property column: its name, logical type and RDF predicate (a prefixed name;
    empty for ``id``, which is the subject); ``ref`` when its value is a node id, so the
    object is that node's IRI rather than a literal."""

    name: str
    type: PropType = "string"
    rdf: str = ""
    ref: bool = False


@dataclass(frozen=True, slots=True)
class Reified:
    """An edge stated also as a node of its own (``{segment}/{edge id}`` under the id
    namespace), typed ``rdf_class``; the edge's properties are stated on that node.

    ``links`` are ``(subject, predicate, object)`` templates whose ends are ``node``, ``src``,
    ``dst`` or (objects only) a constant prefixed name. ``derived_from`` names the column
    of accessions (a list, or one) whose filings the node is ``prov:wasDerivedFrom``.
    ``span`` gives the columns of its begin and end dates (the first that is set): the node
    gets ``org:memberDuring`` a ``time:Interval`` between two ``time:Instant`` and the
    same dates plainly as ``ig:spanStart``/``ig:spanEnd``.
    """

    rdf_class: str
    segment: str
    links: tuple[tuple[str, str, str], ...]
    derived_from: str = ""
    span: tuple[tuple[str, ...], tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class NodeType:
    """A node label and its property columns (``id`` first), with its RDF class (``ig:`` and
    the label unless given), named graph and whether it is row-level."""

    label: str
    props: tuple[Prop, ...]
    doc: str
    rdf: str = ""
    graph: NodeGraph = "entities"
    row_level: bool = False

    def __post_init__(self) -> None:
        if not self.rdf:
            object.__setattr__(self, "rdf", "ig:" + self.label)

    def prop(self, name: str) -> Prop:
        """The property called ``name``."""
        return next(p for p in self.props if p.name == name)

    @property
    def columns(self) -> list[str]:
        """Column names in table order."""
        return [p.name for p in self.props]


@dataclass(frozen=True, slots=True)
class EdgeType:
    """A relationship type, the (source label, target label) pairs it joins, and its
    properties; its RDF: the direct predicate from ``src`` to ``dst`` (empty: none), the
    node it also becomes (:class:`Reified`), its named graph and whether it is row-level."""

    type: str
    pairs: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...]
    doc: str
    rdf: str = ""
    reified: Reified | None = None
    graph: EdgeGraph = "entities"
    row_level: bool = False

    @property
    def columns(self) -> list[str]:
        """Column names in table order: ``id``, ``src``, ``dst``, then the properties."""
        return ["id", "src", "dst"] + [p.name for p in self.props]


def _camel(name: str) -> str:
    """``name_key`` -> ``nameKey``."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _p(spec: str) -> tuple[Prop, ...]:
    """Props from ``"name:type=prefix:term ..."``: the type defaults to string, the term to
    ``ig:`` and the name in camelCase; ``name->prefix:term`` is a column holding a node id.

    >>> _p("id seq:int=ig:sequence filing_id->prov:wasDerivedFrom shares:decimal")[1:]
    (Prop(name='seq', type='int', rdf='ig:sequence', ref=False), Prop(name='filing_id', type='string', rdf='prov:wasDerivedFrom', ref=True), Prop(name='shares', type='decimal', rdf='ig:shares', ref=False))
    """  # noqa: E501 (a doctest's expected output is one line)
    out = []
    for item in spec.split():
        m = re.fullmatch(r"([a-z0-9_]+)(?::([a-z\[\]]+))?(?:(=|->)(\w+:\w+))?", item)
        if m is None:
            raise ValueError(f"bad property spec {item!r}")
        name, typ, arrow, term = m.groups()
        rdf = "" if name == "id" else term or "ig:" + _camel(name)
        out.append(Prop(name, typ or "string", rdf, arrow == "->"))  # type: ignore[arg-type]
    return tuple(out)


def _links(spec: str) -> tuple[tuple[str, str, str], ...]:
    """Link templates from ``"subject predicate object; ..."``."""
    return tuple((s, p, o) for s, p, o in (part.split() for part in spec.split(";")))


def _role(cls: str, role: str, segment: str) -> Reified:
    """A role edge as an ``org:Membership`` of class ``cls`` with the ``org:Role`` ``role``,
    over the span of its filings' periods of report (filed dates stand in without one)."""
    return Reified(
        cls, segment, _links(f"node org:member src; node org:organization dst; node org:role {role}"),
        derived_from="accessions", span=(("first_period", "first_filed"), ("last_period", "last_filed")),
    )


_ROW_VALUES = (
    "filing_id->prov:wasDerivedFrom table:string seq:int=ig:sequence security_title transaction_date:date "
    "deemed_execution_date:date transaction_form_type transaction_code equity_swap_involved:bool "
    "transaction_timeliness shares:decimal price_per_share:decimal acquired_disposed "
    "shares_owned_following:decimal value_owned_following:decimal direct_indirect nature_of_ownership "
    "exercise_price:decimal transaction_total_value:decimal exercisable_date:date expiration_date:date "
    "underlying_title underlying_shares:decimal underlying_value:decimal"
)
_NAMES = "name=rdfs:label aliases:string[]=skos:altLabel"

NODE_TYPES: dict[str, NodeType] = {
    n.label: n
    for n in (
        NodeType(
            "Person",
            _p(f"id cik {_NAMES} name_key unresolved:bool"),
            "A natural person: a reporting owner, or a signer found by name (no CIK).",
        ),
        NodeType(
            "Company",
            _p(f"id cik {_NAMES} ticker is_issuer:bool is_owner:bool unresolved:bool"),
            "An issuer or an entity owner (fund, company, trust, bank); one node per CIK.",
        ),
        NodeType(
            "Security",
            _p("id issuer_id->ig:issuedBy title=rdfs:label derivative:bool=ig:isDerivative"),
            "A class of security of one issuer, by normalised title.",
        ),
        NodeType(
            "Filing",
            _p(
                "id accession=ig:accessionNumber document_type schema_version period_of_report:date "
                "filing_date:date signature_date:date date_of_original_submission:date aff10b5one:bool=ig:aff10b5One "
                "not_subject_to_section16:bool no_securities_owned:bool remarks source_path source_format "
                "unsigned_signatures:string[]=ig:unattributedSignature"
            ),
            "One Form 3, 4 or 5 (or amendment), by accession or content hash; ``unsigned_signatures`` "
            "keeps the text of signatures that name no person (exhibit references, placeholders).",
            graph="self",
        ),
        NodeType(
            "Transaction", _p("id " + _ROW_VALUES + " superseded:bool"),
            "A reported transaction row (Table I or II); superseded when an amendment replaced its filing's rows.",
            graph="filing_id", row_level=True,
        ),
        NodeType(
            "Holding",
            _p("id " + _ROW_VALUES + " superseded:bool"),
            "A reported holding row; superseded when an amendment replaced its filing's rows.",
            graph="filing_id", row_level=True,
        ),
        NodeType(
            "Footnote", _p("id filing_id->prov:wasDerivedFrom footnote_id text=ig:footnoteText"),
            "A footnote of one filing.", graph="filing_id", row_level=True,
        ),
    )
}

_OWNERS = (("Person", "Company"), ("Company", "Company"))
_SPAN = (
    "first_period:date last_period:date first_filed:date last_filed:date accessions:string[]=ig:accession "
    "filing_count:int"
)
_ROWS = ("Transaction", "Holding")

EDGE_TYPES: dict[str, EdgeType] = {
    e.type: e
    for e in (
        EdgeType(
            "DIRECTOR_OF", _OWNERS, _p(_SPAN), "The owner was a director of the issuer.",
            # The direct predicate beside the membership, for fast board queries.
            rdf="ig:directorOf", reified=_role("ig:Directorship", "ig:director", "directorship"),
        ),
        EdgeType(
            "OFFICER_OF", _OWNERS, _p("title=ig:officerTitle " + _SPAN), "The owner was an officer (with title).",
            reified=_role("ig:OfficerRole", "ig:officer", "officer-role"),
        ),
        EdgeType(
            "TEN_PERCENT_OWNER_OF", _OWNERS, _p(_SPAN), "The owner held 10% or more of a class.",
            reified=_role("ig:TenPercentOwnership", "ig:tenPercentOwner", "ten-percent-ownership"),
        ),
        EdgeType(
            "OTHER_RELATION_TO", _OWNERS, _p("text=ig:relationText " + _SPAN), "Another reported relation (with text).",
            reified=_role("ig:OtherRelation", "ig:otherRelation", "other-relation"),
        ),
        EdgeType(
            "ATTORNEY_IN_FACT_FOR",
            # The signer is a person, or an entity owner signing for another (SIGNED's ends).
            (("Person", "Person"), ("Person", "Company"), ("Company", "Person"), ("Company", "Company")),
            _p("first_date:date last_date:date accessions:string[]=ig:accession filing_count:int"),
            "The signer signed filings for the owner under a power of attorney.",
            rdf="prov:actedOnBehalfOf",
            reified=Reified(
                "ig:PowerOfAttorney", "power-of-attorney",
                _links("src prov:qualifiedDelegation node; node prov:agent dst; node ig:attorney src"),
                derived_from="accessions",
            ),
        ),
        EdgeType(
            "GRANTED_POWER_OF_ATTORNEY",
            (("Person", "Person"), ("Company", "Person"), ("Person", "Company"), ("Company", "Company")),
            _p("accession date:date=ig:grantDate scope:string[] revokes_prior:bool document=ig:exhibitDocument"),
            "The grantor gave the attorney a power of attorney (EX-24) to sign for them: the accession it "
            "came with, the date signed, the companies it is limited to (empty: not stated).",
            rdf="ig:grantedPowerOfAttorneyTo",
            # The attorney's delegation from the grantor (prov:agent), as granted, not yet used.
            reified=Reified(
                "ig:PowerOfAttorneyGrant", "power-of-attorney-grant",
                _links("dst ig:grantedPowerOfAttorney node; node prov:agent src; node ig:grantor src; "
                       "node ig:grantedTo dst"),
                derived_from="accession",
            ),
        ),
        EdgeType(
            "SIGNED",
            (("Person", "Filing"), ("Company", "Filing")),
            _p("date:date=ig:signatureDate text=ig:signatureText attorney_in_fact:bool"),
            "The signer signed the filing.",
            rdf="ig:signed", graph="dst",
            reified=Reified(
                "ig:Signature", "signature",
                _links("node ig:signer src; node ig:signatureOf dst; node prov:wasDerivedFrom dst"),
            ),
        ),
        EdgeType("FILED", (("Person", "Filing"), ("Company", "Filing")), (), "The owner reported in the filing.",
                 rdf="ig:filed", graph="dst"),
        EdgeType("ABOUT", (("Filing", "Company"),), (), "The filing reports on the issuer.",
                 rdf="ig:about", graph="src"),
        EdgeType("ISSUED_BY", (("Security", "Company"),), (), "The security was issued by the company.",
                 rdf="ig:issuedBy"),
        EdgeType("CONVERTS_INTO", (("Security", "Security"),), (), "A derivative converts into its underlying.",
                 rdf="ig:convertsInto"),
        EdgeType("AMENDS", (("Filing", "Filing"),), (), "An amendment corrects an earlier filing.", rdf="ig:amends",
                 graph="src"),
        EdgeType("TRANSACTED", (("Person", "Transaction"), ("Company", "Transaction")), (), "The owner's transaction.",
                 rdf="ig:transacted", graph="dst.filing_id", row_level=True),
        EdgeType("HOLDS", (("Person", "Holding"), ("Company", "Holding")), (), "The owner's holding.",
                 rdf="ig:holds", graph="dst.filing_id", row_level=True),
        EdgeType("IN_SECURITY", tuple((r, "Security") for r in _ROWS), (), "The row's security.",
                 rdf="ig:inSecurity", graph="src.filing_id", row_level=True),
        EdgeType("REPORTED_IN", tuple((r, "Filing") for r in _ROWS), (), "The filing that reported the row.",
                 rdf="ig:reportedIn", graph="src.filing_id", row_level=True),
        EdgeType("HAS_FOOTNOTE", (("Filing", "Footnote"),), (), "The filing's footnote.",
                 rdf="ig:hasFootnote", graph="src", row_level=True),
        EdgeType(
            "FOOTNOTED_BY",
            tuple((r, "Footnote") for r in _ROWS),
            _p("field"),
            "A footnote attached to one value (``field``) of the row.",
            rdf="ig:footnotedBy", graph="src.filing_id", row_level=True,
            reified=Reified("ig:FootnoteReference", "footnote-reference",
                            _links("node ig:row src; node ig:footnote dst")),
        ),
    )
}

#: Role relationship types, in the order the form's box 5 lists them.
ROLE_TYPES: tuple[str, ...] = ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO")


def schema_digest() -> str:
    """A digest of every declaration above. A store records the digest it was built with,
    and a build whose registry differs rebuilds the embedded engines instead of updating
    them (their tables were made for the other declarations: a pair of labels an edge type
    has gained since, say, is not in the old database).

    >>> len(schema_digest()), schema_digest() == schema_digest()
    (16, True)
    """
    import hashlib

    # The declarations are frozen dataclasses in dicts of a fixed order: their repr is stable.
    return hashlib.sha256(repr((NODE_TYPES, EDGE_TYPES)).encode()).hexdigest()[:16]
