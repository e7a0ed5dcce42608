"""WarcFileWriter: IIPC names, .open until closed, warcinfo first, rotation, seekable records,
and records whose bytes are warcio's, in gzip members that store what the server compressed."""

from __future__ import annotations

import gzip
import random
import re
import string
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive.records import RawHeaders
from crawler.archive.writer import OPEN_SUFFIX, WarcFileWriter
from tests.warctools import read_record_at, warcio_check


def make_writer(tmp_path, max_size=1_000_000):
    return WarcFileWriter(tmp_path, prefix="test", max_size=max_size, info={"software": "t"})


def resource(writer, n: int, size: int):
    body = random.Random(n).randbytes(size)  # incompressible, so files really grow
    return writer.builder.create_warc_record(
        f"http://example.test/{n}",
        "response",
        payload=BytesIO(body),
        length=size,
        http_headers=StatusAndHeaders("200 OK", [("Content-Length", str(size))], "HTTP/1.1"),
    )


def test_open_suffix_until_closed_then_iipc_name(tmp_path):
    writer = make_writer(tmp_path)
    writer.write(resource(writer, 1, 10))
    (open_file,) = tmp_path.iterdir()
    assert open_file.name.endswith(".warc.gz" + OPEN_SUFFIX)
    writer.close()
    (closed,) = tmp_path.iterdir()
    assert re.fullmatch(r"test-\d{17}-00001-[\w.-]+\.warc\.gz", closed.name)
    assert closed.name == writer.filenames[0]


def test_rotation_warcinfo_first_and_locations(tmp_path):
    writer = make_writer(tmp_path, max_size=20_000)
    locations = []
    for n in range(12):
        locations += writer.write(resource(writer, n, 4000 + n))
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 1
    assert [f.name for f in files] == sorted(writer.filenames)
    for path in files:
        with open(path, "rb") as stream:
            records = list(ArchiveIterator(stream))
        assert records[0].rec_type == "warcinfo"
        assert records[0].rec_headers.get_header("WARC-Filename") == path.name
        info_id = records[0].rec_headers.get_header("WARC-Record-ID")
        assert all(r.rec_headers.get_header("WARC-Warcinfo-ID") == info_id for r in records[1:])
        assert all(r.rec_headers.protocol == "WARC/1.1" for r in records)
        warcio_check(path)
    for n, location in enumerate(locations):
        record, raw_length = read_record_at(tmp_path / location.filename, location.offset)
        assert raw_length == location.length
        assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id
        assert record.rec_headers.get_header("WARC-Target-URI") == f"http://example.test/{n}"


#: Text that gzip shrinks about twice, as it does pages.
TEXT = "".join(random.Random(0).choices(string.ascii_lowercase + " ", k=20_000))


@pytest.mark.parametrize(
    ("encoding", "body", "stored"),
    [
        ("gzip", gzip.compress(TEXT.encode()), True),
        ("br", random.Random(1).randbytes(5000), True),
        ("gzip, br", random.Random(2).randbytes(5000), True),
        ("", TEXT.encode(), False),
        ("identity", TEXT.encode(), False),
        ("gzip", gzip.compress(b"a" * 10**6), False),  # a bomb deflates well once more
        ("deflate", random.Random(3).randbytes(5000), False),
    ],
    ids=["gzip", "br", "gzip-br", "none", "identity", "gzip-bomb", "deflate"],
)
def test_records_are_warcios_bytes_stored_if_the_server_compressed_them(
    tmp_path, encoding, body, stored
):
    writer = make_writer(tmp_path)
    headers = [("Content-Encoding", encoding)] if encoding else []
    headers.append(("Content-Length", str(len(body))))
    record = writer.builder.create_warc_record(
        "http://example.test/",
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=RawHeaders("200 OK", headers, protocol="HTTP/1.1"),
    )
    (location,) = writer.write(record)
    writer.close()
    path = tmp_path / location.filename
    member = path.read_bytes()[location.offset : location.offset + location.length]
    record.raw_stream.seek(0)
    expected = BytesIO()
    WARCWriter(expected, gzip=False, warc_version="1.1").write_record(record)
    assert gzip.decompress(member) == expected.getvalue()
    assert (body in member) == stored
    if encoding in ("", "identity", "gzip"):  # the others are not really br or deflate
        warcio_check(path)
