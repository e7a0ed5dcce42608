"""Names of the files in an archives root and its run folders (README "Output layout")."""

#: The run's items, one JSON object per line.
ITEMS_FILE = "items.jsonl"
#: Held by the crawl writing into an archives root (``crawler.run.lock_root``).
LOCK_FILE = ".lock"
