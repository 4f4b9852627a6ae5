"""Keep the statistics in step with group membership.

Membership is read at computation time, so when an operator moves a practice to another network
or province, or the practice declares another profile (a peer group by kind), the years that
practice has figures in are recomputed in the background after the change is committed.
``manage.py recompute_statistics`` does the same by hand.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from parabench.benchmark.models import WindowValues
from parabench.practices.models import Practice


@receiver(pre_save, sender=Practice, dispatch_uid="benchmark_membership_before")
def remember_membership(sender, instance: Practice, **kwargs) -> None:
    if instance.pk is None:
        instance._benchmark_membership = None
        return
    instance._benchmark_membership = (
        Practice.objects.filter(pk=instance.pk)
        .values_list("province", "network_id", "profile")
        .first()
    )


@receiver(post_save, sender=Practice, dispatch_uid="benchmark_membership_after")
def recompute_on_membership_change(sender, instance: Practice, created: bool, **kwargs) -> None:
    before = getattr(instance, "_benchmark_membership", None)
    if (
        created
        or before is None
        or before == (instance.province, instance.network_id, instance.profile)
    ):
        return
    years = sorted(
        set(WindowValues.objects.filter(practice_id=instance.pk).values_list("year", flat=True))
    )
    if not years:
        return
    from parabench.benchmark.tasks import enqueue_recompute

    transaction.on_commit(lambda: enqueue_recompute(years))
