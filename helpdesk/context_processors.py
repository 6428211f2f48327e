from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "files_to_choose_again": files_not_kept(request)}


def files_not_kept(request) -> list[str]:
    """The names of the files a POST carried: a form shown again after an error cannot keep
    them (browsers do not refill a file input), so the page names them to choose again."""
    if request.method != "POST" or not request.FILES:
        return []
    return [upload.name for _, uploads in request.FILES.lists() for upload in uploads]
