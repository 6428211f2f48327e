"""The labels pages show for a case's status and priority are Django's own, translated."""

import pytest
from django.utils import translation

from cases.models import Case, Priority, Status


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_labels_are_the_display_values_in_each_language(language):
    with translation.override(language):
        for status in Status:
            case = Case(status=status, priority=Priority.NORMAL)
            assert str(case.status_label) == case.get_status_display()
        for priority in Priority:
            case = Case(status=Status.NEW, priority=priority)
            assert str(case.priority_label) == case.get_priority_display()
    with translation.override("fr"):
        assert str(Case(status=Status.NEW).status_label) != "New"
