"""Referrals between units: send, answer, withdraw, and each unit's incoming list."""

urlpatterns = []
