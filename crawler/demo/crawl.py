"""Crawl the bundled sample site end to end: serve it, run ``scrapy crawl``, stop it.

The crawl runs as the user would run it, ``scrapy crawl aggregator`` in a child process,
so the demo and the end-to-end tests exercise the real command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from crawler.demo.server import SampleServer
from crawler.demo.site import Site

#: The bundled profile that reads the sample site (crawler/profiles/daily8.toml).
SAMPLE_PROFILE = "daily8"


def run_crawl(
    start_url: str,
    archives: Path,
    settings: Mapping[str, str] | None = None,
    profile: str | None = SAMPLE_PROFILE,
) -> Path:
    """Run ``scrapy crawl aggregator`` on ``start_url`` with ``profile`` (None: zero-config);
    return the new run folder.

    The crawl's log is kept in the run folder as ``crawl.log``; if the crawl fails, the
    error names the log.
    """
    archives.mkdir(parents=True, exist_ok=True)
    before = set(archives.iterdir())
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator",
               "-a", f"start_urls={start_url}", "-s", f"ARCHIVES_DIR={archives}"]  # fmt: skip
    if profile:
        command += ["-a", f"profile={profile}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    with tempfile.NamedTemporaryFile("w", dir=archives, suffix=".log", delete=False) as log:
        status = subprocess.run(command, env=env, stdout=log, stderr=log).returncode
    created = [path for path in set(archives.iterdir()) - before if path.is_dir()]
    if status != 0 or len(created) != 1:
        raise RuntimeError(f"scrapy crawl failed (exit status {status}); see {log.name}")
    os.chmod(shutil.move(log.name, created[0] / "crawl.log"), 0o644)
    return created[0]


def crawl_sample_site(
    archives: Path,
    *,
    tz: str = "UTC",
    settings: Mapping[str, str] | None = None,
) -> tuple[Path, dict[str, str]]:
    """Serve the sample site on a free loopback port and crawl it completely.

    Returns the run folder and the site's ``/_truth.json`` mapping (taken while serving).
    """
    site = Site(datetime.now(timezone.utc), tz=tz)
    with SampleServer(site) as server:
        server.start()
        folder = run_crawl(server.url, archives, {"SITE_TIMEZONE": tz, **(settings or {})})
    return folder, site.truth()
