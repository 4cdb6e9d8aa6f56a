"""An import writes all its valid rows or nothing (docs/security.md, "Fuzzing the API and
the importer"), also when the wrong row comes after batches already written: the import's
one transaction rolls them back. The fuzz (`ledger/tests/test_import_fuzz.py`) finds this
only when it happens to draw such a file; this is the deterministic case."""

from __future__ import annotations

from typing import Any

import pytest

from zoufang.core.models import AuditAction, AuditLog
from zoufang.ledger import imports
from zoufang.ledger.models import Visit, VisitDaily
from zoufang.ledger.tests.test_imports import row, run, xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_wrong_row_after_written_batches(
    city: Any, monkeypatch: pytest.MonkeyPatch, skip_invalid: bool
) -> None:
    monkeypatch.setattr(imports, "FIRST_BATCH_ROWS", 2)
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    written: list[int] = []  # the visits in the ledger after each batch written
    write = imports.visits_write

    def counting_write(**kwargs: Any) -> list[int]:
        ids = write(**kwargs)
        written.append(Visit.objects.count())
        return ids

    monkeypatch.setattr(imports, "visits_write", counting_write)
    rows = [row(city, 对象名称=f"对象{n}") for n in range(7)]
    rows[5]["走访日期"] = "2099-01-01"  # the sixth row, after two batches of two
    result = run(xlsx(rows), skip_invalid=skip_invalid)
    assert [e.row for e in result.errors] == [7]
    if skip_invalid:  # the valid rows, every one of them
        assert result.imported == 6 and Visit.objects.count() == 6
        assert written == [2, 4, 5, 6]
        return
    assert written == [2, 4]  # written, then the wrong row: rolled back with the file
    assert result.imported == 0
    assert not Visit.objects.exists() and not VisitDaily.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()
    assert not AuditLog.objects.filter(object_type="ledger.visit").exists()
