"""``python -m benchmarks.quality [--json] [--site NAME]... [--jobs N]``: extraction quality.

Each demo site (the sample site ``daily8`` and the layouts of ``crawler.demo.layouts``) is
served on loopback and crawled twice with ``scrapy crawl aggregator``: with its profile,
and with none (zero-config: not even the site's zone or languages, which each page's own
``<html lang>`` and times must suggest). Every card seen (listing and related cards, each
card URL once a crawl) is scored against the site's truth:

- url: the card links a true article; title: the same after folding whitespace; source:
  the same (null for null); window: ``earliest <= true instant <= latest``;
- recall: true articles seen as a card; articles: true articles whose article item's
  ``published.value`` falls on the true day in the site's zone.

Then each page of ``tests/fixtures/articles/`` goes through zero-config
``crawler.pages.extract``: the share of article pages whose item's ``published.value``
falls on the expected day. Targets: 95% with a profile, 90% without. The exit status is
always 0: this is a report; ``tests/test_layouts.py`` holds the layouts to the targets.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from crawler.demo.crawl import SAMPLE_PROFILE, run_crawl
from crawler.demo.layouts import LAYOUTS, LayoutSite, profile_path
from crawler.demo.server import SampleServer, Servable
from crawler.demo.site import Site
from crawler.layout import ITEMS_FILE, written_items

PROFILE, ZERO_CONFIG = "profile", "zero-config"
MODES = (PROFILE, ZERO_CONFIG)
TARGETS = {PROFILE: 0.95, ZERO_CONFIG: 0.90}
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "articles"
#: Loopback needs no politeness: a layout's crawl takes seconds.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}

Item = dict[str, Any]
#: Absolute article URL: {"title", "source", "published"} (ISO instant).
Truth = dict[str, dict[str, str | None]]


@dataclass(frozen=True)
class SiteSpec:
    """A demo site: how to build it, the profile that reads it, its zone and languages."""

    name: str
    make: Callable[[datetime], Servable]
    profile: str  # the value of -a profile=
    timezone: str
    languages: tuple[str, ...]


def _sites() -> dict[str, SiteSpec]:
    layouts = {
        name: SiteSpec(name, cls, str(profile_path(name)), cls.timezone, cls.languages)
        for name, cls in LAYOUTS.items()
    }
    return {SAMPLE_PROFILE: SiteSpec(SAMPLE_PROFILE, Site, SAMPLE_PROFILE, "UTC", ("en",)),
            **layouts}  # fmt: skip


SITES = _sites()


def site_truth(site: Servable) -> dict[str, dict[str, str | None]]:
    """Every article path with its title, source and instant.

    The sample site's own ``/_truth.json`` has only instants: its cards show the source
    header, or (Jiji-style cards) name the credited agency in their text.
    """
    if isinstance(site, LayoutSite):
        return site.truth()
    if isinstance(site, Site):
        return {
            a.path: {
                "title": a.title,
                "source": a.source or a.credit,
                "published": site.published(a).isoformat(),
            }
            for a in site.articles
        }
    raise TypeError(f"no truth for {type(site).__name__}")


@dataclass(frozen=True)
class Crawl:
    """A finished crawl (its run folder and items) with the truth it is scored against."""

    folder: Path
    items: list[Item]
    truth: Truth
    timezone: str


def crawl(name: str, mode: str, archives: Path) -> Crawl:
    """Serve site `name` on loopback (its epoch: now) and crawl it in `mode`.

    Raises RuntimeError naming the crawl's log when ``scrapy crawl`` fails.
    """
    spec = SITES[name]
    site = spec.make(datetime.now(timezone.utc).replace(microsecond=0))
    profile = spec.profile if mode == PROFILE else None
    with SampleServer(site) as server:
        folder = run_crawl(server.url, archives / f"{name}-{mode}", FAST, profile=profile)
        truth = {urljoin(server.url, path): t for path, t in site_truth(site).items()}
    items = list(written_items(folder / ITEMS_FILE))
    return Crawl(folder, items, truth, spec.timezone)


@dataclass(frozen=True)
class Scores:
    """Shares in [0, 1] (see the module docstring); `cards` is how many were scored."""

    cards: int
    url: float
    title: float
    source: float
    window: float
    recall: float
    articles: float

    def below(self, target: float) -> list[str]:
        """The measures under `target`."""
        return [name for name in MEASURES if getattr(self, name) < target]


MEASURES = tuple(f.name for f in fields(Scores) if f.name != "cards")


def _fold(value: str | None) -> str | None:
    return " ".join(value.split()) if value is not None else None


def _covers(published: Mapping[str, Any] | None, instant: datetime) -> bool:
    if not published or not published.get("earliest") or not published.get("latest"):
        return False
    earliest = datetime.fromisoformat(published["earliest"])
    return earliest <= instant <= datetime.fromisoformat(published["latest"])


def _on_day(published: Mapping[str, Any] | None, day: str, zone: ZoneInfo) -> bool:
    """Whether the timestamp's value falls on `day` (YYYY-MM-DD) in `zone`."""
    if not published or not published.get("value"):
        return False
    return datetime.fromisoformat(published["value"]).astimezone(zone).date().isoformat() == day


