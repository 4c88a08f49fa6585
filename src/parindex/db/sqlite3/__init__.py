"""The embedded SQLite database (see `base`)."""
