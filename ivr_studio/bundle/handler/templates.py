"""The one Liquid environment of the handler: strict, sandboxed, bounded, with the phone filters.

Templates come from the flow's author, values from callers and back-ends, so the environment is strict
(an undefined value is an error, never a silent empty string, unless the template gives it a
``default``), has no ``include``/``render`` (no loader, nothing
outside the flow can be read), and bounds the work of one render: at most ``LOOP_LIMIT`` loop iterations,
``OUTPUT_LIMIT`` characters of output and a nesting depth of 30 — so a render takes a bounded time (well
under a millisecond for a prompt). Rendered values go into element text through ElementTree, so what a
caller said is always escaped as XML, never parsed.

Filters for phone menus, beside Liquid's standard ones:

- ``digits``: ``{{ vars.account | digits }}`` → "1 2 3 4", so the voice reads digits one by one;
- ``money``: ``{{ steps.balance.body.amount | money: "USD" }}`` → "42 dollars and 50 cents" in the prompt's
  language (en, es, fr, de, it, pt; other languages get "42.50 USD");
- ``datetime``: ``{{ now | datetime: "date" }}`` → "Thursday, 24 December 2026" (also "time", "datetime"),
  in the prompt's language; the value is an ISO date-time or the handler's ``now`` (which is UTC). A time
  zone as second argument says the time there: ``{{ now | datetime: "time", "Europe/Berlin" }}``.

Templates are compiled when the app boots, so a broken one fails the start, not a live call.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from liquid import Environment, StrictDefaultUndefined
from liquid.exceptions import LiquidError
from liquid.filter import with_context

LOOP_LIMIT = 100
OUTPUT_LIMIT = 4000


class TemplateError(ValueError):
    """A template cannot be compiled or rendered; the message says why in one line."""


def _one_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _language(context: Any) -> str:
    try:
        value = context.resolve("language")
    except Exception:
        return "en"
    return str(value or "en").split("-")[0].lower()


def digits_filter(value: Any) -> str:
    """Digits one by one ("+49 30 1234" → "4 9 3 0 1 2 3 4"); other characters are dropped."""
    return " ".join(c for c in str(value) if c.isdigit())


CURRENCIES: dict[str, dict[str, tuple[str, str, str, str]]] = {
    # language → currency → (unit, units, cent, cents)
    "en": {
        "USD": ("dollar", "dollars", "cent", "cents"),
        "CAD": ("dollar", "dollars", "cent", "cents"),
        "AUD": ("dollar", "dollars", "cent", "cents"),
        "EUR": ("euro", "euros", "cent", "cents"),
        "GBP": ("pound", "pounds", "penny", "pence"),
        "MXN": ("peso", "pesos", "centavo", "centavos"),
    },
    "es": {
        "USD": ("dólar", "dólares", "centavo", "centavos"),
        "EUR": ("euro", "euros", "céntimo", "céntimos"),
        "MXN": ("peso", "pesos", "centavo", "centavos"),
    },
    "fr": {"EUR": ("euro", "euros", "centime", "centimes"), "CAD": ("dollar", "dollars", "cent", "cents")},
    "de": {"EUR": ("Euro", "Euro", "Cent", "Cent"), "USD": ("Dollar", "Dollar", "Cent", "Cent")},
    "it": {"EUR": ("euro", "euro", "centesimo", "centesimi")},
    "pt": {"EUR": ("euro", "euros", "cêntimo", "cêntimos"), "BRL": ("real", "reais", "centavo", "centavos")},
}
_AND = {"en": "and", "es": "con", "fr": "et", "de": "und", "it": "e", "pt": "e"}
_MINUS = {"en": "minus", "es": "menos", "fr": "moins", "de": "minus", "it": "meno", "pt": "menos"}
#: Languages that write a decimal comma ("42,50"): a voice reading "42.50" in them hears a thousands point.
_DECIMAL_COMMA = frozenset({"es", "fr", "de", "it", "pt"})


@with_context
def money_filter(value: Any, currency: str = "USD", *, context: Any) -> str:
    """An amount spoken with its currency, in the prompt's language (a currency without names in that
    language: the amount as that language writes it, then the currency's code)."""
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise TemplateError(f"money: {str(value)[:30]!r} is not an amount") from None
    language = _language(context)
    names = CURRENCIES.get(language, {}).get(str(currency).upper())
    sign = f"{_MINUS.get(language, '-')} " if amount < 0 else ""
    amount = abs(amount)
    whole, cents = int(amount), int((amount - int(amount)) * 100)
    if names is None:
        point = "," if language in _DECIMAL_COMMA else "."
        return f"{sign}{whole}{point}{cents:02d} {str(currency).upper()}"
    unit = names[0] if whole == 1 else names[1]
    cent = names[2] if cents == 1 else names[3]
    if not cents:
        return f"{sign}{whole} {unit}"
    if not whole:
        return f"{sign}{cents} {cent}"
    return f"{sign}{whole} {unit} {_AND[language]} {cents} {cent}"


DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "pt": (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ),
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
_DATE_FORMAT = {
    "en": "{day}, {d} {month} {y}",
    "es": "{day}, {d} de {month} de {y}",
    "fr": "{day} {d} {month} {y}",
    "de": "{day}, {d}. {month} {y}",
    "it": "{day} {d} {month} {y}",
    "pt": "{day}, {d} de {month} de {y}",
}


def _when(value: Any) -> datetime | date:
    if isinstance(value, (datetime, date)):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TemplateError(f"datetime: {text[:30]!r} is not an ISO date or date-time") from None


@lru_cache(maxsize=64)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TemplateError(f"datetime: {name[:40]!r} is not a time zone") from None


@with_context
def datetime_filter(value: Any, part: str = "datetime", zone: Any = "", *, context: Any) -> str:
    """A date ("date"), a time ("time") or both ("datetime"), in the prompt's language; with ``zone`` (an
    IANA name) the date and time there — a date-time without an offset counts as UTC."""
    when = _when(value)
    if zone and isinstance(when, datetime):
        aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        when = aware.astimezone(_zone(str(zone)[:64]))
    language = _language(context)
    if language not in DAYS:
        language_fallback = True
        language = "en"
    else:
        language_fallback = False
    parts = []
    if part in ("date", "datetime"):
        day = DAYS[language][when.weekday()]
        month = MONTHS[language].split()[when.month - 1]
        parts.append(_DATE_FORMAT[language].format(day=day, d=when.day, month=month, y=when.year))
        if language_fallback:
            parts[-1] = when.strftime("%Y-%m-%d")
    if part in ("time", "datetime") and isinstance(when, datetime):
        if language == "en" and not language_fallback:
            hour = when.hour % 12 or 12
            parts.append(f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}")
        else:
            parts.append(f"{when.hour}:{when.minute:02d}")
    if not parts:
        raise TemplateError(f'datetime: {str(part)[:20]!r} is not "date", "time" or "datetime"')
    return " ".join(parts) if language not in ("fr", "de", "it") else ", ".join(parts)


class _Environment(Environment):
    loop_iteration_limit = LOOP_LIMIT
    output_stream_limit = OUTPUT_LIMIT
    context_depth_limit = 30


def environment() -> Environment:
    """The handler's Liquid environment: strict unless a value has a ``default``, no include/render,
    bounded, with the phone filters."""
    env = _Environment(undefined=StrictDefaultUndefined)
    env.tags.pop("include", None)
    env.tags.pop("render", None)
    env.filters["digits"] = digits_filter
    env.filters["money"] = money_filter
    env.filters["datetime"] = datetime_filter
    return env


ENVIRONMENT = environment()


def has_template(text: str | None) -> bool:
    return bool(text) and ("{{" in text or "{%" in text)


#: A template that is one plain read, ``{{ call.from }}``: by far the most common in Decide values, and
#: answered by a dictionary walk instead of a Liquid render (the result is the same).
_PLAIN_READ = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)+)\s*\}\}")


class Template:
    """One compiled template; :meth:`render` fills it with a call's values."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where
        try:
            self._template = ENVIRONMENT.from_string(source)
        except LiquidError as exc:
            raise TemplateError(f"{where}: {_one_line(exc)}") from None
        match = _PLAIN_READ.fullmatch(source)
        self._path = match.group(1).split(".") if match else None

    def _read(self, values: dict[str, Any]) -> str | None:
        """The value of a plain read, or None when Liquid must render it (missing, or not a scalar)."""
        value: Any = values
        for part in self._path or ():
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int)):
            return str(value)
        return None

    def render(self, values: dict[str, Any]) -> str:
        if self._path is not None:
            plain = self._read(values)
            if plain is not None:
                return plain
        try:
            return self._template.render(**values)
        except TemplateError as exc:
            raise TemplateError(f"{self.where}: {exc}") from None
        except LiquidError as exc:
            cause = exc.__cause__
            if isinstance(cause, TemplateError):
                raise TemplateError(f"{self.where}: {cause}") from None
            raise TemplateError(f"{self.where}: {_one_line(exc)}") from None
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise TemplateError(f"{self.where}: {_one_line(exc)}") from None
