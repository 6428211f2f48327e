import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agents.desk import agent_required
from cases.models import Case
from knowledge import search as kb_search
from knowledge import services
from knowledge.form_suggestions import form_suggestions
from knowledge.forms import ArticleForm, VoteForm
from knowledge.models import Article, ArticleCategory, ArticleVote
from knowledge.translations import in_reader_language, page_versions
from knowledge.visitors import page_view_check, visitor_hash

PAGE_SIZE = 20
SUGGESTIONS = 5
SHOWN_IDS = re.compile(r"\d{1,12}", re.ASCII)


# The public help centre: published public articles only, whoever is logged in.


@require_safe
def home(request):
    public = Article.objects.public().for_list().one_version_each(request.LANGUAGE_CODE)
    return render(
        request,
        "knowledge/home.html",
        {
            "categories": ArticleCategory.objects.with_public_counts(),
            "most_helpful": public.most_helpful()[:5],
            "newest": public.newest()[:5],
        },
    )


@require_safe
def category(request, slug):
    category = get_object_or_404(ArticleCategory, slug=slug)
    articles = (
        Article.objects.public()
        .for_list()
        .filter(category=category)
        .one_version_each(request.LANGUAGE_CODE)
        .order_by("title")
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/category.html", {"category": category, "page": page})


def _search_page(request, articles, *, public: bool = False):
    """A page of results for ?q=, each with a snippet, and what to tell the reader.

    The public search shows each article once, in the reader's language where it can.
    """
    raw = request.GET.get("q", "")
    query = kb_search.clean_query(raw)
    language = request.LANGUAGE_CODE
    results = articles.search(query, language=language, one_version_each=public)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    if public:
        page.object_list = in_reader_language(page, language=language, versions=articles)
    for article in page:
        article.snippet = kb_search.snippet(article, query)
    return {
        "q": query,
        "page": page,
        "has_words": bool(kb_search.words_of(query)),
        "shortened": len(" ".join(raw.split())) > kb_search.MAX_QUERY_LENGTH,
    }


@require_safe
def search(request):
    context = _search_page(request, Article.objects.public().for_list(), public=True)
    return render(request, "knowledge/search.html", context)


@require_safe
def article(request, slug):
    # The article with its public translations (or original) in one query.
    group = Article.objects.filter(slug=slug).values(group=Coalesce("translation_of", "pk"))
    versions = list(
        Article.objects.public()
        .select_related("category")
        .filter(Q(pk=Subquery(group)) | Q(translation_of=Subquery(group)))
    )
    article, theirs, other_languages = page_versions(
        versions, slug=slug, language=request.LANGUAGE_CODE
    )
    if article is None:
        raise Http404("No such article.")
    if request.GET.get("from") == "suggestion":
        # Followed from the contact form: counted once, then the plain address.
        services.suggestion_open(article=article, visitor=visitor_hash(request, create=True))
        return redirect(article)
    # The reader's own language, unless they chose this version from its language links.
    if theirs is not None and theirs != article and request.GET.get("lang") != article.language:
        return redirect(theirs)
    visitor = visitor_hash(request)
    voted = bool(
        visitor and ArticleVote.objects.filter(article=article, visitor_hash=visitor).exists()
    )
    related = (
        Article.objects.public()
        .for_list()
        .filter(category_id=article.category_id)
        .exclude(pk__in=[version.pk for version in versions])
        .one_version_each(request.LANGUAGE_CODE)
        .most_helpful_first()[:5]
    )
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "other_languages": other_languages,
            "in_reader_language": theirs is not None,
            "related": related,
            "voted": voted,
            "vote_form": VoteForm(),
        },
    )


@require_POST
def vote(request, slug):
    article = get_object_or_404(Article.objects.public(), slug=slug)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “Yes” or “No”."))
    elif services.article_vote(
        article=article,
        visitor=visitor_hash(request, create=True),
        helpful=form.cleaned_data["helpful"],
    ):
        messages.success(request, _("Thank you for your feedback."))
    else:
        messages.info(request, _("You have already told us about this article. Thank you."))
    return redirect(f"{article.get_absolute_url()}#feedback")


