"""Day and week calendars per staff member and per room; booking, moving, cancelling and
marking bookings."""

urlpatterns = []
