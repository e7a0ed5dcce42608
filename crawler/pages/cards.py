"""Zero-config card detection: news cards found as repeated blocks holding a link and a time.

Aggregators nobody wrote a profile for still show their cards the same way: a headline
link, a displayed time ("27 minutes ago", "3時間前", ``<time datetime>``), often a source and
a summary, and the same block repeated down the list. Menus, footers, pagination and tag
clouds hold links but no times, so starting from the times leaves them out.

The walk, linear in the page's size:

1. Every visible text (and a bare number with its neighbours, "<b>2</b> hours ago") is
   offered to the caller's ``is_time``; ``<time>`` elements count too. Each is a *hit*.
2. Links are scored as headlines (text length, heading, article-like URL; source, user,
   home, tag and "comments" links score low). Each element learns whether its subtree
   holds no, one or several distinct headline URLs, and how many hits.
3. From each hit the card is the highest ancestor holding at most one headline URL, so a
   time in a footer or header joins its title. Over a meta line with no headline (or only
   a weak one beside a better), it is the highest ancestor holding no other time. When
   that still holds no headline, the times sit in rows beside their titles (a table,
   ``dt``/``dd``, bare siblings) and the rows are cut into cards at each headline.
4. Cards are grouped by signature (tag and first class, the parent's too); only repeated
   groups survive, with odd ones of the same tag beside them (a hero card) and lone
   blocks that hold one repeated card (the last row of a grid).
5. Title, source and summary come from each card's structure; the source falls back to
   the card's neighbourhood (a publisher box's heading) and its summary's text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector, SelectorList

from crawler.pages.raw import MachineTime, RawCard
from crawler.pages.sources import DECORATION, clean_source, source_from_text
from crawler.timestamps import check_site, fast, normalise
from crawler.timestamps.lexicon import LEXICONS, NEUTRAL

__all__ = ["detect_cards", "time_predicate"]

#: Longest text offered to ``is_time``; a displayed time is short.
MAX_TIME_LENGTH = 80

_SKIPPED_TAGS = ("script", "style", "noscript", "template", "svg", "head", "select", "textarea")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_INLINE = frozenset(
    ("a", "span", "b", "strong", "i", "em", "small", "cite", "time", "font", "abbr")
)
_PAGE = ("body", "html")
_PIECE = 40  # the longest text read whole for a time split over elements
_MANY = object()  # a subtree with several distinct headline URLs
_TITLE, _SOURCE, _BYLINE = 1, 2, 4  # what an element's class and attribute names say it holds
_NOT_STORY = ("home", "taxonomy")
_UNUSABLE = -9  # the score of a link that is no headline at all: empty, a time, "Share"
_META_BIT_WORDS = 4  # the most words of one bit of a meta line ("By Julie Martin")

# Separators between the parts of a meta line: "Reuters · 2h", "14m | Title".
_SEPARATOR = re.compile(r"\s+[·•|/\-\u2013\u2014]\s+|\s*[·•|]\s*")

_SOURCE_STRONG = re.compile(
    r"publisher|source|outlet|provider|origin|domain|agency|site[-_]?name|sitestr|cite|"
    r"(?<![a-z])press(?![a-z])|newspaper|media[-_]?name"
)
_SOURCE_WEAK = re.compile(r"byline|author|credit|brand|channel|attribution|site|vendor")
_NOT_SOURCE = re.compile(r"resource")
_TITLE_HINT = re.compile(r"title|headline|heading|(?<![a-z])(?:hed|tit|ttl)(?![a-z])")
_NOT_TITLE_HINT = re.compile(r"sub-?title|sub-?headline|title-?bar")
_LOGO_HINT = re.compile(r"logo|icon|favicon|source|publisher|brand")
# Words between a poster's and a publication's names: "Dana in Better Programming".
_JOINING = frozenset((
    "in", "on", "at", "by", "to", "of", "for", "from", "via", "and", "a", "en", "de", "da", "do",
    "di", "du", "le", "la", "el", "il", "im", "am", "von", "par", "por", "und", "et", "y", "e", "o",
))  # fmt: skip
_PERSON_HINT = re.compile(r"avatar|user|profile|author|people|person|/@")
# Class names of a card's section label: kicker, category, rubric, chapéu, eyebrow.
_CATEGORY_HINT = re.compile(
    r"kicker|categor|section|rubri[ck]|chapeu|eyebrow|overline|dachzeile|topic|genre"
)
# A writer's byline, which names a person where the card names no publisher elsewhere.
_BYLINE_PREFIX = re.compile(r"(?:by|par|von|por|di|door|от)\s", re.IGNORECASE)

# Whole link texts that are furniture, not headlines: "12 comments", "Share", "Read more »".
_FURNITURE = re.compile(
    r"(?:\d[\d,.]*(?:\s+[^\W\d_]*)?"  # "45 comments", "120 points"; not "20minutos"
    r"|(?:lesezeit:?\s*)?\d+\s*min(?:ute)?s?\.?\s*"  # "5 min read", "3 min de lecture"
    r"(?:read|de lecture|lesezeit|de lectura|di lettura|leestijd|de leitura)?"
    r"|(?:comments?|share|reply|save|hide|report|discuss|flag|read more|more|"
    r"continue reading|full coverage|view|see (?:more|all)|show more|"
    r"weiterlesen|mehr|lire la suite|la suite|leer más|ver más|leggi|continua|leia mais|"
    r"lees meer|続きを読む|もっと見る|詳細|更多|더보기|читать далее|подробнее|المزيد)"
    r"(?:\s*\(\d+\))?)\s*[»\u203a→>…]?",
    re.IGNORECASE,
)
# Path segments (first or second) of publisher, user and taxonomy pages.
_TAXONOMY = frozenset((
    "source", "sources", "publisher", "publishers", "provider", "providers", "outlet",
    "outlets", "media", "user", "users", "u", "profile", "author", "authors", "tag", "tags",
    "topic", "topics", "category", "categories", "section", "sections", "channel", "channels",
    "site", "sites", "from", "domain", "r",
))  # fmt: skip
_TEXTS = etree.XPath("//text()[normalize-space()]")
_INVISIBLE = re.compile(r"display:none|visibility:hidden")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_ARTICLE_SEGMENT = re.compile(r"\d{4,}|[^/]{20,}|(?:[^-_/]+[-_]){3,}|\.s?html?$|\.php$|\.aspx?$")


def time_predicate(
    fetched_at: datetime,
    *,
    tz: str,
    languages: Sequence[str],
    zones: Mapping[str, str] | None = None,
) -> Callable[[str], bool]:
    """``is_time`` for ``detect_cards``: does a short visible text show a time?

    Built on ``crawler.timestamps.normalise`` for the site's zone and languages at the fetch
    instant. A page has hundreds of texts and dateparser spends 0.1-0.7 ms on each it cannot
    read, so only texts the fast path reads, or that are shaped like a date, reach it; every
    answer is remembered by text for the predicate's life (one page, or one crawl). A day
    and clock without a year ("07-29 09:15") is a shown time even where ``normalise`` cannot
    read it: the card still counts, its time then stays unparsed.
    """
    check_site(tz, languages, zones)
    codes = tuple(languages)
    words = _vocabulary(codes)
    known: dict[str, bool] = {}

    def is_time(text: str) -> bool:
        answer = known.get(text)
        if answer is None:
            answer = _plausible(text, codes, words) and (
                normalise(text, fetched_at, tz=tz, languages=codes, zones=zones) is not None
                or _STAMP.fullmatch(text.strip()) is not None
            )
            known[text] = answer
        return answer

    return is_time


_DIGIT = re.compile(r"\d")
_STAMP = re.compile(r"\d{1,2} ?[-/.] ?\d{1,2}\.?,? \d{1,2}:\d{2}")
_LETTERS = re.compile(r"[^\W\d_]+")
_DATE_SHAPE = re.compile(r"\d{1,4} ?[/.\-年月] ?\d{1,2}|\d{1,2} ?[:時h] ?\d\d")


def _plausible(text: str, codes: tuple[str, ...], words: _Words) -> bool:
    """Whether ``normalise`` may find a time in ``text`` without a slow, doomed fallback.

    A time names a unit, day or month of the site's languages, or is shaped like a date
    or clock ("7/30", "16:20"); anything else ("45 comments", "Politics") is not tried.
    """
    if not text or len(text) > MAX_TIME_LENGTH:
        return False
    normal = fast.normal(text)
    digit = _DIGIT.search(normal) is not None
    if not words.named(normal, digit) and not (digit and _DATE_SHAPE.search(normal)):
        return False
    if fast.prepared(text, codes)[0] is not None:
        return True
    # What the fast path misses goes to dateparser only when shaped like a date, or as a
    # short phrase with a time word ("7/30(水) 17:34", "a few minutes ago").
    if digit:
        return len(normal.split()) <= 6 and bool(_DATE_SHAPE.search(normal))
    return len(normal) <= (10 if _CJK.search(normal) else 25) and len(normal.split()) <= 5


@dataclass(frozen=True)
class _Words:
    """The time words of a site's languages: units, day and month names, "now" phrases."""

    tokens: frozenset[str]
    cjk: re.Pattern[str] | None
    everything: bool  # a language without a word list: any text may hold a time

    def named(self, normal: str, digit: bool) -> bool:
        """Whether cleaned text holds one of the words; a one-letter unit only by a digit."""
        if self.everything:
            return True
        if self.cjk is not None and _CJK.search(normal) and self.cjk.search(normal):
            return True
        return any(
            token in self.tokens and (digit or len(token) > 1) for token in _LETTERS.findall(normal)
        )


