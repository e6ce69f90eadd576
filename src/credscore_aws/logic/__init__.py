"""What the service does, behind its Lambda handlers and API routes (no HTTP, no event shapes)."""
