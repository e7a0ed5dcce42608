"""More aggregator layouts over the sample catalogue, each with the profile that reads it.

`compact` (Techmeme/HN-like rows, JSON-LD articles), `grid` (Google-News/MSN-like cards
with `<time datetime>`, OpenGraph-only articles) and `german` ("vor 9 Minuten", Berlin
time, articles with neither): they show that profiles and zero-config detection work on
more than the sample site's markup. `python -m crawler.demo serve --layout NAME` serves one.
"""

from __future__ import annotations

from pathlib import Path

from crawler.demo.layouts.base import LayoutSite
from crawler.demo.layouts.compact import Compact
from crawler.demo.layouts.german import German
from crawler.demo.layouts.grid import Grid

LAYOUTS: dict[str, type[LayoutSite]] = {cls.name: cls for cls in (Compact, Grid, German)}

__all__ = ["LAYOUTS", "Compact", "German", "Grid", "LayoutSite", "profile_path"]


def profile_path(name: str) -> Path:
    """The profile (TOML) that reads layout `name`, kept beside its module."""
    return Path(__file__).with_name(f"{name}.toml")
