"""Weed the records that are due (DESIGN §5). A dry run by default: it changes nothing and
prints and stores the report (what would go, by which rule; what is kept, and why).
`--execute --by <manager>` weeds, one person per transaction, and stores the same report
as the executed weeding's. Records are named by their opaque id, never an identity number."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import weeding
from prostenhet.models import User
from prostenhet.roles import UnitCode


class Command(BaseCommand):
    help = "Weed records that are due by their regime's rules (a dry run unless --execute)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", default=True,
                          help="report what is due and change nothing (the default)")
        mode.add_argument("--execute", action="store_true", help="weed what is due")
        parser.add_argument("--by", help="the username of the manager who runs it "
                                         "(required with --execute)")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat,
                            help="apply the rules as of this day (default today)")
        parser.add_argument("--list", action="store_true", help="print every record")

    def handle(self, *args, execute, by, as_of, list, **options):  # noqa: A002
        user = None
        if by:
            user = User.objects.filter(username=by, is_active=True).first()
            if user is None or not user.has_perm("prostenhet.view_weedingrun"):
                raise CommandError(f"{by}: inget aktivt konto med rätt att gallra.")
        elif execute:
            raise CommandError("--execute kräver --by <användarnamn> (vem som gallrar).")
        if execute and as_of and as_of > timezone.localdate():
            raise CommandError("--execute gallrar aldrig i förväg: --as-of får inte vara "
                               "ett kommande datum.")
        run = weeding.run(execute=execute, as_of=as_of, by=user)
        self.stdout.write(
            (_("Gallring utförd") if execute else _("Provkörning (inget ändrat)"))
            + f" {run.as_of:%Y-%m-%d} (#{run.pk})"
        )
        units = dict(UnitCode.choices) | {weeding.REGISTER: _("Endast registeruppgifter")}
        for unit, total in sorted(run.totals.items()):
            kept = ", ".join(
                f"{weeding.KEEP_REASONS.get(reason, reason)}: {count}"
                for reason, count in sorted(total["kept"].items())
            )
            self.stdout.write(
                f"{units.get(unit, unit)} ({total['regime']}): "
                + _("förfallna %(due)d, gallras %(weeded)d, ej förfallna %(not_due)d")
                % total
                + (f"; {_('sparas')}: {kept}" if kept else "")
            )
        if run.removed:
            self.stdout.write(_("Borttaget:") + " " + ", ".join(
                f"{label} {count}" for label, count in weeding.removed_labels(run.removed)
            ))
        if run.failed:
            self.stdout.write(self.style.ERROR(
                _("Misslyckades (lämnade orörda): %(refs)s") % {"refs": ", ".join(run.failed)}
            ))
        if list:
            for record in run.records:
                action = (_("gallras") if record["weed"]
                          else weeding.KEEP_REASONS.get(record["reason"], record["reason"]))
                self.stdout.write(
                    f"{record['ref']} {record['unit']} {record['regime']} "
                    f"{record['last']} → {record['due_on']} "
                    f"{record['deadline'] or ''} {action} {record['detail']}".rstrip()
                )
