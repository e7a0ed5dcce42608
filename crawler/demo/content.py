"""The sample site's article catalogue: the Daily8 seed stories verbatim, plus generated filler.

Texts are fixed at import and ages are offsets from the site's epoch, so the catalogue is the
same on every run; only the serving clock moves the labels.
"""

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from crawler.demo.humanise import JST, MONTHS, absolute

SECTIONS = ("politics", "business", "world", "society", "sports")


@dataclass(frozen=True)
class Article:
    """One story at one URL. Texts may hold {dateline}/{day} placeholders, filled by `dated`."""

    id: int
    slug: str
    section: str
    source: str | None  # card header; None for Jiji-style cards that name it only in the text
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    credit: str  # rendered as "© {credit}"
    caption: str | None  # photo caption; None means no photo
    hashtags: tuple[str, ...]
    age: timedelta  # published this long before the site's epoch
    related: tuple[int, ...] | None  # explicit related block; None lets the site pick

    @property
    def path(self) -> str:
        return f"/article/{self.id}-{self.slug}"


def dated(text: str, published: datetime) -> str:
    """Fill {dateline} ("Jul 30, 2025 16:20 (JST)") and {day} ("July 30") from `published`.

    Jiji-style texts quote their own date; filling it when rendering keeps it in agreement with
    the relative time printed on the same card, whatever the site's epoch.
    """
    local = published.astimezone(JST)
    return text.format(dateline=absolute(published), day=f"{MONTHS[local.month - 1]} {local.day}")


_CREDITS = {"Kyodo": "KYODO"}  # the credit line where it differs from the card's source


def _article(
    id_: int,
    section: str,
    source: str | None,
    title: str,
    paragraphs: tuple[str, ...],
    age: timedelta,
    *,
    summary: str | None = None,
    caption: str | None = None,
    hashtags: tuple[str, ...] = (),
    related: tuple[int, ...] | None = None,
) -> Article:
    words = re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))
    return Article(
        id=id_,
        slug="-".join(words[:12]),
        section=section,
        source=source,
        title=title,
        summary=summary if summary is not None else " ".join(paragraphs),
        paragraphs=paragraphs,
        credit="Jiji Press" if source is None else _CREDITS.get(source, source),
        caption=caption,
        hashtags=hashtags,
        age=age,
        related=related,
    )


def _jiji_summary(section: str, paragraphs: tuple[str, ...]) -> str:
    """A Jiji card has no source header: its text opens with a dateline and ends with the credit."""
    return f"News from Japan {section.title()} {{dateline}} {' '.join(paragraphs)} Jiji Press"


def catalogue(n_synthetic: int = 48) -> list[Article]:
    """Every article of the site, by id: the seed page twice, its related stories, then filler."""
    return _seed_articles() + _synthetic(n_synthetic, first_id=9)


def _seed_articles() -> list[Article]:
    """The Daily8 seed page and the six stories its related blocks point to.

    The two dumps, a month apart, become two syndicated copies at two URLs, each with its own
    related block; only the earlier one has a photo.
    """
    nato = "Japan, NATO agree to collaborate on Iran, Ukraine, N Korea issues"
    three_hours = timedelta(hours=3, minutes=5)
    return [
        _article(1, "world", "KYODO", nato, _NATO, three_hours, summary=_NATO[0],
                 caption=_NATO_CAPTION, related=(6, 7, 8)),
        _article(2, "politics", "KYODO", nato, _NATO, three_hours, summary=_NATO[0],
                 related=(3, 4, 5)),
        _article(3, "business", "Yomiuri Shimbun",
                 "Lack of Japan-U.S. Trade Deal Document Causes Worry; 2 Govts Put Differing Spins"
                 " on Details of Agreement", _TRADE, timedelta(minutes=27, seconds=20),
                 hashtags=("Trade", "Tariffs")),
        _article(4, "politics", "Yomiuri Shimbun",
                 "Japan's Foreign Ministry Looks to Improve Economic Diplomacy with Organizational"
                 " Shakeup", _MINISTRY, timedelta(minutes=70), hashtags=("Diplomacy",)),
        _article(5, "politics", None, "Ishiba, S. Korean Foreign Minister Vow to Promote Ties",
                 _ISHIBA, timedelta(minutes=75), summary=_jiji_summary("politics", _ISHIBA),
                 hashtags=("JapanSouthKorea",)),
        _article(6, "world", "NHK", "Trump Middle East strategy may have Asian impact",
                 _CAMPBELL, timedelta(minutes=33, seconds=10), hashtags=("MiddleEast",)),
        _article(7, "world", "The Mainichi",
                 "UN to reduce staff by 20%, mull realignment as US cuts funding", _UN_STAFF,
                 timedelta(minutes=80), hashtags=("UnitedNations",)),
        _article(8, "world", "The Mainichi",
                 "Editorial: Trump's 'peace by force' plants seed of future evils", _EDITORIAL,
                 timedelta(hours=2, minutes=10), hashtags=("Editorial", "MiddleEast")),
    ]


