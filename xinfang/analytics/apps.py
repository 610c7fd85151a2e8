from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# Event kinds written after a queryset UPDATE of a field the summary tables read (tallies.MATTER_COLUMNS).
UPDATING_EVENT_KINDS = frozenset({
    "matter:hearing_recorded", "matter:registration_corrected",
    # 合并 (issue 16): registrations move and the merged matter stops (or starts again) counting
    "matter:merged_into", "matter:merged", "registration:joined", "matter:unmerged", "matter:merge_undone",
})  # fmt: skip


def _refresh(sender, instance, update_fields=None, created=False, **kwargs):
    from xinfang.analytics import tallies

    if tallies.is_deferred():  # a bulk load rebuilds the tables once at its end (tallies.deferred)
        return
    if sender.__name__ == "Event":
        # A transition's conditional UPDATE of the matter sends no signal, nor does a non-transition service
        # that moves a tallied field by UPDATE (a recheck hearing moves clock_due): their event rows refresh.
        # Other event rows change nothing the tables count (refreshing on all of them tripled load_demo's time).
        if instance.action or instance.kind in UPDATING_EVENT_KINDS:
            tallies.changed(instance.matter_id)
    elif sender.__name__ == "Matter":
        if not update_fields or {f.removesuffix("_id") for f in update_fields} & tallies.MATTER_COLUMNS:
            tallies.changed(instance.pk, created=created)
    else:
        tallies.changed(instance.matter_id, evaluation=sender.__name__ == "Evaluation")


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"

    def ready(self):
        """Keep the summary tables in step with every saved matter, registration and evaluation, and with
        every event row (analytics/tallies.py; once per matter at the end of a `tallies.once()` block)."""
        from xinfang.petitions.models import Evaluation, Event, Matter, Registration

        for model in (Matter, Registration, Evaluation, Event):
            post_save.connect(_refresh, sender=model, dispatch_uid=f"tally-{model.__name__}")
        for model in (Registration, Evaluation):
            post_delete.connect(_refresh, sender=model, dispatch_uid=f"tally-del-{model.__name__}")
