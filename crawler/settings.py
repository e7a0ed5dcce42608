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
# The state store's index (below) makes revisits across runs; MemoryPayloadIndex: this run only.
WARC_PAYLOAD_INDEX = "crawler.state.payloads.StatePayloadIndex"
# Build and write the records in a process of their own (crawler.archive.process), on
# another core than the crawl's; False: in the crawl's process. Off by default: on two
# cores its extra process cost the 2-workers benchmark its target (README "Benchmarks").
WARC_WRITER_PROCESS = False
# Per-run indexes built when the crawl ends (crawler.archive.run_indexes).
WARC_CDXJ_ENABLED = True
WARC_PAGES_ENABLED = True
# A WACZ package of the run (needs the `wacz` extra: pip install .[wacz]).
WACZ_ENABLED = False

# --- State shared by runs (crawler.state) ----------------------------------------------
# A SQLite store of every fetch and every time observation, shared by the runs of one
# archives root. Without it each run stands alone: no incremental policy, no narrowing
# across runs, revisits within the run only.
STATE_ENABLED = True
# Its file, relative to ARCHIVES_DIR (an absolute path is used as is).
STATE_FILE = "state.sqlite"
# Seconds before an article page (or any page that is not a listing) is fetched again;
# sooner only when a listing shows it newer than the copy fetched. 0 fetches every page
# every run. Listing pages are fetched every run.
ARTICLE_REFRESH = 86400

# --- The site ---------------------------------------------------------------------------
# The site profile (crawler/profiles): a bundled name (daily8) or the path of a TOML file;
# `-a profile=NAME_OR_PATH` sets it. Empty: zero-config detection reads every page.
SITE_PROFILE = ""
# The three below apply where the profile leaves them out, or when given with -s.
# IANA zone in which the site's calendar words ("Yesterday", "3 days ago", bare clock
# times) are meant, and the languages its pages are written in. Empty: each page's own
# language (<html lang>) and the zone it suggests (crawler.pages.locale), else UTC, English.
SITE_TIMEZONE = ""
SITE_LANGUAGES = []
# Zone names this site writes that mean something other than crawler.timestamps.DEFAULT_ZONES
# says: a fixed offset or an IANA zone, e.g. {"IST": "Asia/Jerusalem", "CST": "+08:00"}.
# Names that SITE_TIMEZONE itself uses (CST in Asia/Shanghai) need no entry.
SITE_ZONE_NAMES = {}

# --- Extraction limits (crawler.pages.guards, the spider) ---------------------------------
# An HTML page larger than this (bytes, decoded) is archived but not parsed, counted in
# pages/too_large and logged: zero-config extraction takes about a second per 4 MB, and
# the crawl waits meanwhile. 0: no limit. Sitemaps and feeds are always read.
EXTRACTION_MAX_SIZE = 8 * 1024 * 1024
# At most this many distinct <a> links of one page are followed (Heritrix's maxOutlinks);
# the rest are counted in links/over_limit and the page is logged. 0: no limit. Sitemap and
# feed entries and cards are not limited.
EXTRACTION_MAX_LINKS = 6000
# Worker processes that read pages (crawler.extraction), on other cores than the crawl's
# fetching and archiving; 0: read them in the crawl's own process.
EXTRACTION_PROCESSES = 1

# --- Discovery --------------------------------------------------------------------------
# Follow the sitemaps robots.txt names (feeds named by <link rel=alternate> are always
# followed). Their entries are crawled like a listing's cards, within CLOSESPIDER_PAGECOUNT.
DISCOVERY_SITEMAPS = True
# Scheduling priority of a listing's next pages (the profile's pagination selectors) over
# the other links found. A listing's pages form a chain, each known only once the one
# before is read. 0: Scrapy's order (the most recently found first), which walks the chain
# last, one page at a time. 1: the chain advances while articles are fetched, which is
# faster on a slow site (measured: 12% on a site 50 ms away) and reads a listing over a
# shorter window, but the articles it finds wait in Scrapy's in-memory queue (measured on
# 100,000 pages, one run each: up to 48,000 waiting, 451 MB peak against 269 MB at 0).
PAGINATION_PRIORITY = 0

