"""Who someone is and what they may spend: tokens and passwords, identities, revocation, abuse limits,
client addresses, message encryption at rest, and the per-socket session."""
