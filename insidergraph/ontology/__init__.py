"""The insidergraph ontology and SHACL shapes, and closed namespaces built from them.

``insidergraph.ttl`` is the source of truth for every RDF term the code emits. At import
the file is read (with pyoxigraph, which is fast and keeps ``rdflib`` out of the import
path) and each namespace the exports use becomes a :class:`ClosedNamespace`: asking it
for a term the ontology does not declare raises instead of minting a new IRI.

>>> IG.Person
'https://w3id.org/insidergraph/ontology#Person'
>>> ORG.memberDuring
'http://www.w3.org/ns/org#memberDuring'
>>> IG.Persn
Traceback (most recent call last):
...
AttributeError: 'Persn' is not declared in the ig: namespace (https://w3id.org/insidergraph/ontology#)
>>> node_iri("person/0001222287")
'https://w3id.org/insidergraph/id/person/0001222287'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib

BASE = "https://w3id.org/insidergraph/"
#: Namespace of the ontology's own terms (prefix ``ig:``).
IG_NS = BASE + "ontology#"
#: Prefix of instance IRIs: the graph's node and edge ids go after it.
ID_NS = BASE + "id/"
#: Prefix of named graph IRIs (one per filing, plus ``entities``).
GRAPH_NS = BASE + "graph/"
ONTOLOGY_IRI = BASE + "ontology"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
ORG_NS = "http://www.w3.org/ns/org#"
PROV_NS = "http://www.w3.org/ns/prov#"
TIME_NS = "http://www.w3.org/2006/time#"
SH_NS = "http://www.w3.org/ns/shacl#"

#: Prefixes every serialisation uses. Instance IRIs get none: their paths hold ``/``,
#: which Turtle would have to escape in every prefixed name.
PREFIXES: dict[str, str] = {
    "ig": IG_NS,
    "org": ORG_NS,
    "prov": PROV_NS,
    "time": TIME_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "skos": SKOS_NS,
    "xsd": XSD_NS,
}

# Terms of RDF itself and the datatypes our literals carry: used by every export but
# declared by the RDF and XSD specifications, not by our file.
_BUILTIN: frozenset[str] = frozenset(
    [RDF_NS + "type"] + [XSD_NS + t for t in ("string", "date", "decimal", "integer", "boolean")]
)

_SAFE_ID = re.compile(r"^[A-Za-z0-9/._~-]+$")


def _read(name: str) -> bytes:
    return resources.files("insidergraph.ontology").joinpath(name).read_bytes()


class ClosedNamespace:
    """A namespace whose terms are a fixed set: a term outside it raises.

    Terms are plain ``str`` IRIs; wrap them as ``rdflib.URIRef(...)`` or
    ``pyoxigraph.NamedNode(...)`` where an object is needed.

    >>> ns = ClosedNamespace("ex", "http://example.org/", ["a"])
    >>> ns.a, ns["a"], "b" in ns
    ('http://example.org/a', 'http://example.org/a', False)
    """

    def __init__(self, prefix: str, base: str, names: Iterator[str] | list[str] | frozenset[str]) -> None:
        self._prefix = prefix
        self._base = base
        self._names = frozenset(names)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name] if name in self._names else self._missing(name)

    def __getitem__(self, name: str) -> str:
        if name not in self._names:
            self._missing(name)
        return self._base + name

    def _missing(self, name: str) -> str:
        raise AttributeError(f"{name!r} is not declared in the {self._prefix}: namespace ({self._base})")

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return (self._base + n for n in sorted(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"ClosedNamespace({self._prefix!r}, {self._base!r}, {len(self._names)} terms)"

    @property
    def base(self) -> str:
        """The namespace IRI."""
        return self._base


@lru_cache(maxsize=1)
def declared_terms() -> frozenset[str]:
    """Every IRI the ontology gives an ``rdf:type`` (classes, properties, individuals), plus
    ``rdf:type`` and the XSD datatypes our literals use.

    >>> IG.Directorship in declared_terms() and ORG.member in declared_terms()
    True
    """
    rdf_type = ox.NamedNode(RDF_NS + "type")
    subjects = {
        q.subject.value
        for q in ox.parse(_read("insidergraph.ttl"), ox.RdfFormat.TURTLE)
        if q.predicate == rdf_type and isinstance(q.subject, ox.NamedNode)
    }
    subjects.discard(ONTOLOGY_IRI)
    return frozenset(subjects) | _BUILTIN


def _closed(prefix: str, base: str) -> ClosedNamespace:
    return ClosedNamespace(prefix, base, [t[len(base) :] for t in declared_terms() if t.startswith(base)])


IG = _closed("ig", IG_NS)
ORG = _closed("org", ORG_NS)
PROV = _closed("prov", PROV_NS)
TIME = _closed("time", TIME_NS)
RDF = _closed("rdf", RDF_NS)
RDFS = _closed("rdfs", RDFS_NS)
SKOS = _closed("skos", SKOS_NS)
XSD = _closed("xsd", XSD_NS)


def node_iri(node_id: str) -> str:
    """The IRI of a graph node (or edge) id: the id percent-encoded under :data:`ID_NS`.

    >>> node_iri("person/name/jane doe")
    'https://w3id.org/insidergraph/id/person/name/jane%20doe'
    """
    return ID_NS + (node_id if _SAFE_ID.match(node_id) else quote(node_id, safe="/-._~"))


def graph_iri(name: str) -> str:
    """The IRI of a named graph: a filing's id, or ``entities``.

    >>> graph_iri("entities")
    'https://w3id.org/insidergraph/graph/entities'
    """
    return GRAPH_NS + (name if _SAFE_ID.match(name) else quote(name, safe="/-._~"))


@lru_cache(maxsize=1)
def ontology_graph() -> rdflib.Graph:
    """The ontology as an rdflib graph (parsed once).

    >>> len(ontology_graph()) > 100
    True
    """
    import rdflib

    return rdflib.Graph().parse(data=_read("insidergraph.ttl"), format="turtle")


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """The SHACL shapes every export must satisfy, as an rdflib graph (parsed once)."""
    import rdflib

    return rdflib.Graph().parse(data=_read("shapes.ttl"), format="turtle")


def ontology_text() -> str:
    """The ontology's Turtle source."""
    return _read("insidergraph.ttl").decode("utf-8")


__all__ = [
    "BASE",
    "GRAPH_NS",
    "ID_NS",
    "IG",
    "IG_NS",
    "ORG",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "TIME",
    "XSD",
    "ClosedNamespace",
    "declared_terms",
    "graph_iri",
    "node_iri",
    "ontology_graph",
    "ontology_text",
    "shapes_graph",
]
