"""``<Dial><Conference>`` (spec §4.7; Twilio's Conference noun): the caller joins a named room and stays.

A conference starts once two participants are in and one of them has ``startConferenceOnEnter``; until then
the caller hears the ``waitUrl`` documents (Play, Say, Pause, Redirect; silence when they run out), Twilio's
default hold music without a ``waitUrl``, or silence with ``waitUrl=""``. The other participants come and go
by script steps (``conference: join | leave | end``). ``beep`` marks joins and leaves in the trace;
``maxParticipants`` refuses the caller from a full room (the Dial ends ``failed``); a participant with
``endConferenceOnExit`` who leaves ends the conference for everyone.

The caller's Dial ends when the conference ends, when the caller presses ``*`` (``hangupOnStar``) or at
``timeLimit``; its action request gets ``DialCallStatus=answered`` (Twilio's status for a conference), no
DialCallSid and no DialCallDuration. ``statusCallback`` with ``statusCallbackEvent`` of ``start end join
leave`` reports conference-start, conference-end, participant-join and participant-leave with Twilio's
conference parameters (a caller with ``coach`` is reported ``Coaching=true`` with the ``CallSidToCoach``);
``record="record-from-start"`` records the conference from its start.
"""

from __future__ import annotations

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.audio import silence
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import ConferenceEnds, Dtmf, Event, ParticipantJoins, ParticipantLeaves
from ivr_studio.runtime.recordings import RecordingCallbacks, save_recording
from ivr_studio.runtime.status_callbacks import parse_events
from ivr_studio.runtime.urls import resolve
from ivr_studio.runtime.verbs.inner import CONFERENCE_WAIT_VERBS, InnerDocuments
from ivr_studio.runtime.world import Participant, Room
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.twiml.rules import read_verb

#: statusCallbackEvent words and the StatusCallbackEvent each sends.
CONFERENCE_EVENTS = {
    "start": "conference-start",
    "end": "conference-end",
    "join": "participant-join",
    "leave": "participant-leave",
    "mute": "participant-mute",
    "hold": "participant-hold",
    "modify": "participant-modify",
    "speaker": "participant-speech-start",
    "announcement": "announcement-end",
}


