"""Tables as CSV. A cell a spreadsheet would read as a formula is written as text."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _

from cases.models import Channel
from reports.figures import bucket_label, number_text, percent_text

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


def table_export(table, report, team_rows, agent_rows):
    def person_rows(rows):
        return [
            [
                row["name"],
                row["handled"],
                bucket_label(row["response"]),
                bucket_label(row["resolution"]),
                percent_text(row["compliance"]),
                number_text(row["satisfaction"]),
                percent_text(row["owner"]),
            ]
            for row in rows
        ]

    header = [
        "Name",
        "Solved",
        "First response median",
        "Resolution median",
        "Compliance",
        "Satisfaction",
        "Single point of contact",
    ]
    if table == "teams":
        return csv_response("report-teams.csv", header, person_rows(team_rows))
    if table == "agents":
        return csv_response("report-agents.csv", header, person_rows(agent_rows))
    if table == "days":
        return csv_response(
            "report-days.csv",
            [
                "Day",
                "New",
                "Solved",
                "Targets met",
                "Targets missed",
                *(f"New by {label.lower()}" for _key, label in Channel.choices),
            ],
            [
                [
                    row["day"].isoformat(),
                    row["created"],
                    row["solved"],
                    row["met"],
                    row["missed"],
                    *(row["channels"].get(key, 0) for key in Channel.values),
                ]
                for row in report.days
            ],
        )
    if table == "backlog":
        return csv_response(
            "report-backlog.csv",
            ["Age", "Open cases"],
            [[label, count] for label, count in report.backlog["by_age"]],
        )
    if table == "comments":
        return csv_response(
            "report-comments.csv",
            ["Case", "Rated", "Score", "Comment"],
            [
                [rating.case.reference, rating.created_at.isoformat(), rating.score, rating.comment]
                for rating in report.comments
            ],
        )
    raise PermissionDenied(_("There is no such table to download."))
