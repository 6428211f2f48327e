"""Is the desk running? /healthz, the heartbeat of beat and the worker, the admin's banner."""
