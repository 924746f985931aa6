"""The trafficking unit's views, one module per part (each lists its own urlpatterns)."""
