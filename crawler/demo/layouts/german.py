"""A German aggregator: "vor 9 Minuten", "gestern, 17:30 Uhr", "30.07.2025", in Berlin time.

Stories keep the catalogue's ids, sections, ages and related blocks, told in German. A
story without a source header (the catalogue's Jiji-style ones) comes from an agency that
only its summary's dateline names, as in "Berlin (dpa) - ...". Article pages carry neither
JSON-LD nor OpenGraph: only a visible "Veröffentlicht: 30.07.2025, 16:20 Uhr" line, the
paragraphs, a "Quelle" line and a "Mehr zum Thema" block. An Atom feed (`/atom.xml`,
Berlin offsets) lists the newest stories; no page links it.
"""

from __future__ import annotations

import random
from datetime import datetime
from html import escape
from typing import NamedTuple

from crawler.demo.content import Article
from crawler.demo.layouts.base import ATOM, LayoutSite, Pager, Story, age, slugify, text

DASH = "\u2013"  # the en dash German datelines put after the agency
RELATIVE_HOURS = 6  # from here on, same-day and previous-day stories show their clock time
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")  # fmt: skip


class _Beat(NamedTuple):
    """A section's actors (headline form, sentence form) and deeds (headline, sentence)."""

    actors: tuple[tuple[str, str], ...]
    deeds: tuple[tuple[str, str], ...]


_BEATS = {
    "politics": _Beat(
        (("Bundesregierung", "Die Bundesregierung"), ("Bundestag", "Der Bundestag"),
         ("Bundesrat", "Der Bundesrat"), ("Innenministerium", "Das Innenministerium"),
         ("Union", "Die Union"), ("Kanzleramt", "Das Kanzleramt")),
        (("plant Reform der Grundsteuer", "plant eine Reform der Grundsteuer"),
         ("streitet über den Haushalt", "streitet über den Haushalt"),
         ("will Bürokratie abbauen", "will Bürokratie abbauen"),
         ("legt Rentenpaket vor", "hat ein Rentenpaket vorgelegt"),
         ("berät über Wehrdienst", "berät über einen neuen Wehrdienst"),
         ("kündigt Digitalgesetz an", "hat ein Digitalgesetz angekündigt")),
    ),
    "business": _Beat(
        (("Bundesbank", "Die Bundesbank"), ("Volkswagen", "Volkswagen"),
         ("Siemens", "Siemens"), ("Deutsche Bahn", "Die Deutsche Bahn"),
         ("Lufthansa", "Die Lufthansa"), ("Ifo-Institut", "Das Ifo-Institut")),
        (("senkt Wachstumsprognose", "hat seine Wachstumsprognose gesenkt"),
         ("meldet Gewinnrückgang", "meldet einen Gewinnrückgang"),
         ("kündigt Stellenabbau an", "hat einen Stellenabbau angekündigt"),
         ("investiert in neue Werke", "investiert in neue Werke"),
         ("erwartet schwierigen Herbst", "erwartet einen schwierigen Herbst"),
         ("hebt Preise an", "hebt die Preise an")),
    ),
    "world": _Beat(
        (("EU-Kommission", "Die EU-Kommission"), ("Nato", "Die Nato"),
         ("UN-Generalsekretär", "Der UN-Generalsekretär"), ("Frankreich", "Frankreich"),
         ("Polen", "Polen"), ("Japan", "Japan")),
        (("fordert mehr Tempo beim Klimaschutz", "fordert mehr Tempo beim Klimaschutz"),
         ("verstärkt Zusammenarbeit bei Sicherheit", "verstärkt die Zusammenarbeit bei der"
          " Sicherheit"),
         ("ruft zu Gesprächen auf", "ruft zu Gesprächen auf"),
         ("sagt weitere Hilfe zu", "hat weitere Hilfe zugesagt"),
         ("verschärft Sanktionen", "verschärft die Sanktionen")),
    ),
    "society": _Beat(
        (("Wetterdienst", "Der Deutsche Wetterdienst"), ("Stadt München", "Die Stadt München"),
         ("Robert Koch-Institut", "Das Robert Koch-Institut"),
         ("Verbraucherzentrale", "Die Verbraucherzentrale"),
         ("Polizei Berlin", "Die Berliner Polizei")),
        (("warnt vor Hitzewelle", "warnt vor einer Hitzewelle"),
         ("startet neue Kampagne", "startet eine neue Kampagne"),
         ("legt Jahresbericht vor", "hat den Jahresbericht vorgelegt"),
         ("rät zu Vorsicht im Netz", "rät zu Vorsicht im Netz"),
         ("stellt neue Regeln vor", "hat neue Regeln vorgestellt")),
    ),
    "sports": _Beat(
        (("DFB-Elf", "Die DFB-Elf"), ("FC Bayern", "Der FC Bayern"),
         ("Borussia Dortmund", "Borussia Dortmund"), ("Handball-Team", "Das Handball-Team"),
         ("Alexander Zverev", "Alexander Zverev")),
        (("gewinnt Auftaktspiel", "hat das Auftaktspiel gewonnen"),
         ("verliert knapp", "hat knapp verloren"),
         ("startet in die Vorbereitung", "startet in die Vorbereitung"),
         ("hofft auf den Titel", "hofft auf den Titel"),
         ("zieht ins Finale ein", "ist ins Finale eingezogen")),
    ),
}
_SECTIONS = {
    "politics": ("politik", "Politik"), "business": ("wirtschaft", "Wirtschaft"),
    "world": ("ausland", "Ausland"), "society": ("gesellschaft", "Gesellschaft"),
    "sports": ("sport", "Sport"),
}  # fmt: skip
_OUTLETS = ("Spiegel", "Zeit Online", "FAZ", "Süddeutsche Zeitung", "tagesschau.de",
            "Handelsblatt", "Deutsche Welle", "n-tv")  # fmt: skip
