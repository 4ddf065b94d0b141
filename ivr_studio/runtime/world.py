"""The world around one emulated call: the account's conference rooms and call queues, and the other people
in them.

The runtime emulates one caller; everyone else — agents, other callers — is simulated by script steps or the
test-call panel, as :mod:`~ivr_studio.runtime.events` ``ParticipantJoins``, ``ParticipantLeaves``,
``ConferenceEnds``, ``Dequeue`` and ``QueueCaller``. Rooms and queues are created on demand by name, as
Twilio creates them. The verb the caller is in (``<Dial><Conference>``, ``<Enqueue>``) listens to its room or
queue; an event no verb takes changes the world directly (another caller queues up before ours does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ivr_studio.runtime.events import (
    ConferenceEnds,
    Dequeue,
    ParticipantJoins,
    ParticipantLeaves,
    QueueCaller,
    WorldEvent,
)
from ivr_studio.runtime.params import new_sid

#: Twilio's largest conference (Conference noun docs).
MAX_PARTICIPANTS = 250


@dataclass
class Participant:
    """Someone in a conference room; ``caller`` marks the emulated caller."""

    label: str
    call_sid: str
    start_on_enter: bool = True
    end_on_exit: bool = False
    muted: bool = False
    caller: bool = False
    coaching: str = ""  # the CallSid of the participant this one coaches (only they hear them), if any

    @classmethod
    def joining(cls, event: ParticipantJoins) -> Participant:
        """The participant a script's ``ParticipantJoins`` step brings in, with a new CallSid."""
        return cls(
            event.label,
            new_sid("CA"),
            event.start_conference_on_enter,
            event.end_conference_on_exit,
            event.muted,
        )


RoomListener = Callable[[str, "Participant | None", str], None]


@dataclass
class Room:
    """A named conference. It starts once two participants are in and one has ``start_on_enter``, and ends
    when a participant with ``end_on_exit`` leaves, the last one leaves, or it is ended from outside.

    Listeners hear ``(what, participant, reason)``: ``join``, ``leave``, ``start``, ``end``.
    """

    name: str
    sid: str = field(default_factory=lambda: new_sid("CF"))
    participants: list[Participant] = field(default_factory=list)
    max_participants: int = MAX_PARTICIPANTS
    started: bool = False
    ended: bool = False
    listeners: list[RoomListener] = field(default_factory=list)

    def _tell(self, what: str, participant: Participant | None = None, reason: str = "") -> None:
        for listener in list(self.listeners):
            listener(what, participant, reason)

    def find(self, label: str) -> Participant | None:
        return next((p for p in self.participants if p.label == label), None)

    def join(self, participant: Participant) -> bool:
        """Add ``participant``; False when the room is full (or over)."""
        if self.ended or len(self.participants) >= self.max_participants:
            return False
        self.participants.append(participant)
        self._tell("join", participant)
        if (
            not self.started
            and len(self.participants) >= 2
            and any(p.start_on_enter for p in self.participants)
        ):
            self.started = True
            self._tell("start")
        return True

    def leave(self, label: str, reason: str = "participant_hung_up") -> Participant | None:
        participant = self.find(label)
        if participant is None or self.ended:
            return None
        self.participants.remove(participant)
        self._tell("leave", participant, reason)
        if participant.end_on_exit:
            self.end("participant-with-end-conference-on-exit-left", participant)
        elif not self.participants:
            self.end("last-participant-left", participant)
        return participant

    def end(self, reason: str, by: Participant | None = None) -> None:
        if self.ended:
            return
        self.ended = True
        self._tell("end", by, reason)
        self.participants.clear()


@dataclass
class Member:
    """Someone waiting in a call queue since ``since`` (call time); ``caller`` marks the emulated caller."""

    label: str
    call_sid: str
    since: float
    duration: float = 0.0  # how long they talk to whoever dequeues them (simulated callers)
    caller: bool = False


QueueListener = Callable[[str, "Member", Any], None]


