"""Routes: each parses its input, calls one service (or query), and returns an output schema."""