class ConferenceActivity:
    """The caller in a conference room, until it ends for them."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.noun = next(n for n in el if n.tag == "Conference")
        self.conf = read_verb(self.noun)
        self.name = (self.noun.text or "").strip()
        self.room: Room | None = None
        self.me = Participant(
            "caller",
            call.identity.call_sid,
            self.conf["startConferenceOnEnter"],
            self.conf["endConferenceOnExit"],
            self.conf["muted"],
            caller=True,
            coaching=(self.conf["coach"] or "").strip(),
        )
        self.music: InnerDocuments | None = None
        self.timer: TimerHandle | None = None
        self.done = False
        self.bridged = False
        self.started_at: float | None = None
        self.sequence = 1
        self.events = self._callback_events()
        self.recording = RecordingCallbacks(call, self.conf.values, "Conference", "<Conference>")

    def _callback_events(self) -> frozenset[str]:
        if not self.conf["statusCallback"]:
            return frozenset()
        try:
            return parse_events(
                self.conf["statusCallbackEvent"] or "", CONFERENCE_EVENTS, "statusCallbackEvent"
            )
        except ValueError as exc:
            self.call.warn("12200", f"<Conference> {exc}; it was ignored")
            return frozenset()

    # ----- lifecycle -----
    def start(self) -> None:
        for d in (*self.attrs.diagnostics, *self.conf.diagnostics):
            self.call.warn(d.code, d.message)
        room = self.call.world.room(self.name)
        # the caller's maxParticipants bounds the room from now on (it holds no more than either says)
        room.max_participants = min(room.max_participants, self.conf["maxParticipants"])
        room.listeners.append(self._room_changed)
        self.room = room
        if not room.join(self.me):
            room.listeners.remove(self._room_changed)
            self.call.trace.emit(
                "conference",
                name=self.name,
                status="full",
                label="caller",
                participants=len(room.participants),
            )
            self._finish("failed", bridged=False)
            return
        self.timer = self.call.clock.call_later(self.attrs["timeLimit"], self._leave)
        if not room.started:
            self._wait()

    def _wait(self) -> None:
        """Wait music until the conference starts (§4.9 waitUrl; silence when its documents run out)."""
        url = self.conf["waitUrl"]
        if url is not None:
            url = resolve(self.call.doc_url, url) if url.strip() else ""
        self.music = InnerDocuments(
            self.call,
            url=url,
            method=self.conf["waitMethod"],
            allowed=CONFERENCE_WAIT_VERBS,
            what="waitUrl",
            on_end=self._music_over,
        )
        self.music.start()

    def _music_over(self, reason: str, diagnostic: Diagnostic | None) -> None:
        if reason == "error":  # the conference is not fully established (Conference docs)
            self._leave(status="failed")

    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        if isinstance(event, (ParticipantJoins, ParticipantLeaves, ConferenceEnds)):
            return event.conference in (None, self.name)
        if isinstance(event, Dtmf):
            return self.attrs["hangupOnStar"] and event.key == "*"
        return False

    def on_event(self, event: Event) -> None:
        room = self.room
        if room is None:
            return
        if isinstance(event, ParticipantJoins):
            participant = Participant.joining(event)
            if room.find(event.label) is None and not room.join(participant):
                self.call.trace.emit(
                    "conference",
                    name=self.name,
                    status="full",
                    label=event.label,
                    participants=len(room.participants),
                )
        elif isinstance(event, ParticipantLeaves):
            room.leave(event.label)
        elif isinstance(event, ConferenceEnds):
            room.end("conference-ended-via-api")
        elif isinstance(event, Dtmf):
            self._leave()  # hangupOnStar: the caller leaves the conference and goes on

    def on_caller_hangup(self) -> None:
        if not self.done and self.room is not None:
            self.done = True
            self._stop_music()
            self.room.leave("caller", "participant_hung_up")
            self._detach()

    def stop(self) -> None:
        self.done = True
        self._stop_music()
        if self.timer is not None:
            self.timer.cancel()
        self._detach()

    # ----- the room -----
    def _room_changed(self, what: str, participant: Participant | None, reason: str) -> None:
        room = self.room
        if room is None:
            return
        count = len(room.participants)
        if what in ("join", "leave") and participant is not None:
            status = (
                "joined"
                if participant.caller and what == "join"
                else "left"
                if participant.caller
                else f"participant_{what}"
            )
            beep = self.conf["beep"] in ("true", "onEnter" if what == "join" else "onExit")
            self.call.trace.emit(
                "conference",
                name=self.name,
                status=status,
                label=participant.label,
                participants=count,
                beep=beep and not participant.caller,
            )
            self._callback("join" if what == "join" else "leave", participant, reason)
        elif what == "start":
            self.started_at = self.call.clock.now()
            self.bridged = True
            self._stop_music()
            self.call.trace.emit(
                "conference", name=self.name, status="started", label=None, participants=count
            )
            self._callback("start")
            if self.conf["record"] == "record-from-start":
                self.recording.in_progress(self.recording_sid)
        elif what == "end":
            self.call.trace.emit(
                "conference", name=self.name, status="ended", label=None, participants=0, reason=reason
            )
            self._callback("end", participant, reason)
            self._record()
            if not self.done:
                self._finish("answered", bridged=self.bridged)

    @property
    def recording_sid(self) -> str:
        return f"RE{self.room.sid[2:]}" if self.room is not None else ""

    def _record(self) -> None:
        if self.conf["record"] != "record-from-start" or self.started_at is None or self.room is None:
            return
        seconds = self.call.clock.now() - self.started_at
        recording = save_recording(
            self.call.settings.recordings_dir, silence(seconds), sid=self.recording_sid
        )
        self.recording.completed(recording, {"ConferenceSid": self.room.sid})

    def _callback(self, event: str, participant: Participant | None = None, reason: str = "") -> None:
        if event not in self.events or self.room is None:
            return
        params = {
            "ConferenceSid": self.room.sid,
            "FriendlyName": self.name,
            "AccountSid": self.call.identity.account_sid,
            "SequenceNumber": str(self.sequence),
            "Timestamp": self.call.wall.timestamp(),
            "StatusCallbackEvent": CONFERENCE_EVENTS[event],
        }
        self.sequence += 1
        if event in ("join", "leave") and participant is not None:
            params.update(
                {
                    "CallSid": participant.call_sid,
                    "Muted": _bool(participant.muted),
                    "Hold": "false",
                    "Coaching": _bool(bool(participant.coaching)),
                    "EndConferenceOnExit": _bool(participant.end_on_exit),
                    "StartConferenceOnEnter": _bool(participant.start_on_enter),
                }
            )
            if participant.coaching:
                params["CallSidToCoach"] = participant.coaching
            if participant.caller and self.conf["participantLabel"]:
                params["ParticipantLabel"] = self.conf["participantLabel"]
            if event == "leave":
                params["ReasonParticipantLeft"] = reason or "participant_hung_up"
        if event == "end":
            params["ReasonConferenceEnded"] = reason
            params["Reason"] = _REASONS.get(reason, reason)
            if participant is not None:
                params["CallSidEndingConference"] = participant.call_sid
        url = resolve(self.call.doc_url, self.conf["statusCallback"])
        self.call.send_callback(
            url,
            self.conf["statusCallbackMethod"],
            params,
            kind="statusCallback",
            with_call_params=False,
            keep=True,
        )

    # ----- the end -----
    def _stop_music(self) -> None:
        if self.music is not None:
            self.music.stop()
            self.music = None

    def _detach(self) -> None:
        if self.room is not None and self._room_changed in self.room.listeners:
            self.room.listeners.remove(self._room_changed)

    def _leave(self, status: str = "answered") -> None:
        """The caller leaves (``*``, timeLimit, failed wait music): the conference goes on without them."""
        if self.done or self.room is None:
            return
        bridged = self.bridged
        self.done = True
        self._stop_music()
        self.room.leave("caller", "participant_updated_via_api")
        self._detach()
        self.done = False
        self._finish(status, bridged)

    def _finish(self, status: str, bridged: bool) -> None:
        if self.done:
            return
        self.stop()
        action = self.attrs["action"]
        if not action:
            self.call.verb_done(self, None)
            return
        params = {"DialCallStatus": status, "DialBridged": _bool(bridged)}
        url = resolve(self.call.doc_url, action)
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))


_REASONS = {
    "conference-ended-via-api": "Conference ended via API",
    "last-participant-left": "Last participant left the conference",
    "participant-with-end-conference-on-exit-left": "Participant with endConferenceOnExit left the conference",
}


def _bool(value: bool) -> str:
    return "true" if value else "false"
