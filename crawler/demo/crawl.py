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


def crawl_command(
    archives: Path,
    settings: Mapping[str, str] | None = None,
    *,
    start_url: str | None = None,
    profile: str | None = SAMPLE_PROFILE,
) -> list[str]:
    """``scrapy crawl aggregator`` into ``archives`` with ``settings``, from ``start_url``
    read with ``profile`` (None: zero-config). Without ``start_url``, a worker joining a
    distributed run (``REDIS_URL`` in ``settings``): the run's start URLs and profile apply.
    """
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator"]
    if start_url:
        command += ["-a", f"start_urls={start_url}"]
        if profile:
            command += ["-a", f"profile={profile}"]
    for name, value in {"ARCHIVES_DIR": str(archives), **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command


def child_processes(pid: int) -> list[int]:
    """The running processes whose parent is ``pid`` (a crawl's page readers, say)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def crawl_env() -> dict[str, str]:
    """The environment ``crawl_command`` runs in: this project's settings."""
    return dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")


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
    command = crawl_command(archives, settings, start_url=start_url, profile=profile)
    with tempfile.NamedTemporaryFile("w", dir=archives, suffix=".log", delete=False) as log:
        status = subprocess.run(command, env=crawl_env(), stdout=log, stderr=log).returncode
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
    hostile: bool = False,
) -> tuple[Path, dict[str, str]]:
    """Serve the sample site (with its hostile pages if ``hostile``) on a free loopback port
    and crawl it completely.

    Returns the run folder and the site's ``/_truth.json`` mapping (taken while serving).
    """
    site = Site(datetime.now(timezone.utc), tz=tz, hostile=hostile)
    with SampleServer(site) as server:
        server.start()
        folder = run_crawl(server.url, archives, {"SITE_TIMEZONE": tz, **(settings or {})})
    return folder, site.truth()
