"""The one HTTP client of insidergraph: SEC fair access built in.

Every request of the process goes through one :class:`RateLimiter` (never more than
``rate`` requests in any one-second window, across all threads), carries the declared
User-Agent, reuses keep-alive HTTP/1.1 connections, and is retried with exponential
backoff and jitter on 5xx answers, timeouts, resets and bodies cut short of their
Content-Length. A 429, or a 403 whose page says the request rate threshold was
exceeded, pauses *every* request for ``pause_on_block`` seconds.

>>> limiter = RateLimiter(10)
>>> limiter.acquire()  # the first ten go at once
>>> check_user_agent("Jane Doe jane@example.com")
'Jane Doe jane@example.com'
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

import httpx
import tenacity

from insidergraph.edgar.limits import DEFAULT_PAUSE, DEFAULT_RATE, DEFAULT_TIMEOUT, MAX_RATE
from insidergraph.errors import InsiderGraphError

#: How much longer than a second the limiter's window is. What counts is when requests reach
#: SEC, not when this process admits them: between the two lie the thread's own scheduling
#: (a descheduled thread, a garbage collection) and the network's jitter, both of which can
#: move two requests admitted a second apart to less than a second apart on arrival. Users
#: report blocks at a measured 9.7 to 9.9 requests/s; a block costs ten minutes, so 100 ms
#: (a steady 9.1 requests/s at --rate 10) is cheap insurance. Measured on the local server:
#: admission to arrival is 1 to 4 ms typically and up to tens of ms on a busy machine.
WINDOW_MARGIN = 0.1
USER_AGENT_HELP = (
    'no User-Agent declared: SEC requires one; set SEC_USER_AGENT="Your Name you@example.com" '
    "(or EDGAR_IDENTITY, or pass --user-agent)"
)
_THRESHOLD = re.compile(rb"request\s+rate\s+threshold\s+exceeded", re.IGNORECASE)
_UA = re.compile(r"\S+.*\s\S+@\S+\.\S+")


class EdgarError(InsiderGraphError):
    """A request failed for good (after its retries, or at once for a 404)."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        self.url = url
        self.message = message
        self.status = status
        super().__init__(message)


class NotFound(EdgarError):
    """EDGAR answered 404: reported, never retried."""


class _Transient(Exception):
    """A failure worth another try: 5xx, timeout, reset, short body."""


class _Blocked(Exception):
    """SEC's rate block: the whole process pauses, then the request goes again."""


