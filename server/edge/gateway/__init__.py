"""The Socket.IO gateway: one module per namespace. Validate, call the domain, emit; no rules here."""
