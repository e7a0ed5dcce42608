"""How the sample site prints a publication instant relative to its serving clock.

The rules floor, never round, so every label maps to an exact window the crawler can invert:

- elapsed < 60 s, or published in the future (clock skew): "just now";
- 60-119 s: "a minute ago"; 2-59 min: "N minutes ago" (N = whole minutes elapsed);
- 60-119 min: "an hour ago"; 2-23 h: "N hours ago" (N = whole hours elapsed);
- from 24 h on, the calendar-day difference D between the two local dates in the site's zone:
  D == 1: "Yesterday"; 2 <= D <= 6: "D days ago"; otherwise (D >= 7, or D == 0 after a
  25-hour DST day) the absolute form in Japan time, e.g. "Jul 30, 2025 16:20 (JST)".
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

# English names, so the output never depends on the process locale (unlike %b / %B).
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def absolute(published: datetime) -> str:
    """The site's absolute form, always in Japan time: "Jul 30, 2025 16:20 (JST)"."""
    local = published.astimezone(JST)
    return f"{MONTHS[local.month - 1][:3]} {local.day:02d}, {local.year} {local:%H:%M} (JST)"


def humanise(published: datetime, now: datetime, tz: str) -> str:
    """The label shown for `published` when the page is served at `now` (both aware)."""
    if published.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("published and now must be timezone-aware")
    # Subtract in UTC: Python ignores offset changes when both sides share one tzinfo.
    elapsed = (now.astimezone(timezone.utc) - published.astimezone(timezone.utc)).total_seconds()
    if elapsed < 60:
        return "just now"
    if elapsed < 120:
        return "a minute ago"
    minutes = int(elapsed // 60)
    if minutes < 60:
        return f"{minutes} minutes ago"
    if minutes < 120:
        return "an hour ago"
    if minutes < 24 * 60:
        return f"{minutes // 60} hours ago"
    zone = ZoneInfo(tz)
    days = (now.astimezone(zone).date() - published.astimezone(zone).date()).days
    if days == 1:
        return "Yesterday"
    if 2 <= days <= 6:
        return f"{days} days ago"
    return absolute(published)
