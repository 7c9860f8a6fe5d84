from django.core.management.base import BaseCommand, CommandError

from rehab_tracker.demo import DEMO_PASSWORD, demo_logins, seed_bulk, seed_demo


class Command(BaseCommand):
    help = "Load demo accounts with a few weeks of logs; with --patients N --weeks W, a large synthetic caseload."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, help="Synthetic patients to add (bulk inserts)")
        parser.add_argument("--weeks", type=int, default=12, help="Weeks of history for synthetic patients (1-12)")
        parser.add_argument("--per-physio", type=int, default=300, help="Synthetic patients per physio")

    def handle(self, *args, patients, weeks, per_physio, **options):
        if patients is not None:
            if patients < 1 or not 1 <= weeks <= 12:
                raise CommandError("--patients must be at least 1 and --weeks 1 to 12.")
            figures = seed_bulk(patients=patients, weeks=weeks, per_physio=per_physio)
            self.stdout.write(", ".join(f"{v} {k}" for k, v in figures.items()))
            return
        created = seed_demo()
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        for username, role in demo_logins():
            self.stdout.write(f"  {role:<12} {username:<22} password: {DEMO_PASSWORD}")
