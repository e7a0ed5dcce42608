"""Other tools' archives replay too: wget's WARC, warcio's ``capture_http``, ARC files.

One sample site (one epoch, so every crawl sees the same texts) is crawled live, by wget
(WARC/1.0, second-precision dates, ``<URI>`` targets) and by requests under warcio's
``capture_http``. Each archive's replay gives the live crawl's articles and listings (URLs,
titles, sources, summaries, bodies, cards; the times differ between crawls and are left
out), each item pointing at its response record in that file. ARC files made from wget's
records replay the same.
"""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.crawl import SAMPLE_PROFILE, run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from tests.replaytools import (
    by_url,
    capture_crawl,
    comparable,
    fault_lines,
    replay,
    wget_crawl,
)
from tests.warctools import gzip_member, read_record_at


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("thirdparty")
    (root / "wget").mkdir()
    site = Site(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        live = run_crawl(server.url, root / "live")
        warcs = {
            "wget": wget_crawl(server.url, root / "wget"),
            "capture_http": capture_crawl(server.url, root / "capture.warc.gz"),
        }
    return live, warcs


def replayed(path: Path, cwd: Path) -> dict[str, dict]:
    # Other tools' WARCs name no site profile: the replay is told the sample site's.
    result = replay(path, "-o", "out.jsonl", "-s", f"SITE_PROFILE={SAMPLE_PROFILE}", cwd=cwd)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    return by_url(cwd / "out.jsonl")


def same_content(items: dict[str, dict], live: Path) -> bool:
    expected = by_url(live / "items.jsonl")
    return {url: comparable(item) for url, item in items.items()} == {
        url: comparable(item) for url, item in expected.items()
    }


@pytest.mark.parametrize("tool", ["wget", "capture_http"])
def test_other_tools_warcs_give_the_live_crawls_items(crawls, tool, tmp_path):
    live, warcs = crawls
    warc = warcs[tool]
    items = replayed(warc, tmp_path)
    assert same_content(items, live)
    for url, item in items.items():
        pointer = item["warc"]
        record, length = read_record_at(warc, pointer["offset"])
        headers = record.rec_headers
        assert (pointer["filename"], pointer["length"]) == (warc.name, length)
        assert record.rec_type == "response"
        assert headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert headers.get_header("WARC-Target-URI").strip("<>") == url
        date = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
        assert datetime.fromisoformat(item["fetched_at"]) == date


def arc_records(warc: Path) -> list[bytes]:
    """wget's responses as ARC v1 records: a header line, the HTTP response, a newline."""
    version = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://site.arc 0.0.0.0 20250730090500 text/plain %d\n" % len(version)
    records = [head + version + b"\n"]
    with open(warc, "rb") as stream:
        found = ArchiveIterator(stream)
        for record in found:
            if record.rec_type != "response":
                continue
            raw, _ = gzip_member(warc, found.get_record_offset())
            block = raw[raw.index(b"\r\n\r\n") + 4 : -4]
            url = record.rec_headers.get_header("WARC-Target-URI").strip("<>")
            date = re.sub(r"\D", "", record.rec_headers.get_header("WARC-Date"))[:14]
            mime = (record.http_headers.get_header("Content-Type") or "-").split(";")[0]
            head = f"{url} 127.0.0.1 {date} {mime} {len(block)}\n".encode()
            records.append(head + block + b"\n")
    return records


def test_arc_files_replay_like_the_warc_they_were_made_from(crawls, tmp_path):
    live, warcs = crawls
    records = arc_records(warcs["wget"])
    (tmp_path / "site.arc").write_bytes(b"".join(records))
    (tmp_path / "site.arc.gz").write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))
    for name in ("site.arc", "site.arc.gz"):
        items = replayed(tmp_path / name, tmp_path)
        assert same_content(items, live)
        data = (tmp_path / name).read_bytes()
        for url, item in items.items():
            pointer = item["warc"]
            assert pointer["filename"] == name and pointer["record_id"] is None
            stored = data[pointer["offset"] : pointer["offset"] + pointer["length"]]
            if name.endswith(".gz"):
                stored = gzip.decompress(stored)
            assert stored.startswith(f"{url} 127.0.0.1 ".encode())
