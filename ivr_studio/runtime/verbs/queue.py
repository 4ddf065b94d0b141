"""Call queues (spec §1.5, §4.9): ``<Enqueue>``, ``<Leave>`` and ``<Dial><Queue>``.

``<Enqueue>name</Enqueue>`` puts the caller in the named queue (created on demand, at most
``max_queue_size`` callers, setting, or the ``maxQueueSize`` of the Enqueue that creates it) and plays its wait music: the ``waitUrl`` documents, fetched again
each time they run out, with QueuePosition, QueueSid, QueueTime, AvgQueueTime, CurrentQueueSize and
MaxQueueSize (Play, Say, Pause, Gather, Redirect, Hangup and Leave allowed); Twilio's default hold music
without a ``waitUrl``; silence with ``waitUrl=""``. The caller waits until

* an agent dequeues the call (script step ``dequeue``, as ``<Dial><Queue>`` would): the ``<Queue url>``
  document runs on the caller's leg (QueueSid, QueueTime, DequeingCallSid), the two talk, and when the agent
  hangs up the ``action`` request is made with ``QueueResult=bridged``;
* a ``<Leave>`` in the wait music: ``QueueResult=leave`` at once;
* the caller hangs up: ``QueueResult=hangup``, sent without waiting for the answer (the call is over);
* the queue is full (``queue-full``, warning 14207) or the wait music fails (``error``).

The ``action`` request carries QueueResult and, when the caller was enqueued, QueueSid and QueueTime;
without ``action`` the next verb runs. A ``<Leave>`` outside wait music has nothing to leave: warned, skipped.

``<Dial><Queue>name</Queue></Dial>`` makes the caller the agent: it takes the first caller waiting in the
queue (script step ``queue_caller``), at once or when one arrives before the Dial's ``timeout``; the
``<Queue url>`` document runs on that caller's leg, then the two talk for that caller's ``duration``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import Dequeue, Dtmf, Event, QueueCaller
from ivr_studio.runtime.params import CallIdentity, new_sid
from ivr_studio.runtime.urls import resolve
from ivr_studio.runtime.verbs.control import InstantActivity
from ivr_studio.runtime.verbs.inner import ENQUEUE_WAIT_VERBS, QUEUE_URL_VERBS, InnerDocuments
from ivr_studio.runtime.world import CallQueue, Member
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.twiml.rules import read_verb
from ivr_studio.twiml.verbs import QUEUE_NAME_MAX_CHARS


class EnqueueActivity:
    """The caller waiting in a queue, then (perhaps) talking to the agent who took the call."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.name = (el.text or "").strip()
        self.queue: CallQueue | None = None
        self.member = Member("caller", call.identity.call_sid, 0.0, caller=True)
        self.music: InnerDocuments | None = None
        self.timer: TimerHandle | None = None
        self.dequeued_at: float | None = None
        self.bridged = False
        self.done = False

    # ----- lifecycle -----
    def start(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)
        if not self.name or len(self.name) > QUEUE_NAME_MAX_CHARS:
            shown = "no name" if not self.name else f"a name of {len(self.name)} characters"
            self.call.warn(
                "14204", f"<Enqueue> has {shown}; a queue's name has 1 to {QUEUE_NAME_MAX_CHARS} characters"
            )
            self._finish("error")
            return
        fresh = self.name not in self.call.world.queues
        queue = self.call.world.queue(self.name)
        if fresh and self.attrs["maxQueueSize"] is not None:
            queue.max_size = self.attrs["maxQueueSize"]
        self.member.since = self.call.clock.now()
        if not queue.add(self.member):
            self.call.warn(
                "14207", f"Queue {self.name!r} is full ({queue.max_size} callers); the caller was not queued"
            )
            self.call.trace.emit(
                "queue", name=self.name, status="full", position=None, size=len(queue.members)
            )
            self._finish("queue-full")
            return
        self.queue = queue
        queue.listeners.append(self._queue_changed)
        self.call.trace.emit(
            "queue",
            name=self.name,
            status="enqueued",
            position=queue.position(self.member),
            size=len(queue.members),
        )
        url = self.attrs["waitUrl"]
        method = self.attrs["waitUrlMethod"]
        if url is not None:
            url = resolve(self.call.doc_url, url) if url.strip() else ""
        self.music = InnerDocuments(
            self.call,
            url=url,
            method=method,
            allowed=ENQUEUE_WAIT_VERBS,
            what="waitUrl",
            on_end=self._music_over,
            extra=self._wait_params,
            repeat=True,
        )
        self.music.start()

    def _wait_params(self) -> dict[str, str]:
        """What Twilio sends with each waitUrl request (§4.9)."""
        queue = self.queue
        if queue is None or self.member not in queue.members:
            return {}
        now = self.call.clock.now()
        return {
            "QueuePosition": str(queue.position(self.member)),
            "QueueSid": queue.sid,
            "QueueTime": str(round(now - self.member.since)),
            "AvgQueueTime": str(round(queue.average_wait(now))),
            "CurrentQueueSize": str(len(queue.members)),
            "MaxQueueSize": str(queue.max_size),
        }

    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        if isinstance(event, Dequeue):
            return self.dequeued_at is None and event.queue in (None, self.name)
        if isinstance(event, QueueCaller):
            return False  # another caller queues up: the world takes it
        return self.music is not None and self.music.wants(event)

    def on_event(self, event: Event) -> None:
        if isinstance(event, Dequeue):
            if self.queue is not None:
                self.queue.dequeue(event)  # the first caller: this one, or someone ahead of it
        elif self.music is not None:
            self.music.on_event(event)

    def on_caller_hangup(self) -> None:
        """The caller hangs up in the queue (or while bridged): QueueResult=hangup (or bridged), sent without
        waiting for the answer."""
        if self.done:
            return
        result = "bridged" if self.bridged else "hangup"
        params = self._result_params(result)
        self.stop()
        self.call.trace.emit("queue", name=self.name, status=result, position=None, size=self._size())
        if self.attrs["action"]:
            url = resolve(self.call.doc_url, self.attrs["action"])
            self.call.send_callback(url, self.attrs["method"], params, kind="action", keep=True)

    def stop(self) -> None:
        self.done = True
        if self.music is not None:
            self.music.stop()
            self.music = None
        if self.timer is not None:
            self.timer.cancel()
        if self.queue is not None:
            self.queue.remove(self.member)
            if self._queue_changed in self.queue.listeners:
                self.queue.listeners.remove(self._queue_changed)

    # ----- the queue -----
    def _size(self) -> int:
        return len(self.queue.members) if self.queue is not None else 0

    def _queue_changed(self, what: str, member: Member, how: Any) -> None:
        if self.done:
            return
        if what == "moved" and member is self.member and self.queue is not None:
            self.call.trace.emit(
                "queue",
                name=self.name,
                status="moved",
                position=self.queue.position(member),
                size=self._size(),
            )
        elif what == "dequeued" and member is self.member:
            self._dequeued(how)

    def _dequeued(self, how: Dequeue) -> None:
        self.dequeued_at = self.call.clock.now()
        if self.music is not None:
            self.music.stop()
            self.music = None
        self.call.trace.emit("queue", name=self.name, status="dequeued", position=None, size=self._size())
        agent = new_sid("CA")
        if not how.url:
            self._bridge(how.duration)
            return
        queue = self.queue
        queue_time = str(round(self.dequeued_at - self.member.since))
        self.music = InnerDocuments(
            self.call,
            url=resolve(self.call.doc_url, how.url),
            method=how.method,
            allowed=QUEUE_URL_VERBS,
            what="Queue url",
            on_end=lambda reason, d: (
                self._bridge(how.duration) if reason != "error" else self._finish("error")
            ),
            extra=lambda: {
                "QueueSid": queue.sid if queue else "",
                "QueueTime": queue_time,
                "DequeingCallSid": agent,
            },
        )
        self.music.start()

    def _bridge(self, duration: float) -> None:
        self.music = None
        self.bridged = True
        self.call.trace.emit("queue", name=self.name, status="bridged", position=None, size=self._size())
        self.timer = self.call.clock.call_later(duration, lambda: self._finish("bridged"))

    def _music_over(self, reason: str, diagnostic: Diagnostic | None) -> None:
        self.music = None
        if reason == "leave":
            self._finish("leave")
        elif reason == "error":
            self._finish("error")
        elif reason == "hangup":  # a <Hangup> in the wait music hangs up the call, which leaves the queue
            self.on_caller_hangup()
            self.call.verb_done(self, Outcome("hangup", reason="<Hangup> in the queue's wait music"))

    def _result_params(self, result: str) -> dict[str, str]:
        params = {"QueueResult": result}
        if self.queue is not None:
            until = self.dequeued_at if self.dequeued_at is not None else self.call.clock.now()
            params["QueueSid"] = self.queue.sid
            params["QueueTime"] = str(round(until - self.member.since))
        return params

    def _finish(self, result: str) -> None:
        if self.done:
            return
        params = self._result_params(result)
        self.stop()
        if result != "queue-full":
            self.call.trace.emit("queue", name=self.name, status=result, position=None, size=self._size())
        action = self.attrs["action"]
        if not action:
            self.call.verb_done(self, None)  # §1.5: without action, continue after <Enqueue>
            return
        url = resolve(self.call.doc_url, action)
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))


