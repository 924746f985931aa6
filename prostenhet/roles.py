"""Staff roles (DESIGN §1). A role is a Django group of the same name; it decides what a
person may do. Which records they may see is decided by object permissions (access.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ASSISTANT = "office_assistant", _("Byråassistent")
    OUTREACH_WORKER = "outreach_worker", _("Uppsökare")
    COUNSELLOR = "counsellor", _("Samtalsbehandlare")
    CLINICIAN = "clinician", _("Kliniker")
    MANAGER = "manager", _("Enhetschef")
    SYSADMIN = "sysadmin", _("Systemförvaltare")


class UnitCode(models.TextChoices):
    COUNSELLING = "counselling", _("Mottagning och samtalsbehandling")
    OUTREACH = "outreach", _("Uppsökande arbete")
    SPIRALEN = "spiralen", _("Spiralen")
    TRAFFICKING = "trafficking", _("Människohandel")
    KAST = "kast", _("KAST")


class Profession(models.TextChoices):
    MIDWIFE = "midwife", _("Barnmorska")
    GYNAECOLOGIST = "gynaecologist", _("Gynekolog")
    PHYSICIAN = "physician", _("Läkare")
    PSYCHIATRIST = "psychiatrist", _("Psykiatriker")


# What each role may do, as model permissions ("app_label.codename"). The data migrations
# apply this; a later migration that adds a permission to a role adds it here too.
_CASEWORK = [
    "clients.view_client",
    "clients.add_client",
    "clients.change_client",
    "clients.record_consent",
]
_JOURNAL = ["clients.view_journal", "clients.change_journal", "clients.open_emergency_access"]


def _crud(model, *actions):
    return [f"clients.{action}_{model}" for action in actions or ("view", "add", "change")]


# Reception and counselling (clients/migrations/0012): bookings and rooms for those who book,
# visits for those who receive, the queue for the office assistant, contracts and goals for
# counsellors only.
_BOOKING = [*_crud("booking"), *_crud("room", "view"), *_crud("referral")]


def _spiralen(model, *actions):
    return [f"spiralen.{action}_{model}" for action in actions or ("view", "add", "change")]


# The clinic (spiralen/migrations/0002): clinicians keep the patient record, the hours and the
# appointment types; the office assistant and outreach workers book and see the clinic's times.
_CLINIC_BOOKING = [*_spiralen("appointment", "view", "add"), "spiralen.view_consultationhours"]
_CLINIC = [
    *_spiralen("appointment"), *_spiralen("consultationhours"), *_spiralen("hoursexception"),
    "spiralen.delete_hoursexception", *_spiralen("appointmenttype", "view", "change"),
    *_spiralen("encounter"), *_spiralen("sample"),
]



def _app(app, model, *actions):
    return [f"{app}.{action}_{model}" for action in actions or ("view", "add", "change")]


# Outreach (outreach/migrations/0002): the outreach workers' shifts, contacts, support actions,
# internet outreach and information work.
_OUTREACH = [
    *_app("outreach", "shift"), *_app("outreach", "contact"), *_app("outreach", "nickname"),
    *_app("outreach", "supportaction", "view", "add"), *_app("outreach", "internetsession"),
    *_app("outreach", "emailtemplate"), "outreach.add_emailhash", *_app("outreach", "infotalk"),
    "outreach.view_area", "outreach.view_materialkind",
]

# KAST (kast/migrations/0002): counsellors' calls, referral sources and buyer-outreach counts;
# the pages also ask that the counsellor works in KAST.
_KAST = [*_app("kast", "call"), *_app("kast", "kastprofile"), *_app("kast", "buyeroutreach")]

# Trafficking (trafficking/migrations/0002): the team's cases, raids, housing, authority
# contacts, deadlines and returns; the pages also ask that the user works in the unit.
_TRAFFICKING = [
    *(perm for model in ("traffickingcase", "raid", "housingplacement", "authoritycontact",
                         "deadline", "returnhome") for perm in _app("trafficking", model)),
    "trafficking.view_housingprovider",
]

ROLE_PERMISSIONS = {
    Role.OFFICE_ASSISTANT: [
        *_CASEWORK, "clients.merge_client", "clients.assign_counsellor", *_BOOKING,
        *_crud("visit"), *_crud("queueentry"), *_CLINIC_BOOKING,
    ],
    Role.OUTREACH_WORKER: [
        *_CASEWORK, *_JOURNAL, *_BOOKING, *_CLINIC_BOOKING, *_OUTREACH, *_TRAFFICKING,
    ],
    Role.COUNSELLOR: [
        *_CASEWORK, *_JOURNAL, "clients.assign_counsellor", *_BOOKING,
        *_crud("visit", "view", "change"), *_crud("sessioncontract"), *_crud("goal"), *_KAST,
        *_TRAFFICKING,
    ],
    Role.CLINICIAN: [
        *_CASEWORK, *_JOURNAL, *_BOOKING, *_crud("visit", "view", "change"), *_CLINIC,
    ],
    # Managers read case content only through emergency access (they join no unit group).
    Role.MANAGER: [
        "prostenhet.view_statistics",
        "prostenhet.review_access_log",
        # The weeding reports (prostenhet/migrations/0011).
        "prostenhet.view_weedingrun",
        "clients.view_client",
        "clients.view_journal",
        "clients.open_emergency_access",
        "clients.undo_merge",
        # The client's register extract (clients/migrations/0015).
        "clients.produce_register_extract",
    ],
    Role.SYSADMIN: [
        "prostenhet.view_user",
        "prostenhet.add_user",
        "prostenhet.change_user",
        "prostenhet.manage_staff",
    ],
}
