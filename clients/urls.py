from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_search, name="client-search"),
    path("ny/", views.client_create, name="client-create"),
    path("ny/finns/<str:key>/", views.client_enrol_existing, name="client-enrol-existing"),
    path("nodatkomst/", views.emergency_search, name="emergency-search"),
    path("sammanslagningar/", views.merge_list, name="merge-list"),
    path("gallring/", views.weeding.weeding_index, name="weeding"),
    path("gallring/provkorning/", views.weeding.weeding_dry_run, name="weeding-dry-run"),
    path("gallring/<int:pk>/", views.weeding.weeding_run, name="weeding-run"),
    path("sammanslagningar/<int:merge_id>/angra/", views.merge_undo, name="merge-undo"),
    path("<uuid:public_id>/", views.client_detail, name="client-detail"),
    path("<uuid:public_id>/andra/", views.client_update, name="client-update"),
    path("<uuid:public_id>/inskrivning/", views.enrollment_create, name="enrollment-create"),
    path(
        "<uuid:public_id>/inskrivning/<str:unit>/avsluta/",
        views.enrollment_end, name="enrollment-end",
    ),
    path("<uuid:public_id>/samtycke/", views.consent_create, name="consent-create"),
    path(
        "<uuid:public_id>/samtycke/<int:consent_id>/aterkalla/",
        views.consent_revoke, name="consent-revoke",
    ),
    path("<uuid:public_id>/journal/<str:unit>/", views.journal_detail, name="journal"),
    path(
        "<uuid:public_id>/journal/<str:unit>/utskrift/",
        views.journal_print, name="journal-print",
    ),
    path("<uuid:public_id>/journal/<str:unit>/pdf/", views.journal_pdf, name="journal-pdf"),
    path("<uuid:public_id>/journal/<str:unit>/ny/", views.entry_create, name="entry-create"),
    path(
        "<uuid:public_id>/journal/<str:unit>/behandlare/",
        views.assignment_create, name="assignment-create",
    ),
    path(
        "<uuid:public_id>/tilldelning/<int:assignment_id>/avsluta/",
        views.assignment_end, name="assignment-end",
    ),
    path("<uuid:public_id>/nodatkomst/", views.emergency_open, name="emergency-open"),
    path("<uuid:public_id>/sla-samman/", views.merge_search, name="merge-search"),
    path(
        "<uuid:public_id>/sla-samman/<uuid:other_id>/",
        views.merge_confirm, name="merge-confirm",
    ),
    path("anteckning/<uuid:entry_id>/", views.entry_detail, name="entry-detail"),
    path("anteckning/<uuid:entry_id>/redigera/", views.entry_edit, name="entry-edit"),
    path("anteckning/<uuid:entry_id>/autospara/", views.entry_autosave, name="entry-autosave"),
    path("anteckning/<uuid:entry_id>/signera/", views.entry_sign, name="entry-sign"),
    path("anteckning/<uuid:entry_id>/ratta/", views.entry_correct, name="entry-correct"),
    path("anteckning/<uuid:entry_id>/kasta/", views.entry_discard, name="entry-discard"),
    path("<uuid:public_id>/atkomstlogg/", views.access_log_extract, name="access-log-extract"),
]
# Each part of the work lists its own patterns (clients/views/<part>.py).
for part in (views.reception, views.queue, views.bookings, views.referrals, views.counselling,
             views.extracts):
    urlpatterns += part.urlpatterns
