"""Where an Hours node takes its holidays from: iCalendar files (read bounded, checked to parse) and the
countries and subdivisions of the ``holidays`` package (for the editor's pickers).

An iCalendar file's text is carried into the exported bundle (inside the routing data), so the deployed
handler needs no access to the machine the flow was designed on; the handler expands its events with
``icalendar`` and ``recurring-ical-events``.
"""

from __future__ import annotations

from pathlib import Path

from ivr_studio.files import InputFileError, read_text

MAX_CALENDAR_BYTES = 1024 * 1024


class CalendarError(ValueError):
    """An iCalendar file cannot be used; the message names the file and the problem."""


def read_calendar(path: Path) -> str:
    """The text of the iCalendar file at ``path``, once it is known to parse as a calendar."""
    import icalendar

    try:
        text = read_text(path, MAX_CALENDAR_BYTES)
    except InputFileError as exc:
        raise CalendarError(str(exc)) from None
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and others for malformed content
        raise CalendarError(f"{path}: not an iCalendar file ({str(exc)[:100]})") from None
    if calendar.name != "VCALENDAR":
        raise CalendarError(f"{path}: not an iCalendar file (it holds a {calendar.name})")
    return text


def holiday_countries() -> list[tuple[str, str]]:
    """Every country the ``holidays`` package knows, as (ISO 3166 alpha-2 code, English name), by name."""
    from holidays import registry

    out = []
    for module, entry in registry.COUNTRIES.items():
        words = module.split("_")
        name = " ".join(w if w in ("and", "of", "the") else w.capitalize() for w in words)
        out.append((entry[1], name))
    return sorted(out, key=lambda pair: pair[1])


def holiday_subdivisions(country: str) -> list[tuple[str, str]]:
    """The subdivisions (states, regions) of ``country`` with their own holidays, as (code, name) by code;
    [] for a country without any (or one the package does not know)."""
    import holidays

    codes = holidays.list_supported_countries().get(country, [])
    if not codes:
        return []
    try:
        table = holidays.country_holidays(country)
    except (NotImplementedError, ValueError):
        return [(code, code) for code in codes]
    names: dict[str, str] = {}
    for name, code in (getattr(type(table), "subdivisions_aliases", None) or {}).items():
        names.setdefault(code, name)
    return [(code, names.get(code, code)) for code in codes]