@lru_cache(maxsize=32)
def _vocabulary(codes: tuple[str, ...]) -> _Words:
    found = {fast.normal(word) for word in f"{NEUTRAL.am}|{NEUTRAL.pm}".split("|")}
    for code in codes:
        lexicon = LEXICONS.get(code) or LEXICONS.get(code.split("-")[0])
        if lexicon is None:
            return _Words(frozenset(), None, True)
        tables = [lexicon.units, lexicon.alone, lexicon.dual, lexicon.days]
        groups = [*(words for table in tables for words in table.values()), lexicon.now]
        groups += [*lexicon.weekdays, *lexicon.months, lexicon.am, lexicon.pm]
        found.update(fast.normal(word) for group in groups for word in group.split("|") if word)
    cjk = sorted((word for word in found if _CJK.search(word)), key=len, reverse=True)
    tokens = set()
    for word in found:
        parts = _LETTERS.findall(word)
        tokens.update(part for part in parts if len(parts) == 1 or len(part) > 2)
    pattern = re.compile("|".join(map(re.escape, cjk))) if cjk else None
    return _Words(frozenset(tokens), pattern, False)


def detect_cards(
    page: Selector,
    url: str,
    is_time: Callable[[str], bool],
    *,
    exclude: Selector | None = None,
) -> list[RawCard]:
    """The news cards of a page: repeated blocks holding a link and a displayed time.

    ``is_time`` says whether a short text is a displayed time (``time_predicate`` builds
    one); nothing under ``exclude`` (the article itself, say) is ever a card. Cards come in
    document order, one per URL; a page without repeated link-and-time blocks gives [].
    """
    root = page.root
    if not isinstance(root, etree._Element):
        return []
    excluded = [] if exclude is None else _elements(exclude)
    document = _Document(root, url, is_time, excluded)
    cards: list[RawCard] = []
    seen: set[str] = set()
    for card in document.cards():
        raw = document.fields(card)
        if raw is not None and raw["url"] not in seen:
            seen.add(raw["url"])
            cards.append(raw)
    return cards