@dataclass
class CallQueue:
    """A named call queue, first in first out; ``max_size`` is Twilio's default of 1,000 unless set."""

    name: str
    max_size: int = 1000
    sid: str = field(default_factory=lambda: new_sid("QU"))
    members: list[Member] = field(default_factory=list)
    listeners: list[QueueListener] = field(default_factory=list)

    def add(self, member: Member) -> bool:
        if len(self.members) >= self.max_size:
            return False
        self.members.append(member)
        return True

    def position(self, member: Member) -> int:
        return self.members.index(member) + 1

    def average_wait(self, now: float) -> float:
        """Twilio's AvgQueueTime: how long the callers now in the queue have waited, on average."""
        if not self.members:
            return 0.0
        return sum(now - m.since for m in self.members) / len(self.members)

    def dequeue(self, how: Dequeue) -> Member | None:
        """The first caller leaves the queue to be bridged; listeners hear ``("dequeued", member, how)``."""
        if not self.members:
            return None
        member = self.members.pop(0)
        for listener in list(self.listeners):
            listener("dequeued", member, how)
        for listener in list(self.listeners):  # the others moved up
            for other in self.members:
                listener("moved", other, None)
        return member

    def remove(self, member: Member) -> None:
        if member in self.members:
            self.members.remove(member)


class World:
    """The rooms and queues of one call's account; ``emit`` traces what changes outside the caller's verb."""

    def __init__(
        self, now: Callable[[], float], emit: Callable[..., Any], max_queue_size: int = 1000
    ) -> None:
        self.now = now
        self.emit = emit
        self.max_queue_size = max_queue_size
        self.rooms: dict[str, Room] = {}
        self.queues: dict[str, CallQueue] = {}
        #: Why the last event :meth:`apply` was given had no effect ("" when it had one).
        self.refusal = ""

    def room(self, name: str) -> Room:
        """The conference called ``name``; one that ended is replaced by a new one, as on Twilio."""
        room = self.rooms.get(name)
        if room is None or room.ended:
            room = self.rooms[name] = Room(name)
        return room

    def queue(self, name: str) -> CallQueue:
        """The queue called ``name``, created on demand holding at most ``max_queue_size`` callers."""
        queue = self.queues.get(name)
        if queue is None:
            queue = self.queues[name] = CallQueue(name, self.max_queue_size)
        return queue

    def apply(self, event: WorldEvent) -> str:
        """Apply an event no verb of the caller's took; returns why it had no effect, or "" when it had one
        (also kept in :attr:`refusal`)."""
        self.refusal = self._apply(event)
        return self.refusal

    def _apply(self, event: WorldEvent) -> str:
        if isinstance(event, QueueCaller):
            member = Member(
                event.label or f"caller {len(self.queue(event.queue).members) + 1}",
                new_sid("CA"),
                self.now(),
                event.duration,
            )
            if not self.queue(event.queue).add(member):
                return f"queue {event.queue!r} is full"
            self.emit(
                "queue",
                name=event.queue,
                status="caller_joined",
                label=member.label,
                position=self.queue(event.queue).position(member),
            )
            return ""
        if isinstance(event, Dequeue):
            if event.queue is None or not self.queue(event.queue).members:
                return (
                    "the caller is in no queue" if event.queue is None else f"queue {event.queue!r} is empty"
                )
            member = self.queue(event.queue).dequeue(event)
            self.emit("queue", name=event.queue, status="dequeued", label=member.label if member else None)
            return ""
        name = event.conference
        if name is None:
            return "the caller is in no conference, and the step names none"
        room = self.room(name)
        if isinstance(event, ParticipantJoins):
            participant = Participant.joining(event)
            if room.find(event.label) is not None:
                return f"{event.label!r} is already in conference {name!r}"
            if not room.join(participant):
                return f"conference {name!r} is full"
            self.emit(
                "conference",
                name=name,
                status="participant_join",
                label=event.label,
                participants=len(room.participants),
            )
            return ""
        if isinstance(event, ParticipantLeaves):
            if room.leave(event.label) is None:
                return f"{event.label!r} is not in conference {name!r}"
            self.emit(
                "conference",
                name=name,
                status="participant_leave",
                label=event.label,
                participants=len(room.participants),
            )
            return ""
        if isinstance(event, ConferenceEnds):
            if not room.participants:
                return f"conference {name!r} has nobody in it"
            room.end("conference-ended-via-api")
            self.emit("conference", name=name, status="ended", label=None, participants=0)
            return ""
        return "nothing in the world around the call takes it"
