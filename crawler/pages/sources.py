"""Publisher names: cleaned of their decoration, or recovered from card text when a card
shows no source header.

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
    # A dateline's agency may be written in lower case: "Berlin (dpa) --".
    re.compile(r"\((?P<name>(?:[a-z]{2,5}|" + _NAME + r"))\)\s*(?:--|\u2014|\u2013)"),
    re.compile(r"©\s*(?:\d{4}\s+)?(?P<name>" + _NAME + r")\s*$"),
)


def source_from_text(text: str) -> str | None:
    """The publisher named by a copyright line, dateline or trailing credit, if any."""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            return match["name"].strip()
    return None


#: Characters that decorate a shown source name or separate the bits of a card's meta line.
DECORATION = " \t·•|/-\u2013\u2014:,"

_SOURCE_PREFIX = re.compile(
    r"^(?:(?:via|by|from|von|par|por|di|door|от)\s+|(?:\(c\)|copyright)\s*|"
    r"(?:source|sources|quelle|fuente|fonte|fonti|bron|источник|来源|來源|出典|출처|المصدر)"
    r"\s*[:\uff1a]\s*)",
    re.IGNORECASE,
)


def clean_source(text: str | None) -> str | None:
    """A publisher name without its decoration: "- Reuters", "© AFP", "By AP:", "(bbc.com)",
    "来源\uff1a新华网". None when nothing name-like is left."""
    if not text:
        return None
    name = " ".join(text.split())
    while True:
        before = name
        name = name.strip(DECORATION + "©\uff1a")
        if name[:1] in "([" and name[-1:] in ")]":
            name = name[1:-1]
        name = _SOURCE_PREFIX.sub("", name)
        if name == before:
            break
    if not name or len(name) > 60 or not any(char.isalpha() for char in name):
        return None
    return name
