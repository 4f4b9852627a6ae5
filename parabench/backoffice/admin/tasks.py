"""django-tasks' background tasks, their column names in Dutch: django-tasks' admin names two of
them with plain English strings ("Task name", "run after") that no catalogue reaches."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class ParaBenchTaskResultAdmin(DBTaskResultAdmin):
    @admin.display(description=_("taak"))
    def task_name(self, obj):
        return obj.task_name

    @admin.display(description=_("niet uitvoeren voor"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


# Importing django-tasks' admin module above registered its admin; ours takes its place.
admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, ParaBenchTaskResultAdmin)