class _Beat(NamedTuple):
    """What a section writes about: (actor, topic) pairs, (present, past) verbs, hashtags."""

    stories: tuple[tuple[str, str], ...]
    actions: tuple[tuple[str, str], ...]
    hashtags: tuple[str, ...]


_BEATS = {
    "politics": _Beat(
        (("the ruling coalition", "political funding"), ("the opposition", "defense spending"),
         ("the Cabinet Office", "child-rearing support"),
         ("an upper house panel", "electoral reform"),
         ("the Tokyo governor", "disaster preparedness"),
         ("the Digital Agency", "My Number cards")),
        (("unveils plan on", "unveiled a plan on"),
         ("calls for review of", "called for a review of"),
         ("moves to tighten rules on", "moved to tighten rules on"),
         ("faces questions over", "faced questions over")),
        ("Politics", "Diet", "Election", "Government"),
    ),
    "business": _Beat(
        (("the Bank of Japan", "bond purchases"), ("Toyota", "solid-state batteries"),
         ("Sony Group", "chip production"), ("the agriculture ministry", "rice prices"),
         ("Keidanren", "wage increases"), ("the Japan Tourism Agency", "inbound tourism")),
        (("weighs new steps on", "weighed new steps on"), ("unveils plan on", "unveiled a plan on"),
         ("reports progress on", "reported progress on"), ("sets target for", "set a target for")),
        ("Economy", "Business", "Markets", "Yen"),
    ),
    "world": _Beat(
        (("Japan", "maritime security"), ("the Group of Seven", "climate finance"),
         ("the United Nations", "refugee relief"), ("ASEAN", "supply chains"),
         ("the European Union", "critical minerals"), ("Australia", "nuclear nonproliferation")),
        (("seeks closer cooperation on", "sought closer cooperation on"),
         ("calls for talks on", "called for talks on"),
         ("pledges support on", "pledged support on"),
         ("agrees to step up work on", "agreed to step up work on")),
        ("Diplomacy", "World", "Security", "Asia"),
    ),
    "society": _Beat(
        (("the health ministry", "heatstroke prevention"),
         ("the Japan Meteorological Agency", "heavy rain evacuations"),
         ("Osaka Prefecture", "elderly care"), ("the education ministry", "school lunches"),
         ("the National Police Agency", "online fraud"),
         ("the Tokyo Metropolitan Government", "services for foreign residents")),
        (("launches campaign on", "launched a campaign on"),
         ("issues guidance on", "issued guidance on"),
         ("reviews rules on", "reviewed its rules on"),
         ("steps up efforts on", "stepped up efforts on")),
        ("Society", "Health", "Weather", "Education"),
    ),
    "sports": _Beat(
        (("Samurai Blue", "World Cup qualifiers"), ("Nadeshiko Japan", "the Asian Cup"),
         ("Japan's volleyball team", "the Nations League finals"),
         ("Japan's rugby squad", "the Pacific Nations Cup"),
         ("Japan's basketball team", "the Asia Cup"),
         ("Japan's handball team", "the Asian Championship")),
        (("prepares for", "prepared for"), ("names squad for", "named its squad for"),
         ("opens training camp ahead of", "opened a training camp ahead of"),
         ("sets sights on", "set its sights on")),
        ("Sports", "TeamJapan", "NationalTeam"),
    ),
}
_SOURCES = ("Kyodo", "Jiji Press", "NHK", "The Mainichi", "Yomiuri Shimbun", "The Asahi Shimbun",
            "Nikkei Asia", "The Japan Times")
