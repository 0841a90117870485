"""The graph's node labels and relationship types, as data.

Every backend (the Parquet tables, the embedded Cypher database, Neo4j, RDF) reads
this one registry, so a label or property is declared once. Each node table has a
string key ``id`` that is also the path of the node's IRI under the ontology's base
(``person/0001222287`` becomes ``https://w3id.org/insidergraph/id/person/0001222287``).
Each edge table has ``src`` and ``dst`` (node ids) and a stable ``id`` of its own.

>>> NODE_TYPES["Person"].prop("cik").type
'string'
>>> [pair for pair in EDGE_TYPES["DIRECTOR_OF"].pairs]
[('Person', 'Company'), ('Company', 'Company')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PropType = Literal["string", "date", "decimal", "int", "bool", "string[]"]


@dataclass(frozen=True, slots=True)
class Prop:
    """One property column: its name and logical type."""

    name: str
    type: PropType = "string"


@dataclass(frozen=True, slots=True)
class NodeType:
    """A node label and its property columns (``id`` first)."""

    label: str
    props: tuple[Prop, ...]
    doc: str

    def prop(self, name: str) -> Prop:
        """The property called ``name``."""
        return next(p for p in self.props if p.name == name)

    @property
    def columns(self) -> list[str]:
        """Column names in table order."""
        return [p.name for p in self.props]


@dataclass(frozen=True, slots=True)
class EdgeType:
    """A relationship type, the (source label, target label) pairs it joins, and its properties."""

    type: str
    pairs: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...]
    doc: str

    @property
    def columns(self) -> list[str]:
        """Column names in table order: ``id``, ``src``, ``dst``, then the properties."""
        return ["id", "src", "dst"] + [p.name for p in self.props]


def _p(spec: str) -> tuple[Prop, ...]:
    """Props from ``"name:type name2 ..."`` (type defaults to string)."""
    out = []
    for item in spec.split():
        name, _, typ = item.partition(":")
        out.append(Prop(name, typ or "string"))  # type: ignore[arg-type]
    return tuple(out)


_ROW_VALUES = (
    "filing_id table:string seq:int security_title transaction_date:date deemed_execution_date:date "
    "transaction_form_type transaction_code equity_swap_involved:bool transaction_timeliness "
    "shares:decimal price_per_share:decimal acquired_disposed shares_owned_following:decimal "
    "value_owned_following:decimal direct_indirect nature_of_ownership exercise_price:decimal "
    "transaction_total_value:decimal exercisable_date:date expiration_date:date underlying_title "
    "underlying_shares:decimal underlying_value:decimal"
)

NODE_TYPES: dict[str, NodeType] = {
    n.label: n
    for n in (
        NodeType(
            "Person",
            _p("id cik name aliases:string[] name_key unresolved:bool"),
            "A natural person: a reporting owner, or a signer found by name (no CIK).",
        ),
        NodeType(
            "Company",
            _p("id cik name aliases:string[] ticker is_issuer:bool is_owner:bool unresolved:bool"),
            "An issuer or an entity owner (fund, company, trust, bank); one node per CIK.",
        ),
        NodeType(
            "Security",
            _p("id issuer_id title derivative:bool"),
            "A class of security of one issuer, by normalised title.",
        ),
        NodeType(
            "Filing",
            _p(
                "id accession document_type schema_version period_of_report:date filing_date:date "
                "signature_date:date date_of_original_submission:date aff10b5one:bool "
                "not_subject_to_section16:bool no_securities_owned:bool remarks source_path source_format "
                "unsigned_signatures:string[]"
            ),
            "One Form 3, 4 or 5 (or amendment), by accession or content hash; ``unsigned_signatures`` "
            "keeps the text of signatures that name no person (exhibit references, placeholders).",
        ),
        NodeType("Transaction", _p("id " + _ROW_VALUES), "A reported transaction row (Table I or II)."),
        NodeType(
            "Holding",
            _p("id " + _ROW_VALUES + " superseded:bool"),
            "A reported holding row; superseded when an amendment replaced its filing's rows.",
        ),
        NodeType("Footnote", _p("id filing_id footnote_id text"), "A footnote of one filing."),
    )
}

_OWNERS = (("Person", "Company"), ("Company", "Company"))
_SPAN = "first_period:date last_period:date first_filed:date last_filed:date accessions:string[] filing_count:int"
_ROWS = ("Transaction", "Holding")

EDGE_TYPES: dict[str, EdgeType] = {
    e.type: e
    for e in (
        EdgeType("DIRECTOR_OF", _OWNERS, _p(_SPAN), "The owner was a director of the issuer."),
        EdgeType("OFFICER_OF", _OWNERS, _p("title " + _SPAN), "The owner was an officer (with title)."),
        EdgeType("TEN_PERCENT_OWNER_OF", _OWNERS, _p(_SPAN), "The owner held 10% or more of a class."),
        EdgeType("OTHER_RELATION_TO", _OWNERS, _p("text " + _SPAN), "Another reported relation (with text)."),
        EdgeType(
            "ATTORNEY_IN_FACT_FOR",
            (("Person", "Person"), ("Person", "Company")),
            _p("first_date:date last_date:date accessions:string[] filing_count:int"),
            "The signer signed filings for the owner under a power of attorney.",
        ),
        EdgeType(
            "GRANTED_POWER_OF_ATTORNEY",
            (("Person", "Person"), ("Company", "Person"), ("Person", "Company"), ("Company", "Company")),
            _p("accession date:date scope:string[] revokes_prior:bool document"),
            "The grantor gave the attorney a power of attorney (EX-24) to sign for them: the accession it "
            "came with, the date signed, the companies it is limited to (empty: not stated).",
        ),
        EdgeType(
            "SIGNED",
            (("Person", "Filing"), ("Company", "Filing")),
            _p("date:date text attorney_in_fact:bool"),
            "The signer signed the filing.",
        ),
        EdgeType("FILED", (("Person", "Filing"), ("Company", "Filing")), (), "The owner reported in the filing."),
        EdgeType("ABOUT", (("Filing", "Company"),), (), "The filing reports on the issuer."),
        EdgeType("ISSUED_BY", (("Security", "Company"),), (), "The security was issued by the company."),
        EdgeType("CONVERTS_INTO", (("Security", "Security"),), (), "A derivative converts into its underlying."),
        EdgeType("AMENDS", (("Filing", "Filing"),), (), "An amendment corrects an earlier filing."),
        EdgeType("TRANSACTED", (("Person", "Transaction"), ("Company", "Transaction")), (), "The owner's transaction."),
        EdgeType("HOLDS", (("Person", "Holding"), ("Company", "Holding")), (), "The owner's holding."),
        EdgeType("IN_SECURITY", tuple((r, "Security") for r in _ROWS), (), "The row's security."),
        EdgeType("REPORTED_IN", tuple((r, "Filing") for r in _ROWS), (), "The filing that reported the row."),
        EdgeType("HAS_FOOTNOTE", (("Filing", "Footnote"),), (), "The filing's footnote."),
        EdgeType(
            "FOOTNOTED_BY",
            tuple((r, "Footnote") for r in _ROWS),
            _p("field"),
            "A footnote attached to one value (``field``) of the row.",
        ),
    )
}

#: Role relationship types, in the order the form's box 5 lists them.
ROLE_TYPES: tuple[str, ...] = ("DIRECTOR_OF", "OFFICER_OF", "TEN_PERCENT_OWNER_OF", "OTHER_RELATION_TO")
