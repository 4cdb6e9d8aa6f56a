"""Import jobs: an upload is checked in the background (with progress), previewed, then
written on confirmation. Threads in the web process keep the set-up simple; a deployment with
a task queue can call `job_check` and `job_write` from it instead."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.org.permissions import require_account

from .imports import ledger_import
from .models import ImportJob, ImportStatus
from .sheets import SheetError, estimate_rows

logger = logging.getLogger(__name__)


def _estimate_rows(job: ImportJob) -> int:
    """A row count for the progress bar: the file's own (`sheets.estimate_rows`), else its
    size over a typical row."""
    with job.upload.open("rb") as stream:
        rows = estimate_rows(stream, job.filename)
    return max(1, rows if rows is not None else job.upload.size // 120)


class JobProgress:
    """The rows done so far, written on a connection of its own: the import runs in one
    transaction, and what it wrote there the page polling the job would not see before the
    end. Best effort: on SQLite the import holds the only write lock, so while it writes the
    count waits for the end (the check, which writes nothing, moves the bar there too)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        alias = DEFAULT_DB_ALIAS
        config = connections.settings[alias]
        options = dict(config.get("OPTIONS", {}))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            options["timeout"] = 0  # never wait for the import's lock
        backend = load_backend(config["ENGINE"])
        self.connection = backend.DatabaseWrapper({**config, "OPTIONS": options}, alias)
        self.table = self.connection.ops.quote_name(ImportJob._meta.db_table)

    def __call__(self, step: str, rows: int) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.table} SET rows_done = %s WHERE id = %s", [rows, self.job_id]
                )
        except DatabaseError:
            logger.debug("progress of import job %s not written", self.job_id, exc_info=True)

    def close(self) -> None:
        self.connection.close()


def _run(job_id: int, *, write: bool) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = JobProgress(job_id)
    try:
        with job.upload.open("rb") as stream:
            result = ledger_import(
                actor=job.created_by,
                source=stream.read(),
                filename=job.filename,
                dry_run=not write,
                skip_invalid=job.skip_invalid,
                progress=progress,
            )
    except SheetError as error:
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, error=error.message)
        return
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=_("The import failed; nothing was written")
        )
        raise
    finally:
        progress.close()
    status = ImportStatus.DONE if write else ImportStatus.CHECKED
    ImportJob.objects.filter(pk=job_id).update(
        status=status, result=result.as_stored(), rows_done=result.rows, rows_total=result.rows
    )


def _start(job: ImportJob, *, write: bool) -> None:
    if settings.ZOUFANG_IMPORT_INLINE:
        _run(job.pk, write=write)
        return
    worker = threading.Thread(target=_in_thread, args=(job.pk, write), daemon=True)
    worker.start()


def _in_thread(job_id: int, write: bool) -> None:
    """Run a job in its own thread, on its own database connection, closed at the end."""
    try:
        _run(job_id, write=write)
    finally:
        connections.close_all()


def job_start(*, actor: Actor, upload: Any) -> ImportJob:
    """Store an upload and start checking it."""
    job = ImportJob.objects.create(
        created_by=require_account(actor), filename=upload.name[:200], upload=upload
    )
    ImportJob.objects.filter(pk=job.pk).update(rows_total=_estimate_rows(job))
    _start(job, write=False)
    return job


def job_confirm(*, job: ImportJob, skip_invalid: bool) -> None:
    """Write a checked job (checked again, so nothing changed in between slips through)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.WRITING,
        skip_invalid=skip_invalid,
        rows_done=0,
        rows_total=max(job.result.get("rows", 1), 1),
    )
    job.refresh_from_db()
    _start(job, write=True)
