"""A closure day added, moved or removed as data moves the deadlines of the open items at once."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from registration.models import Closure


@receiver(post_save, sender=Closure, dispatch_uid="followup-closure-saved")
@receiver(post_delete, sender=Closure, dispatch_uid="followup-closure-deleted")
def closure_changed(sender, raw=False, **kwargs):
    if raw:
        return  # loaddata: the items are recomputed by whoever loads them
    from .services import follow_ups_recompute_deadlines

    follow_ups_recompute_deadlines()
