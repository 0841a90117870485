"""The registry of export formats, keyed by name and resolved lazily.

Each entry names the module and function that writes the format, so importing the
registry (for ``--format`` choices) costs nothing. A writer has the signature
``write(tables: GraphTables, out: BinaryIO, view: str)``, returning the (nodes, edges) it
wrote when they differ from the tables' (the visual views), else ``None``; a visual writer
also takes ``focus``, an ego network (:class:`~insidergraph.graph.focus.Focus`).

>>> "turtle" in EXPORTERS and "graphml" in EXPORTERS
True
>>> EXPORTERS["ttl"].name
'turtle'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, cast

from insidergraph.errors import ExportError

if TYPE_CHECKING:
    from insidergraph.graph.focus import Focus
    from insidergraph.graph.tables import GraphTables

Writer = Callable[["GraphTables", BinaryIO, str], "tuple[int, int] | None"]

VIEWS: tuple[str, ...] = ("full", "people-issuers", "interlocks")


@dataclass(frozen=True, slots=True)
class Exporter:
    """One export format: its name, file suffix, kind (rdf or visual) and writer's location."""

    name: str
    suffix: str
    kind: str
    target: str
    description: str

    def writer(self) -> Writer:
        """Import and return the writing function."""
        module, _, func = self.target.partition(":")
        writer: Writer = getattr(importlib.import_module(module), func)
        return writer


_RDF = "insidergraph.graph.export_rdf"
_VIZ = "insidergraph.graph.export_viz"

_ENTRIES = (
    Exporter("turtle", ".ttl", "rdf", f"{_RDF}:write_turtle", "RDF as Turtle"),
    Exporter("ntriples", ".nt", "rdf", f"{_RDF}:write_ntriples", "RDF as N-Triples"),
    Exporter("jsonld", ".jsonld", "rdf", f"{_RDF}:write_jsonld", "RDF as JSON-LD"),
    Exporter("rdfxml", ".rdf", "rdf", f"{_RDF}:write_rdfxml", "RDF as RDF/XML"),
    Exporter("trig", ".trig", "rdf", f"{_RDF}:write_trig", "RDF as TriG, a named graph per filing"),
    Exporter("nquads", ".nq", "rdf", f"{_RDF}:write_nquads", "RDF as N-Quads, a named graph per filing"),
    Exporter("graphml", ".graphml", "visual", f"{_VIZ}:write_graphml", "GraphML (yEd, Cytoscape, Gephi)"),
    Exporter("gexf", ".gexf", "visual", f"{_VIZ}:write_gexf", "GEXF (Gephi)"),
    Exporter("cytoscape", ".json", "visual", f"{_VIZ}:write_cytoscape", "Cytoscape.js JSON"),
    Exporter("html", ".html", "visual", f"{_VIZ}:write_html", "An interactive page (self-contained)"),
)

EXPORTERS: dict[str, Exporter] = {e.name: e for e in _ENTRIES}
#: Aliases users type, mapped to the registered name.
ALIASES: dict[str, str] = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "xml": "rdfxml", "nq": "nquads"}
for _alias, _name in ALIASES.items():
    EXPORTERS.setdefault(_alias, EXPORTERS[_name])


def export(
    tables: GraphTables, fmt: str, out: BinaryIO, view: str = "full", focus: Focus | None = None
) -> tuple[int, int]:
    """Write ``tables`` in format ``fmt`` to the binary stream ``out``; returns the nodes and
    edges written (the view's for the visual formats, every table's for RDF). ``focus``
    narrows a visual format to an ego network; an RDF format refuses it."""
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(EXPORTERS))}")
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    exporter = EXPORTERS[fmt]
    if focus is not None:
        if exporter.kind != "visual":
            raise ExportError(f"--issuer, --person and --depth narrow the visual formats, not {exporter.name}")
        visual = cast(Callable[..., tuple[int, int]], exporter.writer())
        return visual(tables, out, view, focus=focus)
    size = exporter.writer()(tables, out, view)
    if size is not None:
        return size
    counts = tables.counts()
    return sum(counts["nodes"].values()), sum(counts["edges"].values())
