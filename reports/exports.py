"""Tables as CSV. A cell a spreadsheet would read as a formula is written as text."""

import csv

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value) -> str:
    """The value as a CSV cell that no spreadsheet runs: "=1+1" becomes "'=1+1"."""
    if isinstance(value, int | float):
        return str(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([cell_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([cell_safe(cell) for cell in row])
    return response
