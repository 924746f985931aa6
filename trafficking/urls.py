from .views import cases, raids

app_name = "trafficking"

urlpatterns = [*cases.urlpatterns, *raids.urlpatterns]
