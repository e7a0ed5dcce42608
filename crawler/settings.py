"""Scrapy settings for the aggregator crawler: every project setting, with its default.

Override any of them per run with ``-s NAME=VALUE``. The README's settings table mirrors
this file.
"""

from crawler import __version__

BOT_NAME = "aggregator"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Project commands: `scrapy replay` (crawler/commands/replay.py).
COMMANDS_MODULE = "crawler.commands"

# --- Output -----------------------------------------------------------------------------
# Root under which each run gets its own folder ``<UTC start>-<RUN_NAME or spider>``.
ARCHIVES_DIR = "archives"
# Name part of the run folder; empty means the spider's name.
RUN_NAME = ""

# --- WARC archiving (crawler.archive.middleware) -----------------------------------------
WARC_ENABLED = True
# File name prefix; empty means the spider's name.
WARC_PREFIX = ""
# A file that has reached this many bytes is closed and the next record opens a new one.
WARC_MAX_SIZE = 1_000_000_000
# Who runs the crawl (name, contact), written into every warcinfo record.
WARC_OPERATOR = ""
# A 2xx payload already archived is written as a revisit record referring to the first.
WARC_REVISITS_ENABLED = True
# Where "already archived?" is answered: a class with get(digest) and add(digest, payload).
WARC_PAYLOAD_INDEX = "crawler.archive.revisits.MemoryPayloadIndex"
# Per-run indexes built when the crawl ends (crawler.archive.run_indexes).
WARC_CDXJ_ENABLED = True
WARC_PAGES_ENABLED = True
# A WACZ package of the run (needs the `wacz` extra: pip install .[wacz]).
WACZ_ENABLED = False

# --- The site ---------------------------------------------------------------------------
# IANA zone in which the site's calendar words ("Yesterday", "3 days ago", bare clock
# times) are meant, and the languages its pages are written in.
SITE_TIMEZONE = "UTC"
SITE_LANGUAGES = ["en"]
# Zone names this site writes that mean something other than crawler.timestamps.DEFAULT_ZONES
# says: a fixed offset or an IANA zone, e.g. {"IST": "Asia/Jerusalem", "CST": "+08:00"}.
# Names that SITE_TIMEZONE itself uses (CST in Asia/Shanghai) need no entry.
SITE_ZONE_NAMES = {}

# --- Politeness and scope ---------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = f"aggregator-archiver/{__version__} (web archiving crawler; Scrapy)"
# How many links deep from the start URLs to follow; 0 means no limit.
DEPTH_LIMIT = 0
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Only encodings that replay tools can decode (pywb cannot replay zstd).
# A response cut short is kept (and archived with WARC-Truncated), not thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

# Cookie domains are checked against the public suffix list shipped with tldextract;
# True lets tldextract download the current list from publicsuffix.org instead.
PUBLIC_SUFFIX_LIST_FETCH = False

# --- Components -------------------------------------------------------------------------
EXTENSIONS = {
    "crawler.offline.BundledPublicSuffixList": 0,
    "crawler.run.RunFolder": 0,
    "crawler.archive.run_indexes.RunIndexes": 10,
}
DOWNLOADER_MIDDLEWARES = {
    # Nearest the downloader: after HttpCompression (590) and Redirect (600), so the
    # archive sees bodies as sent and every 3xx.
    "crawler.archive.middleware.WarcArchiveMiddleware": 950,
    "crawler.fetchtime.FetchTimeMiddleware": 960,
}
SPIDER_MIDDLEWARES = {
    "crawler.provenance.ProvenanceMiddleware": 950,
    # Nearest the spider, so it sees every link a page yields before any filter.
    "crawler.archive.metadata.WarcMetadataMiddleware": 1000,
}
ITEM_PIPELINES = {
    "crawler.pipelines.audit.ItemAuditPipeline": 300,
    "crawler.pipelines.jsonl.JsonlWriterPipeline": 900,
}

# Unattended runs open no listening ports: both consoles can run code in the crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
