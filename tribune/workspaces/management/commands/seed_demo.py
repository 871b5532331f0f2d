"""`tribune seed_demo [--if-empty]`: create the demo workspace and print its owner's login."""

import os

from django.core.management.base import BaseCommand, CommandError

from tribune.workspaces.demo import SLUG, create_demo, credentials_path
from tribune.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Create the demo workspace (a French coffee roaster) and its team."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any workspace exists."
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Workspace.objects.exists():
            path = credentials_path()
            if path.exists():
                self.stdout.write(f"Demo login: see {path}")
            return
        if Workspace.objects.filter(slug=SLUG).exists():
            raise CommandError("The demo workspace exists already.")
        username, password = create_demo()
        path = credentials_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"username: {username}\npassword: {password}\n")
        os.chmod(path, 0o600)
        self.stdout.write(self.style.SUCCESS("Demo workspace created."))
        self.stdout.write(f"Sign in as {username} with password {password}")
        self.stdout.write(f"(also written to {path})")
