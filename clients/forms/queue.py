"""Forms for queue (see clients/views/queue.py)."""
