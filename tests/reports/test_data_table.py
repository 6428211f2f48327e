"""The data table behind a chart: what the template it replaced showed, escaped."""

from django.utils import translation

from reports.templatetags.report_tables import data_table


def test_cells_are_shown_as_the_template_showed_them():
    html = data_table(
        "New <cases>",
        {"header": ["Day", "New & solved"], "rows": [["<b>1 Nov</b>", 1200, None], [None, 0, 3]]},
    )
    assert '<caption class="visually-hidden">New &lt;cases&gt;</caption>' in html
    assert '<th scope="col">New &amp; solved</th>' in html
    # The row's label as it is (escaped); an empty figure as a dash; numbers localized.
    assert '<tr><th scope="row">&lt;b&gt;1 Nov&lt;/b&gt;</th><td>1200</td><td>–</td></tr>' in html
    assert '<tr><th scope="row">None</th><td>0</td><td>3</td></tr>' in html


def test_the_summary_is_in_the_page_language():
    with translation.override("fr"):
        html = data_table("", {"header": [], "rows": []})
    assert "<summary>Afficher les chiffres sous forme de tableau</summary>" in html
