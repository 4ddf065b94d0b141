"""Twilio Studio's voice widgets: their types, transition events and the properties that map onto TwiML.

Written from Studio's widget documentation (Say/Play, Gather Input on Call, Split Based On, Connect Call
To, Record Voicemail, TwiML Redirect, Enqueue Call …) and checked against flow definitions exported from
Studio. Import and export read the same tables, so a property is spelled one way in both directions.
Properties are Studio's (snake_case); attributes are Twilio's TwiML names, as the flow model keeps them.
"""

from __future__ import annotations

TRIGGER = "trigger"
SAY_PLAY = "say-play"
GATHER = "gather-input-on-call"
SPLIT = "split-based-on"
CONNECT = "connect-call-to"
RECORD = "record-voicemail"
REDIRECT = "add-twiml-redirect"
SET_VARIABLES = "set-variables"
HTTP_REQUEST = "make-http-request"
ENQUEUE = "enqueue-call"

#: The first line of a placeholder node's notes; the widget's JSON follows (Studio export writes it back).
PLACEHOLDER_MARKER = "Studio widget kept as it was (IVR Studio cannot run it; a local call ends here):"

#: The trigger's events, as Studio writes them; only ``incomingCall`` starts a voice call.
TRIGGER_EVENTS = (
    "incomingMessage",
    "incomingCall",
    "incomingConversationMessage",
    "incomingRequest",
    "incomingParent",
)

#: Every widget type Studio documents, with its transition events (in Studio's order).
WIDGET_EVENTS: dict[str, tuple[str, ...]] = {
    TRIGGER: TRIGGER_EVENTS,
    SAY_PLAY: ("audioComplete",),
    GATHER: ("keypress", "speech", "timeout"),
    SPLIT: ("noMatch", "match"),
    CONNECT: ("callCompleted", "hangup"),
    RECORD: ("recordingComplete", "noAudio", "hangup"),
    REDIRECT: ("return", "timeout", "fail"),
    SET_VARIABLES: ("next",),
    HTTP_REQUEST: ("success", "failed"),
    ENQUEUE: ("callComplete", "failedToEnqueue", "callFailure"),
    "run-function": ("success", "fail"),
    "send-to-flex": ("callComplete", "failedToEnqueue", "callFailure"),
    "capture-payments": (
        "success",
        "maxFailedAttempts",
        "providerError",
        "payInterrupted",
        "hangup",
        "validationError",
    ),
    "connect-virtual-agent": ("hangup", "return"),
    "send-message": ("sent", "failed"),
    "send-and-wait-for-reply": ("incomingMessage", "timeout", "deliveryFailure"),
    "make-outgoing-call-v2": ("answered", "busy", "noAnswer", "failed"),
    "run-subflow": ("completed", "failed"),
    "fork-stream": ("next",),
    "send-to-autopilot": ("sessionEnded", "failure", "timeout"),
}

#: Say/Play (and the Gather's message): Studio property → TwiML attribute of the Say or Play.
SAY_PROPERTIES = {"voice": "voice", "language": "language", "loop": "loop"}
PLAY_PROPERTIES = {"loop": "loop"}

#: Gather Input on Call: Studio property → Gather attribute.
GATHER_PROPERTIES = {
    "timeout": "timeout",
    "finish_on_key": "finishOnKey",
    "number_of_digits": "numDigits",
    "speech_timeout": "speechTimeout",
    "gather_language": "language",
    "speech_model": "speechModel",
    "hints": "hints",
    "profanity_filter": "profanityFilter",
    "barge_in": "bargeIn",
    "enhanced": "enhanced",
    "max_speech_time": "maxSpeechTime",
}

#: Connect Call To: Studio property → Dial attribute.
CONNECT_PROPERTIES = {
    "caller_id": "callerId",
    "timeout": "timeout",
    "record": "record",
    "time_limit": "timeLimit",
}

#: Record Voicemail: Studio property → Record attribute.
RECORD_PROPERTIES = {
    "max_length": "maxLength",
    "timeout": "timeout",
    "finish_on_key": "finishOnKey",
    "play_beep": "playBeep",
    "trim": "trim",
    "transcribe": "transcribe",
}

#: Enqueue Call: Studio property → Enqueue attribute (the queue's name is the node's text).
ENQUEUE_PROPERTIES = {
    "wait_url": "waitUrl",
    "wait_url_method": "waitUrlMethod",
    "workflow_sid": "workflowSid",
}

#: Split Based On's condition types (the operators of a case).
SPLIT_OPERATORS = (
    "equal_to",
    "not_equal_to",
    "matches_any_of",
    "does_not_match_any_of",
    "is_blank",
    "is_not_blank",
    "regex",
    "contains",
    "does_not_contain",
    "starts_with",
    "does_not_start_with",
    "less_than",
    "greater_than",
    "is_before_time",
    "is_after_time",
    "is_before_date",
    "is_after_date",
)