def _elements(nodes: Selector | SelectorList) -> list[etree._Element]:
    selectors = nodes if isinstance(nodes, SelectorList) else [nodes]
    return [node.root for node in selectors if isinstance(node.root, etree._Element)]


@dataclass(slots=True)
class _Hit:
    """A displayed time: the element holding it, the text as shown, the rest of its line."""

    holder: etree._Element
    text: str | None
    machine: MachineTime | None
    rest: tuple[str, ...]
    rank: int  # 0 a <time> element, 1 a text that is all time, 2 part of a longer text
    order: float  # where it is in the page (a tail text comes after its element)


@dataclass(slots=True)
class _Link:
    href: str
    text: str
    score: int  # how much it looks like a headline; 2 and up is one

    @property
    def headline(self) -> bool:
        return self.score >= 2


@dataclass(slots=True)
class _Card:
    nodes: list[etree._Element]
    hits: list[_Hit] = field(default_factory=list)


class _Document:
    """One page's hits, links and the subtree facts the card search needs."""

    def __init__(
        self,
        root: etree._Element,
        url: str,
        is_time: Callable[[str], bool],
        excluded: Iterable[etree._Element],
    ) -> None:
        self.url = url
        self.is_time = is_time
        self.skipped: set[etree._Element] = set()
        self.visible_tail: set[etree._Element] = set()  # skipped, but their tail shows
        for top in [*root.iter(*_SKIPPED_TAGS), *_hidden(root), *excluded]:
            if top not in self.skipped:
                self.visible_tail.add(top)
                self.skipped.update(top.iter())
        self.order = {node: index for index, node in enumerate(root.iter(etree.Element))}
        self._text: dict[etree._Element, str] = {}
        self._role: dict[etree._Element, int] = {}
        self._homes: dict[str, list[etree._Element]] | None = None
        self.hits: list[_Hit] = []
        self.links: dict[etree._Element, _Link] = {}
        self._walk(root)
        self.headlines: dict[etree._Element, object] = {}
        self.hit_count: dict[etree._Element, int] = {}
        self._mark()

    # --- The walk -------------------------------------------------------------------------

    def _walk(self, root: etree._Element) -> None:
        """Find the hits (every visible text and ``<time>``), then, if two or more, the links."""
        skipped = self.skipped
        in_time: set[etree._Element] = set()
        for node in root.iter("time"):
            if node not in skipped:
                in_time.update(node.iter())
                self._time_element(node)
        pieces: list[etree._Element] = []  # holders of a bare number, maybe part of a time
        for text in _TEXTS(root):
            owner = text.getparent()
            holder = owner.getparent() if text.is_tail else owner
            if holder is None or holder in skipped or holder in in_time:
                continue
            if not text.is_tail and owner in skipped:
                continue
            bare = text.strip()
            if (
                not self._text_hit(holder, str(text), self.order.get(owner, 0) + text.is_tail / 2)
                and bare.isdigit()
                and len(bare) <= 4
            ):
                pieces.append(holder)  # "<b>2</b> hours ago"
        self._split_times(pieces)
        self.hits.sort(key=lambda hit: hit.order)
        if len(self.hits) < 2:  # no card can repeat: spare the links of a big page
            return
        for node in root.iter("a"):
            if node not in skipped:
                self._link(node)

    def _time_element(self, node: etree._Element) -> None:
        """A ``<time>``: its shown text if that is a time, its ``datetime`` in any case."""
        shown = self.text(node)
        stamp = (node.get("datetime") or "").strip()
        machine = MachineTime(stamp, "time-element") if stamp else None
        text = shown if shown and self.is_time(shown) else None
        if text is None and shown:
            found = _time_in(shown, self.is_time)
            text = found[0] if found else None
        if text is not None or machine is not None:
            self.hits.append(_Hit(node, text, machine, (), 0, self.order[node]))

    def _text_hit(self, holder: etree._Element, raw: str, index: float) -> bool:
        """Record the time in one text node, if it shows one; say whether it did."""
        found = _time_in(raw, self.is_time)
        if found is not None:
            text, rest, whole = found
            machine = _stamp_attribute(holder)
            self.hits.append(_Hit(holder, text, machine, rest, 1 if whole else 2, index))
        return found is not None

    def _split_times(self, pieces: list[etree._Element]) -> None:
        """Times written over several elements: "<b>2</b> hours ago", "<span>3</span>時間前".
        The element (or its parent) around a bare number is read whole when short and holding
        no time of its own."""
        holders = {hit.holder for hit in self.hits}
        tried: set[etree._Element] = set()
        for piece in pieces:
            node: etree._Element | None = piece
            for _ in range(2):
                if node is None or node in tried or node in self.skipped or node.tag in _PAGE:
                    break
                tried.add(node)
                text = self.text(node)
                if len(text) > _PIECE or any(el in holders for el in node.iter()):
                    break
                if self.is_time(text):
                    self.hits.append(_Hit(node, text, None, (), 1, self.order[node]))
                    break
                node = node.getparent()

    def _link(self, node: etree._Element) -> None:
        """Record a followable link with its text (or label) and headline score."""
        href = (node.get("href") or "").strip()
        if (
            not href
            or href.startswith("#")
            or href.lower().startswith(("javascript:", "mailto:", "tel:", "data:"))
        ):
            return
        href = href.split("#", 1)[0]
        text = self.text(node) or " ".join(
            (node.get("aria-label") or node.get("title") or "").split()
        )
        self.links[node] = _Link(href, text, self._headline_score(node, href, text))

    def _headline_score(self, node: etree._Element, href: str, text: str) -> int:
        """How much a link looks like a card's headline rather than furniture or a source."""
        if not text or _FURNITURE.fullmatch(text) or (len(text) <= 40 and self.is_time(text)):
            return _UNUSABLE
        cjk = len(_CJK.findall(text))
        words = len(text.split())
        if cjk >= 10 or (words >= 4 and len(text) >= 20):
            score = 2
        elif cjk >= 6 or (words >= 2 and len(text) >= 10):
            score = 1
        else:
            return 0
        named = " ".join((node.get("title") or "").split()) == text
        if named or _has_heading(node) or self.role(node) & _TITLE:
            score += 2
        kind = _href_kind(href)
        score += {"article": 1, "home": -2, "taxonomy": -2}.get(kind, 0)
        near = [node, node.getparent()]
        if any(el is not None and self.role(el) & (_SOURCE | _BYLINE) for el in near):
            score -= 2
        return score

    def _mark(self) -> None:
        """Each element's distinct headline URLs (none, one, ``_MANY``) and hits (0, 1, 2+).

        Both climb from the leaves and stop where the answer can no longer change, so each
        element is touched at most twice: linear in the page.
        """
        headlines = [(node, link.href) for node, link in self.links.items() if link.headline]
        if len({href for _, href in headlines}) < 2:  # no clear headlines: any text link
            headlines = [
                (node, link.href) for node, link in self.links.items() if link.score > _UNUSABLE
            ]
        for node, href in headlines:
            at: etree._Element | None = node
            while at is not None:
                now = self.headlines.get(at)
                if now is None:
                    self.headlines[at] = href
                elif now is _MANY or now == href:
                    break
                else:
                    self.headlines[at] = _MANY
                at = at.getparent()
        for hit in self.hits:
            at = hit.holder
            while at is not None and self.hit_count.get(at, 0) < 2:
                self.hit_count[at] = self.hit_count.get(at, 0) + 1
                at = at.getparent()

    # --- Cards ----------------------------------------------------------------------------

    def cards(self) -> list[_Card]:
        """The repeated link-and-time blocks, in document order."""
        roots: dict[etree._Element, _Card] = {}
        rows: dict[etree._Element, list[_Hit]] = defaultdict(list)
        for hit in self.hits:
            root = self._root(hit.holder)
            if root is None:
                continue
            if self.headlines.get(root) is None:
                rows[root].append(hit)
            else:
                roots.setdefault(root, _Card([root])).hits.append(hit)
        found = self._repeated(roots)
        found += self._row_cards(rows, set(roots))
        found.sort(key=lambda card: self.order.get(card.nodes[0], 0))
        return found

    def _root(self, holder: etree._Element) -> etree._Element | None:
        """The card around a time: the highest ancestor with at most one headline URL.

        Above a meta line that holds no headline, or only a weak one (a source or user
        link) while a better one sits beside it, the card is the highest ancestor holding
        no other time. Page-wide elements are never cards.
        """
        low = holder
        while (parent := low.getparent()) is not None and parent.tag not in _PAGE:
            if self.headlines.get(parent) is _MANY:
                break
            low = parent
        state = self.headlines.get(low)
        if state is not _MANY:
            high = low
            while (parent := high.getparent()) is not None and parent.tag not in _PAGE:
                if self.hit_count.get(parent, 0) >= 2:
                    break
                high = parent
            if high is not low and (
                self._best_score(high) >= self._best_score(low) + 2
                if state is not None
                else self.headlines.get(high) is not None
            ):
                low = high
        return None if low.tag in _PAGE or low.getparent() is None else low

    def _best_score(self, node: etree._Element) -> int:
        """The best headline score of the links under a node."""
        return max((self.links[a].score for a in node.iter("a") if a in self.links), default=0)

    def _repeated(self, roots: dict[etree._Element, _Card]) -> list[_Card]:
        """Cards whose signature repeats, odd ones beside them, singles that hold a repeat."""
        groups: dict[tuple[str, str], list[_Card]] = defaultdict(list)
        for root, card in roots.items():
            groups[_key(root)].append(card)
        kept = {key for key, members in groups.items() if len(members) >= 2}
        beside = {  # (parent, tag) of the repeated cards: an odd card among them is one too
            (card.nodes[0].getparent(), card.nodes[0].tag) for key in kept for card in groups[key]
        }
        found: list[_Card] = []
        for key, members in groups.items():
            if key in kept:
                found += members
                continue
            for card in members:
                inner = self._inner_repeat(card, kept)
                if inner is not None:
                    found.append(inner)
                elif (card.nodes[0].getparent(), card.nodes[0].tag) in beside:
                    found.append(card)
        return found

    def _inner_repeat(self, card: _Card, kept: set[tuple[str, str]]) -> _Card | None:
        """A lone block (the last row of a grid) holding one card like the repeated ones."""
        root = card.nodes[0]
        for hit in card.hits:
            path = []
            at = hit.holder
            while at is not None and at is not root:
                path.append(at)
                at = at.getparent()
            for node in reversed(path):
                if _key(node) in kept and self.headlines.get(node) is not None:
                    return _Card([node], card.hits)
        return None

    def _row_cards(
        self, rows: dict[etree._Element, list[_Hit]], roots: set[etree._Element]
    ) -> list[_Card]:
        """Cards whose time sits in a row beside its title (tables, dt/dd, bare siblings).

        The rows of one parent are cut at each headline row: before the time when titles
        come first (the usual), at each time when times lead.
        """
        by_parent: dict[etree._Element, list[etree._Element]] = defaultdict(list)
        for row in rows:
            if (parent := row.getparent()) is not None:
                by_parent[parent].append(row)
        cards_in: dict[etree._Element, list[etree._Element]] = defaultdict(list)
        for root in roots:
            if (parent := root.getparent()) in by_parent:
                cards_in[parent].append(root)
        found: list[_Card] = []
        for parent, timed in by_parent.items():
            if len(timed) < 2:
                continue
            children = [child for child in parent if isinstance(child.tag, str)]
            position = {child: index for index, child in enumerate(children)}
            times = sorted(position[row] for row in timed)
            titled = [
                index
                for index, child in enumerate(children)
                if self.headlines.get(child) not in (None, _MANY) and child not in roots
            ]
            if not titled:
                continue

            def between(low: int, high: int, titled: list[int] = titled) -> bool:
                return bisect_right(titled, low) < bisect_left(titled, high)

            before = sum(map(between, [-1, *times[:-1]], times))
            after = sum(map(between, times, [*times[1:], len(children)]))
            starts = set(titled if before >= after else times)
            bounds = sorted(starts | {position[root] for root in cards_in[parent]})
            spans = [
                (start, bounds[index + 1] if index + 1 < len(bounds) else len(children))
                for index, start in enumerate(bounds)
                if start in starts
            ]
            widest = max((end - start for start, end in spans[:-1]), default=len(children))
            for start, end in spans:
                nodes = children[start : min(end, start + widest)]
                card = _Card(nodes, [hit for node in nodes for hit in rows.get(node, ())])
                if card.hits and any(self.headlines.get(node) is not None for node in nodes):
                    found.append(card)
        return found

    # --- Fields ---------------------------------------------------------------------------

    def fields(self, card: _Card) -> RawCard | None:
        """Title, URL, source, summary and time of one card, from its structure."""
        skipped = self.skipped
        elements = [
            node for top in card.nodes for node in top.iter(etree.Element) if node not in skipped
        ]
        links = [node for node in elements if node in self.links]
        hit = min(card.hits, key=lambda hit: (hit.text is None, hit.rank, hit.order))
        machine = next((hit.machine for hit in card.hits if hit.machine), None)
        times = {hit.text for hit in card.hits if hit.text}
        title_node, link = self._title(elements, links, times)
        if title_node is None or link is None:
            return None
        found = self.links[link]
        if not found.headline and (_href_kind(found.href) == "taxonomy" or _person(link)):
            return None  # a comment or a profile row: its best link names a person or a tag
        title = self.text(title_node) or self.links[link].text
        wraps = any(_contains(title_node, hit.holder) for hit in card.hits)
        if link is title_node and (wraps or sum(1 for c in title_node if self.text(c)) > 1):
            inner = self._inner_title(title_node, times)
            title_node = title_node if inner is None else inner
            title = self.text(title_node)
        if not title or self.is_time(title.strip(DECORATION)):
            return None  # no headline, or only a comment's "- 12 minutes ago" permalink
        summary_node, summary = self._summary(elements, title_node, times)
        source = self._source(elements, link, hit, title_node, summary_node, title, times)
        if source is None and summary:
            source = source_from_text(summary)
        return {
            "url": urljoin(self.url, self.links[link].href),
            "title": _without_source(title, source),
            "source": source,
            "summary": summary,
            "time": hit.text,
            "machine_time": machine,
            "modified": None,
        }

    def _title(
        self, elements: list[etree._Element], links: list[etree._Element], times: set[str]
    ) -> tuple[etree._Element | None, etree._Element | None]:
        """The headline element and its link: a heading or title-named block, else the best
        link. A heading's own link gives the text, so a time or domain beside it stays out."""
        # Best score first, visible text before an overlay's aria-label, then the first in
        # the card: the title comes before a summary or "related" link as good.
        ranked = sorted(
            (link for link in links if self.links[link].score > _UNUSABLE),
            key=lambda link: (-self.links[link].score, not self.text(link)),
        )
        stories = (link for link in links if _href_kind(self.links[link].href) not in _NOT_STORY)
        best = ranked[0] if ranked else next(stories, None)  # an image or "Read more" link
        for node in elements:
            if node.tag not in _HEADINGS and not self.role(node) & _TITLE:
                continue
            text = self.text(node)
            if not text or text in times:
                continue
            if node in self.links:
                if node is best:
                    return node, node
                continue
            if node.tag not in _HEADINGS and len(text) < 8:
                continue
            inner = next((link for link in ranked if _contains(node, link)), None)
            if inner is not None:
                return inner, inner
            outer = next((el for el in node.iterancestors("a") if el in self.links), None)
            if outer is not None or best is not None:
                return node, outer if outer is not None else best
        return best, best

    def _inner_title(self, link: etree._Element, times: set[str]) -> etree._Element | None:
        """Inside a link that wraps a whole card, the block holding its headline."""
        for node in link.iterdescendants():
            if node in self.skipped or not _own_text(node):
                continue
            text = self.text(node)
            if not text or text in times or len(text) < 8 or self.is_time(text):
                continue
            if node.tag == "p" or self.role(node) & _SOURCE:
                continue
            return node
        return None

    def _summary(
        self, elements: list[etree._Element], title_node: etree._Element, times: set[str]
    ) -> tuple[etree._Element | None, str | None]:
        """The longest text block that is not the headline, the time or a name.

        A block around the headline gives only its own text: the snippet that follows the
        title in a compact row. The node is returned only when its whole text is the summary.
        """
        title = self.text(title_node)
        best: tuple[etree._Element | None, str | None] = (None, None)
        for node in elements:
            if not _own_text(node) or _contains(title_node, node):
                continue
            whole = not _contains(node, title_node)
            text = _strip_times(self.text(node) if whole else _fold(_own_texts(node)), times)
            if not text or text == title or len(text) <= len(best[1] or ""):
                continue
            words = [word for word in text.split() if word.strip(DECORATION)]
            if len(words) < 5 and len(_CJK.findall(text)) < 12:
                continue
            pieces = self._texts(node) if whole else _own_texts(node)
            if 2 * max(len(piece.strip()) for piece in pieces) < len(text):
                continue  # a meta line of bits ("412 points by bob 3 hours ago | 9 comments")
            bits = [bit for bit in _SEPARATOR.split(text) if bit.strip(DECORATION)]
            if len(bits) > 1 and max(len(bit.split()) for bit in bits) <= _META_BIT_WORDS:
                continue  # a meta line of names ("Par Julie Martin · Libération")
            best = (node if whole else None, text)
        return best

    def _source(
        self,
        elements: list[etree._Element],
        link: etree._Element,
        hit: _Hit,
        title_node: etree._Element,
        summary_node: etree._Element | None,
        title: str,
        times: set[str],
    ) -> str | None:
        """The publisher: a hinted element, a logo's alt, the time's line, a nearby name."""

        def usable(node: etree._Element) -> bool:
            return not (
                _contains(title_node, node)
                or _contains(node, title_node)
                or (
                    summary_node is not None
                    and (_contains(summary_node, node) or _contains(node, summary_node))
                )
            )

        def named(
            text: str | None, node: etree._Element | None = None, bylines: bool = False
        ) -> str | None:
            """The name in a line without its time; "Author / <a>Source</a>" gives the link.
            A writer's byline ("By Mark Chen", "Par Julie Martin") only when ``bylines``."""
            for shown in times:  # "Reuters 2h" from <span>Reuters</span><time>2h</time>
                text = (text or "").replace(shown, " · ")
            parts = [
                part
                for part in _SEPARATOR.split(text or "")
                if part.strip(DECORATION) and part not in times and not self.is_time(part)
            ]
            if len(parts) > 1 and node is not None:
                linked = {
                    clean_source(self.links[a].text) for a in node.iter("a") if a in self.links
                }
                parts.sort(key=lambda part: clean_source(part) not in linked)
            for part in parts:
                if not bylines and _BYLINE_PREFIX.match(part.strip(DECORATION)):
                    continue
                name = clean_source(part)
                if (
                    name is not None
                    and name != title
                    and name.lower() not in _JOINING
                    and not _FURNITURE.fullmatch(name)
                    and not self.is_time(name)
                ):
                    return name
            return None

        def hinted(role: int) -> Iterator[str | None]:
            marked = [node for node in elements if self.role(node) & role and usable(node)]
            for node in marked:
                if not any(other is not node and _contains(node, other) for other in marked):
                    # the innermost: "source__name" rather than the "source" line around it
                    # An element marked as a byline may name its writer.
                    yield named(self.text(node), node, bylines=role == _BYLINE)
                    yield from (named(img.get("alt")) for img in node.iter("img"))

        nearby: list[tuple[bool, str]] = []

        def near(on_line: bool | None, bylines: bool = False) -> Iterator[str | None]:
            if not nearby:
                nearby.extend(self._nearby(elements, hit, title_node, link, usable))
            return (named(text, bylines=bylines) for on, text in nearby if on_line in (on, None))

        tiers: tuple[Callable[[], Iterable[str | None]], ...] = (
            lambda: hinted(_SOURCE),
            lambda: (named(_image_name(img)) for img in _images(elements) if _logo(img)),
            lambda: (named(rest) for rest in hit.rest),
            lambda: near(True),
            lambda: hinted(_BYLINE),
            lambda: near(False),
            lambda: (named(name) for name in self._publisher_above(elements[0], link)),
            lambda: near(None, bylines=True),
        )
        return next((name for tier in tiers for name in tier() if name), None)

    def _publisher_above(self, root: etree._Element, link: etree._Element) -> Iterator[str]:
        """The name on a link to the story's site home just above the card: a box per
        publisher ("Wired" heading a list of Wired stories). Only other sites count."""
        host = _host(urljoin(self.url, self.links[link].href))
        if self._homes is None:
            own = _host(self.url)
            self._homes = defaultdict(list)
            for node, found in self.links.items():
                target = urljoin(self.url, found.href)
                if _href_kind(found.href) == "home" and _host(target) not in ("", own):
                    self._homes[_host(target)].append(node)
        around = set(_ancestors(root, 4))
        for home in self._homes.get(host, ()):
            if any(node in around for node in _ancestors(home, 6)):
                yield self.text(home) or " ".join(img.get("alt") or "" for img in home.iter("img"))

    def _nearby(
        self,
        elements: list[etree._Element],
        hit: _Hit,
        title_node: etree._Element,
        link: etree._Element,
        usable: Callable[[etree._Element], bool],
    ) -> list[tuple[bool, str]]:
        """Short texts and image names of the card, nearest the time first, and whether each
        is on the time's line.

        The time's line is its highest ancestor without the title ("Reuters · 2h"); in a
        one-line card ("14m · Reuters · Title") the inline names between time and title.
        """
        members = set(elements)
        story = self.links[link].href
        line = hit.holder
        while (parent := line.getparent()) in members and not _contains(parent, title_node):
            line = parent
        inline = line is hit.holder or line.tag in _INLINE
        low, high = sorted((self.order[hit.holder], self.order[title_node]))
        found = []
        for node in elements:
            if not usable(node):
                continue
            if _person(node):
                continue  # an avatar or a user's page names a poster, not a publisher
            if _CATEGORY_HINT.search(_hint_text(node)):
                continue  # a section label ("Deportes", "Economia") names no publisher
            if node.tag == "img":
                text = node.get("alt") or ""
            else:  # the time's own element may name the source too: "Reuters <i>•</i> 2h"
                pieces = _own_texts(node)
                if node is hit.holder:  # its other texts, not the time's pieces
                    time = hit.text or ""
                    pieces = [piece for piece in pieces if piece.strip() not in time]
                elif _contains(hit.holder, node):
                    continue
                text = _fold(pieces)
            if not text or len(text) > 40 or len(text.split()) > 5:
                continue
            if node in self.links and (self.links[node].headline or self.links[node].href == story):
                continue  # another link to the story ("Read on Naver") names no publisher
            on_line = _contains(line, node) or (
                inline and node.tag in _INLINE and low < self.order[node] < high
            )
            found.append((not on_line, abs(self.order[node] - self.order[hit.holder]), text))
        return [(not off_line, text) for off_line, _, text in sorted(found)]

    def text(self, node: etree._Element) -> str:
        """The visible text of a node, spaces folded."""
        text = self._text.get(node)
        if text is None:
            text = self._text[node] = _fold(self._texts(node))
        return text

    def role(self, node: etree._Element) -> int:
        """What a node's names say it holds: ``_TITLE``, ``_SOURCE``, ``_BYLINE`` bits."""
        role = self._role.get(node)
        if role is None:
            names = _hint_text(node)
            role = 0
            if names and not _NOT_SOURCE.search(names):
                role |= _SOURCE if _SOURCE_STRONG.search(names) else 0
                role |= _BYLINE if _SOURCE_WEAK.search(names) else 0
            if names and _TITLE_HINT.search(names) and not _NOT_TITLE_HINT.search(names):
                role |= _TITLE
            self._role[node] = role
        return role

    def _texts(self, node: etree._Element) -> list[str]:
        """The visible text nodes of a node, in order."""
        parts = [node.text] if node.text and node not in self.skipped else []
        for child in node.iterdescendants():
            if isinstance(child.tag, str) and child.text and child not in self.skipped:
                parts.append(child.text)
            if child.tail and (child not in self.skipped or child in self.visible_tail):
                parts.append(child.tail)
        return parts


