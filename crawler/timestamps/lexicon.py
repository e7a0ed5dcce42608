"""How each language writes the common aggregator times: data for the fast path.

One ``Lexicon`` per language; ``crawler.timestamps.fast`` compiles them all the same way.
Alternatives are separated by "|". Words are matched on text that is NFKC-normalised and
lower-cased, with spaces folded, so they are written that way here.

Templates (``ago``, ``dates``) are regular expressions in which a space stands for optional
white space and these placeholders stand for:

- ``{n}``: a count, in digits or as a number word, optionally after an "about" word; it
  may be left out when the unit word carries its own count ("час", "ساعتين");
- ``{#}``: a count in digits;
- ``{u}``: a unit word (``units``, or ``alone`` / ``dual`` without a count);
- ``{d}``: a day of the month, with an ordinal ending ("30th", "1er", "30.");
- ``{m}``: a month name; ``{M}``: a month number; ``{y}``: a four-digit year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lexicon:
    """One language's words and templates for the fast path."""

    #: Templates of past relative times: "{n} {u} ago".
    ago: tuple[str, ...] = ()
    #: Unit ("second", "minute", "halfhour", "hour", "day", "week", "month", "year") ->
    #: words written after a count.
    units: Mapping[str, str] = field(default_factory=dict)
    #: Unit -> words that mean one of it with no count written ("час назад").
    alone: Mapping[str, str] = field(default_factory=dict)
    #: Unit -> words that mean two of it (Arabic duals: "ساعتين").
    dual: Mapping[str, str] = field(default_factory=dict)
    #: Count -> number words.
    numbers: Mapping[int, str] = field(default_factory=dict)
    #: Words for "about" before a count; the window stays the floored one.
    about: str = ""
    #: Whole phrases for "just now": the minute before the fetch.
    now: str = ""
    #: Days back -> words ("yesterday": 1).
    days: Mapping[int, str] = field(default_factory=dict)
    #: Weekday names, Monday first; they stand alone or before a date.
    weekdays: tuple[str, ...] = ()
    #: Abbreviated weekday names, Monday first; only before a date ("Wed, 30 Jul 2025").
    weekday_abbreviations: tuple[str, ...] = ()
    #: Month names and abbreviations, January first.
    months: tuple[str, ...] = ()
    #: Templates of dates, with or without a year; a clock time and zone may follow.
    dates: tuple[str, ...] = ()
    #: Words between a day and its clock time ("yesterday at 5:30 PM").
    at: str = ""
    #: Words for before and after noon, beside a clock time.
    am: str = ""
    pm: str = ""
    #: Words before a time that add nothing to it ("Updated", "Published:").
    prefixes: str = ""


#: Clock-time words every language may use.
NEUTRAL = Lexicon(am="am|a.m.|a. m.", pm="pm|p.m.|p. m.")

