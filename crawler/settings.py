"""Scrapy settings for the aggregator crawler: every project setting, with its default.

Override any of them per run with ``-s NAME=VALUE``. The README's settings table mirrors
this file.
"""

from crawler import __version__

BOT_NAME = "aggregator"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

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

# --- The site ---------------------------------------------------------------------------
# IANA zone in which the site's calendar words ("Yesterday", "3 days ago", bare clock
# times) are meant, and the languages its pages are written in.
SITE_TIMEZONE = "UTC"
SITE_LANGUAGES = ["en"]

# --- Politeness and scope ---------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = f"aggregator-archiver/{__version__} (web archiving crawler; Scrapy)"
# How many links deep from the start URLs to follow; 0 means no limit.
DEPTH_LIMIT = 0
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Only encodings that replay tools can decode (pywb cannot replay zstd).
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

# --- Components -------------------------------------------------------------------------
EXTENSIONS = {
    "crawler.run.RunFolder": 0,
}
DOWNLOADER_MIDDLEWARES = {
    # Nearest the downloader: after HttpCompression (590) and Redirect (600), so the
    # archive sees bodies as sent and every 3xx.
    "crawler.archive.middleware.WarcArchiveMiddleware": 950,
    "crawler.fetchtime.FetchTimeMiddleware": 960,
}
SPIDER_MIDDLEWARES = {
    "crawler.provenance.ProvenanceMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.audit.ItemAuditPipeline": 300,
    "crawler.pipelines.jsonl.JsonlWriterPipeline": 900,
}

# Unattended runs open no listening ports: both consoles can run code in the crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
