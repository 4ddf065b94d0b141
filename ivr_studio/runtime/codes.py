"""The runtime's own diagnostic codes, for things Twilio has no code for (Twilio's codes are used where it has one)."""

LOOP_WARNING = "IVR901"  # the same URL fetched N times in a row (§2.10)
LOOP_STOPPED = "IVR902"  # the call was stopped because it loops without end
REDIRECT_DROPPED_INPUT = "IVR903"  # POST→GET on 301/302/303 lost Digits/SpeechResult (§2.11)
UNSUPPORTED_VERB = "IVR904"  # a known verb the local runtime does not execute (§1.5)
MAX_DURATION = "IVR905"  # the call hit the configured maximum duration
CONNECTION_OVERRIDE = "IVR906"  # a bad #ct/#rt/#tt/#rc fragment value (§1.2)
REJECT_AFTER_ANSWER = "IVR907"  # <Reject> after the call was answered acts as <Hangup> (§4.6)
NO_RECOGNIZER = "IVR908"  # speech audio arrived but no recogniser is available
TRANSCRIPTION_FAILED = "IVR920"  # <Record transcribe>: the recogniser could not transcribe the recording
NOT_TRANSCRIBED = (
    "IVR921"  # <Record transcribe>: a recording of 2 s or less, or 120 s or more, is not transcribed
)
WAIT_MUSIC_TOOK_NO_TIME = "IVR922"  # an <Enqueue> wait document ran out at once; not requested again at once
LEAVE_OUTSIDE_QUEUE = "IVR923"  # a <Leave> outside a queue's wait music has no queue to leave