_TAILS = ("saying the issue could no longer be put off",
          "a move expected to shape the debate for months to come",
          "responding to mounting public concern", "ahead of a key meeting later this month",
          "citing lessons from recent years")
_PARAGRAPHS = (
    '"We will take it one step at a time and keep listening to the people around us," {official} '
    "told reporters in {city}.",
    "Interest in {topic} has grown steadily since {period}, and {observers} expect more news "
    "in the weeks ahead.",
    "Further details are expected by the end of {month}, according to people familiar with the "
    "matter.",
    "Not everyone is convinced: some say the approach does not go far enough, while others see it "
    "as a realistic step forward.",
    "According to {observers}, similar efforts elsewhere in Asia have produced mixed results.",
    "A survey released last week found that {pct} percent of respondents were following {topic} "
    "closely.",
    "A further meeting is scheduled for {weekday}, {official} added.",
)
_FILL = {
    "official": ("a senior official", "a spokesperson", "a government source", "an organizer"),
    "city": ("Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka", "Sendai", "Hiroshima", "Kobe"),
    "period": ("earlier this year", "last autumn", "the spring", "last month"),
    "observers": ("analysts", "experts", "people familiar with the matter", "observers"),
    "month": MONTHS,
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
}
_MIN, _HOUR, _DAY = 60, 3600, 86400
# Age ranges in seconds, cycled over the filler so every label humanise() prints shows up.
_AGE_BUCKETS = (
    (5, 55),  # just now
    (61, 118),  # a minute ago
    (2 * _MIN, 59 * _MIN),  # N minutes ago
    (61 * _MIN, 118 * _MIN),  # an hour ago
    (2 * _HOUR, 23 * _HOUR),  # N hours ago
    (_DAY + _MIN, _DAY + 2 * _HOUR),  # Yesterday (unless the epoch is just after local midnight)
    (2 * _DAY, 5 * _DAY),  # D days ago
    (8 * _DAY, 40 * _DAY),  # absolute date
    (2 * _MIN, 59 * _MIN),
    (2 * _HOUR, 23 * _HOUR),
    (2 * _DAY, 5 * _DAY),
    (2 * _HOUR, 23 * _HOUR),
)
_JIJI_EVERY = 16  # one filler story in 16 is a source-less Jiji-style card


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _synthetic(n: int, first_id: int) -> list[Article]:
    """`n` plausible filler stories, spread round-robin over the sections and over ages."""
    rng = random.Random(20250730)  # fixed: the site must be the same on every run
    combos = {
        section: rng.sample([(s, a) for s in beat.stories for a in beat.actions],
                            len(beat.stories) * len(beat.actions))
        for section, beat in _BEATS.items()
    }
    articles = []
    for i in range(n):
        section = SECTIONS[i % len(SECTIONS)]
        beat = _BEATS[section]
        (actor, topic), (present, past) = combos[section][i // len(SECTIONS) % len(combos[section])]
        fill = {key: rng.choice(values) for key, values in _FILL.items()}
        fill.update(topic=topic, pct=rng.randint(30, 80))
        lead = f"{_capital(actor)} {past} {topic}, {rng.choice(_TAILS)}."
        body = [lead] + [p.format(**fill) for p in rng.sample(_PARAGRAPHS, rng.randint(2, 5))]
        summary = lead if rng.random() < 0.5 else f"{lead} {body[1]}"
        title = f"{_capital(actor.removeprefix('the '))} {present} {topic}"
        caption = (f"{_capital(actor)} representatives speak to reporters in {fill['city']}."
                   if i % 3 == 0 else None)
        hashtags = tuple(rng.sample(beat.hashtags, rng.randint(1, 3)))
        age = timedelta(seconds=rng.randint(*_AGE_BUCKETS[i % len(_AGE_BUCKETS)]))
        if i % _JIJI_EVERY == _JIJI_EVERY // 2:
            body[0] = "Tokyo, {day} (Jiji Press)--" + body[0]
            paragraphs = (*body, "[Copyright The Jiji Press, Ltd.]")
            source, summary = None, _jiji_summary(section, paragraphs)
        else:
            paragraphs, source = tuple(body), rng.choice(_SOURCES)
        articles.append(_article(first_id + i, section, source, title, paragraphs, age,
                                 summary=summary, caption=caption, hashtags=hashtags))
    return articles


# The seed texts, verbatim from the two Daily8 dumps, split into paragraphs at sentences.
_NATO_CAPTION = (
    "NATO Secretary General Mark Rutte, right, and Japans Foreign Minister Takeshi Iwaya speak "
    "with the media on the sidelines of the NATO summit in The Hague, Netherlands, on Tuesday."
)
_NATO = (
    (
        'Japan and NATO agreed Tuesday to closely collaborate to address "security challenges" '
        "such as the Middle East crisis, Russia's war against Ukraine and North Korea's past "
        "abductions of Japanese nationals."
    ),
    (
        "During their talks in The Hague, Japanese Foreign Minister Takeshi Iwaya and NATO "
        "Secretary General Mark Rutte also affirmed that they would work to elevate their "
        'cooperation to "a new height" in various fields including defense industries, the '
        "Japanese Foreign Ministry said."
    ),
    (
        "The talks came as the United States, a NATO member and Japan's close ally, conducted "
        "airstrikes on key Iranian nuclear facilities amid the conflict between Israel and Iran, "
        "although the regional rivals said earlier Tuesday they had agreed to a cease-fire."
    ),
    (
        "Russia and North Korea have been strengthening their military partnership as Moscow's "
        "full-scale invasion of Ukraine -- which began in 2022 -- drags on and Pyongyang continues "
        "its missile and nuclear development."
    ),
    (
        "NATO has been stepping up cooperative ties in recent years with its Indo-Pacific partners "
        "of Japan, Australia, New Zealand and South Korea, sharing the view that security in the "
        "Euro-Atlantic and Indo-Pacific regions is inseparable."
    ),
    (
        "Iwaya met with Rutte on the sidelines of an ongoing NATO summit as a stand-in for Prime "
        "Minister Shigeru Ishiba, who canceled his planned visit to the Dutch city at the last "
        "minute due to the absence of other Indo-Pacific leaders and concerns over the Middle East "
        "situation."
    ),
)
_TRADE = (
    (
        "Concerns are mounting after it became apparent that there is no joint document outlining "
        "the tariff agreement between Japan and the United States that was reached in negotiations "
        "with the administration of U.S. President Donald Trump. The Japanese government has "
        "stated that it does not plan to create such a document in the future. However, the "
        "absence of such a document has already revealed discrepancies in explanations and "
        "perceptions between Japan and the United States, potentially fueling future disputes."
    ),
    (
        "At a press conference on Tuesday, economic revitalization minister Ryosei Akazawa, who "
        "led the Japanese delegation in the Japan-U.S. trade negotiations, emphasized, 'We want to "
        "see tariff reductions implemented quickly, rather than focusing on creating an agreement "
        "document.' His comment stems from concerns that a lengthy process to create a formal "
        "agreement document could delay the implementation of the Japan-U.S. accord."
    ),
    (
        "Fearing the agreement's terms could be overturned — particularly the auto tariff "
        "reductions Trump had already approved — a Japanese government official stated: 'If we "
        "were to create a document, we would need President Trump's approval. Japan might also "
        "face new demands, and that would open a whole new can of worms.'"
    ),
    (
        "However, the United States has agreed to a trade deal with the United Kingdom and is "
        "expected to issue a joint statement over trade agreements with the European Union. In "
        "contrast, with no formal agreement document, Japan and the United States each released "
        "their own summaries, which revealed discrepancies in their explanations and "
        "understandings of the agreement."
    ),
    (
        "Trump asserted that Japan would invest $550 billion (about ¥81 trillion) in the United "
        "States, and the United States would retain 90% of the profits from this investment. "
        "Meanwhile, Japan clarified that this sum represents merely a 'framework' encompassing "
        "investments, loans and loan guarantees by government-affiliated financial institutions. "
        "Akazawa further specified that direct equity investment would account for only 'about "
        "1%-2% of the $550 billion,' suggesting that the investment risk for Japan is minimal."
    ),
    (
        "Regarding auto tariffs, a key Japanese priority in the tariff negotiations, Japan "
        "emphasizes the reduction from 25% to 15%. However, this reduction is not explicitly "
        "stated in the public documents released by the United States."
    ),
    (
        "The United States also explicitly stated that Japan would purchase 100 Boeing aircraft, "
        "as well as make additional annual purchases of U.S. defense equipment, totaling billions "
        "of dollars. However, a Japanese government official countered, 'Many of these purchases "
        "are already planned, so there are almost no new ones.' 'We plan to introduce them, taking "
        "into account the airlines' existing purchase plans,' said Land, Infrastructure, Transport "
        "and Tourism Minister Hiromasa Nakano at a press conference after the Cabinet meeting on "
        "Tuesday."
    ),
    (
        "In reality, both Japan and the United States are offering explanations that favor their "
        "own countries, which has raised concerns among observers about the absence of a formal "
        "document. 'It is unthinkable not to create a document during negotiations,' asserted "
        "Meisei University Prof. Masahiko Hosokawa. The former Economy, Trade and Industry "
        "Ministry official, who has experience with U.S. negotiations, added: 'If Japan leaves the "
        "U.S. side's self-serving interpretations, such as those concerning investment in the "
        "United States, unchallenged, it will be taken as tacit acceptance, which could lead to "
        "future friction and risks.'"
    ),
    (
        "Takahide Kiuchi, an executive economist at Nomura Research Institute Ltd., emphasized the "
        "importance of a formal document for transparency, citing the risk of compromising "
        "national interests. 'Even if clarifying the detailed framework reveals discrepancies "
        "between the two countries that could lead to the collapse of the agreement, a formal "
        "document should still be created,' he said."
    ),
)
_MINISTRY = (
    (
        "The Foreign Ministry has announced that it will establish new divisions to back up its "
        "efforts related to the economy, which is becoming increasingly important to diplomacy and "
        "security. The divisions will be added as part of a restructuring of the ministry that "
        "will take place Friday. It will be the first major reorganization of the Foreign Ministry "
        "since 2006."
    ),
    (
        "The ministry will upgrade the section in charge of economic security to the Economic "
        "Security Division. The team will be moved from the Foreign Policy Bureau to the Economic "
        "Affairs Bureau, so that it can make policy in line with trade negotiations and other "
        "business matters. The ministry will also establish an Economic Diplomacy Strategy "
        "Division in the Economic Affairs Bureau, and the division will take the lead in economic "
        "talks with other nations."
    ),
    (
        "In addition, a European Economic Affairs Division will be set up at the European Affairs "
        "Bureau. The bureau's director will take charge of economic negotiations with the European "
        "Union and European nations outside the bloc. The move is aimed at deepening cooperation "
        "with the EU to maintain a free and open economic order globally."
    ),
    (
        "Additionally, the ministry will establish a division for central and southeastern Europe "
        "and the Baltics at the European Affairs Bureau, with the division covering eight nations "
        "including Ukraine. The ministry aims to prepare a framework that will allow it to offer "
        "close support to Ukraine as it fights against Russian aggression, and as the country "
        "rebuilds."
    ),
    (
        "In the Press Secretary, a Strategic Messaging and Communication Division will be "
        "established to manage the sharing of information through social media."
    ),
)
_ISHIBA = (
    (
        "Tokyo, {day} (Jiji Press)--Japanese Prime Minister Shigeru Ishiba and South Korean "
        "Foreign Minister Cho Hyun on Wednesday reaffirmed the two countries' commitment to "
        "promote stable relations between them. The two also discussed strengthening trilateral "
        "cooperation among Japan, the United States and South Korea during their meeting at the "
        "prime minister's office in Tokyo."
    ),
    (
        "Japan wants to maintain and further develop good relations with South Korea, Ishiba told "
        "Cho, referring to the ties that improved under former South Korean President Yoon "
        "Suk-yeol. Ishiba added that Tokyo also wants to deepen three-way cooperation with "
        "Washington and Seoul."
    ),
    (
        "Japanese Chief Cabinet Secretary Yoshimasa Hayashi said at a press conference that Japan "
        'and South Korea are "important neighbors that should work together as partners on a host '
        'of challenges facing the international community." Tokyo wants to continue communication '
        "with Seoul, including at high levels, he said."
    ),
    (
        "In June, Ishiba held his first in-person meeting with Yoon's successor, Lee Jae-myung, on "
        "the sidelines of the Group of Seven summit in Canada. They agreed to build "
        'future-oriented relations and continue the "shuttle diplomacy" of reciprocal visits by '
        "the leaders of the two countries."
    ),
    "[Copyright The Jiji Press, Ltd.]",
)
_CAMPBELL = (
    (
        "Former senior US diplomat Kurt Campbell, well-versed in US Asia policy, tells NHK that "
        "his country's involvement in the Middle East may affect its Asian activities."
    ),
)
_UN_STAFF = (
    (
        "NEW YORK (Kyodo) -- The United Nations will reduce its staff by 20 percent and consider "
        "realigning more than 140 related institutions, senior officials said Tuesday, as the "
        "organization faces funding cuts from the United States."
    ),
    (
        "Guy Ryder, U.N. undersecretary general for policy and chair of a task force for "
        "restructuring, and other officials told a meeting at the U.N. headquarters in New York "
        "that the targeted institutions include the United Nations Children's Fund and the Office "
        "of the U.N. High Commissioner for Refugees."
    ),
    (
        "The United Nations, which is marking its 80th anniversary this year, plans to reduce "
        "2,000 personnel, mainly in New York and Geneva, and cut its 2026 budget by 15 to 20 "
        "percent from this year's level."
    ),
    (
        "The move follows the decision by the United States, the largest financial contributor to "
        "the United Nations, to reduce or freeze its funding under President Donald Trump's "
        '"America First" policy. The country provided 22 percent of its $3.72 billion regular '
        "budget for this year. Japan was the third-largest contributor at 6.9 percent, coming "
        "after China at 20 percent."
    ),
    (
        "The organizational restructuring is expected to start in 2027 at the earliest. The task "
        "force is reviewing the targeted organizations under seven clusters including development, "
        "peace and security and human rights."
    ),
)
_EDITORIAL = (
    (
        'U.S. President Donald Trump has announced that Israel and Iran have agreed to a "complete '
        'and total" ceasefire in their ongoing conflict. To prevent an escalation and put an end '
        "to the mutual attacks, we urge both parties to steadily implement the accord. The war in "
        "the Middle East has entered a new phase. It must lead to stability in the region."
    ),
    (
        "Israel launched attacks on Iran's nuclear facilities and air defense systems claiming "
        "Tehran was close to developing an atomic weapon. It killed senior officers of Iran's "
        "elite Revolutionary Guard Corps and multiple scientists involved in its nuclear "
        "development program. Iran countered with ballistic missiles and drones, leading to a "
        "large-scale exchange of fire. Then in a sudden turn of events, the United States "
        "unleashed strikes against Iran, bombing three Iranian nuclear facilities in the name of "
        "collective self-defense."
    ),
    "Israel's heavy responsibility",
    (
        "The Iranian leadership's promises of retaliation against the U.S. prompted concerns that "
        "tensions in the Middle East would escalate further. The Iranian parliament voted to close "
        "the Strait of Hormuz, a major artery for crude oil shipments, raising fears for the "
        "global economy."
    ),
    (
        "But Iran's retaliation was subdued. While Tehran fired missiles at a U.S. military base "
        "on the outskirts of Doha, Qatar, prior to the ceasefire agreement, no damage was "
        "reported. Iran had warned Washington and Qatar before the attack."
    ),
    (
        'What is concerning is that the U.S. air attacks could allow the strategy of "peace by '
        'force" to go unchallenged. Washington, while hinting at its readiness to pursue '
        "negotiations, resorted to military action to force Iran into submission. This approach is "
        "unacceptable."
    ),
    (
        "Israel has justified its strikes as acts of self-defense. However, negotiations between "
        "Tehran and Washington over Iran's nuclear program were ongoing at the time, and it is "
        "inconceivable that there was imminent threat. Israel's actions run counter to "
        "international law and the United Nations Charter, both of which constrain the use of "
        "force."
    ),
    (
        "Regarding its bombing of Iran, Washington also claimed that it had exercised its right to "
        "collective self-defense to rid the world of a source of anxiety and defend its ally, "
        "Israel. This, however, is nothing but a gross overextension of the interpretation of "
        "collective defense."
    ),
    (
        "Furthermore, it cannot be overlooked that Israel and Washington targeted Iran's nuclear "
        "facilities in their attacks. International Atomic Energy Agency Director General Rafael "
        'Mariano Grossi has sounded the alarm, stating, "I have repeatedly stated that nuclear '
        'facilities must never be attacked," and, "the IAEA has consistently underlined that '
        "'armed attacks on nuclear facilities could result in radioactive releases with grave "
        "consequences within and beyond the boundaries of the State which has been attacked.'\""
    ),
    (
        "In Ukraine, Russia attacked the Zaporizhzhia nuclear power station in the south, sparking "
        "a blame game between Kyiv and Moscow. International rules are being neglected through "
        '"the logic of the strong."'
    ),
    (
        "Meanwhile, the U.N. Security Council has been dysfunctional when it ought to be "
        "responsible for global peace and stability. Russia, a permanent member of the Security "
        "Council, invaded its neighbor, while the U.S., fellow permanent member, had a part in "
        "Israel's attacks on Iran."
    ),
    "The rules of law must be restored",
    (
        "What was recently brought into sharp relief was the double standard of the international "
        "community, primarily the U.S. and Europe. Nations strongly condemned Russia over its "
        "invasion of Ukraine and imposed severe sanctions against Moscow, while remaining silent "
        "about Washington's behavior."
    ),
    (
        "The leaders of Britain, France and Germany have stressed that it remains their goal to "
        "prevent Iran from acquiring nuclear weapons, while avoiding direct evaluation on the U.S. "
        'strikes. NATO Secretary General Mark Rutte also told a press conference, "My biggest fear '
        'would be for Iran to own and be able to use and deploy a nuclear weapon," and, "I would '
        'not agree that this is against international law -- what the U.S. did."'
    ),
    (
        'Regarding the U.S. strikes, Japanese Prime Minister Shigeru Ishiba said they were "a show '
        "of Washington's resolve to thwart Iran's acquisition of nuclear arms.\" However, the "
        "rubber-stamp stance of Japan and Europe on Washington's self-righteous behavior will only "
        "result in them losing the confidence of the emerging and developing countries of the "
        "Global South."
    ),
    (
        "What was destroyed in the latest strikes was not just Iran's nuclear facilities. These "
        "events have taken a heavy toll on the post-World War II international order, established "
        "by humanity in search of a world without wars, borne of their remorse over the two global "
        "conflagrations of the 20th century."
    ),
    (
        "The roles to be played by middle powers like countries in Europe and Japan are to commit "
        "themselves to rebuilding international norms. It is essential to restore the rule of law, "
        "tarnished by the high-handed behavior of superpowers, and put the brakes on the descent "
        "into turmoil."
    ),
)
