"""Web citations checked against the pages they cite (the online ``timeline sources check``).

Each page is fetched with the standard library (urllib: redirects followed, at most :data:`MAX_REDIRECTS`),
within a time limit for the whole page and a size limit, decoded by the charset its server declares (else its
``<meta charset>``, else UTF-8), and read by selectolax's Lexbor parser, which parses HTML as the WHATWG
standard and the browsers do. Scripts, styles and templates are dropped, each block element ends a line, and
each quote is looked for in that text with the normalisation the articles kept with the data get
(:func:`~kztm_timeline.text.normalize_quote`, :func:`~kztm_timeline.text.quote_found`). Nothing read is kept.

selectolax is an optional dependency (the ``web`` extra), imported only here, only when a page is read.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import __version__
from .model import Dataset, Progress, Source
from .text import normalize_quote, quote_found

MAX_REDIRECTS = 5
MAX_BYTES = 8 * 1024 * 1024  # a news page is rarely more than 1 MiB; past this, the check gives up on the page
TIMEOUT = 30.0  # seconds for a whole page, connection and every byte
USER_AGENT = f"kztm-timeline/{__version__} (citation check; +https://kztm-timeline.invalid/)"
_BLOCKS = (
    "address, article, aside, blockquote, br, dd, div, dl, dt, figcaption, figure, footer, form, h1, h2, h3, h4, h5, h6, "
    "header, hr, li, main, nav, ol, p, pre, section, table, td, th, tr, ul"
)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class FetchFailed(Exception):
    """A page that could not be read: why, in a few words (``HTTP 404 Not Found``, ``too slow``)."""


@dataclass(frozen=True)
class Fetched:
    """A page's bytes, the charset its server declared (if any), and the address it was read from."""

    body: bytes
    charset: str | None
    url: str


@dataclass(frozen=True)
class QuoteResult:
    event: str
    quote: str
    found: bool


@dataclass(frozen=True)
class PageResult:
    """What became of one web source: ``ok`` (every quote found), ``changed`` (some quote no longer found),
    or ``dead`` (the page could not be read); ``detail`` says more, ``quotes`` each quote's result."""

    source: Source
    state: str
    detail: str
    quotes: tuple[QuoteResult, ...]
    url: str

    @property
    def failed(self) -> bool:
        return self.state != "ok"


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Fetched:
    """The page at ``url``, redirects followed; FetchFailed for an HTTP error, a network error, a page larger
    than ``max_bytes`` or one that takes longer than ``timeout`` seconds in all."""
    import urllib.error
    import urllib.request
    from email.message import Message

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(Redirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise FetchFailed(f"too large ({int(length)} bytes; at most {max_bytes} are read)")
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchFailed(f"too slow (not read in {timeout:g} s)")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(f"too large (more than {max_bytes} bytes)")
                chunks.append(chunk)
            header: Message = response.headers
            return Fetched(b"".join(chunks), header.get_content_charset(), response.geturl())
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        raise FetchFailed(f"cannot reach it ({'too slow' if isinstance(reason, TimeoutError) else reason})") from None
    except TimeoutError:
        raise FetchFailed(f"too slow (no answer in {timeout:g} s)") from None
    except (OSError, ValueError) as error:
        raise FetchFailed(f"cannot read it ({error})") from None


def decode_page(fetched: Fetched) -> str:
    """The page's text: by the charset its server declared, else the one its ``<meta>`` declares in the first
    4 KiB, else UTF-8 (a byte that does not decode becomes U+FFFD). A charset Python does not know counts as
    none."""
    for declared in (fetched.charset, _meta_charset(fetched.body)):
        if declared:
            try:
                return fetched.body.decode(codecs.lookup(declared).name, errors="replace")
            except LookupError:
                continue
    return fetched.body.decode("utf-8-sig", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET_RE.search(body[:4096])
    return None if match is None else match.group(1).decode("ascii")


def page_text(html: str) -> str:
    """The text of an HTML page as a reader sees it: scripts, styles and templates dropped, one line per block."""
    from selectolax.lexbor import LexborHTMLParser  # the web extra: imported only when a page is read

    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template, head"):
        node.decompose()
    for node in tree.css(_BLOCKS):
        node.insert_after("\n")
    root = tree.body or tree.root
    return "" if root is None else root.text(separator="", strip=False)


def check_page(
    dataset: Dataset, source: Source, read: Callable[[str], Fetched] | None = None
) -> PageResult:
    """Fetch one web source (``read``: :func:`fetch` by default) and look for each of its quotes."""
    assert source.url is not None
    citations = [(e.id, citation.quote) for e in dataset.events for citation in e.citations if citation.source == source.id]
    try:
        fetched = (read or fetch)(source.url)
        text = normalize_quote(page_text(decode_page(fetched)))
    except FetchFailed as error:
        return PageResult(source, "dead", str(error), tuple(QuoteResult(e, q, False) for e, q in citations), source.url)
    results = tuple(QuoteResult(event, quote, quote_found(quote, text)) for event, quote in citations)
    missing = sum(1 for result in results if not result.found)
    moved = f"; moved to {fetched.url}" if fetched.url != source.url else ""
    if missing:
        return PageResult(source, "changed", f"{missing} of {len(results)} quotes no longer found{moved}", results, fetched.url)
    return PageResult(source, "ok", f"{len(results)} quotes found{moved}", results, fetched.url)


def check_pages(
    dataset: Dataset,
    sources: Iterable[Source],
    read: Callable[[str], Fetched] | None = None,
    progress: Progress | None = None,
) -> list[PageResult]:
    """:func:`check_page` for each web source, one after the other; ``progress`` hears how many are checked."""
    pages = [source for source in sources if source.url is not None]
    if progress is not None:
        progress.begin("checking web pages", len(pages), "pages")
    results = []
    for page in pages:
        results.append(check_page(dataset, page, read))
        if progress is not None:
            progress.advance(len(results))
    return results
