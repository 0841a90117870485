"""A SPARQL 1.1 server as a backend: ``insidergraph sparql load`` writes the store's
triples into it (:mod:`.load`), and ``--endpoint URL`` runs the named and ad-hoc queries
there (:mod:`.engine`), parameters written into the text by :mod:`.substitute`. This is
the only code besides ``edgar/`` and the Neo4j driver that opens a connection (httpx, in
:mod:`.client`).
"""
