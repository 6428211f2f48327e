"""Which version of an article a reader sees, when it is written in several languages.

An article and its translations form a group named by the original's id. A reader sees
the group's public version in their language (Django's active language) where one
exists. Lists pick that version in SQL (ArticleQuerySet.one_version_each); search
results and suggestions are ranked per version, so a match in another language is
swapped here for the reader's version, with one query for the whole list.
"""

from django.conf import settings
from django.db.models import Q

from knowledge.models import Article

LANGUAGE_ORDER = [code for code, _name in settings.LANGUAGES]


def in_reader_language(articles, *, language: str, versions) -> list[Article]:
    """`articles` in their order, each replaced by its version in `language` when `versions`
    (a queryset of what the reader may see, read as the list needs) has one; each group once."""
    language = language[:2]
    groups = {article.translation_group_id for article in articles if article.language != language}
    theirs = {}
    if groups:
        found = versions.filter(language=language).filter(
            Q(pk__in=groups) | Q(translation_of__in=groups)
        )
        theirs = {version.translation_group_id: version for version in found}
    shown, seen = [], set()
    for article in articles:
        group = article.translation_group_id
        if group not in seen:
            seen.add(group)
            shown.append(theirs.get(group, article))
    return shown


def page_versions(versions: list[Article], *, slug: str, language: str):
    """For the article page, from the public versions of one group: the version at `slug`
    (None when it is not among them), the reader's version (None when there is none),
    and the other versions in the order of the desk's languages."""
    article = next((version for version in versions if version.slug == slug), None)
    theirs = next((version for version in versions if version.language == language[:2]), None)
    others = sorted(
        (version for version in versions if version != article),
        key=lambda version: _language_position(version.language),
    )
    return article, theirs, others


def _language_position(code: str) -> int:
    return LANGUAGE_ORDER.index(code) if code in LANGUAGE_ORDER else len(LANGUAGE_ORDER)
