"""The sections of the application and which roles use them.

The navigation bar and each role's start page are built from registry.sections: the base
registers its own sections here, and each app registers its sections in its AppConfig.ready().
A section is shown only to the roles it names, and only when the user also holds its
permission (roles decide what a person may do)."""

from django.utils.translation import gettext_lazy as _

from . import registry
from .registry import Section
from .roles import Role

CASEWORK = frozenset(
    {Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN}
)


def register_base_sections():
    registry.sections.register(Section(
        url_name="statistics:index",
        label=_("Statistik"),
        description=_("Årsstatistik per verksamhetsdel med jämförelse med året före, "
                      "diagram och export till CSV och Excel. Stäng året när "
                      "årsrapporten är klar."),
        roles=frozenset({Role.MANAGER}),
        permission="prostenhet.view_statistics",
        order=5,
    ))
    registry.sections.register(Section(
        url_name="audit:access-log",
        label=_("Åtkomstlogg"),
        description=_("Granska vem som har läst vilka uppgifter: per person, klient och "
                      "period, utanför kontorstid, nödåtkomster och skyddade uppgifter."),
        roles=frozenset({Role.MANAGER}),
        permission="prostenhet.review_access_log",
        order=10,
    ))
    registry.sections.register(Section(
        url_name="staff:list",
        label=_("Personal"),
        description=_(
            "Skapa personalkonton, sätt roller, verksamhetsdelar och yrke, återställ "
            "tvåfaktorsinloggning och avaktivera konton."
        ),
        roles=frozenset({Role.SYSADMIN}),
        permission="prostenhet.manage_staff",
        order=90,
    ))


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
        for section in registry.sections
        if any(r in section.roles for r in roles) and section.is_for(user)
    ]
