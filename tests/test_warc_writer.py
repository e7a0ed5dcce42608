"""WarcFileWriter: IIPC names, .open until closed, warcinfo first, rotation, seekable records."""

from __future__ import annotations

import random
import re
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

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