def _time_in(raw: str, is_time: Callable[[str], bool]) -> tuple[str, tuple[str, ...], bool] | None:
    """The time shown in one text, the other parts of its line, and whether it is all time.

    "Reuters · 2h" gives ("2h", ("Reuters",), False); a long paragraph only gives a time at
    its start or end ("2 hours ago — Lorem ...").
    """
    text = " ".join(raw.split())
    core = text.strip(DECORATION)
    if not core:
        return None
    parts = _SEPARATOR.split(core)
    if len(parts) == 1:
        return (core, (), True) if len(core) <= MAX_TIME_LENGTH and is_time(core) else None
    if len(parts) > 2 and len(core) > 4 * MAX_TIME_LENGTH:
        parts = [parts[0], parts[-1]]
    timed = [
        index
        for index, part in enumerate(parts)
        if len(part) <= MAX_TIME_LENGTH and part.strip(DECORATION) and is_time(part)
    ]
    if not timed:
        return None
    first = last = timed[0]
    while last + 1 in timed:
        last += 1
    if first == last:
        shown = parts[first]
    else:  # "Jul 30, 2025 · 16:20": the run as shown, separators and all
        start = core.index(parts[first])
        shown = core[start : core.index(parts[last], start) + len(parts[last])]
    rest = tuple(part for index, part in enumerate(parts) if not first <= index <= last)
    return shown, rest, first == 0 and last == len(parts) - 1


