"""The returns as .xlsx workbooks (openpyxl), built from the scoped selectors."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from hardship.spreadsheet import xlsx_append

from .selectors import ExitFigures


def _workbook(title: str, header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    xlsx_append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(ws, row)  # union and program names are typed text: never a formula
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def quarterly_return_xlsx(quarter: str, rows: list[dict]) -> bytes:
    body = [[r["union"], r["program"], r["households"], r["people"], r["money"]] for r in rows]
    body.append(["合计", "", sum(r["households"] for r in rows), sum(r["people"] for r in rows),
                 sum((r["money"] for r in rows), 0)])  # fmt: skip
    return _workbook(f"季报 {quarter}", ["工会", "帮扶项目", "户数", "人数", "金额（元）"], body)


def exit_return_xlsx(year: int, rows: list[tuple[str, ExitFigures]], total: ExitFigures) -> bytes:
    def line(name, f: ExitFigures):
        return [name, f.on_file_at_start, f.filed_in_year, f.base, f.out_of_hardship, f.relieved, f.exits,
                float(f.rate) if f.rate is not None else None]  # fmt: skip

    body = [line(name, f) for name, f in rows] + [line("合计", total)]
    header = ["工会", "年初在档户数", "年内建档户数", "基数", "脱困", "解困", "退出合计", "脱困率"]
    return _workbook(f"{year} 脱困解困年报", header, body)
