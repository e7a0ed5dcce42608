"""Real pywb over a run folder, so tests check what a replay tool makes of the archive.

pywb lives in a venv of its own (``make install-test`` builds ``.venv-pywb``; ``make test``
passes its ``bin`` as ``PYWB_BIN``). A missing tool skips the test locally but fails it in
CI, where a silent skip would hide that replay was never checked.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
COLLECTION = "run"


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when ``CI`` is set: CI must not pass by skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


def pywb_bin() -> Path:
    """The folder holding ``wb-manager`` and ``wayback``."""
    folder = Path(os.environ.get("PYWB_BIN") or REPO / ".venv-pywb" / "bin")
    if not all((folder / tool).is_file() for tool in ("wb-manager", "wayback")):
        unavailable(f"pywb not found in {folder}: run `make install-test`")
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pywb:
    """``wayback`` serving one collection made of a run folder's WARC files."""

    def __init__(self, run_folder: Path, *, timeout: float = 30) -> None:
        self.warcs = sorted(run_folder.glob("*.warc.gz"))
        assert self.warcs, f"no WARC files in {run_folder}"
        self.timeout = timeout
        self.port = free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="pywb-")
        self._process: subprocess.Popen[bytes] | None = None

    def replay_url(self, timestamp14: str, url: str, mode: str = "id_") -> str:
        """The replay address of ``url`` as of ``timestamp14``: ``id_`` serves the record as
        stored, ``""`` the page rewritten for a browser."""
        return f"http://127.0.0.1:{self.port}/{COLLECTION}/{timestamp14}{mode}/{url}"

    def __enter__(self) -> Pywb:
        tools = pywb_bin()
        root = Path(self._tmp.name)
        for command in (["init", COLLECTION], ["add", COLLECTION, *map(str, self.warcs)]):
            subprocess.run([tools / "wb-manager", *command], cwd=root, check=True,
                           capture_output=True, timeout=self.timeout)  # fmt: skip
        # Unframed: the rewritten page is the top document, which is all a browser's
        # --dump-dom shows (framed replay puts it in an iframe under pywb's banner).
        (root / "config.yaml").write_text("framed_replay: false\n")
        with open(root / "wayback.log", "wb") as log:  # the child keeps its own handle
            self._process = subprocess.Popen(
                [tools / "wayback", "-b", "127.0.0.1", "-p", str(self.port)],
                cwd=root, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            self._wait_until_up(root / "wayback.log")
        except BaseException:
            self._stop()
            raise
        return self

    def _wait_until_up(self, log: Path) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"wayback exited: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise TimeoutError(f"wayback did not answer: {log.read_text(errors='replace')}")

    def _stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None
        self._tmp.cleanup()

    def __exit__(self, *exc_info: object) -> None:
        self._stop()
