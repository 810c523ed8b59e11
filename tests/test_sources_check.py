"""`timeline sources check --online` against a real HTTP server that this test starts on the loopback address
(never the internet): redirects, a 404, a slow server, a huge page, a windows-1251 page, a page that changed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

from .webdata import seeds_copy

runner = CliRunner()

RUSSIAN = "Состоялся телефонный разговор Касым-Жомарта Токаева с Сердаром Бердымухамедовым."
ENGLISH = "Diplomatic relations were established on October 5, 1992."
PAGE = (
    "<!doctype html><html><head><title>t</title><script>var quote = 'not in the text';</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Relations</h1>"
    "<p>Kazakhstan and Turkmenistan. <b>Diplomatic relations</b> were established on October&nbsp;5, 1992.</p>"
    "<p>“Quotes” and more.</p></article><footer>© 2025</footer></body></html>"
)
RUSSIAN_PAGE = f"<html><body><div class='news'><p>{RUSSIAN}</p></div></body></html>"


class Pages(BaseHTTPRequestHandler):
    """The pages the tests cite, by path."""

    def do_GET(self) -> None:  # the name http.server calls
        if self.path == "/ok":
            self._send(200, PAGE.encode("utf-8"), "text/html; charset=utf-8")
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
        elif self.path == "/gone":
            self._send(404, b"<p>Not here</p>", "text/html")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, PAGE.encode("utf-8"), "text/html")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(200):  # 12.8 MiB without a Content-Length: the reader must stop on its own
                    self.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/cp1251":
            self._send(200, RUSSIAN_PAGE.encode("windows-1251"), "text/html; charset=windows-1251")
        elif self.path == "/meta1251":
            head = b'<html><head><meta charset="windows-1251"></head>'
            self._send(200, head + RUSSIAN_PAGE.encode("windows-1251")[6:], "text/html")
        elif self.path == "/changed":
            self._send(200, b"<html><body><p>This page now says something else.</p></body></html>", "text/html")
        else:
            self._send(404, b"", "text/html")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the name and signature are http.server's
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def dataset_citing(folder: Path, base: str, pages: dict[str, tuple[str, str]]) -> str:
    """The frozen seeds with one web source per page (path → (language, quote)) and an event citing each."""
    path = seeds_copy(folder)
    sources = events = ""
    for number, (page, (language, quote)) in enumerate(pages.items(), 1):
        sources += (
            f"  - id: page-{number}\n    url: {base}{page}\n    title: Page {number}\n    publisher: A test server\n"
            f'    published: "2024-08-05"\n    language: {language}\n    retrieved: "2025-11-30"\n    corpus: test\n\n'
        )
        translation = "" if language == "en" else "        translation: The presidents spoke by telephone.\n"
        events += (
            f"\n  - id: event-{number}\n    date: 2024-08-05\n    title: Event {number}\n    kind: telephone_call\n"
            "    status: happened\n    participants:\n      - {actor: tokayev, role: participant}\n    place: null\n"
            f"    topics: []\n    summary: A test.\n    citations:\n      - source: page-{number}\n"
            f"        quote: {quote}\n{translation}"
        )
    text = path.read_text(encoding="utf-8").replace("\nactors:\n", "\n" + sources + "actors:\n", 1)
    path.write_text(text.rstrip("\n") + "\n" + events, encoding="utf-8")
    return str(path)


def check(data: str, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["sources", "check", "--online", "--json", "--data", data, *args])
    return result.exit_code, json.loads(result.stdout or "[]"), result.stderr


def test_a_page_that_holds_each_quote_passes(tmp_path: Path, server: str) -> None:
    code, found, err = check(dataset_citing(tmp_path, server, {"/ok": ("en", ENGLISH)}))
    assert code == 0, err
    assert found == [
        {"source": "page-1", "url": f"{server}/ok", "state": "ok", "detail": "1 quotes found", "quotes": 1, "missing": []}
    ]
    assert err == "checked 1 web pages: 1 ok, 0 dead, 0 changed\n"


def test_a_redirect_is_followed_and_named(tmp_path: Path, server: str) -> None:
    code, found, _ = check(dataset_citing(tmp_path, server, {"/moved": ("en", ENGLISH)}))
    assert code == 0
    assert found[0]["detail"] == f"1 quotes found; moved to {server}/ok"


def test_a_page_that_is_gone_is_a_dead_link_and_exits_1(tmp_path: Path, server: str) -> None:
    code, found, err = check(dataset_citing(tmp_path, server, {"/gone": ("en", ENGLISH)}))
    assert code == 1
    assert (found[0]["state"], found[0]["detail"]) == ("dead", "HTTP 404 Not Found")
    assert err.endswith("timeline: 1 of 1 web pages failed the check\n")


def test_a_quote_no_longer_on_the_page_is_reported_with_its_event(tmp_path: Path, server: str) -> None:
    code, found, _ = check(dataset_citing(tmp_path, server, {"/changed": ("en", ENGLISH)}))
    assert code == 1
    assert found[0]["state"] == "changed"
    assert found[0]["missing"] == [{"event": "event-1", "quote": ENGLISH}]


def test_a_slow_server_is_given_up_on_within_the_time_limit(tmp_path: Path, server: str) -> None:
    started = time.monotonic()
    code, found, _ = check(dataset_citing(tmp_path, server, {"/slow": ("en", ENGLISH)}), "--timeout", "0.5")
    assert time.monotonic() - started < 2.5
    assert code == 1
    assert found[0]["state"] == "dead"
    assert str(found[0]["detail"]).startswith("cannot reach it (too slow") or "too slow" in str(found[0]["detail"])


def test_a_huge_page_is_not_read_past_the_size_limit(tmp_path: Path, server: str) -> None:
    code, found, _ = check(dataset_citing(tmp_path, server, {"/huge": ("en", ENGLISH)}))
    assert code == 1
    assert found[0]["detail"] == f"too large (more than {8 * 1024 * 1024} bytes)"


def test_a_windows_1251_page_is_read_by_its_declared_charset(tmp_path: Path, server: str) -> None:
    code, found, err = check(dataset_citing(tmp_path, server, {"/cp1251": ("ru", RUSSIAN)}))
    assert code == 0, (found, err)


def test_a_charset_declared_only_in_the_page_is_honoured(tmp_path: Path, server: str) -> None:
    code, found, err = check(dataset_citing(tmp_path, server, {"/meta1251": ("ru", RUSSIAN)}))
    assert code == 0, (found, err)


def test_scripts_are_not_text(tmp_path: Path, server: str) -> None:
    code, found, _ = check(dataset_citing(tmp_path, server, {"/ok": ("en", "var quote = 'not in the text'")}))
    assert code == 1
    assert found[0]["state"] == "changed"


def test_every_page_is_checked_and_each_failure_counted(tmp_path: Path, server: str) -> None:
    pages = {"/ok": ("en", ENGLISH), "/gone": ("en", ENGLISH), "/changed": ("en", ENGLISH), "/cp1251": ("ru", RUSSIAN)}
    code, found, err = check(dataset_citing(tmp_path, server, pages))
    assert code == 1
    assert [item["state"] for item in found] == ["ok", "dead", "changed", "ok"]
    assert "checked 4 web pages: 2 ok, 1 dead, 1 changed\n" in err


def test_only_the_sources_named_are_checked(tmp_path: Path, server: str) -> None:
    data = dataset_citing(tmp_path, server, {"/ok": ("en", ENGLISH), "/gone": ("en", ENGLISH)})
    code, found, _ = check(data, "page-1")
    assert code == 0
    assert [item["source"] for item in found] == ["page-1"]


def test_without_online_nothing_is_fetched_and_the_pages_are_listed(tmp_path: Path, server: str) -> None:
    data = dataset_citing(tmp_path, server, {"/gone": ("en", ENGLISH)})
    result = runner.invoke(app, ["sources", "check", "--json", "--data", data])
    assert result.exit_code == 0
    assert [item["state"] for item in json.loads(result.stdout)] == ["unchecked"]
    assert result.stderr == "1 web pages and 1 quotes not checked; pass --online to fetch the pages and look for the quotes\n"


def test_an_article_kept_with_the_data_is_not_a_page_to_check(tmp_path: Path, server: str) -> None:
    data = dataset_citing(tmp_path, server, {"/ok": ("en", ENGLISH)})
    result = runner.invoke(app, ["sources", "check", "trend-2023-10-31", "--data", data])
    assert result.exit_code == 2
    assert "trend-2023-10-31 is an article kept with the data: 'timeline validate' checks its quotes" in result.stderr


def test_the_checks_meet_the_schema_of_their_table_offline_and_online(tmp_path: Path, server: str) -> None:
    import jsonschema

    from kztm_timeline.contract.fields import CHECKS
    from kztm_timeline.contract.schemas import record_schema

    data = dataset_citing(tmp_path, server, {"/ok": ("en", ENGLISH), "/changed": ("en", ENGLISH)})
    offline = json.loads(runner.invoke(app, ["sources", "check", "--json", "--data", data]).stdout)
    online = check(data)[1]
    for record in [*offline, *online]:
        jsonschema.validate(record, record_schema(CHECKS))
    assert [item["state"] for item in offline + online] == ["unchecked", "unchecked", "ok", "changed"]


def test_the_checks_go_to_a_folder_as_checks_csv_with_its_datapackage(tmp_path: Path, server: str) -> None:
    data = dataset_citing(tmp_path / "data", server, {"/changed": ("en", ENGLISH)})
    result = runner.invoke(app, ["sources", "check", "--online", "--data", data, "-o", f"{tmp_path / 'out'}/"])
    assert result.exit_code == 1
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["checks.csv", "datapackage.json"]
    header, row = (tmp_path / "out" / "checks.csv").read_text(encoding="utf-8").splitlines()
    assert header == "source,url,state,detail,quotes,missing_event,missing_quote"
    assert row == f'page-1,{server}/changed,changed,1 of 1 quotes no longer found,1,event-1,"{ENGLISH}"'


class HeardBar:
    """A progress bar that notes what it is told (the real one draws only at a terminal)."""

    def __init__(self, heard: list[tuple[object, ...]]) -> None:
        self.heard = heard

    def begin(self, what: str, total: int | None, unit: str) -> None:
        self.heard.append(("begin", what, total, unit))

    def advance(self, done: int) -> None:
        self.heard.append(("advance", done))

    def close(self) -> None:
        self.heard.append(("close",))


def test_checking_online_counts_the_pages_on_a_progress_bar(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztm_timeline.cli import corpus

    heard: list[tuple[object, ...]] = []
    monkeypatch.setattr(corpus, "progress_bar", lambda: HeardBar(heard))
    code, _, _ = check(dataset_citing(tmp_path, server, {"/ok": ("en", ENGLISH), "/gone": ("en", ENGLISH)}))
    assert code == 1
    assert heard == [("begin", "checking web pages", 2, "pages"), ("advance", 1), ("advance", 2), ("close",)]
