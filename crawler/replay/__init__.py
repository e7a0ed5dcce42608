"""Offline replay: archived pages re-extracted into the JSONL a live crawl writes.

``scrapy replay PATH [PATH ...]`` (``crawler.commands.replay``) drives it. One module per
concern: ``inputs`` finds the archive files (folders, WARC, ARC, WACZ), ``reader`` reads
their records and survives damage, ``digests`` checks the records' bytes, ``payload``
turns a stored HTTP response back into the Scrapy response the spider was given,
``revisits`` finds a revisit's original, ``warcinfo`` picks the profile and run the
crawl recorded, ``state`` asks the archives root's state store (read-only) for other
runs' records and earlier runs' observations, ``loop`` runs the crawl's extraction and
pipelines over the pages, ``parallel`` spreads that over processes in order, and
``faults`` is what goes wrong, one line each. Nothing here opens a network connection.
"""
