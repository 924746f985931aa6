"""Forms for bookings (see clients/views/bookings.py)."""
