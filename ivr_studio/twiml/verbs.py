"""Twilio's voice verbs and nouns: their attributes (types, defaults, warning codes) and nesting rules.

Names are spelled exactly as Twilio spells them (camelCase, case-sensitive). The tables follow spec §1.7,
§2.1 and §4; codes follow §5.6. Verbs the local runtime does not execute are still *known* here, so a
document using them parses without a schema warning and the runtime can say "unsupported" instead.
"""

from __future__ import annotations

from ivr_studio.twiml import values as v
from ivr_studio.twiml.values import AttrSpec

GATHER_ATTRS: dict[str, AttrSpec] = {
    "action": AttrSpec(v.url, None, "13338"),
    "method": AttrSpec(v.http_method, "POST", "13312"),
    "timeout": AttrSpec(v.non_negative_int, 5, "13313"),
    "finishOnKey": AttrSpec(v.finish_on_key, "#", "13310"),
    "numDigits": AttrSpec(v.positive_int, None, "13314"),
    "input": AttrSpec(v.input_modes, frozenset({"dtmf"}), "13326"),
    "speechTimeout": AttrSpec(v.speech_timeout, None, "13327"),
    "maxSpeechTime": AttrSpec(v.positive_int, 60, "13328"),
    "actionOnEmptyResult": AttrSpec(v.boolean, False, "13338"),
    "language": AttrSpec(v.gather_language, "en-US", "13331"),
    "hints": AttrSpec(v.hints, None, "13330"),
    "profanityFilter": AttrSpec(v.boolean, True, "13333"),
    "speechModel": AttrSpec(v.speech_model, None, "13334"),
    "enhanced": AttrSpec(v.boolean, False, "12200"),
    "partialResultCallback": AttrSpec(v.url, None, "12200"),
    "partialResultCallbackMethod": AttrSpec(v.http_method, "POST", "13329"),
    "bargeIn": AttrSpec(v.boolean, True, "13332"),
    "debug": AttrSpec(v.boolean, False, "12200"),
}

SAY_ATTRS: dict[str, AttrSpec] = {
    "voice": AttrSpec(v.say_voice, "man", "13511"),
    "language": AttrSpec(v.language_tag, "en-US", "13512"),
    "loop": AttrSpec(v.non_negative_int, 1, "13510"),
}

PLAY_ATTRS: dict[str, AttrSpec] = {
    "loop": AttrSpec(v.non_negative_int, 1, "13410"),
    "digits": AttrSpec(v.play_digits, None, "13430"),
}

PAUSE_ATTRS: dict[str, AttrSpec] = {
    "length": AttrSpec(v.positive_int, 1, "13910"),
}

REDIRECT_ATTRS: dict[str, AttrSpec] = {
    "method": AttrSpec(v.http_method, "POST", "13710"),
}

REJECT_ATTRS: dict[str, AttrSpec] = {
    "reason": AttrSpec(v.one_of("rejected", "busy", case_sensitive=True), "rejected", "13810"),
}

_RECORDING_EVENTS = AttrSpec(v.any_text, None, "12200")

DIAL_ATTRS: dict[str, AttrSpec] = {
    "action": AttrSpec(v.url, None, "13210"),
    "method": AttrSpec(v.http_method, "POST", "13211"),
    "timeout": AttrSpec(v.positive_int, 30, "13212"),
    "hangupOnStar": AttrSpec(v.boolean, False, "13213"),
    "callerId": AttrSpec(v.any_text, None, "13214"),
    "timeLimit": AttrSpec(v.positive_int, 14400, "13216"),
    "record": AttrSpec(
        v.one_of(
            "do-not-record",
            "record-from-answer",
            "record-from-ringing",
            "record-from-answer-dual",
            "record-from-ringing-dual",
            "true",
            "false",
            case_sensitive=True,
        ),
        "do-not-record",
        "13217",
    ),
    "trim": AttrSpec(v.one_of("trim-silence", "do-not-trim", case_sensitive=True), "do-not-trim", "12200"),
    "recordingStatusCallback": AttrSpec(v.url, None, "12200"),
    "recordingStatusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
    "recordingStatusCallbackEvent": _RECORDING_EVENTS,
    "answerOnBridge": AttrSpec(v.boolean, False, "12200"),
    "ringTone": AttrSpec(v.any_text, None, "12200"),
    "recordingTrack": AttrSpec(v.one_of("both", "inbound", "outbound", case_sensitive=True), "both", "12200"),
    "sequential": AttrSpec(v.boolean, False, "12200"),
    "referUrl": AttrSpec(v.url, None, "12200"),
    "referMethod": AttrSpec(v.http_method, "POST", "12200"),
    "events": AttrSpec(v.any_text, None, "12200"),
}

