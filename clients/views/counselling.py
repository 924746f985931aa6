"""Counsellors' work: session contracts, goals per term, session notes from a booking,
and "My day"."""

urlpatterns = []
