"""Counselling's and KAST's work with a client: session contracts and their weekly
bookings, goals per term and their evaluation, session notes from a booking."""
