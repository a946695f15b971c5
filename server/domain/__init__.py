"""The domain: the rules of a conversation (chat, pairing, supervision, absence, the alert channel, access),
testable without a socket. It calls the store, matching and escalation; it never imports the edge."""
