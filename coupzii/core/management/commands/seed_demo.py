"""Load demo data: each installed app with a `demo` module seeds its part, in app order."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create demo data (idempotent: running it again adds nothing that exists)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (demo users have published passwords).",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo users have known passwords. Use --force.")
        # INSTALLED_APPS lists apps in dependency order, so merchants exist before offers.
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            # No transaction around a seeder: money and code services open their own durable
            # ones. Seeders are idempotent, so a failed run is simply run again.
            import_module(module_name).seed(self._log(app_config.label))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _log(self, label: str):
        return lambda line: self.stdout.write(f"  {label}: {line}")