def _strip_times(text: str, times: set[str]) -> str:
    """A block's text without a time shown at its start or end ("2 hours ago — ...")."""
    for shown in times:
        if text.startswith(shown):
            text = text[len(shown) :]
        if text.endswith(shown):
            text = text[: -len(shown)]
    return text.strip(DECORATION)


def _fold(parts: Iterable[str]) -> str:
    return " ".join(" ".join(parts).split())


def _own_texts(node: etree._Element) -> list[str]:
    """The texts directly inside a node, not inside its children."""
    return [text for text in (node.text, *(child.tail for child in node)) if text]


def _without_source(title: str, source: str | None) -> str:
    """A headline without the " - Reuters" some aggregators append."""
    if source:
        for mark in (" - ", " \u2013 ", " \u2014 ", " | ", " · "):
            if title.lower().endswith((mark + source).lower()):
                return title[: -len(mark + source)].rstrip()
    return title


def _hidden(root: etree._Element) -> list[etree._Element]:
    """Elements the reader never sees: ``hidden``, ``display: none``, ``visibility: hidden``."""
    return [
        node
        for node in root.xpath("//*[@hidden or @style]")
        if node.get("hidden") is not None
        or _INVISIBLE.search((node.get("style") or "").replace(" ", "").lower())
    ]


