"""Publisher names recovered from card text when a card shows no source header.

Aggregators copy agency copy verbatim, so the publisher often survives only in the text:
a copyright notice ("[Copyright The Jiji Press, Ltd.]"), a dateline ("Tokyo, July 30
(Jiji Press)--", "NEW YORK (Kyodo) --") or a trailing "© KYODO".
"""

from __future__ import annotations

import re

_NAME = r"[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}"
_PATTERNS = (
    re.compile(
        r"\[\s*Copyright\s+(?:©\s*|\(c\)\s*)?(?:The\s+)?(?P<name>" + _NAME + r")"
        r"(?:,?\s+(?:Ltd|Inc|Co|Corp|LLC)\.?)?\s*\]"
    ),
    re.compile(r"\((?P<name>" + _NAME + r")\)\s*(?:--|\u2014|\u2013)"),
    re.compile(r"©\s*(?:\d{4}\s+)?(?P<name>" + _NAME + r")\s*$"),
)


def source_from_text(text: str) -> str | None:
    """The publisher named by a copyright line, dateline or trailing credit, if any."""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            return match["name"].strip()
    return None
