"""SEC's fair-access figures and the client's defaults, apart from the client so that the CLI
can show them without importing httpx.

>>> MAX_RATE
10
"""

#: SEC's published limit: at most 10 requests per second from one user.
MAX_RATE = 10
DEFAULT_RATE = 8
#: SEC's own block lasts until the rate has stayed low for 10 minutes.
DEFAULT_PAUSE = 600.0
#: Seconds a request waits for an answer before it is tried again (``--timeout``).
DEFAULT_TIMEOUT = 30.0