def _key(node: etree._Element) -> tuple[str, str]:
    parent = node.getparent()
    return _signature(node), _signature(parent) if parent is not None else ""


def _signature(node: etree._Element) -> str:
    """Tag and first class, digits dropped: "li.story" for ``<li class="story s12 hero">``."""
    classes = (node.get("class") or "").split()
    first = re.sub(r"\d+", "", classes[0]) if classes else ""
    return f"{node.tag}.{first}"


#: An exact time in an attribute beside a shown one: <span title="2025-07-30T16:20:59">.
_ATTRIBUTE_STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_STAMP_ATTRIBUTES = ("title", "datetime", "data-time", "data-timestamp", "data-date", "content")


def _stamp_attribute(holder: etree._Element) -> MachineTime | None:
    """The exact time a shown time's element (or its parent) carries in an attribute:
    "1 day ago" is a whole calendar day, its ``title`` that second."""
    for node in (holder, holder.getparent()):
        for name in _STAMP_ATTRIBUTES if node is not None else ():
            found = _ATTRIBUTE_STAMP.search(node.get(name) or "")
            if found:
                return MachineTime(found[0], "attribute")
    return None


def _hint_text(node: etree._Element) -> str:
    """The names a node wears: its class, id, itemprop, rel and data-* values; <cite>."""
    attributes = node.attrib
    if not attributes:
        return "cite" if node.tag == "cite" else ""
    parts = [node.tag if node.tag == "cite" else ""]
    parts += [
        value
        for name, value in attributes.items()
        if name in ("class", "id", "itemprop", "rel") or name.startswith("data-")
    ]
    return " ".join(parts).lower()