RECORD_ATTRS: dict[str, AttrSpec] = {
    "action": AttrSpec(v.url, None, "12200"),
    "method": AttrSpec(v.http_method, "POST", "13610"),
    "timeout": AttrSpec(v.non_negative_int, 5, "13611"),
    "maxLength": AttrSpec(v.positive_int, 3600, "13612"),
    "finishOnKey": AttrSpec(v.record_finish_on_key, "1234567890*#", "13613"),
    "transcribe": AttrSpec(v.boolean, False, "13614"),
    "transcribeCallback": AttrSpec(v.url, None, "12200"),
    "playBeep": AttrSpec(v.boolean, True, "13615"),
    "trim": AttrSpec(v.one_of("trim-silence", "do-not-trim", case_sensitive=True), "trim-silence", "13616"),
    "recordingStatusCallback": AttrSpec(v.url, None, "12200"),
    "recordingStatusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
    "recordingStatusCallbackEvent": _RECORDING_EVENTS,
    "recordingChannels": AttrSpec(v.any_text, None, "12200"),
    "storageUrl": AttrSpec(v.url, None, "12200"),
    "storageUrlMethod": AttrSpec(v.http_method, "POST", "12200"),
}

_NOUN_URL_ATTRS: dict[str, AttrSpec] = {
    "url": AttrSpec(v.url, None, "12200"),
    "method": AttrSpec(v.http_method, "POST", "12200"),
    "statusCallback": AttrSpec(v.url, None, "12200"),
    "statusCallbackEvent": AttrSpec(v.any_text, None, "12200"),
    "statusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
}

#: <Dial><Conference> (Conference noun docs); maxParticipants at most 250.
CONFERENCE_ATTRS: dict[str, AttrSpec] = {
    "muted": AttrSpec(v.boolean, False, "12200"),
    "beep": AttrSpec(v.one_of("true", "false", "onEnter", "onExit", case_sensitive=True), "true", "12200"),
    "startConferenceOnEnter": AttrSpec(v.boolean, True, "12200"),
    "endConferenceOnExit": AttrSpec(v.boolean, False, "12200"),
    "waitUrl": AttrSpec(v.url, None, "12200"),
    "waitMethod": AttrSpec(v.http_method, "POST", "12200"),
    "maxParticipants": AttrSpec(v.positive_int_at_most(250), 250, "12200"),
    "record": AttrSpec(
        v.one_of("do-not-record", "record-from-start", case_sensitive=True), "do-not-record", "12200"
    ),
    "region": AttrSpec(v.any_text, None, "12200"),
    "trim": AttrSpec(v.one_of("trim-silence", "do-not-trim", case_sensitive=True), "trim-silence", "12200"),
    "coach": AttrSpec(v.any_text, None, "12200"),
    "participantLabel": AttrSpec(v.any_text, None, "12200"),
    "jitterBufferSize": AttrSpec(v.one_of("small", "medium", "large", "off"), "large", "12200"),
    "statusCallback": AttrSpec(v.url, None, "12200"),
    "statusCallbackEvent": AttrSpec(v.any_text, None, "12200"),
    "statusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
    "recordingStatusCallback": AttrSpec(v.url, None, "12200"),
    "recordingStatusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
    "recordingStatusCallbackEvent": AttrSpec(v.any_text, None, "12200"),
    "eventCallbackUrl": AttrSpec(v.url, None, "12200"),
}

#: <Dial><Queue>: ``url`` runs on the dequeued caller's leg before the two are connected (Queue noun docs).
QUEUE_NOUN_ATTRS: dict[str, AttrSpec] = {
    "url": AttrSpec(v.url, None, "12200"),
    "method": AttrSpec(v.http_method, "POST", "12200"),
    "reservationSid": AttrSpec(v.any_text, None, "12200"),
    "postWorkActivitySid": AttrSpec(v.any_text, None, "12200"),
}