def check_user_agent(value: str | None) -> str:
    """The declared User-Agent, or an :class:`InsiderGraphError` saying how to set one.

    >>> check_user_agent("")
    Traceback (most recent call last):
    ...
    insidergraph.errors.InsiderGraphError: no User-Agent declared: SEC requires one; set SEC_USER_AGENT="Your Name you@example.com" (or EDGAR_IDENTITY, or pass --user-agent)
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    text = (value or "").strip()
    if not text:
        raise InsiderGraphError(USER_AGENT_HELP)
    if not _UA.fullmatch(text):
        raise InsiderGraphError(f"User-Agent {text!r} declares no contact: SEC asks for \"Name email@domain\"")
    return text


class RateLimiter:
    """At most ``rate`` admissions in any window of ``1 + WINDOW_MARGIN`` seconds, for all threads,
    and none while a block pause lasts.

    A sliding log of the last ``rate`` admission times: a request is admitted when the
    oldest of them is a window old, and is stamped with the clock *after* it waited.
    (pyrate-limiter's blocking wait stamps the time it planned to wake instead, so a thread
    that overslept on a busy machine is logged earlier than it went out, and the next
    window can then hold one request too many; and the block pause has to share the lock.)

    >>> limiter = RateLimiter(2)
    >>> for _ in range(3):
    ...     limiter.acquire()
    >>> limiter.admitted
    3
    """

    def __init__(self, rate: int, clock: Callable[[], float] = time.monotonic) -> None:
        if not 1 <= rate <= MAX_RATE:
            raise InsiderGraphError(f"rate {rate} is outside 1 to {MAX_RATE} requests per second (SEC's limit is 10)")
        self.rate = rate
        self.window = 1.0 + WINDOW_MARGIN
        self._clock = clock
        self._times: deque[float] = deque(maxlen=rate)
        self._blocked_until = 0.0
        self._cond = threading.Condition()
        self.admitted = 0

    def acquire(self) -> None:
        """Wait until a request may go, then count it."""
        with self._cond:
            while True:
                now = self._clock()
                wait = self._blocked_until - now
                if len(self._times) == self.rate:
                    wait = max(wait, self._times[0] + self.window - now)
                if wait <= 0:
                    self._times.append(now)
                    self.admitted += 1
                    return
                self._cond.wait(wait)

    def set_rate(self, rate: int) -> None:
        """Change the rate, keeping the log of the last admissions."""
        if not 1 <= rate <= MAX_RATE:
            raise InsiderGraphError(f"rate {rate} is outside 1 to {MAX_RATE} requests per second (SEC's limit is 10)")
        with self._cond:
            self.rate = rate
            self._times = deque(self._times, maxlen=rate)
            self._cond.notify_all()

    def block(self, seconds: float) -> bool:
        """Hold every request for ``seconds`` from now (never shortening a block that lasts longer);
        True when no block was on, i.e. this starts one."""
        with self._cond:
            now = self._clock()
            started = now >= self._blocked_until
            self._blocked_until = max(self._blocked_until, now + seconds)
            self._cond.notify_all()
            return started


_PROCESS_LIMITER: RateLimiter | None = None
_PROCESS_LOCK = threading.Lock()


def process_limiter(rate: int) -> RateLimiter:
    """The one limiter of this process, set to ``rate``: SEC counts requests per user, so
    two clients (or two ``fetch`` calls in threads) must share one window and one block.

    >>> process_limiter(8) is process_limiter(5)
    True
    """
    global _PROCESS_LIMITER
    with _PROCESS_LOCK:
        if _PROCESS_LIMITER is None:
            _PROCESS_LIMITER = RateLimiter(rate)
        else:
            _PROCESS_LIMITER.set_rate(rate)
        return _PROCESS_LIMITER


class EdgarClient:
    """GET with fair access: one limiter, keep-alive, retries, the block pause.

    ``get`` returns the body of a 200 answer, raises :class:`NotFound` for a 404 and
    :class:`EdgarError` for anything that still fails after ``attempts`` tries.
    """

    def __init__(
        self,
        user_agent: str,
        rate: int = DEFAULT_RATE,
        pause_on_block: float = DEFAULT_PAUSE,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = 4,
        backoff: float = 1.0,
        max_blocks: int = 5,
        connections: int = 8,
        stderr: TextIO | None = None,
    ) -> None:
        self.user_agent = check_user_agent(user_agent)
        self.limiter = process_limiter(rate)
        self.pause_on_block = pause_on_block
        self.attempts = attempts
        self.backoff = backoff
        self.max_blocks = max_blocks
        self._stderr = stderr
        self._http = httpx.Client(
            http1=True,
            http2=False,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> EdgarClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str) -> bytes:
        """The body at ``url``, after the limiter; see the class for what is retried."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential_jitter(multiplier=self.backoff, max=60 * self.backoff, jitter=self.backoff),
            reraise=True,
        )
        for _ in range(self.max_blocks + 1):
            try:
                return retrying(self._once, url)
            except _Blocked:
                continue  # the limiter holds this request until the pause is over
            except _Transient as err:
                raise EdgarError(url, f"{err} (after {self.attempts} attempts)") from None
        raise EdgarError(url, f"still blocked by SEC's rate limit after {self.max_blocks} pauses")

    def _once(self, url: str) -> bytes:
        self.limiter.acquire()
        try:
            response = self._http.get(url)
        except httpx.TimeoutException:
            raise _Transient("timed out") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as err:
            # A reset, or a body short of its Content-Length (h11 refuses it): both go again.
            raise _Transient(f"connection broken ({_reason(err)})") from None
        except httpx.ConnectError as err:
            raise _Transient(f"cannot connect ({_reason(err)})") from None
        except httpx.HTTPError as err:
            raise EdgarError(url, f"request failed ({_reason(err)})") from None
        status = response.status_code
        if status == 200:
            return response.content
        if status == 429 or (status == 403 and _THRESHOLD.search(response.content)):
            self._blocked(status)
            raise _Blocked()
        if status == 404:
            raise NotFound(url, "not found on EDGAR (404)", status)
        if status >= 500:
            raise _Transient(f"server error {status}")
        raise EdgarError(url, f"HTTP {status}", status)

    def _blocked(self, status: int) -> None:
        if self.limiter.block(self.pause_on_block):
            what = "429 Too Many Requests" if status == 429 else "403 Request Rate Threshold Exceeded"
            print(
                f"SEC answered {what}: pausing every request for {self.pause_on_block:g} s, then going on",
                file=self._stderr or sys.stderr,
                flush=True,
            )


def _reason(err: Exception) -> str:
    return str(err) or type(err).__name__
