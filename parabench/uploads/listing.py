"""The Dashboards list on the Profiel page: a practice's own imports, newest first, ten a page."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from parabench.uploads.models import Import

PAGE_SIZE = 10


@dataclass(frozen=True)
class ImportsPage:
    page: Page
    first: int  # "1 tot en met 10 van 23"
    last: int
    total: int


def practice_imports(practice):
    """Only this practice's rows: the one query every view of imports starts from."""
    return Import.objects.filter(practice=practice).order_by("-uploaded_at", "-pk")


def imports_page(practice, page_number) -> ImportsPage:
    paginator = Paginator(practice_imports(practice), PAGE_SIZE)
    page = paginator.get_page(page_number)
    total = paginator.count
    first = page.start_index() if total else 0
    return ImportsPage(page=page, first=first, last=page.end_index() if total else 0, total=total)
