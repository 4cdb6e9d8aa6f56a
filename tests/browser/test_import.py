"""An officer imports a ledger sheet with a wrong row: the preview, the marked copy, the
valid rows written; the same sheet again offers nothing to import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from zoufang.ledger.models import Visit
from zoufang.ledger.tests.test_imports import row, xlsx

from .conftest import screenshot
from .test_quick_entry import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_officer_imports_a_sheet_with_a_wrong_row(page: Any, city: Any, tmp_path: Path) -> None:
    rows = [row(city, 对象名称=f"走访对象{n}", 联系电话="13812345678") for n in range(3)]
    rows.insert(1, row(city, 对象名称="走错的行", 走访方式="飞鸽"))
    sheet = tmp_path / "城关派出所台账.xlsx"
    sheet.write_bytes(xlsx(rows, title_rows=1))

    log_in(page, "officer", city.password)
    page.goto("/ledger/import/")
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="上传并校验").click()
    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.inner_text().split("\t")[:3] == ["4", "走访方式", "飞鸽"]
    assert page.locator("#valid-count").inner_text() == "3"
    screenshot(page, "import-preview")

    with page.expect_download() as download:
        page.click("#errors-download")
    marked = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    ws = marked.active
    assert ws is not None
    header = [cell.value for cell in ws[2]]
    assert header[-1] == "错误说明"
    explanation = str(ws.cell(row=4, column=len(header)).value)
    assert "走访方式" in explanation and "飞鸽" in explanation
    wrong_cell = ws.cell(row=4, column=header.index("走访方式") + 1)
    assert wrong_cell.fill.fgColor.rgb not in (None, "00000000")  # highlighted

    page.get_by_role("button", name="导入3条有效行，跳过错误行").click()
    page.locator("#import-done").wait_for()
    assert "已导入3条走访记录" in page.locator("#import-done").inner_text()
    assert Visit.objects.count() == 3 and not Visit.objects.filter(target_name="走错的行")

    # The same sheet again: everything valid is already in the ledger.
    page.goto("/ledger/import/")
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="上传并校验").click()
    page.locator("#import-errors").wait_for()
    assert page.locator("button[name=skip_invalid]").count() == 0
    screenshot(page, "import-again")