# --- Politeness and scope ---------------------------------------------------------------
# The crawl stays on the start URLs' sites (registrable domains) and the profile's domains.
# True also fetches the pages that cards link to on other sites (publishers), one hop:
# archived and read by zero-config, their links not followed.
SCOPE_OUTBOUND = False
ROBOTSTXT_OBEY = True
USER_AGENT = f"aggregator-archiver/{__version__} (web archiving crawler; Scrapy)"
# How many links deep from the start URLs to follow; 0 means no limit.
DEPTH_LIMIT = 0
# Stop after this many responses (requisites count); 0 means no limit. A profile's
# politeness.max_pages sets it too.
CLOSESPIDER_PAGECOUNT = 0
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# AutoThrottle adapts the delay per site to its response times, aiming at this many
# requests in flight per site, never below DOWNLOAD_DELAY nor above the concurrency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_DELAY = 0
# Responses larger than this are dropped (counted in download/over_maxsize), larger than
# WARNSIZE logged. Bodies that grow past it when decompressed too (a compression bomb:
# archived as sent, counted in download/decompressed_over_maxsize; crawler.maxsize).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
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

# --- Distributed crawling (crawler.distributed) ----------------------------------------
# A Redis server (redis://HOST:6379/0) makes this crawl one worker of a distributed run:
# one shared frontier (scrapy-redis), run id and payload index. The first worker gets
# -a start_urls=...; workers started without them join its run. Empty: one process.
REDIS_URL = ""
# Prefix of every Redis key; independent crawls sharing one Redis need different ones.
REDIS_KEY = "aggregator"
# This worker's name, in its file names and in Redis; empty: <host>-<pid>.
REDIS_WORKER_ID = ""
# Seconds the run must be quiet (nothing queued, nothing in flight on any worker) before a
# worker stops.
REDIS_IDLE_TIMEOUT = 10.0
# Seconds a worker started without start URLs waits for a run to join.
REDIS_JOIN_TIMEOUT = 60.0
# Seconds without a heartbeat (sent every 0.5 s) before a worker counts as dead and its
# requests in flight are queued again for the others.
REDIS_WORKER_TIMEOUT = 10.0

# --- Components -------------------------------------------------------------------------
# Scrapy's scheduler, plus a crash-safe journal of the frontier when JOBDIR is set
# (crawler.state.frontier): a run killed even with kill -9 resumes with no page lost.
SCHEDULER = "crawler.state.frontier.JournaledScheduler"
# With REDIS_URL, swaps in the shared scheduler and payload index (crawler.distributed).
ADDONS = {"crawler.distributed.Distributed": 0}
EXTENSIONS = {
    # Replaced by crawler.progress.Progress, which says more in one line.
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.progress.Progress": 0,
    "crawler.gctuning.GarbageCollection": 0,
    "crawler.offline.BundledPublicSuffixList": 0,
    "crawler.run.RunFolder": 0,
    "crawler.archive.run_indexes.RunIndexes": 10,
}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's offsite filter, letting the robots.txt of outbound pages through.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.scope.ScopeMiddleware": 50,
    # Scrapy's HttpCompressionMiddleware, counting what DOWNLOAD_MAXSIZE refuses.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.maxsize.MaxSizeMiddleware": 590,
    # Nearest the downloader: after HttpCompression (590) and Redirect (600), so the
    # archive sees bodies as sent and every 3xx.
    # Records each archived response in the state store (after the archive wrote it).
    "crawler.state.fetches.FetchRecorderMiddleware": 940,
    "crawler.archive.middleware.WarcArchiveMiddleware": 950,
    "crawler.fetchtime.FetchTimeMiddleware": 960,
}
SPIDER_MIDDLEWARES = {
    # Nearest the engine: marks a page done in the JOBDIR journal once all it yielded is
    # queued or written.
    "crawler.state.frontier.FrontierDoneMiddleware": 10,
    # Drops pages fetched recently (ARTICLE_REFRESH), following their stored links instead.
    "crawler.state.incremental.IncrementalMiddleware": 960,
    # Sees every link a page yields before any filter.
    "crawler.archive.metadata.WarcMetadataMiddleware": 1000,
    # Nearest the spider: holds a page's output until its response record is written.
    "crawler.provenance.ProvenanceMiddleware": 1010,
}
ITEM_PIPELINES = {
    # Records the times each item shows and adds the windows narrowed across runs.
    "crawler.pipelines.narrowing.NarrowingPipeline": 200,
    "crawler.pipelines.audit.ItemAuditPipeline": 300,
    "crawler.pipelines.jsonl.JsonlWriterPipeline": 900,
}

# --- Python's garbage collector (crawler.gctuning) ---------------------------------------
# Freeze what exists when the engine starts, so no collection walks it again.
GC_FREEZE = True
# gc.set_threshold for the crawl's process (youngest generation first); empty: CPython's.
GC_THRESHOLD = [10000, 10, 10]

# --- Progress (crawler.progress) ---------------------------------------------------------
# Seconds between two progress lines in the log (pages, rates, items, WARC bytes, errors,
# queue); 0: none. The run's summary line is logged when it ends either way.
PROGRESS_INTERVAL = 60.0

# Unattended runs open no listening ports: both consoles can run code in the crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
