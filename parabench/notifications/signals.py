"""React to imports: queue the notifications inside the import's transaction (the task rows
commit with it, or not at all): one task of each kind per imported batch, and only for the
practices where a user opted in."""

from django.dispatch import receiver

from parabench.notifications.tasks import enqueue_notifications
from parabench.uploads.signals import exports_imported


@receiver(exports_imported, dispatch_uid="notifications_after_import")
def notify_after_import(sender, batch, **kwargs) -> None:
    enqueue_notifications([imp for imp, _export in batch])
