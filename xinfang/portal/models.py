from django.db import models


class ThrottleHit(models.Model):
    """One counted request (a submission, a failed tracking lookup) from one client, for rate limits that
    hold across processes. The client is stored as a keyed hash of its IP address, not the address."""

    scope = models.CharField(max_length=30)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "client", "at"], name="throttle_scope_client_at")]


class ThrottleClient(models.Model):
    """One client under one limit: the row that serialises its check-and-record (throttle.take locks it first),
    and whether it is being refused now (so that a block is written to the audit log once)."""

    scope = models.CharField(max_length=30)
    client = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)
    refused_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "client"], name="throttle_client_unique")]


class SubmitToken(models.Model):
    """A used one-time token of the submission form (portal/tokens.py): recorded when the form is submitted, before
    the petition is saved (the unique digest makes a second use fail), and then holding the first submission's
    receipt — encrypted with a key derived from the token, which only the citizen's page holds — so that a
    double click, back-and-resubmit or retry shows that receipt instead of registering a second petition."""

    digest = models.CharField(max_length=64, unique=True)
    registration = models.ForeignKey(
        "petitions.Registration", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    receipt = models.TextField(blank=True)
    used_at = models.DateTimeField(db_index=True)
