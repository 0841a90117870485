"""The graph as RDF: Turtle, N-Triples, JSON-LD, RDF/XML, TriG and N-Quads, via pyoxigraph.

Every term comes from the closed namespaces of :mod:`insidergraph.ontology`, so the
exporter cannot emit a term ``insidergraph.ttl`` does not declare. The mapping:

* each node is ``<https://w3id.org/insidergraph/id/{id}>`` typed ``ig:{Label}``; names
  become ``rdfs:label`` (aliases ``skos:altLabel``), other columns the ``ig:`` datatype
  property :data:`NODE_COLUMNS` names; a row's or footnote's ``filing_id`` becomes
  ``prov:wasDerivedFrom`` its filing;
* a role edge becomes an ``org:Membership`` (``ig:Directorship``, ``ig:OfficerRole``,
  ``ig:TenPercentOwnership``, ``ig:OtherRelation``) with ``org:member``,
  ``org:organization``, ``org:role``, ``org:memberDuring`` a ``time:Interval`` (from the
  first to the last period of report, or filed dates when there is no period), and
  ``prov:wasDerivedFrom`` every filing in its ``accessions``; the interval's ends are also on
  the membership as plain dates (``ig:spanStart``, ``ig:spanEnd``), and a directorship also
  gets the direct ``member ig:directorOf organization`` (both for fast queries);
* ``ATTORNEY_IN_FACT_FOR`` becomes ``signer prov:actedOnBehalfOf owner`` plus the
  qualified ``signer prov:qualifiedDelegation [ig:PowerOfAttorney; prov:agent owner]``;
* ``GRANTED_POWER_OF_ATTORNEY`` becomes ``grantor ig:grantedPowerOfAttorneyTo attorney`` plus
  the qualified ``attorney ig:grantedPowerOfAttorney [ig:PowerOfAttorneyGrant (a
  prov:Delegation); prov:agent grantor; ig:grantor; ig:grantedTo; ig:accession; ig:grantDate;
  ig:scope; ig:revokesPrior]``, derived from the filing it came with when it is in the store;
* ``SIGNED`` and ``FOOTNOTED_BY`` carry properties, so each also gets a node of its own
  (``ig:Signature``, ``ig:FootnoteReference``) beside the direct triple;
* the other edges are one triple each (:data:`EDGE_PREDICATES`).

Named graphs (TriG, N-Quads and :func:`to_quads`): everything a single filing states (the
filing, its rows, footnotes, signatures, FILED/ABOUT/AMENDS and row edges) lies in
``https://w3id.org/insidergraph/graph/{filing id}``; facts that aggregate filings
(persons, companies, securities, role memberships, powers of attorney, date instants)
lie in ``https://w3id.org/insidergraph/graph/entities``, and point to their filings
with ``prov:wasDerivedFrom``. Every triple is in exactly one named graph, so the union
of the named graphs is the whole graph. The triple formats merge them.

Output is sorted and deduplicated, and prefixes are fixed: the same tables always give
the same bytes.

>>> import io
>>> from insidergraph.graph.tables import GraphTables
>>> g = GraphTables.from_rows({"Person": [{"id": "person/0001222287", "cik": "0001222287",
...     "name": "Roelof Botha"}]}, {})
>>> buf = io.BytesIO(); write_ntriples(g, buf, "full")
>>> print(*buf.getvalue().decode().splitlines()[0].split(), sep="\\n")
<https://w3id.org/insidergraph/id/person/0001222287>
<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>
<https://w3id.org/insidergraph/ontology#Person>
.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, Iterable, Iterator
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyoxigraph as ox

from insidergraph.errors import ExportError
from insidergraph.graph.schema import EDGE_TYPES, NODE_TYPES, Prop
from insidergraph.graph.tables import GraphTables
from insidergraph.ontology import ID_NS, IG, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, TIME, XSD, graph_iri, node_iri

#: One statement before it becomes a pyoxigraph quad: graph, subject, predicate, object,
#: and the object's datatype IRI ("" when the object is an IRI).
Statement = tuple[str, str, str, str, str]

ENTITIES_GRAPH = graph_iri("entities")

_ROW_COLUMNS: dict[str, str] = {
    "filing_id": PROV.wasDerivedFrom,
    "table": IG.table,
    "seq": IG.sequence,
    "security_title": IG.securityTitle,
    "transaction_date": IG.transactionDate,
    "deemed_execution_date": IG.deemedExecutionDate,
    "transaction_form_type": IG.transactionFormType,
    "transaction_code": IG.transactionCode,
    "equity_swap_involved": IG.equitySwapInvolved,
    "transaction_timeliness": IG.transactionTimeliness,
    "shares": IG.shares,
    "price_per_share": IG.pricePerShare,
    "acquired_disposed": IG.acquiredDisposed,
    "shares_owned_following": IG.sharesOwnedFollowing,
    "value_owned_following": IG.valueOwnedFollowing,
    "direct_indirect": IG.directIndirect,
    "nature_of_ownership": IG.natureOfOwnership,
    "exercise_price": IG.exercisePrice,
    "transaction_total_value": IG.transactionTotalValue,
    "exercisable_date": IG.exercisableDate,
    "expiration_date": IG.expirationDate,
    "underlying_title": IG.underlyingTitle,
    "underlying_shares": IG.underlyingShares,
    "underlying_value": IG.underlyingValue,
}

#: Node label -> (class, {column: predicate}) for every property column of the registry.
NODE_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "Person": (
        IG.Person,
        {
            "cik": IG.cik,
            "name": RDFS.label,
            "aliases": SKOS.altLabel,
            "name_key": IG.nameKey,
            "unresolved": IG.unresolved,
        },
    ),
    "Company": (
        IG.Company,
        {
            "cik": IG.cik,
            "name": RDFS.label,
            "aliases": SKOS.altLabel,
            "ticker": IG.ticker,
            "is_issuer": IG.isIssuer,
            "is_owner": IG.isOwner,
            "unresolved": IG.unresolved,
        },
    ),
    "Security": (IG.Security, {"issuer_id": IG.issuedBy, "title": RDFS.label, "derivative": IG.isDerivative}),
    "Filing": (
        IG.Filing,
        {
            "accession": IG.accessionNumber,
            "document_type": IG.documentType,
            "schema_version": IG.schemaVersion,
            "period_of_report": IG.periodOfReport,
            "filing_date": IG.filingDate,
            "signature_date": IG.signatureDate,
            "date_of_original_submission": IG.dateOfOriginalSubmission,
            "aff10b5one": IG.aff10b5One,
            "not_subject_to_section16": IG.notSubjectToSection16,
            "no_securities_owned": IG.noSecuritiesOwned,
            "remarks": IG.remarks,
            "source_path": IG.sourcePath,
            "source_format": IG.sourceFormat,
            "unsigned_signatures": IG.unattributedSignature,
        },
    ),
    "Transaction": (IG.Transaction, _ROW_COLUMNS),
    "Holding": (IG.Holding, {**_ROW_COLUMNS, "superseded": IG.superseded}),
    "Footnote": (
        IG.Footnote,
        {"filing_id": PROV.wasDerivedFrom, "footnote_id": IG.footnoteId, "text": IG.footnoteText},
    ),
}

#: Columns that hold a node id, so their value is an IRI, not a literal.
NODE_REF_COLUMNS: frozenset[str] = frozenset({"issuer_id", "filing_id"})

_SPAN: dict[str, str] = {
    "first_period": IG.firstPeriod,
    "last_period": IG.lastPeriod,
    "first_filed": IG.firstFiled,
    "last_filed": IG.lastFiled,
    "accessions": IG.accession,
    "filing_count": IG.filingCount,
}

#: Role edge type -> (membership class, org:Role individual, IRI path segment).
ROLE_CLASSES: dict[str, tuple[str, str, str]] = {
    "DIRECTOR_OF": (IG.Directorship, IG.director, "directorship"),
    "OFFICER_OF": (IG.OfficerRole, IG.officer, "officer-role"),
    "TEN_PERCENT_OWNER_OF": (IG.TenPercentOwnership, IG.tenPercentOwner, "ten-percent-ownership"),
    "OTHER_RELATION_TO": (IG.OtherRelation, IG.otherRelation, "other-relation"),
}

#: Role edge type -> a direct member-to-organization predicate stated beside the membership,
#: so that board queries skip the membership node (``ig:directorOf``, see the ontology).
ROLE_SHORTCUTS: dict[str, str] = {"DIRECTOR_OF": IG.directorOf}

#: Edge type -> the direct predicate from ``src`` to ``dst`` (roles have none: they are nodes).
EDGE_PREDICATES: dict[str, str] = {
    "ATTORNEY_IN_FACT_FOR": PROV.actedOnBehalfOf,
    "GRANTED_POWER_OF_ATTORNEY": IG.grantedPowerOfAttorneyTo,
    "SIGNED": IG.signed,
    "FILED": IG.filed,
    "ABOUT": IG.about,
    "ISSUED_BY": IG.issuedBy,
    "CONVERTS_INTO": IG.convertsInto,
    "AMENDS": IG.amends,
    "TRANSACTED": IG.transacted,
    "HOLDS": IG.holds,
    "IN_SECURITY": IG.inSecurity,
    "REPORTED_IN": IG.reportedIn,
    "HAS_FOOTNOTE": IG.hasFootnote,
    "FOOTNOTED_BY": IG.footnotedBy,
}

#: Edge type -> {column: predicate} for every edge property column of the registry.
EDGE_COLUMNS: dict[str, dict[str, str]] = {
    "DIRECTOR_OF": _SPAN,
    "OFFICER_OF": {"title": IG.officerTitle, **_SPAN},
    "TEN_PERCENT_OWNER_OF": _SPAN,
    "OTHER_RELATION_TO": {"text": IG.relationText, **_SPAN},
    "ATTORNEY_IN_FACT_FOR": {
        "first_date": IG.firstDate,
        "last_date": IG.lastDate,
        "accessions": IG.accession,
        "filing_count": IG.filingCount,
    },
    "GRANTED_POWER_OF_ATTORNEY": {
        "accession": IG.accession,
        "date": IG.grantDate,
        "scope": IG.scope,
        "revokes_prior": IG.revokesPrior,
        "document": IG.exhibitDocument,
    },
    "SIGNED": {"date": IG.signatureDate, "text": IG.signatureText, "attorney_in_fact": IG.attorneyInFact},
    "FOOTNOTED_BY": {"field": IG.field},
}

#: Edge types that become nodes of their own (besides roles): (class, IRI path segment).
QUALIFIED_EDGES: dict[str, tuple[str, str]] = {
    "ATTORNEY_IN_FACT_FOR": (IG.PowerOfAttorney, "power-of-attorney"),
    "GRANTED_POWER_OF_ATTORNEY": (IG.PowerOfAttorneyGrant, "power-of-attorney-grant"),
    "SIGNED": (IG.Signature, "signature"),
    "FOOTNOTED_BY": (IG.FootnoteReference, "footnote-reference"),
}

# Which end of an edge decides its named graph: a filing, or a row (whose filing decides).
_GRAPH_BY_FILING_END: dict[str, str] = {
    "FILED": "dst",
    "SIGNED": "dst",
    "ABOUT": "src",
    "AMENDS": "src",
    "HAS_FOOTNOTE": "src",
}
_GRAPH_BY_ROW_END: dict[str, str] = {
    "TRANSACTED": "dst",
    "HOLDS": "dst",
    "IN_SECURITY": "src",
    "REPORTED_IN": "src",
    "FOOTNOTED_BY": "src",
}

_XSD_OF = {"string": XSD.string, "date": XSD.date, "decimal": XSD.decimal, "int": XSD.integer, "bool": XSD.boolean}
_IRI = ""  # datatype slot of a Statement whose object is an IRI


#: Tables that the ``relations`` SPARQL scope leaves out (see
#: :data:`insidergraph.graph.store.SPARQL_SCOPES`).
ROW_NODE_TABLES: frozenset[str] = frozenset({"Transaction", "Holding", "Footnote"})
ROW_EDGE_TABLES: frozenset[str] = frozenset(
    {"TRANSACTED", "HOLDS", "IN_SECURITY", "REPORTED_IN", "HAS_FOOTNOTE", "FOOTNOTED_BY"}
)


@functools.cache
def row_only_terms() -> frozenset[str]:
    """IRIs (classes and predicates) that only the row-level tables give: a SPARQL query
    that names one of them finds nothing in a ``relations`` store.

    >>> str(IG.transacted) in row_only_terms(), str(IG.Directorship) in row_only_terms()
    (True, False)
    """
    def terms(nodes: Iterable[str], edges: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for label in nodes:
            cls, columns = NODE_COLUMNS[label]
            out |= {str(cls), *map(str, columns.values())}
        for rel in edges:
            if rel in EDGE_PREDICATES:
                out.add(str(EDGE_PREDICATES[rel]))
            out |= set(map(str, EDGE_COLUMNS.get(rel, {}).values()))
            if rel in QUALIFIED_EDGES:
                out.add(str(QUALIFIED_EDGES[rel][0]))
        return out

    # Memberships, powers of attorney and signatures cite their filings too.
    kept = terms(set(NODE_COLUMNS) - ROW_NODE_TABLES, set(EDGE_TYPES) - ROW_EDGE_TABLES) | {str(PROV.wasDerivedFrom)}
    dropped = terms(ROW_NODE_TABLES, ROW_EDGE_TABLES) | {str(IG.row), str(IG.footnote)}
    return frozenset(dropped - kept)


def _check_registry() -> None:
    """Every property column of the registry has a predicate here (a new column must be mapped)."""
    for label, node in NODE_TYPES.items():
        missing = set(node.columns) - {"id"} - set(NODE_COLUMNS[label][1])
        if missing:
            raise AssertionError(f"export_rdf: no RDF term for {label} columns {sorted(missing)}")
    for rel, edge in EDGE_TYPES.items():
        missing = {p.name for p in edge.props} - set(EDGE_COLUMNS.get(rel, {}))
        if missing or (rel not in ROLE_CLASSES and rel not in EDGE_PREDICATES):
            raise AssertionError(f"export_rdf: no RDF mapping for {rel} {sorted(missing)}")


_check_registry()


def _lexical(value: object, typ: str) -> str:
    """The XSD lexical form of a table value of logical type ``typ``."""
    if typ == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, date) else str(value)
    if typ == "bool":
        return "true" if value else "false"
    if typ == "int":
        return str(int(value))  # type: ignore[call-overload]
    if typ == "decimal":
        text = str(value)
        # Exponent notation is valid Python Decimal text but not xsd:decimal: spell it out.
        if "e" in text or "E" in text:
            try:
                text = format(Decimal(text), "f")
            except InvalidOperation as err:
                raise ExportError(f"not a decimal number: {value!r}") from err
        return text
    return str(value)


class _Builder:
    """Collects statements for one GraphTables."""

    def __init__(self, tables: GraphTables) -> None:
        # Two rows with one id would silently merge into one resource: refuse instead.
        for kind, name, df, _props in tables.iter_tables():
            dup = df["id"][df["id"].duplicated()]
            if len(dup):
                raise ExportError(f"{kind} table {name} has duplicate ids, e.g. {dup.iloc[0]!r}")
        self.tables = tables
        self.out: list[Statement] = []
        filings = tables.nodes["Filing"]
        self.filing_ids: set[str] = set(filings["id"].tolist())
        # Role and attorney edges list accession numbers; map them to filing nodes.
        self.by_accession: dict[str, str] = {
            acc: fid for fid, acc in zip(filings["id"].tolist(), filings["accession"].tolist()) if acc is not None
        }
        self.row_filing: dict[str, str | None] = {}
        for label in ("Transaction", "Holding"):
            df = tables.nodes[label]
            self.row_filing.update(zip(df["id"].tolist(), df["filing_id"].tolist()))
        self.dates: set[str] = set()

    def filing_of(self, accession: str) -> str | None:
        """The filing node an ``accessions`` entry names: an accession number, or the filing
        id without its ``filing/`` prefix (content-hash ids of filings without accession)."""
        fid = self.by_accession.get(accession)
        if fid is None:
            for candidate in ("filing/" + accession, accession):
                if candidate in self.filing_ids:
                    return candidate
        return fid

    def filing_graph(self, filing_id: str | None) -> str:
        return graph_iri(filing_id) if filing_id is not None else ENTITIES_GRAPH

    def literals(self, g: str, s: str, p: str, value: object, typ: str) -> None:
        if value is None:
            return
        if typ == "string[]":
            for item in value:  # type: ignore[attr-defined]
                if item is not None:
                    self.out.append((g, s, p, str(item), XSD.string))
            return
        self.out.append((g, s, p, _lexical(value, typ), _XSD_OF[typ]))

    def nodes(self) -> None:
        for label, node in NODE_TYPES.items():
            cls, columns = NODE_COLUMNS[label]
            df = self.tables.nodes[label]
            if not len(df):
                continue
            ids = df["id"].tolist()
            iris = [node_iri(i) for i in ids]
            if "filing_id" in df.columns:
                graphs = [self.filing_graph(f) for f in df["filing_id"].tolist()]
            elif label == "Filing":
                graphs = [graph_iri(i) for i in ids]
            else:
                graphs = [ENTITIES_GRAPH] * len(ids)
            out = self.out
            rdf_type = RDF.type
            out.extend((g, s, rdf_type, cls, _IRI) for g, s in zip(graphs, iris))
            for prop in node.props[1:]:
                p = columns[prop.name]
                values = df[prop.name].tolist()
                if prop.name in NODE_REF_COLUMNS:
                    out.extend((g, s, p, node_iri(v), _IRI) for g, s, v in zip(graphs, iris, values) if v is not None)
                else:
                    for g, s, v in zip(graphs, iris, values):
                        self.literals(g, s, p, v, prop.type)

    def edges(self) -> None:
        for rel, edge in EDGE_TYPES.items():
            df = self.tables.edges[rel]
            if not len(df):
                continue
            if rel in ROLE_CLASSES:
                self.roles(rel, df)
                continue
            srcs = df["src"].tolist()
            dsts = df["dst"].tolist()
            if rel in _GRAPH_BY_FILING_END:
                ends = srcs if _GRAPH_BY_FILING_END[rel] == "src" else dsts
                graphs = [self.filing_graph(f) for f in ends]
            elif rel in _GRAPH_BY_ROW_END:
                ends = srcs if _GRAPH_BY_ROW_END[rel] == "src" else dsts
                graphs = [self.filing_graph(self.row_filing.get(r)) for r in ends]
            else:
                graphs = [ENTITIES_GRAPH] * len(srcs)
            p = EDGE_PREDICATES[rel]
            self.out.extend((g, node_iri(s), p, node_iri(d), _IRI) for g, s, d in zip(graphs, srcs, dsts))
            if rel in QUALIFIED_EDGES:
                self.qualified(rel, df, graphs)

    def derived_from(self, g: str, s: str, accessions: object) -> None:
        for acc in accessions or ():  # type: ignore[attr-defined]
            fid = self.filing_of(acc)
            if fid is not None:
                self.out.append((g, s, PROV.wasDerivedFrom, node_iri(fid), _IRI))

    def edge_literals(self, rel: str, df: pd.DataFrame, graphs: list[str], iris: list[str]) -> None:
        columns = EDGE_COLUMNS.get(rel, {})
        for prop in EDGE_TYPES[rel].props:
            p = columns[prop.name]
            for g, s, v in zip(graphs, iris, df[prop.name].tolist()):
                self.literals(g, s, p, v, prop.type)

    def qualified(self, rel: str, df: pd.DataFrame, graphs: list[str]) -> None:
        cls, segment = QUALIFIED_EDGES[rel]
        ids, srcs, dsts = (df[c].tolist() for c in ("id", "src", "dst"))
        iris = [node_iri(f"{segment}/{i}") for i in ids]
        out = self.out
        for g, q, s, d in zip(graphs, iris, (node_iri(x) for x in srcs), (node_iri(x) for x in dsts)):
            out.append((g, q, RDF.type, cls, _IRI))
            if rel == "ATTORNEY_IN_FACT_FOR":
                out.append((g, s, PROV.qualifiedDelegation, q, _IRI))
                out.append((g, q, PROV.agent, d, _IRI))
                out.append((g, q, IG.attorney, s, _IRI))
            elif rel == "GRANTED_POWER_OF_ATTORNEY":
                # The attorney's delegation from the grantor (prov:agent), as granted, not yet used.
                out.append((g, d, IG.grantedPowerOfAttorney, q, _IRI))
                out.append((g, q, PROV.agent, s, _IRI))
                out.append((g, q, IG.grantor, s, _IRI))
                out.append((g, q, IG.grantedTo, d, _IRI))
            elif rel == "SIGNED":
                out.append((g, q, IG.signer, s, _IRI))
                out.append((g, q, IG.signatureOf, d, _IRI))
                out.append((g, q, PROV.wasDerivedFrom, d, _IRI))
            else:
                out.append((g, q, IG.row, s, _IRI))
                out.append((g, q, IG.footnote, d, _IRI))
        self.edge_literals(rel, df, graphs, iris)
        if rel == "ATTORNEY_IN_FACT_FOR":
            for g, q, accs in zip(graphs, iris, df["accessions"].tolist()):
                self.derived_from(g, q, accs)
        elif rel == "GRANTED_POWER_OF_ATTORNEY":
            for g, q, acc in zip(graphs, iris, df["accession"].tolist()):
                self.derived_from(g, q, [acc] if acc else [])

    def roles(self, rel: str, df: pd.DataFrame) -> None:
        cls, role, segment = ROLE_CLASSES[rel]
        g = ENTITIES_GRAPH
        names = ("id", "src", "dst", "first_period", "last_period", "first_filed", "last_filed", "accessions")
        cols = {c: df[c].tolist() for c in names}
        iris = [node_iri(f"{segment}/{i}") for i in cols["id"]]
        shortcut = ROLE_SHORTCUTS.get(rel)
        out = self.out
        for k, m in enumerate(iris):
            interval = m + "/interval"
            out.append((g, m, RDF.type, cls, _IRI))
            out.append((g, m, ORG.member, node_iri(cols["src"][k]), _IRI))
            out.append((g, m, ORG.organization, node_iri(cols["dst"][k]), _IRI))
            out.append((g, m, ORG.role, role, _IRI))
            out.append((g, m, ORG.memberDuring, interval, _IRI))
            out.append((g, interval, RDF.type, TIME.Interval, _IRI))
            # The period of report is when the filer says the role held; filed dates stand in without one.
            begin = cols["first_period"][k] or cols["first_filed"][k]
            end = cols["last_period"][k] or cols["last_filed"][k]
            if begin is not None:
                out.append((g, interval, TIME.hasBeginning, self.instant(begin), _IRI))
                out.append((g, m, IG.spanStart, _lexical(begin, "date"), XSD.date))
            if end is not None:
                out.append((g, interval, TIME.hasEnd, self.instant(end), _IRI))
                out.append((g, m, IG.spanEnd, _lexical(end, "date"), XSD.date))
            if shortcut is not None:
                out.append((g, node_iri(cols["src"][k]), shortcut, node_iri(cols["dst"][k]), _IRI))
            self.derived_from(g, m, cols["accessions"][k])
        self.edge_literals(rel, df, [g] * len(iris), iris)

    def instant(self, value: object) -> str:
        day = _lexical(value, "date")
        self.dates.add(day)
        return node_iri(f"date/{day}")

    def instants(self) -> None:
        g = ENTITIES_GRAPH
        for day in self.dates:
            iri = node_iri(f"date/{day}")
            self.out.append((g, iri, RDF.type, TIME.Instant, _IRI))
            self.out.append((g, iri, TIME.inXSDDate, day, XSD.date))


def statements(tables: GraphTables) -> list[Statement]:
    """Every statement of the graph, sorted by (graph, subject, predicate, object) and deduplicated.

    >>> statements(GraphTables.empty())
    []
    """
    return sorted(set(_unsorted(tables)))


def _unsorted(tables: GraphTables) -> list[Statement]:
    b = _Builder(tables)
    b.nodes()
    b.edges()
    b.instants()
    return b.out


class _Terms:
    """Caches pyoxigraph terms: most IRIs and datatypes recur many times."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}
        self.literals: dict[tuple[str, str], ox.Literal] = {}

    def iri(self, value: str) -> ox.NamedNode:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = ox.NamedNode(value)
        return node

    def obj(self, value: str, datatype: str) -> ox.NamedNode | ox.Literal:
        if datatype == _IRI:
            return self.iri(value)
        key = (value, datatype)
        literal = self.literals.get(key)
        if literal is None:
            literal = ox.Literal(value) if datatype == XSD.string else ox.Literal(value, datatype=self.iri(datatype))
            if len(value) < 64:  # short values (dates, amounts, flags, codes) recur; long texts rarely do
                self.literals[key] = literal
        return literal


