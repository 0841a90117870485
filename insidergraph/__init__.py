"""insidergraph: SEC insider filings (Forms 3, 4, 5) as a knowledge graph of who sits where.

>>> import insidergraph
>>> insidergraph.__version__
'0.1.0'
"""

__version__ = "0.1.0"
