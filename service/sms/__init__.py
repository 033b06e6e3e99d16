"""The SMS channel: Kannel, Twilio and JSON webhooks, the forgiving command grammar, and replies
that fit one SMS."""
