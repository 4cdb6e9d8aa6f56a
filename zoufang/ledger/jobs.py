"""Import jobs: an upload is checked in the background (with progress), previewed, then
written on confirmation. Threads in the web process keep the set-up simple; a deployment with
a task queue can call `job_check` and `job_write` from it instead."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from .imports import ledger_import
from .models import ImportJob, ImportStatus
from .sheets import SheetError


def _estimate_rows(job: ImportJob) -> int:
    """A rough row count for the progress bar (the file's size over a typical row)."""
    return max(1, job.upload.size // 120)


def _run(job_id: int, *, write: bool) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(step: str, rows: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=rows)

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


def job_start(*, actor: Any, upload: Any) -> ImportJob:
    """Store an upload and start checking it."""
    job = ImportJob.objects.create(created_by=actor, filename=upload.name[:200], upload=upload)
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
