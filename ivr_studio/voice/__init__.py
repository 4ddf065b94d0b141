"""Voice I/O at the edge: recognisers, text to speech, media decoding, audio devices and DTMF."""
