"""Typed shapes at the edges: API requests/responses and the input/output of every state."""
