from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProstenhetConfig(AppConfig):
    name = "prostenhet"
    verbose_name = _("Prostitutionsenheten")

    def ready(self):
        from auditlog.registry import auditlog
        from django.apps import apps

        from . import (
            benchmark,
            checks,  # noqa: F401  (registers the deployment checks)
            demo,
            registry,
        )
        from .lib.choices import speed_up_choice_labels
        from .models import ClosedYear, User, WeedingRun
        from .navigation import register_base_sections
        from .registry import BenchmarkPart, DemoSeeder

        register_base_sections()
        # Every model's get_FOO_display() (lists show a status or a kind on every row).
        speed_up_choice_labels(apps.get_models())
        # The statistics page's timings, after every app's rows are written.
        registry.benchmarks.register(BenchmarkPart(
            key="statistics", generate=benchmark.generate, order=1000,
        ))
        # The demo's closed year, after every app's history is written.
        registry.demo_seeders.register(DemoSeeder(
            key="statistics", seed=demo.seed_closed_year, order=1000,
        ))

        # Staff accounts are audited like client data: who changed whose roles, and when.
        auditlog.register(
            User,
            exclude_fields=["password", "last_login", "session_stamp"],
            m2m_fields={"groups", "units"},
        )
        # Who closed and who reopened a year's statistics, and why, in the change log (the
        # figures themselves are aggregates and never change).
        auditlog.register(ClosedYear, exclude_fields=["tables"])
        # An executed weeding stays in the change log: when, by whom, the rules and the
        # counts; never the records (opaque ids only live in the run's own report).
        auditlog.register(WeedingRun, exclude_fields=["records", "failed"])