def _share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def seen_cards(items: Iterable[Item]) -> dict[str, Item]:
    """Each card URL once (its first sighting), from listing and related cards alike."""
    seen: dict[str, Item] = {}
    for item in items:
        for card in item.get("cards") or item.get("related") or ():
            seen.setdefault(card["url"], card)
    return seen


def score(items: list[Item], truth: Truth, tz: str) -> Scores:
    """Score a crawl's items against the truth. A card off the truth fails every measure."""
    zone = ZoneInfo(tz)
    cards = seen_cards(items)
    hits = dict.fromkeys(("url", "title", "source", "window"), 0)
    for url, card in cards.items():
        true = truth.get(url)
        if true is None:
            continue
        hits["url"] += 1
        hits["title"] += _fold(card.get("title")) == _fold(true["title"])
        hits["source"] += _fold(card.get("source")) == _fold(true["source"])
        hits["window"] += _covers(card.get("published"), datetime.fromisoformat(true["published"]))
    articles: dict[str, Item] = {}
    for item in items:
        if item.get("type") == "article":
            articles.setdefault(item["url"], item)
    days = 0
    for url, true in truth.items():
        day = datetime.fromisoformat(true["published"]).astimezone(zone).date().isoformat()
        days += url in articles and _on_day(articles[url].get("published"), day, zone)
    return Scores(
        cards=len(cards),
        **{name: _share(count, len(cards)) for name, count in hits.items()},
        recall=_share(len(cards.keys() & truth.keys()), len(truth)),
        articles=_share(days, len(truth)),
    )


@dataclass(frozen=True)
class FixtureScores:
    """Zero-config extraction of the article fixtures: `detected`, the share of pages whose
    article-or-not verdict is right; `day`, of article pages dated on the right day."""

    pages: int
    article_pages: int
    detected: float
    day: float


