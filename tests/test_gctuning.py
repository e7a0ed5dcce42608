"""The crawl's garbage collector is tuned as ``GC_FREEZE`` and ``GC_THRESHOLD`` say
(``crawler.gctuning``)."""

from __future__ import annotations

import gc
import re
from datetime import datetime, timezone

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.gctuning import Tuning

LOGGED = re.compile(r"Garbage collector: (\d+) objects frozen, thresholds \((\d+), (\d+), (\d+)\)")


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_tuning_reads_the_settings_and_applies_them(restored_gc):
    tuning = Tuning.from_settings(Settings({"GC_FREEZE": "True", "GC_THRESHOLD": "5000,20,30"}))
    assert tuning == Tuning(True, (5000, 20, 30))
    default = Tuning.from_settings(Settings(vars(project_settings)))
    assert default.freeze and default.threshold[0] > gc.get_threshold()[0]
    tuning.apply()
    assert gc.get_threshold() == (5000, 20, 30)
    assert gc.get_freeze_count() > 0


def test_empty_settings_leave_cpythons_collector_as_it_is(restored_gc):
    before = gc.get_threshold()
    Tuning.from_settings(Settings({"GC_FREEZE": "False", "GC_THRESHOLD": ""})).apply()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize(
    ("settings", "frozen", "threshold"),
    [
        ({}, True, (10000, 10, 10)),
        ({"GC_FREEZE": "False", "GC_THRESHOLD": "700,10,10"}, False, (700, 10, 10)),
    ],
    ids=["default", "cpython"],
)
def test_a_crawl_says_how_its_collector_runs(tmp_path, settings, frozen, threshold):
    with SampleServer(Site(datetime.now(timezone.utc))) as server:
        folder = run_crawl(server.url, tmp_path, {"CLOSESPIDER_PAGECOUNT": "5", **settings})
    (found,) = LOGGED.findall((folder / "crawl.log").read_text("utf-8"))
    assert (int(found[0]) > 0) is frozen
    assert tuple(map(int, found[1:])) == threshold