def to_quads(tables: GraphTables, named_graphs: bool = True, ordered: bool = True) -> Iterator[ox.Quad]:
    """The graph as pyoxigraph quads, in a stable order: a named graph per filing plus
    ``.../graph/entities`` (or all in the default graph with ``named_graphs=False``).

    Fill a store with ``store.extend(to_quads(tables))``; query it with
    ``use_default_graph_as_union=True`` to see the whole graph. ``ordered=False`` streams
    the quads unsorted and possibly repeated, for a store that indexes them anyway.

    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {})
    >>> [str(q.graph_name) for q in to_quads(g)]
    ['<https://w3id.org/insidergraph/graph/filing/1>', '<https://w3id.org/insidergraph/graph/filing/1>']
    """
    terms = _Terms()
    default = ox.DefaultGraph()
    if not ordered:
        # A store sorts and deduplicates by itself; skipping our sort saves most of the time.
        for g, s, p, o, dt in _unsorted(tables):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), terms.iri(g) if named_graphs else default)
        return
    if named_graphs:
        for g, s, p, o, dt in statements(tables):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), terms.iri(g))
    else:
        for s, p, o, dt in _triples(tables):
            yield ox.Quad(terms.iri(s), terms.iri(p), terms.obj(o, dt), default)


def _triples(tables: GraphTables) -> list[tuple[str, str, str, str]]:
    return sorted({(s, p, o, dt) for _g, s, p, o, dt in _unsorted(tables)})


