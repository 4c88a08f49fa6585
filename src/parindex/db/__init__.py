"""Database back-ends of parindex."""
