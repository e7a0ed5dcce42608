"""Two workers against one on a latency-bound site: what a distributed crawl gains.

A larger sample site (``N_SYNTHETIC`` articles) is served with every response waiting
``LATENCY`` seconds, as a distant site's would; a local Redis server holds the frontier. Each
pair crawls it completely with one worker, then with two (started together, the first with
the start URL), each worker allowed ``CONCURRENCY`` requests at once (AutoThrottle off),
timing from the start of the workers to the exit of the last. Both sides run through Redis,
so the difference is the second worker alone. Target: two workers at least 1.7 times as
fast.
"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import Result, paired_medians
from crawler.demo.crawl import crawl_command, crawl_env
from crawler.demo.redis_server import LocalRedis
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.layout import run_items

LATENCY = 0.1
CONCURRENCY = 4
N_SYNTHETIC = 800
TARGET = 1.7


def run(runs: int = 5, n_synthetic: int = N_SYNTHETIC) -> Result:
    site = Site(datetime.now(timezone.utc), n_synthetic=n_synthetic)
    with tempfile.TemporaryDirectory() as tmp, LocalRedis(Path(tmp)) as redis, SampleServer(
        site, latency=LATENCY
    ) as server:
        settings = {
            "REDIS_URL": redis.url,
            "REDIS_IDLE_TIMEOUT": "0.5",
            "CONCURRENT_REQUESTS": str(CONCURRENCY),
            "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
            "AUTOTHROTTLE_ENABLED": "False",
            "LOG_LEVEL": "INFO",
        }
        items: list[int] = []

        def crawl(workers: int) -> None:
            key = uuid.uuid4().hex[:8]
            archives = Path(tmp) / key
            processes = []
            for n in range(workers):
                command = crawl_command(
                    archives,
                    {**settings, "REDIS_KEY": key, "REDIS_WORKER_ID": f"w{n}"},
                    start_url=server.url if n == 0 else None,
                )
                log = open(Path(tmp) / f"{key}-w{n}.log", "wb")  # noqa: SIM115
                processes.append((subprocess.Popen(command, env=crawl_env(), stdout=log,
                                                   stderr=subprocess.STDOUT), log))  # fmt: skip
            for process, log in processes:
                status = process.wait()
                log.close()
                if status != 0:
                    raise RuntimeError(f"a worker exited {status}; see {log.name}")
            (folder,) = [path for path in archives.iterdir() if path.is_dir()]
            items.append(sum(1 for _ in run_items(folder)))

        ours, baseline, ratio = paired_medians(lambda: crawl(2), lambda: crawl(1), runs)
    same = min(items) == max(items)
    speedup = 1 / ratio
    return Result(
        name=f"crawl, 2 workers vs 1 ({max(items)} items, same each run: "
        f"{'yes' if same else 'NO'}; "
        f"{LATENCY * 1000:.0f} ms a response, {CONCURRENCY} requests a worker)",
        unit="s",
        ours=ours,
        baseline=baseline,
        ratio=speedup,
        target=f">= {TARGET:.1f}",
        meets=speedup >= TARGET and same,
        runs=runs,
    )


if __name__ == "__main__":
    from benchmarks.common import table

    print(table([run(runs=3)]), flush=True)