def _has_heading(link: etree._Element) -> bool:
    if any(node.tag in _HEADINGS for node in link.iterdescendants()):
        return True
    return any(node.tag in _HEADINGS for node in _ancestors(link, 3))


def _ancestors(node: etree._Element, depth: int) -> Iterator[etree._Element]:
    for _ in range(depth):
        node = node.getparent()
        if node is None:
            return
        yield node


def _host(url: str) -> str:
    """A URL's host without "www.": the site a link leads to."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@lru_cache(maxsize=4096)
def _href_kind(href: str) -> str:
    """What a link leads to: "home" (a site's front page), "taxonomy" (a source, user or tag
    page), "article", or "other"."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return "other"
    segments = [segment for segment in parts.path.split("/") if segment not in ("", ".")]
    article_query = re.search(r"(?:^|&)(?:id|p|story|article|item)=", parts.query)
    if not segments:
        return "article" if article_query else "home"
    if len(segments) <= 4 and any(segment.lower() in _TAXONOMY for segment in segments[:2]):
        return "taxonomy"
    if len(segments) >= 3 or any(_ARTICLE_SEGMENT.search(segment) for segment in segments):
        return "article"
    return "article" if article_query else "other"


def _images(elements: list[etree._Element]) -> Iterator[etree._Element]:
    """The images among a card's elements: ``<img>``, ``role="img"``, inline ``<svg>``."""
    for node in elements:
        if node.tag == "img" or node.get("role") == "img":
            yield node
        yield from (child for child in node if child.tag == "svg")  # skipped, so not listed


