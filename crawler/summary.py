"""What a run folder holds, counted from its files: the figures ``make demo`` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.layout import run_items


@dataclass(frozen=True, slots=True)
class RunSummary:
    folder: Path
    warc_files: int
    records: Counter[str]
    items: Counter[str]
    cards_with_instant: int
    cards_without_instant: int

    def lines(self) -> list[str]:
        log = self.folder / "crawl.log"
        return [
            f"Run folder:   {self.folder}",
            f"WARC files:   {self.warc_files} ({sum(self.records.values())} records: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(self.records.items()))
            + ")",
            f"Pages:        {self.records['response']} responses archived",
            f"Items:        {sum(self.items.values())} ("
            + ", ".join(f"{n} {kind}" for kind, n in sorted(self.items.items()))
            + ")",
            f"Cards:        {self.cards_with_instant} with an instant, "
            f"{self.cards_without_instant} without",
        ] + ([f"Crawl log:    {log}"] if log.exists() else [])


def summarise(folder: Path) -> RunSummary:
    """Count records by type across the folder's WARC files, and items and cards in JSONL."""
    records: Counter[str] = Counter()
    warcs = sorted(folder.glob("*.warc.gz"))
    for path in warcs:
        with open(path, "rb") as stream:
            records.update(record.rec_type for record in ArchiveIterator(stream))
    items: Counter[str] = Counter()
    with_instant = without_instant = 0
    for item in run_items(folder):
        items[item["type"]] += 1
        for card in item.get("cards") or item.get("related") or ():
            if card["published"] and card["published"]["value"]:
                with_instant += 1
            else:
                without_instant += 1
    return RunSummary(folder, len(warcs), records, items, with_instant, without_instant)
