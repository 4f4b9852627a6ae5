from django.shortcuts import render

from parabench.practices.access import practice_required


@practice_required
def profile(request, practice):
    return render(request, "practices/profile.html", {"practice": practice})