def to_triples(tables: GraphTables) -> Iterator[ox.Triple]:
    """The graph as pyoxigraph triples (named graphs merged), sorted by subject, predicate, object."""
    terms = _Terms()
    for s, p, o, dt in _triples(tables):
        yield ox.Triple(terms.iri(s), terms.iri(p), terms.obj(o, dt))


# Characters XML 1.0 cannot carry at all, not even escaped; Turtle and JSON-LD escape them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_xml_chars(triples: list[ox.Triple]) -> None:
    for t in triples:
        if isinstance(t.object, ox.Literal) and _NOT_XML.search(t.object.value):
            raise ExportError(
                f"{t.subject.value} {t.predicate.value}: the value holds a control character RDF/XML cannot "
                "represent; export as Turtle, N-Triples or JSON-LD instead"
            )


def _write(tables: GraphTables, out: BinaryIO, view: str, fmt: ox.RdfFormat) -> None:
    if view != "full":
        raise ExportError(f"RDF exports have only the 'full' view, not {view!r}")
    data: Iterable[ox.Triple] | Iterable[ox.Quad]
    data = list(to_quads(tables)) if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else list(to_triples(tables))
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml_chars(data)  # type: ignore[arg-type]
    prefixes = None if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else PREFIXES
    try:
        ox.serialize(data, out, fmt, prefixes=prefixes)
    except (ValueError, TypeError, SyntaxError) as err:
        raise ExportError(f"could not write {fmt.name}: {err}") from err


