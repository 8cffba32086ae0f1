"""Transports: adapt one HTTP stack to a handler (requests via responses, httpx, a live server)."""