LEXICONS: Mapping[str, Lexicon] = {
    "en": Lexicon(
        ago=("{n} {u} ago", "{#} {u}"),
        units={
            "second": "seconds|second|secs|sec|s",
            "minute": "minutes|minute|mins|min|m",
            "halfhour": "half hour|half-hour",
            "hour": "hours|hour|hrs|hr|h",
            "day": "days|day|d",
            "week": "weeks|week|wks|wk|w",
            "month": "months|month|mos|mo|mths|mth",
            "year": "years|year|yrs|yr|y",
        },
        alone={"halfhour": "half an hour|half hour|half-hour"},
        numbers={
            1: "a|an|one", 2: "two|a couple of|couple of|a couple", 3: "three", 4: "four",
            5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
        },
        about="about|around|approximately|approx.|roughly",
        now="just now|now|right now|moments ago|a moment ago|a few seconds ago|"
        "few seconds ago|seconds ago",
        days={0: "today", 1: "yesterday", 2: "the day before yesterday|day before yesterday"},
        weekdays=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday"),
        weekday_abbreviations=("mon", "tue|tues", "wed", "thu|thur|thurs", "fri", "sat",
                               "sun"),
        months=("january|jan", "february|feb", "march|mar", "april|apr", "may",
                "june|jun", "july|jul", "august|aug", "september|sept|sep", "october|oct",
                "november|nov", "december|dec"),
        dates=("{m} {d}(?:,? {y})?", "{d} {m}(?:,? {y})?"),
        at="at|@",
        prefixes="updated|last updated|updated on|published|published on|first published|"
        "posted|posted on",
    ),
    "de": Lexicon(
        ago=("vor {n} {u}",),
        units={
            "second": "sekunden|sekunde|sek",
            "minute": "minuten|minute|min",
            "halfhour": "halben stunde",
            "hour": "stunden|stunde|std",
            "day": "tagen|tag|tage",
            "week": "wochen|woche",
            "month": "monaten|monat|monate",
            "year": "jahren|jahr|jahre",
        },
        numbers={1: "einer|einem|ein|eine", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf",
                 6: "sechs", 7: "sieben", 8: "acht", 9: "neun", 10: "zehn"},
        about="etwa|ungefähr|ca.|circa|rund",
        now="gerade eben|eben|gerade|soeben|jetzt|gerade jetzt|vor wenigen sekunden|"
        "vor ein paar sekunden|vor einem moment",
        days={0: "heute", 1: "gestern", 2: "vorgestern"},
        weekdays=("montag", "dienstag", "mittwoch", "donnerstag", "freitag",
                  "samstag|sonnabend", "sonntag"),
        weekday_abbreviations=("mo", "di", "mi", "do", "fr", "sa", "so"),
        months=("januar|jänner|jan", "februar|feb", "märz|maerz|mär|mrz", "april|apr",
                "mai", "juni|jun", "juli|jul", "august|aug", "september|sept|sep",
                "oktober|okt", "november|nov", "dezember|dez"),
        dates=("{d} {m}(?: {y})?",),
        at="um",
        prefixes="aktualisiert|aktualisiert am|zuletzt aktualisiert|veröffentlicht|"
        "veröffentlicht am|stand",
    ),
    "fr": Lexicon(
        ago=("il y a {n} {u}",),
        units={
            "second": "secondes|seconde|sec|s",
            "minute": "minutes|minute|min|mn",
            "halfhour": "demi-heure|demi heure",
            "hour": "heures|heure|h",
            "day": "jours|jour|j",
            "week": "semaines|semaine",
            "month": "mois",
            "year": "années|année|ans|an",
        },
        numbers={1: "un|une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six",
                 7: "sept", 8: "huit", 9: "neuf", 10: "dix"},
        about="environ",
        now="à l'instant|a l'instant|maintenant|il y a quelques secondes|il y a un instant",
        days={0: "aujourd'hui", 1: "hier", 2: "avant-hier|avant hier"},
        weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        weekday_abbreviations=("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
        months=("janvier|janv", "février|fevrier|févr|fevr", "mars", "avril|avr", "mai",
                "juin", "juillet|juil", "août|aout", "septembre|sept", "octobre|oct",
                "novembre|nov", "décembre|decembre|déc|dec"),
        dates=("{d} {m}(?: {y})?",),
        at="à|a",
        prefixes="mis à jour|mis à jour le|publié|publié le|le",
    ),
    "es": Lexicon(
        ago=("hace {n} {u}",),
        units={
            "second": "segundos|segundo|seg|s",
            "minute": "minutos|minuto|min",
            "hour": "horas|hora|h",
            "day": "días|día|dias|dia",
            "week": "semanas|semana",
            "month": "meses|mes",
            "year": "años|año",
        },
        alone={"halfhour": "media hora"},
        numbers={1: "un|una|uno", 2: "dos|un par de", 3: "tres", 4: "cuatro", 5: "cinco",
                 6: "seis", 7: "siete", 8: "ocho", 9: "nueve", 10: "diez"},
        about="aproximadamente|alrededor de|cerca de|unos|unas",
        now="justo ahora|ahora|ahora mismo|hace un momento|hace unos segundos|"
        "hace instantes|hace un instante|hace pocos segundos",
        days={0: "hoy", 1: "ayer", 2: "anteayer|antier|antes de ayer"},
        weekdays=("lunes", "martes", "miércoles|miercoles", "jueves", "viernes",
                  "sábado|sabado", "domingo"),
        weekday_abbreviations=("lun", "mar", "mié|mie", "jue", "vie", "sáb|sab", "dom"),
        months=("enero|ene", "febrero|feb", "marzo|mar", "abril|abr", "mayo|may",
                "junio|jun", "julio|jul", "agosto|ago", "septiembre|setiembre|sept|sep|set",
                "octubre|oct", "noviembre|nov", "diciembre|dic"),
        dates=("{d} de {m}(?: de {y})?", "{d} {m}(?: {y})?"),
        at="a las|a la",
        prefixes="actualizado|actualizado el|publicado|publicado el",
    ),
    "it": Lexicon(
        ago=("{n} {u} fa",),
        units={
            "second": "secondi|secondo|sec",
            "minute": "minuti|minuto|min",
            "hour": "ore|ora|h",
            "day": "giorni|giorno",
            "week": "settimane|settimana",
            "month": "mesi|mese",
            "year": "anni|anno",
        },
        alone={"halfhour": "mezz'ora|mezzora|mezza ora"},
        numbers={1: "un'|un|uno|una", 2: "due|un paio di", 3: "tre", 4: "quattro",
                 5: "cinque", 6: "sei", 7: "sette", 8: "otto", 9: "nove", 10: "dieci"},
        about="circa",
        now="proprio ora|adesso|ora|pochi secondi fa|qualche secondo fa|un attimo fa|"
        "in questo momento",
        days={0: "oggi", 1: "ieri", 2: "l'altro ieri|l'altroieri|altro ieri|ieri l'altro"},
        weekdays=("lunedì|lunedi", "martedì|martedi", "mercoledì|mercoledi",
                  "giovedì|giovedi", "venerdì|venerdi", "sabato", "domenica"),
        weekday_abbreviations=("lun", "mar", "mer", "gio", "ven", "sab", "dom"),
        months=("gennaio|gen", "febbraio|feb", "marzo|mar", "aprile|apr", "maggio|mag",
                "giugno|giu", "luglio|lug", "agosto|ago", "settembre|set", "ottobre|ott",
                "novembre|nov", "dicembre|dic"),
        dates=("{d} {m}(?: {y})?",),
        at="alle ore|alle|ore",
        prefixes="aggiornato|aggiornato il|aggiornato alle|pubblicato|pubblicato il",
    ),
    "pt": Lexicon(
        ago=("h[aá] {n} {u}(?: atr[aá]s)?", "{n} {u} atr[aá]s"),
        units={
            "second": "segundos|segundo|seg|s",
            "minute": "minutos|minuto|min",
            "hour": "horas|hora|h",
            "day": "dias|dia",
            "week": "semanas|semana",
            "month": "meses|mês|mes",
            "year": "anos|ano",
        },
        alone={"halfhour": "meia hora|meia-hora"},
        numbers={1: "um|uma", 2: "dois|duas", 3: "três|tres", 4: "quatro", 5: "cinco",
                 6: "seis", 7: "sete", 8: "oito", 9: "nove", 10: "dez"},
        about="cerca de|aproximadamente",
        now="agora|agora mesmo|há instantes|ha instantes|há alguns segundos|"
        "há poucos segundos|neste momento",
        days={0: "hoje", 1: "ontem", 2: "anteontem|antes de ontem"},
        weekdays=("segunda-feira|segunda", "terça-feira|terça|terca-feira|terca",
                  "quarta-feira|quarta", "quinta-feira|quinta", "sexta-feira|sexta",
                  "sábado|sabado", "domingo"),
        weekday_abbreviations=("seg", "ter", "qua", "qui", "sex", "sáb|sab", "dom"),
        months=("janeiro|jan", "fevereiro|fev", "março|marco|mar", "abril|abr", "maio|mai",
                "junho|jun", "julho|jul", "agosto|ago", "setembro|set", "outubro|out",
                "novembro|nov", "dezembro|dez"),
        dates=("{d} de {m}(?: de {y})?", "{d} {m}(?: {y})?"),
        at="às|as|à",
        prefixes="atualizado|atualizado em|atualizado às|publicado|publicado em",
    ),
    "nl": Lexicon(
        ago=("{n} {u} geleden",),
        units={
            "second": "seconden|seconde|sec|s",
            "minute": "minuten|minuut|min",
            "halfhour": "half uur",
            "hour": "uren|uur|u",
            "day": "dagen|dag|d",
            "week": "weken|week",
            "month": "maanden|maand",
            "year": "jaren|jaar",
        },
        alone={"halfhour": "half uur"},
        numbers={1: "een|één", 2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes",
                 7: "zeven", 8: "acht", 9: "negen", 10: "tien"},
        about="ongeveer|circa|ca.|zo'n",
        now="zojuist|net|nu|zonet|zo-even|zoeven|enkele seconden geleden|"
        "een paar seconden geleden|een moment geleden",
        days={0: "vandaag", 1: "gisteren", 2: "eergisteren"},
        weekdays=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
                  "zondag"),
        weekday_abbreviations=("ma", "di", "wo", "do", "vr", "za", "zo"),
        months=("januari|jan", "februari|feb", "maart|mrt", "april|apr", "mei",
                "juni|jun", "juli|jul", "augustus|aug", "september|sept|sep", "oktober|okt",
                "november|nov", "december|dec"),
        dates=("{d} {m}(?: {y})?",),
        at="om",
        prefixes="bijgewerkt|bijgewerkt op|laatst bijgewerkt|gepubliceerd|gepubliceerd op",
    ),
    "ja": Lexicon(
        ago=("{n}{u}前",),
        units={
            "second": "秒",
            "minute": "分",
            "hour": "時間",
            "day": "日",
            "week": "週間|週",
            "month": "か月|ヶ月|カ月|ケ月|ヵ月|箇月",
            "year": "年",
        },
        numbers={1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
                 9: "九", 10: "十"},
        about="約|およそ",
        now="たった今|今|数秒前",
        days={0: "今日|きょう|本日", 1: "昨日|きのう", 2: "一昨日|おととい"},
        weekdays=("月曜日|月曜", "火曜日|火曜", "水曜日|水曜", "木曜日|木曜", "金曜日|金曜",
                  "土曜日|土曜", "日曜日|日曜"),
        dates=(r"{y}年 {M}月 {d}日(?: \(\w{1,3}\))?", r"{M}月 {d}日(?: \(\w{1,3}\))?"),
        am="午前",
        pm="午後",
        prefixes="更新|更新日時|最終更新|公開|公開日|配信|投稿",
    ),
    "zh": Lexicon(
        ago=("{n}{u}前", "{n}{u}以前"),
        units={
            "second": "秒钟|秒鐘|秒",
            "minute": "分钟|分鐘|分",
            "hour": "个小时|個小時|小时|小時|个钟头|個鐘頭|钟头|鐘頭",
            "day": "天|日",
            "week": "个星期|個星期|星期|周|週",
            "month": "个月|個月|月",
            "year": "年",
        },
        alone={"halfhour": "半小时|半小時|半个小时|半個小時|半个钟头|半個鐘頭"},
        numbers={1: "一", 2: "两|兩|二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七",
                 8: "八", 9: "九", 10: "十"},
        about="约|約|大约|大約",
        now="刚刚|剛剛|刚才|剛才|现在|現在|几秒前|幾秒前",
        days={0: "今天|今日", 1: "昨天|昨日", 2: "前天"},
        weekdays=("星期一|周一|週一|礼拜一|禮拜一", "星期二|周二|週二|礼拜二|禮拜二",
                  "星期三|周三|週三|礼拜三|禮拜三", "星期四|周四|週四|礼拜四|禮拜四",
                  "星期五|周五|週五|礼拜五|禮拜五", "星期六|周六|週六|礼拜六|禮拜六",
                  "星期日|星期天|周日|週日|礼拜日|禮拜日|礼拜天|禮拜天"),
        dates=(r"{y}年 {M}月 {d}[日号號](?: \(\w{1,3}\))?", r"{M}月 {d}[日号號](?: \(\w{1,3}\))?"),
        am="上午|早上|凌晨",
        pm="下午|晚上|中午",
        prefixes="发布于|發佈於|发布时间|發佈時間|更新于|更新於|更新时间|更新時間",
    ),
    "ko": Lexicon(
        ago=("{n} {u} 전",),
        units={
            "second": "초",
            "minute": "분",
            "hour": "시간",
            "day": "일",
            "week": "주",
            "month": "개월|달",
            "year": "년",
        },
        numbers={1: "한", 2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯", 7: "일곱",
                 8: "여덟", 9: "아홉", 10: "열"},
        about="약|대략",
        now="방금|방금 전|지금|몇 초 전",
        days={0: "오늘", 1: "어제", 2: "그저께|그제"},
        weekdays=("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
        dates=(r"{y}년 {M}월 {d}일(?: \(\w{1,3}\))?", r"{M}월 {d}일(?: \(\w{1,3}\))?"),
        am="오전",
        pm="오후",
        prefixes="업데이트|입력|수정|게시|등록",
    ),
    "ru": Lexicon(
        ago=("{n} {u} назад",),
        units={
            "second": "секунду|секунды|секунд|сек",
            "minute": "минуту|минуты|минут|мин",
            "hour": "часов|часа|час|ч",
            "day": "дней|дня|день|дн",
            "week": "недель|недели|неделю|нед",
            "month": "месяцев|месяца|месяц|мес",
            "year": "лет|года|год",
        },
        alone={
            "second": "секунду",
            "minute": "минуту",
            "halfhour": "полчаса",
            "hour": "час|часа",
            "day": "день",
            "week": "неделю",
            "month": "месяц",
            "year": "год",
        },
        numbers={1: "одну|один|одна", 2: "две|два|пару", 3: "три", 4: "четыре", 5: "пять",
                 6: "шесть", 7: "семь", 8: "восемь", 9: "девять", 10: "десять"},
        about="около|примерно|приблизительно",
        now="только что|сейчас|несколько секунд назад|мгновение назад",
        days={0: "сегодня", 1: "вчера", 2: "позавчера"},
        weekdays=("понедельник", "вторник", "среда|среду", "четверг", "пятница|пятницу",
                  "суббота|субботу", "воскресенье"),
        months=("января|январь|янв", "февраля|февраль|фев", "марта|март|мар",
                "апреля|апрель|апр", "мая|май", "июня|июнь|июн", "июля|июль|июл",
                "августа|август|авг", "сентября|сентябрь|сент|сен", "октября|октябрь|окт",
                "ноября|ноябрь|нояб|ноя", "декабря|декабрь|дек"),
        dates=(r"{d} {m}(?: {y}(?: г\.?| года)?)?",),  # noqa: RUF001 (a Cyrillic year mark)
        at="в",
        prefixes="обновлено|опубликовано|дата публикации",
    ),
    "ar": Lexicon(
        ago=("منذ {n} {u}", "قبل {n} {u}"),
        units={
            "second": "ثانية|ثوان|ثواني|ثوانٍ",
            "minute": "دقيقة|دقائق",
            "hour": "ساعة|ساعات",
            "day": "يوم|أيام|ايام|يوما|يومًا",
            "week": "أسبوع|أسابيع|اسبوع|اسابيع",
            "month": "شهر|أشهر|اشهر|شهور",
            "year": "سنة|سنوات|عام|أعوام|اعوام",
        },
        alone={
            "second": "ثانية",
            "minute": "دقيقة",
            "halfhour": "نصف ساعة",
            "hour": "ساعة",
            "day": "يوم",
            "week": "أسبوع|اسبوع",
            "month": "شهر",
            "year": "سنة|عام",
        },
        dual={
            "second": "ثانيتين|ثانيتان",
            "minute": "دقيقتين|دقيقتان",
            "hour": "ساعتين|ساعتان",
            "day": "يومين|يومان",
            "week": "أسبوعين|اسبوعين",
            "month": "شهرين|شهران",
            "year": "سنتين|عامين",
        },
        about="حوالي|حوالى|نحو|قرابة",
        now="الآن|الان|للتو|منذ لحظات|منذ لحظة|قبل لحظات|منذ ثوان|منذ ثوانٍ|منذ ثواني",
        days={0: "اليوم", 1: "أمس|امس|البارحة", 2: "أول أمس|اول امس|أول من أمس"},
        weekdays=("الاثنين|الإثنين", "الثلاثاء", "الأربعاء|الاربعاء", "الخميس", "الجمعة",
                  "السبت", "الأحد|الاحد"),
        months=("يناير|كانون الثاني", "فبراير|شباط", "مارس|آذار", "أبريل|ابريل|إبريل|نيسان",
                "مايو|أيار", "يونيو|يونيه|حزيران", "يوليو|يوليه|تموز", "أغسطس|اغسطس|آب",
                "سبتمبر|أيلول", "أكتوبر|اكتوبر|تشرين الأول", "نوفمبر|تشرين الثاني",
                "ديسمبر|كانون الأول"),
        dates=("{d} {m}(?: {y})?",),
        at="الساعة|في",
        am="ص|صباحا|صباحًا",
        pm="م|مساء|مساءً",
        prefixes="نشر في|تم النشر|آخر تحديث|تحديث",
    ),
}  # fmt: skip