def fixture_scores(folder: Path = FIXTURES) -> FixtureScores | None:
    """Run zero-config ``extract`` on each fixture page; None when there are no fixtures."""
    expected_file = folder / "expected.json"
    if not expected_file.exists():
        return None
    # Imported here: the crawls run in child processes, only this part needs the parsers.
    from crawler.pages import extract

    expected = json.loads(expected_file.read_text("utf-8"))
    detected = on_day = 0
    for filename, page in expected.items():
        items = extract(
            page["url"],
            (folder / filename).read_bytes(),
            fetched_at=datetime.fromisoformat(page["fetched_at"]),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        article = next((i for i in items if i.get("type") == "article"), None)
        detected += (article is not None) == bool(page["is_article"])
        if page["is_article"] and article is not None:
            on_day += _on_day(article.get("published"), page["day"], ZoneInfo(page["timezone"]))
    article_pages = sum(bool(page["is_article"]) for page in expected.values())
    return FixtureScores(
        pages=len(expected),
        article_pages=article_pages,
        detected=_share(detected, len(expected)),
        day=_share(on_day, article_pages),
    )


@dataclass(frozen=True)
class Row:
    """One crawl's outcome for the report: scores, or the error that stopped it."""

    site: str
    mode: str
    seconds: float
    scores: Scores | None
    error: str | None

    @property
    def target(self) -> float:
        return TARGETS[self.mode]

    @property
    def meets(self) -> bool:
        return self.scores is not None and not self.scores.below(self.target)


def measure(name: str, mode: str, archives: Path) -> Row:
    """Crawl and score one site in one mode; a failed crawl becomes a row with its error."""
    start = time.perf_counter()
    try:
        done = crawl(name, mode, archives)
    except RuntimeError as error:
        return Row(name, mode, time.perf_counter() - start, None, str(error))
    scores = score(done.items, done.truth, done.timezone)
    return Row(name, mode, time.perf_counter() - start, scores, None)


def report(rows: list[Row], fixtures: FixtureScores | str | None) -> str:
    """The table: one line per site and mode, then the fixtures' line."""
    lines = [("site", "mode", "cards", *MEASURES, "target", "ok", "time")]
    for row in rows:
        scores = row.scores
        shown = (
            [str(scores.cards), *(f"{getattr(scores, m):.1%}" for m in MEASURES)]
            if scores is not None
            else ["-"] * (len(MEASURES) + 1)
        )
        ok = "yes" if row.meets else "NO"
        lines.append((row.site, row.mode, *shown, f">={row.target:.0%}", ok, f"{row.seconds:.1f}s"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text += [f"{row.site} {row.mode}: {row.error}" for row in rows if row.error]
    if fixtures is None:
        text.append(f"article fixtures: no {FIXTURES / 'expected.json'} yet")
    elif isinstance(fixtures, str):
        text.append(f"article fixtures: {fixtures}")
    else:
        target = TARGETS[ZERO_CONFIG]
        ok = "yes" if min(fixtures.day, fixtures.detected) >= target else "NO"
        text.append(
            f"article fixtures (zero-config, {fixtures.pages} pages, {fixtures.article_pages} "
            f"articles): article detected {fixtures.detected:.1%}, day right {fixtures.day:.1%}"
            f"  target >={target:.0%}  ok {ok}"
        )
    return "\n".join(text)


def as_json(rows: list[Row], fixtures: FixtureScores | str | None) -> str:
    crawls = [
        {**asdict(row), "target": row.target, "meets": row.meets, "seconds": round(row.seconds, 2)}
        for row in rows
    ]
    document = {
        "targets": TARGETS,
        "crawls": crawls,
        "fixtures": asdict(fixtures) if isinstance(fixtures, FixtureScores) else fixtures,
    }
    return json.dumps(document, indent=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--site", action="append", choices=list(SITES),
                        help="only this site (repeatable; default: all)")
    parser.add_argument("--jobs", type=int, default=4, help="crawls run at once")
    parser.add_argument("--archives", type=Path,
                        help="keep the runs (and their crawl.log) here; default: a temporary root")
    args = parser.parse_args(argv)
    names = args.site or list(SITES)
    runs = [(name, mode) for name in names for mode in MODES]
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        root = args.archives or Path(tmp)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            rows = list(pool.map(lambda run: measure(*run, root), runs))
    fixtures: FixtureScores | str | None
    try:
        fixtures = fixture_scores()
    except Exception as error:  # a report: a parser that fails is a finding, not a crash
        fixtures = f"extraction failed: {error!r}"
    print(as_json(rows, fixtures) if args.json else report(rows, fixtures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
