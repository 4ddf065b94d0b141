"""``map``: explore a live TwiML app breadth-first and describe what it does as states and transitions.

A *state* is one document the app answered, identified by its canonical TwiML (comments dropped,
attributes sorted, white space folded, and query parameters the user names — such as a retry counter —
removed from URLs), so the same menu reached twice is one state. At every decision point the mapper tries
each input the Gather allows (single keys; the digit strings the user lists where ``numDigits`` > 1; each
hint phrase when speech is on; silence) and each Dial outcome, each on its own call replayed from the
start (:mod:`.driver`), and stops at ``max_states`` states, ``max_depth`` inputs or ``max_requests``
requests. What an app keeps outside its documents (a cookie counting retries) cannot be seen this way:
a menu that gives up after three tries maps as a loop.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from ivr_studio.explore.driver import CallLog, Fetch, Input, RateLimiter, run_path
from ivr_studio.runtime import RuntimeSettings
from ivr_studio.runtime.transports import Transport
from ivr_studio.twiml.parse import parse_twiml

DIAL_OUTCOMES = ("answered", "busy", "no-answer", "failed")
ALL_KEYS = "0123456789*#"


@dataclass(frozen=True)
class MapOptions:
    """Limits and choices of one exploration (see ``ivr-studio map --help``)."""

    max_states: int = 50
    max_depth: int = 8
    max_requests: int = 20_000
    keys: str = ALL_KEYS
    digit_strings: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    phrases_from_hints: bool = False
    ignore_params: tuple[str, ...] = ()
    stop_before_outside: bool = False
    explore_dial_outcomes: bool = True
    rate: float = 0.0  # requests per second; 0 = no limit


@dataclass
class State:
    """One distinct document: a readable unique name, the first fetch, how it was first reached, and
    what was observed leaving it (by input label, or ``next`` when the call went on by itself)."""

    key: str
    name: str
    fetch: Fetch
    path: tuple[Input, ...]
    decision: str | None = None  # "gather" | "dial" once a decision point was seen in it
    error: str = ""
    stopped_before_outside: bool = False
    exits: dict[str, str] = field(default_factory=dict)  # input label or "next" -> state key
    inputs: dict[str, Input] = field(default_factory=dict)  # input label -> input

    @property
    def root(self) -> etree._Element | None:
        return parse_twiml(self.fetch.body).root if not self.error else None


@dataclass
class ExploredPath:
    """One exploring call: its inputs and what it saw (for the scenario files)."""

    path: tuple[Input, ...]
    log: CallLog


@dataclass
class MapResult:
    url: str
    states: dict[str, State] = field(default_factory=dict)
    start: str | None = None
    paths: list[ExploredPath] = field(default_factory=list)
    requests: int = 0
    calls: int = 0
    limits_hit: list[str] = field(default_factory=list)
    diverged: list[str] = field(default_factory=list)


Progress = Callable[[MapResult, int], None]  # (result so far, paths waiting)


def canonical(body: bytes, ignore_params: tuple[str, ...] = ()) -> str | None:
    """The canonical text of a TwiML document, or None when it is not TwiML."""
    parsed = parse_twiml(body)
    if not parsed.ok:
        return None

    def clean(value: str) -> str:
        value = " ".join(value.split())
        if ignore_params and "?" in value:
            parts = urlsplit(value)
            query = [
                (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ignore_params
            ]
            value = urlunsplit(parts._replace(query=urlencode(query)))
        return value

    def walk(el: etree._Element) -> str:
        attrs = " ".join(f'{k}="{clean(v)}"' for k, v in sorted(el.attrib.items()))
        inner = clean(el.text or "") + "".join(walk(c) + clean(c.tail or "") for c in el)
        return f"<{el.tag} {attrs}>{inner}</{el.tag}>"

    return walk(parsed.root)


def _first_words(body: bytes, count: int = 4) -> str:
    parsed = parse_twiml(body)
    if not parsed.ok:
        return ""
    for el in parsed.root.iter("Say"):
        words = re.findall(r"[A-Za-z0-9]+", "".join(el.itertext()))
        if words:
            return "_".join(words[:count])
    return ""


def gather_inputs(root: etree._Element, options: MapOptions) -> list[Input]:
    """The inputs to try at the first Gather of a document."""
    gather = next((v for v in root if v.tag == "Gather"), None)
    if gather is None:
        return [Input("silence")]
    modes = set(gather.get("input", "dtmf").split())
    finish = gather.get("finishOnKey", "#")
    num_digits = gather.get("numDigits", "")
    inputs: list[Input] = []
    if "dtmf" in modes:
        if not num_digits or num_digits == "1":
            inputs += [Input("press", k) for k in options.keys if k not in finish]
        if num_digits != "1":
            wanted = int(num_digits) if num_digits.isdigit() else None
            inputs += [Input("press", s) for s in options.digit_strings if wanted is None or len(s) == wanted]
    if "speech" in modes:
        phrases = list(options.phrases)
        if options.phrases_from_hints:
            phrases += [h.strip() for h in re.split(r",", gather.get("hints", "")) if h.strip()]
        seen: set[str] = set()
        inputs += [Input("say", p) for p in phrases if not (p.lower() in seen or seen.add(p.lower()))]
    inputs.append(Input("silence"))
    return inputs


class Mapper:
    """Breadth-first exploration of one app (see the module docstring)."""

    def __init__(
        self,
        transport: Transport,
        url: str,
        options: MapOptions | None = None,
        *,
        settings: RuntimeSettings | None = None,
        auth_token: str = "",
        limiter: RateLimiter | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.transport = transport
        self.url = url
        self.options = options or MapOptions()
        self.settings = settings
        self.auth_token = auth_token
        self.limiter = limiter or RateLimiter(self.options.rate)
        self.progress = progress
        self.result = MapResult(url)
        self._names: set[str] = set()

    # ------------------------------------------------------------------ states
    def _state_for(self, fetch: Fetch, path: tuple[Input, ...], stopped: bool) -> State | None:
        key = None
        error = ""
        if fetch.status >= 400:
            error = f"HTTP {fetch.status} from {urlsplit(fetch.url).path or '/'}"
        elif not fetch.is_twiml:
            error = f"not TwiML ({fetch.content_type or 'no content type'}) from {urlsplit(fetch.url).path or '/'}"
        else:
            key = canonical(fetch.body, self.options.ignore_params)
            if key is None:
                error = f"invalid TwiML from {urlsplit(fetch.url).path or '/'}"
        if key is None:
            key = f"error:{error}"
        state = self.result.states.get(key)
        if state is None:
            if len(self.result.states) >= self.options.max_states:
                self._limit(f"--max-states {self.options.max_states}")
                return None
            state = State(
                key, self._name(fetch, error), fetch, path, error=error, stopped_before_outside=stopped
            )
            self.result.states[key] = state
        return state

    def _name(self, fetch: Fetch, error: str) -> str:
        """A readable name: the first words the document speaks, else its URL's path."""
        words = "" if error else _first_words(fetch.body)
        path = urlsplit(fetch.url).path.strip("/") or "start"
        text = words or (("error_" if error else "") + path)
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")[:40].lower() or "doc"
        name, n = base, 2
        while name in self._names:
            name = f"{base}_{n}"
            n += 1
        self._names.add(name)
        return name

    def _limit(self, what: str) -> None:
        if what not in self.result.limits_hit:
            self.result.limits_hit.append(what)

    # ------------------------------------------------------------------ exploring
    def run(self) -> MapResult:
        queue: deque[tuple[Input, ...]] = deque([()])
        expanded: set[str] = set()
        while queue:
            if self.result.requests >= self.options.max_requests:
                self._limit(f"--max-requests {self.options.max_requests}")
                break
            path = queue.popleft()
            log, requests = run_path(
                self.transport,
                self.url,
                path,
                limiter=self.limiter,
                stop_before_outside=self.options.stop_before_outside,
                settings=self.settings,
                auth_token=self.auth_token,
                budget=self.options.max_requests - self.result.requests,
            )
            if log.out_of_budget:
                self._limit(f"--max-requests {self.options.max_requests}")
            self.result.calls += 1
            self.result.requests += requests
            self.result.paths.append(ExploredPath(path, log))
            if log.diverged:
                self.result.diverged.append(
                    f"{' / '.join(i.label for i in path) or 'the first call'}: {log.diverged}"
                )
            final = self._read_log(path, log)
            if final is not None and final.key not in expanded:
                expanded.add(final.key)
                if len(path) >= self.options.max_depth:
                    self._limit(f"--max-depth {self.options.max_depth}")
                else:
                    for item in self._inputs(final):
                        queue.append((*path, item))
            if self.progress:
                self.progress(self.result, len(queue))
        return self.result

    def _inputs(self, state: State) -> list[Input]:
        if state.decision == "dial":
            return [Input("dial", o) for o in DIAL_OUTCOMES] if self.options.explore_dial_outcomes else []
        root = state.root
        return gather_inputs(root, self.options) if root is not None else []

    def _read_log(self, path: tuple[Input, ...], log: CallLog) -> State | None:
        """Record the states and transitions one call saw; the state where it was hung up (or None)."""
        current: State | None = None
        pending_label: str | None = None  # how the call left ``current``: "next" or an input's label
        decisions = 0
        for kind, value in log.entries:
            if kind == "fetch":
                state = self._state_for(value, path[:decisions], id(value) in log.stopped_before)
                if state is None:
                    return None
                if current is None and self.result.start is None:
                    self.result.start = state.key
                if current is not None:
                    current.exits.setdefault(pending_label or "next", state.key)
                current, pending_label = state, "next"
            elif kind == "decision" and current is not None:
                current.decision = current.decision or value
                if decisions >= len(path):
                    return current
                item = path[decisions]
                current.inputs.setdefault(item.label, item)
                pending_label = item.label
                decisions += 1
        return None