@require_safe
def suggest(request):
    """Articles for what the customer is typing on the contact form: a small HTML partial.

    Showing them counts nothing: a GET can be replayed by anyone (a crawler, a script),
    so the page reports what it showed with a POST to `suggested` below.
    """
    subject = request.GET.get("subject", "")[:200]
    message = request.GET.get("message", "")[:2000]
    text = f"{subject} {message}" if message.strip() else subject
    shown = Article.objects.public().only("title", "slug", "summary", "language", "translation_of")
    articles = form_suggestions(
        text, language=request.LANGUAGE_CODE, shown=shown, limit=SUGGESTIONS
    )
    return render(
        request,
        "knowledge/_suggestions.html",
        {"articles": articles, "asked": bool(kb_search.words_of(text))},
    )


@require_POST
def suggested(request):
    """The contact form showed these articles: count each once for this page view.

    A POST behind the CSRF check, naming a page view the server signed when it rendered
    the form, so a replay of the same report counts nothing more.
    """
    view = page_view_check(request.POST.get("view", ""))
    if view is None:
        return HttpResponseBadRequest("Unknown or expired page view.")
    article_ids = [int(pk) for pk in SHOWN_IDS.findall(",".join(request.POST.getlist("article")))]
    services.articles_suggested(view=view, article_ids=article_ids[:SUGGESTIONS])
    return HttpResponse(status=204)


# The desk: every article, internal ones and drafts included, for agents.


@agent_required
@require_safe
def desk_list(request):
    articles = Article.objects.for_list()
    if request.GET.get("q", "").strip():
        context = _search_page(request, articles)
    else:
        ordered = articles.order_by("category__position", "category__name", "title")
        page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"q": "", "page": page, "has_words": False, "shortened": False}
    return render(request, "knowledge/desk_list.html", context)


@agent_required
@require_safe
def desk_article(request, slug):
    article = get_object_or_404(
        Article.objects.select_related("category", "author", "last_editor"), slug=slug
    )
    # Its other language versions, drafts included: the desk writes and checks them all.
    group = article.translation_group_id
    translations = (
        Article.objects.filter(Q(pk=group) | Q(translation_of=group))
        .exclude(pk=article.pk)
        .only("title", "slug", "language", "status", "translation_of")
        .order_by("language")
    )
    return render(
        request,
        "knowledge/desk_article.html",
        {"article": article, "translations": translations},
    )


@agent_required
def desk_new(request):
    return _edit(request, Article())


@agent_required
def desk_edit(request, slug):
    return _edit(request, get_object_or_404(Article, slug=slug))


def _edit(request, article):
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        article = services.article_save(article=form.save(commit=False), editor=request.user)
        messages.success(request, _("Saved “%(title)s”.") % {"title": article.title})
        return redirect("knowledge:desk_article", slug=article.slug)
    return render(request, "knowledge/desk_edit.html", {"form": form, "article": article})


@agent_required
@require_POST
def desk_use(request, slug, reference):
    """An agent puts an article's public link into a reply; the case remembers it."""
    case = get_object_or_404(Case.objects.visible_to(request.user).with_reference(reference))
    article = get_object_or_404(Article.objects.public(), slug=slug)
    try:
        services.article_use(article=article, case=case, agent=request.agent)
    except ValidationError as error:  # pragma: no cover - public() already excludes the rest
        messages.error(request, " ".join(error.messages))
        return redirect("cases:detail", reference=case.reference)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"title": article.title, "link": article.public_link})
    # Without JavaScript the agent copies the link from here into the reply.
    messages.success(
        request, _("Link to paste into your reply: %(link)s") % {"link": article.public_link}
    )
    return redirect("cases:detail", reference=case.reference)
