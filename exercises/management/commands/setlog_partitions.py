import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from exercises import partitions


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a month (YYYY-MM).") from exc


class Command(BaseCommand):
    help = (
        "The set logs' month partitions (PostgreSQL): list them with their rows and size, create the months ahead "
        "(--ensure), or archive the months before one to CSV files and drop them (--detach-before, --archive-dir)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ensure", action="store_true", help="Create the months ahead (the daily task does)")
        parser.add_argument("--detach-before", type=_month, help="Archive every month before this one (YYYY-MM)")
        parser.add_argument("--archive-dir", type=Path, help="Folder for the archived partitions' CSV files")

    def handle(self, *args, ensure=False, detach_before=None, archive_dir=None, **options):
        if not partitions.is_partitioned():
            self.stdout.write("The set logs are a plain table on this database (partitions need PostgreSQL).")
            return
        today = timezone.now().date()
        if ensure:
            created = partitions.setlog_partitions_ensure(today=today)
            self.stdout.write(f"Created {', '.join(created)}." if created else "Every partition exists already.")
        if detach_before:
            if archive_dir is None:
                raise CommandError("--detach-before needs --archive-dir.")
            try:
                written = partitions.setlog_partitions_archive(
                    before=detach_before, archive_dir=archive_dir, today=today
                )
            except partitions.PartitionNotArchivable as exc:
                raise CommandError(str(exc)) from exc
            for path in written:
                self.stdout.write(f"Archived and dropped {path.stem} to {path}.")
            if not written:
                self.stdout.write(f"No partition ends before {detach_before:%Y-%m}.")
        for p in partitions.setlog_partitions_list():
            span = "default" if p.start is None else f"{p.start} to {p.end}"
            self.stdout.write(f"{p.name}\t{span}\t~{p.rows} rows\t{p.bytes // 1024} KiB")
