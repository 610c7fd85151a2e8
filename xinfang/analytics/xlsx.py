"""Renders plain `tables.Table`s to an .xlsx workbook (openpyxl). Takes data only, never the ORM."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from xinfang.analytics.tables import Table, kind, plain

FORMATS = {"rate": "0.0%", "days": "0.0", "pp": "+0.0;-0.0;0.0"}


def render(tables: list[Table], *, filters: list[tuple[str, str]]) -> bytes:
    """One sheet per table. Each sheet starts with the filters it was made with — (label, value) rows:
    period, township, unit, content class — then a blank row, the table's title and its header."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.title[:31].replace("/", "、"))
        for label, value in filters:
            ws.append([label, value])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([])
        ws.append([t.title])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([label for label, _kind in t.columns])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in t.values():
            ws.append([plain(v) for v in row])
            for cell, value, (_label, column_kind) in zip(ws[ws.max_row], row, t.columns, strict=False):
                if (k := kind(value, column_kind)) in FORMATS:
                    cell.number_format = FORMATS[k]
        if t.note:
            ws.append([])
            ws.append([t.note])
        ws.column_dimensions["A"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
