"""crawler.extraction.PageReader: pages read in worker processes give what they give read
in the crawl's process, and a worker that dies loses no page."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import Headers, HtmlResponse

from crawler import outlinks
from crawler.demo.crawl import child_processes
from crawler.extraction import READER_ROLE, Fetched, PageReader
from crawler.gctuning import Tuning
from crawler.pages import read
from crawler.profiles import load as load_profile

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
DAILY8 = load_profile("daily8")
FETCHED_AT = datetime(2025, 7, 30, 7, 30, tzinfo=timezone.utc)
HEADERS = {"Content-Type": "text/html; charset=utf-8"}
TUNING = Tuning(freeze=True, threshold=(2000, 10, 10))


def pages() -> list[tuple[str, bytes]]:
    return [(f"https://www.daily8.example/{p.stem}", p.read_bytes())
            for p in sorted(FIXTURES.glob("*.html"))]  # fmt: skip


async def read_all(reader: PageReader, found: list[tuple[str, bytes]]) -> list:
    return await asyncio.gather(*(
        reader.read(fetched(url, body, HEADERS)) for url, body in found
    ))  # fmt: skip


def fetched(url: str, body: bytes | None, headers: Mapping | None) -> Fetched:
    return Fetched(url, body, html=True, fetched_at=FETCHED_AT, headers=headers,
                   requested_at=None)  # fmt: skip


def in_loop(test):
    """Run ``test(reader)`` in one event loop, as a crawl runs its reader, and close it."""

    async def run() -> None:
        reader = PageReader(DAILY8, max_size=None, processes=2, tuning=TUNING)
        reader.start()
        try:
            await test(reader)
        finally:
            reader.close()

    asyncio.run(run())


def expected_readings(found: list[tuple[str, bytes]]) -> list:
    """What the spider read in its own process before: ``read`` and Scrapy's extractors on
    the response itself."""
    return [(read(url, body, fetched_at=FETCHED_AT, headers=HEADERS, profile=DAILY8),
             outlinks.of(HtmlResponse(url, body=body, headers=HEADERS)))
            for url, body in found]  # fmt: skip


def test_pages_read_in_workers_equal_pages_read_here():
    found = pages()
    expected = expected_readings(found)
    assert len(found) >= 5 and any(reading.items for reading, _ in expected)
    assert all(links.links for _, links in expected)
    assert any(links.requisites for _, links in expected)

    async def test(reader: PageReader) -> None:
        assert await read_all(reader, found) == expected
        assert len(workers()) == 2

    in_loop(test)
    inline = PageReader(DAILY8, max_size=None, processes=0, tuning=TUNING)
    inline.start()
    assert not workers()
    assert asyncio.run(read_all(inline, found)) == expected


@pytest.mark.parametrize("reading", [False, True], ids=["idle", "reading"])
def test_killed_workers_are_replaced_and_their_pages_read_again(reading):
    found = pages()
    expected = expected_readings(found)

    async def test(reader: PageReader) -> None:
        await read_all(reader, found[:1])
        killed = workers()
        running = asyncio.ensure_future(read_all(reader, found)) if reading else None
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        if running is not None:
            assert await running == expected
        await asyncio.sleep(0.2)  # the loop sees the pipes close
        assert await read_all(reader, found) == expected
        assert len(workers()) == 2 and not set(killed) & set(workers())

    in_loop(test)


def test_a_page_that_fails_is_reported_and_the_worker_goes_on():
    async def test(reader: PageReader) -> None:
        with pytest.raises(TypeError):  # read() on no body at all
            await reader.read(fetched("https://x.example/", None, None))
        found = pages()[:2]
        assert await read_all(reader, found) == expected_readings(found)

    in_loop(test)


def test_close_ends_the_workers():
    started: list[int] = []

    async def test(reader: PageReader) -> None:
        await read_all(reader, pages()[:1])
        started.extend(workers())

    in_loop(test)
    assert len(started) == 2
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # Latin-1 said only by the page: the query's "é" is encoded as the page's charset.
        ("text/html", '<meta charset="iso-8859-1"><base href="/sub/">'
         '<img src="caf\xe9.png"><a href="?q=\xe9t\xe9#top">x</a>'.encode("latin-1")),
        # Windows-1251 said by the header alone (guessed from the bytes, it is cp1252).
        ("text/html; charset=windows-1251", '<link rel=stylesheet href="/s.css">'
         '<a href="/новости?q=Москва">x</a><a href="mailto:x@y">m</a>'.encode("cp1251")),
    ],
    ids=["latin-1-meta-base", "cp1251-header"],
)
def test_outlinks_found_in_a_worker_equal_the_spiders_own(content_type, body):
    """Only Content-Type crosses over to the worker: the page is decoded, and its links
    resolved and percent-encoded, as Scrapy does on the response the crawl fetched."""
    url = "https://www.daily8.example/a/page"
    headers = Headers({"Content-Type": content_type, "Content-Length": str(len(body)),
                       "Set-Cookie": "x=1"})  # fmt: skip
    response = HtmlResponse(url, body=body, headers=headers)
    expected = outlinks.of(response)
    assert expected.requisites and expected.links

    async def test(reader: PageReader) -> None:
        _, found = await reader.read(fetched(url, body, headers))
        assert found == expected
        _, found = await reader.read(fetched(url, body, headers)._replace(html=False))
        assert found == outlinks.Outlinks()

    in_loop(test)


def workers() -> list[int]:
    """This process's page readers."""
    return [pid for pid in child_processes(os.getpid()) if _is_reader(pid)]


def _is_reader(pid: int) -> bool:
    try:
        return READER_ROLE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
