from .views import bookings, records

app_name = "spiralen"

urlpatterns = [*bookings.urlpatterns, *records.urlpatterns]