_AGENCIES = ("dpa", "AFP")
_PARAGRAPHS = (
    "„Wir werden das Schritt für Schritt angehen“, sagte {sprecher} in {ort}.",
    "Die Entscheidung war seit Wochen erwartet worden, stieß aber auch auf Kritik.",
    "Beobachter rechnen damit, dass sich die Debatte in den kommenden Wochen fortsetzt.",
    "Nach Angaben von {kreise} sind weitere Gespräche bis Ende {monat} geplant.",
    "Einer Umfrage zufolge verfolgen {prozent} Prozent der Befragten das Thema aufmerksam.",
    "Kritiker halten die Pläne für unzureichend, Befürworter sprechen von einem wichtigen Schritt.",
    "Ein weiteres Treffen ist für {tag} angesetzt.",
)
_FILL = {
    "sprecher": ("ein Sprecher", "eine Sprecherin", "ein Vertreter", "eine Vertreterin"),
    "ort": ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig"),
    "kreise": ("Teilnehmern", "Beobachtern", "Fachleuten", "informierten Kreisen"),
    "monat": MONTHS,
    "tag": WEEKDAYS[:5],
}


class German(LayoutSite):
    name = "german"
    site_name = "Nachrichten kompakt"
    lang = "de"
    languages = ("de",)
    timezone = "Europe/Berlin"
    sections = _SECTIONS
    section_root = "/rubrik/"
    page_param = "seite"
    page_size = 10
    home_title = "Nachrichten"
    not_found = "Seite nicht gefunden"
    about = "<h1>Impressum</h1>\n<p>Nachrichten kompakt sammelt Meldungen deutscher Medien.</p>"
    syndication = frozenset({ATOM})  # not named in the pages: a feed a user is told about

    def story(self, article: Article, published: datetime) -> Story:
        """The story told in German; the same article always gets the same words."""
        rng = random.Random(f"german-{article.id}")
        beat = _BEATS[article.section]
        (actor, subject), (deed, did) = rng.choice(beat.actors), rng.choice(beat.deeds)
        fill = {key: rng.choice(values) for key, values in _FILL.items()}
        fill["prozent"] = str(rng.randint(30, 80))
        weekday = WEEKDAYS[published.astimezone(self.zone).weekday()]
        lead = f"{subject} {did}, wie {fill['sprecher']} am {weekday} mitteilte."
        source = None if article.source is None else rng.choice(_OUTLETS)
        publisher = source or rng.choice(_AGENCIES)
        if source is None:  # agency copy: the dateline is the only place naming it
            lead = f"{fill['ort']} ({publisher}) {DASH} {lead}"
        body = [lead] + [p.format(**fill) for p in rng.sample(_PARAGRAPHS, rng.randint(2, 4))]
        title = f"{actor} {deed}"
        return Story(
            article=article,
            path=f"/artikel/{article.id}-{slugify(title)}",
            title=title,
            source=source,
            named_source=publisher,
            publisher=publisher,
            summary=lead,
            paragraphs=tuple(body),
            published=published,
        )

    def label(self, published: datetime, now: datetime) -> str:
        shown = age(published, now, self.zone)
        if shown.unit == "now":
            return "gerade eben"
        if shown.unit == "minutes":
            return "vor einer Minute" if shown.count == 1 else f"vor {shown.count} Minuten"
        if shown.unit == "hours" and shown.count < RELATIVE_HOURS:
            return "vor einer Stunde" if shown.count == 1 else f"vor {shown.count} Stunden"
        if shown.days in (0, 1):
            return f"{('heute', 'gestern')[shown.days]}, {shown.local:%H:%M} Uhr"
        return f"{shown.local:%d.%m.%Y}"

    def header(self) -> str:
        links = "".join(
            f'<a href="{self.section_path(s)}">{label}</a>'
            for s, (_, label) in self.sections.items()
        )
        return (
            f'<header class="kopf"><a class="marke" href="/">{self.site_name}</a>'
            f'<nav class="rubriken">{links}</nav></header>'
        )

    def footer(self) -> str:
        return (
            '<footer class="fuss"><a href="/about">Impressum</a> · '
            "Alle Zeitangaben in deutscher Zeit.</footer>"
        )

    def _card(self, story: Story, now: datetime) -> str:
        source = f'<span class="quelle">{text(story.source)}</span> · ' if story.source else ""
        return (
            '<article class="meldung">\n'
            f'<h2 class="meldung-titel"><a href="{escape(story.path)}">'
            f"{text(story.title)}</a></h2>\n"
            f'<p class="meldung-meta">{source}'
            f'<span class="zeit">{self.label(story.published, now)}</span></p>\n'
            f'<p class="anriss">{text(story.summary or "")}</p>\n'
            "</article>\n"
        )

    def _cards(self, stories: list[Story], now: datetime) -> str:
        cards = "".join(self._card(s, now) for s in stories)
        return f'<div class="meldungen">\n{cards}</div>'

    def listing_main(self, heading: str, shown: list[Story], pager: Pager, now: datetime) -> str:
        links = [f'<span class="seite">Seite {pager.page} von {pager.pages}</span>']
        if pager.previous:
            links.insert(0, f'<a class="zurueck" rel="prev" href="{pager.previous}">« Zurück</a>')
        if pager.next:
            links.append(f'<a class="weiter" rel="next" href="{pager.next}">Weiter »</a>')
        return (
            f'<h1 class="rubrik-titel">{text(heading)}</h1>\n{self._cards(shown, now)}\n'
            f'<nav class="seiten">{" ".join(links)}</nav>'
        )

    def article_page(self, story: Story, now: datetime) -> tuple[str, str]:
        section = story.article.section
        local = story.published.astimezone(self.zone)
        body = "".join(f"<p>{text(p)}</p>" for p in story.paragraphs)
        main = (
            '<article class="artikel">\n'
            f'<p class="dachzeile"><a href="{self.section_path(section)}">'
            f"{self.sections[section][1]}</a></p>\n"
            f"<h1>{text(story.title)}</h1>\n"
            f'<p class="veroeffentlicht">Veröffentlicht: {local:%d.%m.%Y, %H:%M} Uhr</p>\n'
            f'<div class="artikel-text">{body}</div>\n'
            f'<p class="artikel-quelle">Quelle: <span>{text(story.publisher)}</span></p>\n'
            "</article>\n"
            '<section class="mehr-zum-thema"><h2>Mehr zum Thema</h2>\n'
            f"{self._cards(self.related(story), now)}\n</section>"
        )
        return "", main
