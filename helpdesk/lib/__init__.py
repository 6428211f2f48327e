"""Small helpers shared by every app, below all of them: the one rate limiter (with the
client address it counts by) and the upload handler that keeps non-UTF-8 file names."""
