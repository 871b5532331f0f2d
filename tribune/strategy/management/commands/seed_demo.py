from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo workspace (temporary placeholder)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")

    def handle(self, *args, **options):
        pass
