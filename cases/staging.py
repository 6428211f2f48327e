"""Files chosen on a form that comes back are kept on the server, so nobody chooses them again.

A form with attachments can come back instead of being saved: a field is wrong, the phrase
guide asks the agent to look again, a colleague changed the case meanwhile. Browsers never
refill a file input, so the files that passed their checks on that post are staged here and
the form shows them ticked, their tokens going with the next post. A staged file serves only
its owner (the agent; the customer's case; the contact form's own submission), only once,
and for STAGED_FILE_HOURS; the sweep removes what nobody came back for. A file that cannot
be kept (more than a message may carry) is named on the form, to be chosen again.
"""

import secrets
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.utils import timezone

from cases.models import StagedFile


def owner_agent(user) -> str:
    return f"user:{user.pk}"


def owner_case(case) -> str:
    return f"case:{case.pk}"


def owner_contact_form(data) -> str:
    return f"contact:{str(data.get('submission_token', ''))[:64]}"


def staged_cutoff(now=None):
    return (now or timezone.now()) - timedelta(hours=settings.STAGED_FILE_HOURS)


def staged_kept(owner: str, tokens) -> list[StagedFile]:
    """The owner's staged files among `tokens` (still ticked on the form), oldest first."""
    tokens = [token for token in tokens if token][: settings.ATTACHMENT_MAX_FILES]
    if not tokens:
        return []
    return list(
        StagedFile.objects.filter(
            owner=owner, token__in=tokens, created_at__gte=staged_cutoff()
        ).order_by("pk")
    )


def form_bound(form_class, owner: str, data, files=None):
    """A form with attachments bound to a post, with the files this owner staged on an
    earlier try and still has ticked; files_stage keeps its new ones for the same owner."""
    form = form_class(data, files, staged=staged_kept(owner, data.getlist("staged")))
    form.staging_owner = owner
    return form


def files_stage(form) -> None:
    """Stage the checked files of a form that is shown again; the form then lists them.
    An owner holds at most two messages' worth of staged files at a time: a page posted
    again and again, each time with other files, cannot fill the disk."""
    owner = form.staging_owner
    if not form.attachments_checked:
        # The form was not checked (or its file field failed as a whole): nothing is known
        # to be safe to keep, so every file it carried is named to be chosen again.
        form.not_kept = [upload.name for upload in form.files.getlist("attachments") if upload]
        return
    if not form.checked:
        return
    held = StagedFile.objects.filter(owner=owner, created_at__gte=staged_cutoff()).count()
    most = settings.ATTACHMENT_MAX_FILES
    room = min(most - len(form.staged), 2 * most - held)
    for upload, content_type in form.checked:
        if room <= 0:
            form.not_kept.append(upload.name)
            continue
        staged = StagedFile(
            token=secrets.token_urlsafe(32),
            owner=owner,
            name=PurePath(upload.name).name[:255],
            size=upload.size,
            content_type=content_type,
        )
        upload.seek(0)
        staged.file.save(staged.token, upload, save=False)
        staged.save()
        form.staged.append(staged)
        room -= 1
    form.checked = []


def staged_release(staged) -> None:
    """Staged files a saved form used: the message holds its own copies now."""
    for item in staged:
        item.file.delete(save=False)
        item.delete()


def staged_sweep(now=None) -> int:
    """Remove staged files older than STAGED_FILE_HOURS; how many were removed."""
    expired = list(StagedFile.objects.filter(created_at__lt=staged_cutoff(now)))
    staged_release(expired)
    return len(expired)