class LeaveActivity(InstantActivity):
    """A ``<Leave>`` in the call's own document: only a queue's wait music has a queue to leave."""

    def start(self) -> None:
        self.call.warn(
            codes.LEAVE_OUTSIDE_QUEUE, "<Leave> outside a queue's wait music has no queue to leave; skipped"
        )
        self.call.verb_done(self, None)


class DialQueueActivity:
    """``<Dial><Queue>``: the caller, as the agent, takes the first caller waiting in the queue."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.noun = next(n for n in el if n.tag == "Queue")
        self.noun_attrs = read_verb(self.noun)
        self.name = (self.noun.text or "").strip()
        self.member: Member | None = None
        self.inner: InnerDocuments | None = None
        self.timer: TimerHandle | None = None
        self.bridged_at: float | None = None
        self.done = False

    def start(self) -> None:
        for d in (*self.attrs.diagnostics, *self.noun_attrs.diagnostics):
            self.call.warn(d.code, d.message)
        self.call.trace.emit("dial", number=f"queue:{self.name}", status="ringing", duration=None)
        self.timer = self.call.clock.call_later(self.attrs["timeout"], lambda: self._end("no-answer"))
        self._take()

    def _take(self) -> None:
        queue = self.call.world.queue(self.name)
        if not queue.members:
            return  # the Dial waits for a caller until its timeout (Queue docs)
        if self.timer is not None:
            self.timer.cancel()
        self.member = member = queue.members[0]
        queue.dequeue(Dequeue(self.name))
        queue_time = str(round(self.call.clock.now() - member.since))
        url = self.noun_attrs["url"]
        if not url:
            self._bridge()
            return
        identity = CallIdentity(
            from_number=self.call.identity.from_number,
            to_number=self.call.identity.to_number,
            account_sid=self.call.identity.account_sid,
            call_sid=member.call_sid,
        )
        self.inner = InnerDocuments(
            self.call,
            url=resolve(self.call.doc_url, url),
            method=self.noun_attrs["method"],
            allowed=QUEUE_URL_VERBS,
            what="Queue url",
            on_end=lambda reason, d: self._bridge() if reason != "error" else self._end("failed"),
            extra=lambda: {
                "QueueSid": queue.sid,
                "QueueTime": queue_time,
                "DequeingCallSid": self.call.identity.call_sid,
            },
            leg="queue caller",
            leg_params=identity.standard_params,
        )
        self.inner.start()

    def _bridge(self) -> None:
        self.inner = None
        self.bridged_at = self.call.clock.now()
        self.call.trace.emit("dial", number=f"queue:{self.name}", status="answered", duration=None)
        length = min(self.member.duration if self.member else 0.0, float(self.attrs["timeLimit"]))
        self.timer = self.call.clock.call_later(length, lambda: self._end("completed"))

    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        if isinstance(event, QueueCaller):
            return event.queue == self.name and self.member is None
        return isinstance(event, Dtmf) and self.bridged_at is not None and self.attrs["hangupOnStar"]

    def on_event(self, event: Event) -> None:
        if isinstance(event, QueueCaller):
            self.call.world.apply(event)
            self._take()
        elif isinstance(event, Dtmf) and event.key == "*":
            self._end("completed")

    def on_caller_hangup(self) -> None:
        pass

    def stop(self) -> None:
        self.done = True
        if self.timer is not None:
            self.timer.cancel()
        if self.inner is not None:
            self.inner.stop()

    def _end(self, status: str) -> None:
        if self.done:
            return
        self.stop()
        bridged = self.bridged_at is not None
        duration = round(self.call.clock.now() - self.bridged_at) if self.bridged_at is not None else 0
        self.call.trace.emit("dial", number=f"queue:{self.name}", status=status, duration=duration)
        action = self.attrs["action"]
        if not action:
            self.call.verb_done(self, None)
            return
        params = {"DialCallStatus": status, "DialBridged": "true" if bridged else "false"}
        if self.member is not None:
            queue = self.call.world.queue(self.name)
            params.update(
                {
                    "DialCallSid": self.member.call_sid,
                    "QueueSid": queue.sid,
                    "DequeingCallSid": self.call.identity.call_sid,
                }
            )
        if bridged:
            params["DialCallDuration"] = str(duration)
        url = resolve(self.call.doc_url, action)
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
