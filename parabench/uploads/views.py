from django.shortcuts import get_object_or_404, render

from parabench.practices.access import practice_required
from parabench.uploads.listing import practice_imports


@practice_required
def detail(request, practice, import_id):
    """One import's status, reasons of rejection and warnings; another practice's id is a 404."""
    imp = get_object_or_404(practice_imports(practice), pk=import_id)
    return render(request, "uploads/detail.html", {"imp": imp, "nav": "profile"})