def write_turtle(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as Turtle.

    >>> import io; buf = io.BytesIO()
    >>> write_turtle(GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {}), buf, "full")
    >>> print(buf.getvalue().decode().splitlines()[-2])
    <https://w3id.org/insidergraph/id/filing/1> a ig:Filing ;
    """
    _write(tables, out, view, ox.RdfFormat.TURTLE)


def write_ntriples(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as N-Triples (one statement a line, sorted)."""
    _write(tables, out, view, ox.RdfFormat.N_TRIPLES)


def write_jsonld(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as JSON-LD (expanded IRIs compacted by the fixed prefixes)."""
    _write(tables, out, view, ox.RdfFormat.JSON_LD)


def write_rdfxml(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as RDF/XML."""
    _write(tables, out, view, ox.RdfFormat.RDF_XML)


def write_trig(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as TriG: a named graph per filing, plus one for entities."""
    _write(tables, out, view, ox.RdfFormat.TRIG)


def write_nquads(tables: GraphTables, out: BinaryIO, view: str = "full") -> None:
    """Write the graph as N-Quads: a named graph per filing, plus one for entities."""
    _write(tables, out, view, ox.RdfFormat.N_QUADS)


# ---------------------------------------------------------------- N-Triples text from Arrow columns
#
# The embedded SPARQL store is filled from N-Triples text that pyoxigraph's Rust parser
# reads (``Store.bulk_load``) instead of from Python ``Quad`` objects: the text is built
# column by column with pyarrow.compute, so no Python object is made per triple. It states
# exactly the triples of :func:`to_triples` (a test compares the two on the corpus), in
# table order rather than sorted, and terms are written the way pyoxigraph reads them back
# to the same terms: IRIs percent-encoded as :func:`node_iri` does, plain strings as
# ``"..."`` (xsd:string), other literals with their datatype.

_NT_SAFE = r"^[A-Za-z0-9/._~-]*$"  # ids node_iri keeps as they are
_NT_PIPE = r"^[A-Za-z0-9/._~|-]*$"  # ids whose only unsafe character is "|" (most edge ids)
_NT_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"))
#: Rows per Arrow batch: bounds the memory of one step whatever the size of the graph.
NT_BATCH_ROWS = 200_000


def _arr(col: "pa.Array | pa.ChunkedArray") -> "pa.Array":
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _id_paths(ids: "pa.Array", prefix: str = "") -> "pa.Array":
    """What :func:`node_iri` puts after the id namespace for ``prefix + id``, for each id.

    Safe ids stay as they are; ``|`` (edge ids) becomes ``%7C`` in C; the rare rest
    (spaces, accents, ``%``) goes through :func:`urllib.parse.quote` like ``node_iri``.
    """
    ids = _arr(ids)
    safe = pc.match_substring_regex(ids, _NT_SAFE)
    if pc.all(safe).as_py() is False:
        paths = pc.if_else(safe, ids, pc.replace_substring(ids, "|", "%7C"))
        other = pc.fill_null(pc.invert(pc.match_substring_regex(ids, _NT_PIPE)), False)
        if pc.any(other).as_py():
            fixed = [quote(v, safe="/-._~") for v in ids.filter(other).to_pylist()]
            paths = pc.replace_with_mask(paths, other, pa.array(fixed, pa.string()))
    else:
        paths = ids
    return pc.binary_join_element_wise(prefix, paths, "") if prefix else paths


def _nt_iris(ids: "pa.Array", prefix: str = "") -> "pa.Array":
    """``<IRI>`` of each node id (null stays null)."""
    return pc.binary_join_element_wise("<" + ID_NS + prefix, _id_paths(ids), ">", "")


def _nt_literals(values: "pa.Array", typ: str) -> "pa.Array":
    """Each value as an N-Triples literal of the registry type ``typ`` (null stays null)."""
    values = _arr(values)
    if typ in ("string", "string[]"):
        if pc.any(pc.match_substring_regex(values, '[\\\\"\\n\\r]')).as_py():
            for old, new in _NT_ESCAPES:
                values = pc.replace_substring(values, old, new)
        return pc.binary_join_element_wise('"', values, '"', "")
    datatype = f'"^^<{_XSD_OF[typ]}>'
    if typ == "bool":
        return pc.if_else(values, '"true' + datatype, '"false' + datatype)
    if typ in ("date", "int"):
        text = pc.cast(values, pa.string())
    else:  # decimal: exact text; exponent notation spelled out as _lexical does (rare)
        text = values
        odd = pc.fill_null(pc.match_substring_regex(values, "[eE]"), False)
        if pc.any(odd).as_py():
            fixed = [_lexical(v, "decimal") for v in values.filter(odd).to_pylist()]
            text = pc.replace_with_mask(values, odd, pa.array(fixed, pa.string()))
    return pc.binary_join_element_wise('"', text, datatype, "")


def _nt_lines(s: "pa.Array | str", p: str, o: "pa.Array | str") -> "pa.Array":
    """``s <p> o .`` lines; a row where ``s`` or ``o`` is null gives none."""
    return pc.drop_null(pc.binary_join_element_wise(s, f"<{p}>", o, ".\n", " "))


class _NTriples:
    """Yields arrays of N-Triples lines for one GraphTables (see :func:`ntriples_lines`)."""

    def __init__(self, tables: GraphTables, batch_rows: int, scope: str = "full") -> None:
        self.tables = tables
        self.batch_rows = batch_rows
        self.skip_nodes = ROW_NODE_TABLES if scope == "relations" else frozenset()
        self.skip_edges = ROW_EDGE_TABLES if scope == "relations" else frozenset()
        filings = tables.to_arrow("nodes", "Filing")
        self.filing_ids = _arr(filings.column("id"))
        accessions = _arr(filings.column("accession"))
        known = pc.is_valid(accessions)
        self.acc_keys = accessions.filter(known)
        self.acc_filings = self.filing_ids.filter(known)
        self.days: list[pa.Array] = []

    def batches(self, kind: str, name: str) -> Iterator[pa.RecordBatch]:
        table = self.tables.to_arrow(kind, name)
        if table.num_rows and pc.count_distinct(table.column("id")).as_py() != table.num_rows:
            raise ExportError(f"{kind} table {name} has duplicate ids")
        return iter(table.to_batches(max_chunksize=self.batch_rows))

    def filing_of(self, accessions: pa.Array) -> pa.Array:
        """The filing id each ``accessions`` entry names, as :meth:`_Builder.filing_of`."""
        by_accession = self.acc_filings.take(pc.index_in(accessions, value_set=self.acc_keys))
        prefixed = pc.binary_join_element_wise("filing/", accessions, "")
        null = pa.scalar(None, pa.string())
        return pc.coalesce(
            by_accession,
            pc.if_else(pc.is_in(prefixed, value_set=self.filing_ids), prefixed, null),
            pc.if_else(pc.is_in(accessions, value_set=self.filing_ids), accessions, null),
        )

    def listed(self, s: pa.Array, p: str, values: pa.Array, typ: str = "string") -> pa.Array:
        """One line per item of the list column ``values`` (literals of ``typ``)."""
        values = _arr(values)
        items = pc.list_flatten(values)
        return _nt_lines(s.take(pc.list_parent_indices(values)), p, _nt_literals(items, typ))

    def derived_from(self, s: pa.Array, accessions: pa.Array) -> pa.Array:
        accessions = _arr(accessions)
        filings = self.filing_of(pc.list_flatten(accessions))
        return _nt_lines(s.take(pc.list_parent_indices(accessions)), PROV.wasDerivedFrom, _nt_iris(filings))

    def props(self, s: pa.Array, batch: pa.RecordBatch, props: Iterable[Prop], columns: dict[str, str]) -> Iterator[pa.Array]:
        for prop in props:
            p, col = columns[prop.name], batch.column(prop.name)
            if prop.name in NODE_REF_COLUMNS:
                yield _nt_lines(s, p, _nt_iris(col))
            elif prop.type == "string[]":
                yield self.listed(s, p, col)
            else:
                yield _nt_lines(s, p, _nt_literals(col, prop.type))

    def nodes(self) -> Iterator[pa.Array]:
        for label, node in NODE_TYPES.items():
            if label in self.skip_nodes:
                continue
            cls, columns = NODE_COLUMNS[label]
            for batch in self.batches("nodes", label):
                s = _nt_iris(batch.column("id"))
                yield _nt_lines(s, RDF.type, f"<{cls}>")
                yield from self.props(s, batch, node.props[1:], columns)

    def edges(self) -> Iterator[pa.Array]:
        for rel, edge in EDGE_TYPES.items():
            if rel in self.skip_edges:
                continue
            for batch in self.batches("edges", rel):
                if rel in ROLE_CLASSES:
                    yield from self.roles(rel, batch)
                    continue
                src, dst = _nt_iris(batch.column("src")), _nt_iris(batch.column("dst"))
                yield _nt_lines(src, EDGE_PREDICATES[rel], dst)
                if rel in QUALIFIED_EDGES:
                    yield from self.qualified(rel, batch, src, dst)

    def qualified(self, rel: str, batch: pa.RecordBatch, s: pa.Array, d: pa.Array) -> Iterator[pa.Array]:
        cls, segment = QUALIFIED_EDGES[rel]
        q = _nt_iris(batch.column("id"), segment + "/")
        yield _nt_lines(q, RDF.type, f"<{cls}>")
        if rel == "ATTORNEY_IN_FACT_FOR":
            yield _nt_lines(s, PROV.qualifiedDelegation, q)
            yield _nt_lines(q, PROV.agent, d)
            yield _nt_lines(q, IG.attorney, s)
        elif rel == "GRANTED_POWER_OF_ATTORNEY":
            yield _nt_lines(d, IG.grantedPowerOfAttorney, q)
            yield _nt_lines(q, PROV.agent, s)
            yield _nt_lines(q, IG.grantor, s)
            yield _nt_lines(q, IG.grantedTo, d)
        elif rel == "SIGNED":
            yield _nt_lines(q, IG.signer, s)
            yield _nt_lines(q, IG.signatureOf, d)
            yield _nt_lines(q, PROV.wasDerivedFrom, d)
        else:
            yield _nt_lines(q, IG.row, s)
            yield _nt_lines(q, IG.footnote, d)
        yield from self.props(q, batch, EDGE_TYPES[rel].props, EDGE_COLUMNS[rel])
        if rel == "ATTORNEY_IN_FACT_FOR":
            yield self.derived_from(q, batch.column("accessions"))
        elif rel == "GRANTED_POWER_OF_ATTORNEY":
            accs = [[a] if a else [] for a in _arr(batch.column("accession")).to_pylist()]
            yield self.derived_from(q, pa.array(accs, pa.list_(pa.string())))

    def roles(self, rel: str, batch: pa.RecordBatch) -> Iterator[pa.Array]:
        cls, role, segment = ROLE_CLASSES[rel]
        path = _id_paths(batch.column("id"), segment + "/")
        m = pc.binary_join_element_wise("<" + ID_NS, path, ">", "")
        interval = pc.binary_join_element_wise("<" + ID_NS, path, "/interval>", "")
        src, dst = _nt_iris(batch.column("src")), _nt_iris(batch.column("dst"))
        yield _nt_lines(m, RDF.type, f"<{cls}>")
        yield _nt_lines(m, ORG.member, src)
        yield _nt_lines(m, ORG.organization, dst)
        yield _nt_lines(m, ORG.role, f"<{role}>")
        yield _nt_lines(m, ORG.memberDuring, interval)
        yield _nt_lines(interval, RDF.type, f"<{TIME.Interval}>")
        # The period of report is when the filer says the role held; filed dates stand in without one.
        for first, last, link, plain in (("first_period", "first_filed", TIME.hasBeginning, IG.spanStart),
                                         ("last_period", "last_filed", TIME.hasEnd, IG.spanEnd)):
            day = pc.coalesce(_arr(batch.column(first)), _arr(batch.column(last)))
            self.days.append(pc.unique(day))
            iso = pc.cast(day, pa.string())
            yield _nt_lines(interval, link, pc.binary_join_element_wise("<" + ID_NS + "date/", iso, ">", ""))
            yield _nt_lines(m, plain, _nt_literals(day, "date"))
        if rel in ROLE_SHORTCUTS:
            yield _nt_lines(src, ROLE_SHORTCUTS[rel], dst)
        yield self.derived_from(m, batch.column("accessions"))
        yield from self.props(m, batch, EDGE_TYPES[rel].props, EDGE_COLUMNS[rel])

    def instants(self) -> Iterator[pa.Array]:
        if not self.days:
            return
        days = pc.drop_null(pc.unique(pa.concat_arrays([d.cast(pa.date32()) for d in self.days])))
        iso = pc.cast(days, pa.string())
        iri = pc.binary_join_element_wise("<" + ID_NS + "date/", iso, ">", "")
        yield _nt_lines(iri, RDF.type, f"<{TIME.Instant}>")
        yield _nt_lines(iri, TIME.inXSDDate, _nt_literals(days, "date"))


def ntriples_lines(tables: GraphTables, batch_rows: int = NT_BATCH_ROWS, scope: str = "full") -> Iterator["pa.Array"]:
    """The triples of :func:`to_triples` as arrays of N-Triples lines (``"s p o .\\n"``),
    in table order, not sorted (a store sorts and deduplicates by itself); with ``scope``
    ``relations``, without the row-level tables (:data:`ROW_NODE_TABLES`, :data:`ROW_EDGE_TABLES`).

    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1", "document_type": "4"}]}, {})
    >>> print("".join(line for a in ntriples_lines(g) for line in a.to_pylist()), end="")
    <https://w3id.org/insidergraph/id/filing/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/insidergraph/ontology#Filing> .
    <https://w3id.org/insidergraph/id/filing/1> <https://w3id.org/insidergraph/ontology#documentType> "4" .
    """
    gen = _NTriples(tables, batch_rows, scope)
    for lines in itertools.chain(gen.nodes(), gen.edges(), gen.instants()):
        if len(lines):
            yield lines


def _text(lines: "pa.Array") -> memoryview:
    """The bytes of an array of lines without nulls: its value buffer between the first
    and last offsets, with no copy."""
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return memoryview(lines.buffers()[2]).cast("B")[start:end]


class NTriplesReader(io.RawIOBase):
    """A binary file object that reads :func:`ntriples_lines` as one N-Triples document,
    built as it is read: pyoxigraph's ``Store.bulk_load`` pulls it while it indexes what
    came before, and at most one batch of text is held at a time.

    >>> g = GraphTables.from_rows({"Filing": [{"id": "filing/1"}]}, {})
    >>> NTriplesReader(g).read().count(b"\\n")
    1
    """

    def __init__(self, tables: GraphTables, batch_rows: int = NT_BATCH_ROWS, scope: str = "full") -> None:
        super().__init__()
        self._arrays = ntriples_lines(tables, batch_rows, scope)
        self._current = memoryview(b"")
        self._keep: pa.Array | None = None  # owns the buffer _current points into

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not len(self._current):
            lines = next(self._arrays, None)
            if lines is None:
                return 0
            self._keep = lines
            self._current = _text(lines)
        n = min(len(buffer), len(self._current))
        memoryview(buffer).cast("B")[:n] = self._current[:n]
        self._current = self._current[n:]
        return n
