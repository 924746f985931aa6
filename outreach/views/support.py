"""Support and coordination (issue 10): a registered client's page in outreach (the contacts
the team had with the client and the support actions of the outreach journal, with the ways to
book a first clinic time on Spiralen and to record a support action), and the "Stöd och
samordning" form that writes and signs the journal entry. Both show the client's record: the
read is logged first. Out of scope (not an outreach client the user may read) → 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from clients import access, audit
from clients.models import EntryState, JournalEntry
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from .. import services
from ..forms import SupportActionForm
from ..models import Contact, SupportKind
from .common import FORM_PAGE, form_error, post_data, team_required

PAGE_SIZE = 25
ACTIONS_SHOWN = 20


@team_required("outreach.view_contact")
def client_overview(request, client_id):
    client = access.get_client_or_404(request, client_id)
    journal = access.get_journal_or_404(request, client, UnitCode.OUTREACH)
    contacts = (
        Contact.objects.filter(client=client).select_related("shift", "recorded_by")
        .order_by("-at", "-pk")
    )
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    actions = list(
        JournalEntry.objects.filter(journal__client=client, journal__unit=UnitCode.OUTREACH,
                                    state=EntryState.SIGNED, support_action__isnull=False)
        .select_related("support_action", "author")
        .order_by("-event_date", "-written_at", "-pk")[:ACTIONS_SHOWN]
    )
    audit.log_read(request, client)
    return render(request, "outreach/support/client.html", {
        "client": client, "journal": journal, "page": page, "actions": actions,
        "book_url": reverse("spiralen:book") + f"?client={client.public_id}",
        "can_book": request.user.has_perm("spiralen.add_appointment"),
        "can_support": journal.may_write
        and request.user.has_perm("outreach.add_supportaction"),
    })


@team_required("outreach.add_supportaction")
def support_create(request, client_id):
    """A support action: written and signed at once in the client's outreach journal."""
    client = access.get_client_or_404(request, client_id, follow_merge=False)
    journal = access.get_journal_or_404(request, client, UnitCode.OUTREACH, write=True)
    initial = {}
    if request.GET.get("kind") in SupportKind.values:
        initial["kind"] = request.GET["kind"]
    form = SupportActionForm(post_data(request), initial=initial)
    if form.is_valid():
        try:
            services.record_support_action(journal=journal, by=request.user,
                                           **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Stödinsatsen är signerad i journalen."))
            return redirect("outreach:client", client_id=client.public_id)
    audit.log_read(request, client)
    return render(request, FORM_PAGE, {
        "form": form, "title": _("Stöd och samordning: %(alias)s") % {"alias": client.alias},
        "text": _("Bokning av första tid på Spiralen, kontakt med en annan myndighet eller "
                  "att ni följt med till ett möte. Skrivs i klientens journal i uppsökande "
                  "arbetet."),
        "back_url": reverse("outreach:client", args=[client.public_id]),
        "back_label": client.alias,
    })


urlpatterns = [
    path("klient/<uuid:client_id>/", client_overview, name="client"),
    path("klient/<uuid:client_id>/stod/", support_create, name="support-create"),
]
