"""The edge: HTTP routes, the Socket.IO namespaces and their payloads, static files, OpenAPI, and the
frame-level guards. It parses, calls the domain, and serialises what the domain returns; no rule lives here."""
