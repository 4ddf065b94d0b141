"""One module per group of TwiML verbs the runtime executes."""
