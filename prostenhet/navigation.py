"""The sections of the application and which roles use them.

The navigation bar and each role's start page are built from SECTIONS; a unit app that adds a
screen adds its section here. A section is shown only to the roles it names, and only when the
user also holds its permission (roles decide what a person may do)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .roles import Role


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    description: str
    roles: frozenset
    permission: str | None = None

    def is_for(self, user):
        if not any(role in self.roles for role in user.roles):
            return False
        return self.permission is None or user.has_perm(self.permission)


CASEWORK = frozenset(
    {Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN}
)

SECTIONS = [
    Section(
        url_name="clients:client-search",
        label=_("Klienter"),
        description=_("Sök och registrera klienter, skriv in dem i verksamhetsdelar och "
                      "öppna deras journaler."),
        roles=CASEWORK,
        permission="clients.view_client",
    ),
    Section(
        url_name="audit:access-log",
        label=_("Åtkomstlogg"),
        description=_("Granska vem som har läst vilka uppgifter: per person, klient och "
                      "period, utanför kontorstid, nödåtkomster och skyddade uppgifter."),
        roles=frozenset({Role.MANAGER}),
        permission="prostenhet.review_access_log",
    ),
    Section(
        url_name="clients:merge-list",
        label=_("Sammanslagningar"),
        description=_("Se sammanslagna dubbletter och ångra en sammanslagning."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.undo_merge",
    ),
    Section(
        url_name="clients:emergency-search",
        label=_("Nödåtkomst"),
        description=_("Öppna en journal utanför dina behörigheter, med skäl. Loggas och "
                      "granskas."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.open_emergency_access",
    ),
    Section(
        url_name="staff:list",
        label=_("Personal"),
        description=_(
            "Skapa personalkonton, sätt roller, verksamhetsdelar och yrke, återställ "
            "tvåfaktorsinloggning och avaktivera konton."
        ),
        roles=frozenset({Role.SYSADMIN}),
        permission="prostenhet.manage_staff",
    ),
]

# What each role does in the unit (DESIGN §1), shown on the role's start page.
ROLE_DESCRIPTIONS = {
    Role.OFFICE_ASSISTANT: _(
        "Du tar emot alla som kommer till enheten, registrerar besök, håller kön till "
        "samtalsbehandling och bokar tider på mottagningen."
    ),
    Role.OUTREACH_WORKER: _(
        "Du dokumenterar uppsökande pass och kontakter på gatan och på internet och bokar "
        "första besök på Spiralen."
    ),
    Role.COUNSELLOR: _(
        "Du har regelbundna samtal med dina klienter, skriver och signerar "
        "journalanteckningar och följer upp mål varje termin."
    ),
    Role.CLINICIAN: _(
        "Du tar emot patienter på Spiralen, bokar undersökningar och följer upp provsvar."
    ),
    Role.MANAGER: _(
        "Du tar fram årsstatistik för verksamheten och granskar åtkomstloggen."
    ),
    Role.SYSADMIN: _(
        "Du administrerar personalkonton och roller. Du har ingen åtkomst till klientuppgifter."
    ),
}


def sections_for(user, role=None):
    """The sections the user may use, optionally only those of one role."""
    roles = [role] if role else user.roles
    return [
        section
        for section in SECTIONS
        if any(r in section.roles for r in roles) and section.is_for(user)
    ]
