"""Process plumbing: periodic jobs and the leader lock, heartbeats, watchers, the Socket.IO manager,
embedded PostgreSQL/Redis, Redis client options. It keeps the domain running; it holds no rule."""