def _image_name(node: etree._Element) -> str:
    """What an image says it shows: its alt, aria-label or SVG title."""
    title = next((el.text or "" for el in node.iter("title")), "")
    return node.get("alt") or node.get("aria-label") or title


def _logo(img: etree._Element) -> bool:
    """An image named like a logo or favicon: a publisher's mark, not a thumbnail or avatar."""
    names = f"{_hint_text(img)} {img.get('src') or ''}".lower()
    return bool(_LOGO_HINT.search(names)) and not _PERSON_HINT.search(names)


def _person(node: etree._Element) -> bool:
    """An avatar, or a link to a user's page (or inside one)."""
    if node.tag == "img":
        return bool(_PERSON_HINT.search(f"{_hint_text(node)} {node.get('src') or ''}"))
    link = node if node.tag == "a" else next(node.iterancestors("a"), None)
    href = (link.get("href") or "") if link is not None else ""
    return bool(re.search(r"/(?:@|users?/|u/|profiles?/|authors?/|people/)", href))


def _own_text(node: etree._Element) -> bool:
    if node.text and not node.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() for child in node)


def _contains(outer: etree._Element, inner: etree._Element) -> bool:
    at: etree._Element | None = inner
    while at is not None:
        if at is outer:
            return True
        at = at.getparent()
    return False
