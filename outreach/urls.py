from .views import information, internet, shifts, support

app_name = "outreach"

urlpatterns = [
    *shifts.urlpatterns, *support.urlpatterns, *internet.urlpatterns, *information.urlpatterns,
]