#: <Enqueue> (spec §4.9; codes §5.6: 14201 method, 14202 waitUrl, 14203 action, 14205 waitUrlMethod).
ENQUEUE_ATTRS: dict[str, AttrSpec] = {
    "action": AttrSpec(v.url, None, "14203"),
    "method": AttrSpec(v.http_method, "POST", "14201"),
    "waitUrl": AttrSpec(v.url, None, "14202"),
    "waitUrlMethod": AttrSpec(v.http_method, "POST", "14205"),
    "workflowSid": AttrSpec(v.any_text, None, "12200"),
    # the queue's size when this Enqueue creates it (twilio-python's max_queue_size; 5,000 at most, 14207 docs)
    "maxQueueSize": AttrSpec(v.positive_int_at_most(5000), None, "12200"),
}

#: The longest queue name Twilio takes (spec §4.9).
QUEUE_NAME_MAX_CHARS = 64

DIAL_NOUN_ATTRS: dict[str, dict[str, AttrSpec]] = {
    "Number": {
        **_NOUN_URL_ATTRS,
        "sendDigits": AttrSpec(v.play_digits, None, "12200"),
        "byoc": AttrSpec(v.any_text, None, "12200"),
        "machineDetection": AttrSpec(v.any_text, None, "12200"),
        "amdStatusCallback": AttrSpec(v.url, None, "12200"),
        "amdStatusCallbackMethod": AttrSpec(v.http_method, "POST", "12200"),
        "machineDetectionTimeout": AttrSpec(v.positive_int, 30, "12200"),
    },
    "Client": {**_NOUN_URL_ATTRS},
    "Sip": {**_NOUN_URL_ATTRS, "username": AttrSpec(v.any_text), "password": AttrSpec(v.any_text)},
    "Sim": {**_NOUN_URL_ATTRS},
    "Application": {
        **_NOUN_URL_ATTRS,
        "customerId": AttrSpec(v.any_text),
        "copyParentTo": AttrSpec(v.any_text),
    },
    "Conference": CONFERENCE_ATTRS,
    "Queue": QUEUE_NOUN_ATTRS,
    "WhatsApp": {},
}

#: Attribute tables of the verbs we validate strictly. Others are known but not checked attribute by attribute.
VERB_ATTRS: dict[str, dict[str, AttrSpec]] = {
    "Gather": GATHER_ATTRS,
    "Say": SAY_ATTRS,
    "Play": PLAY_ATTRS,
    "Pause": PAUSE_ATTRS,
    "Redirect": REDIRECT_ATTRS,
    "Hangup": {},
    "Reject": REJECT_ATTRS,
    "Dial": DIAL_ATTRS,
    "Record": RECORD_ATTRS,
    "Enqueue": ENQUEUE_ATTRS,
    "Leave": {},
}

#: Every voice verb Twilio knows (twilio-python's VoiceResponse surface). Unknown names give 12200.
KNOWN_VERBS = frozenset(
    {
        *VERB_ATTRS,
        "Enqueue",
        "Leave",
        "Connect",
        "Start",
        "Stop",
        "Pay",
        "Prompt",
        "Refer",
        "Echo",
        "Queue",
        "Sms",
        "Siprec",
        "Stream",
    }
)

#: Verbs the local runtime executes; the rest are warned about and skipped (spec §1.5).
EXECUTABLE_VERBS = frozenset(VERB_ATTRS)

GATHER_CHILDREN = frozenset({"Say", "Play", "Pause"})

SSML_ELEMENTS = frozenset({"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"})

DIAL_NOUNS = frozenset(DIAL_NOUN_ATTRS)

#: Children each verb may have (spec §1.7). Missing verbs may have none.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    "Gather": GATHER_CHILDREN,
    "Say": SSML_ELEMENTS,
    "Dial": DIAL_NOUNS,
    "Hangup": frozenset({"Parameter"}),
    "Reject": frozenset({"Parameter"}),
    "Enqueue": frozenset({"Task"}),
    "Connect": frozenset(
        {"Stream", "Room", "Conversation", "VirtualAgent", "Autopilot", "Assistant", "ConversationRelay"}
    ),
    "Start": frozenset({"Stream", "Siprec", "Transcription"}),
    "Stop": frozenset({"Stream", "Siprec", "Transcription"}),
    "Pay": frozenset({"Prompt", "Parameter"}),
    "Prompt": frozenset({"Say", "Play", "Pause"}),
    "Refer": frozenset({"Sip"}),
}

#: Twilio's limit on the length of a TwiML document (spec §1.2, error 11750).
MAX_DOCUMENT_BYTES = 64 * 1024

#: The longest <Say> text for Twilio's basic voices (spec §4.1, 13521).
SAY_MAX_CHARS = 4096
