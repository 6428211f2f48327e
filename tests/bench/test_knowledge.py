"""Public search and contact-form suggestions over 10,000 published articles (PostgreSQL).

Run with `make bench`. Prints the median and 95th percentile of the server-side time of
each request (Django's test client, no network) and the queries each request runs.
Target: suggestions under 50 ms at the 95th percentile.
"""

import os
import random
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowledge import search
from knowledge.models import Article, ArticleCategory, ArticleStatus, Audience
from knowledge.rendering import plain_text, render_markdown

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
REQUESTS = 60
WARM_UP = 5
VERBS = ["change", "cancel", "reset", "update", "track", "return", "export", "connect", "pay"]
NOUNS = [
    "order", "password", "invoice", "address", "parcel", "refund", "account", "printer",
    "subscription", "card", "report", "delivery", "login", "phone", "email", "plan", "seat",
]  # fmt: skip
FILLER = [f"{stem}{n}" for stem in ("lorem", "ipsum", "dolor", "amet", "elit") for n in range(400)]
COMMON = ["the", "your", "you", "can", "when", "after", "before", "within", "days", "our", "team"]
SEARCHES = [
    "reset password",
    "refund for a cancelled order",
    "change delivery address",
    "invoice",
    "track my parcel",
    "export report as pdf",
    '"cancel subscription"',
    "printer -phone",
]
SUBJECTS = [
    "Where is my refund",
    "I cannot reset my passw",
    "Invoice shows the wrong amount",
    "Parcel not delivered yet",
    "Change of billing address for our account",
    "App crashes when I export a report",
    "Cancel my subscription plan please",
    "Login code never arrives on my phone",
]


def body_for(rng: random.Random, topic: list[str]) -> str:
    words = [
        rng.choice(topic)
        if rng.random() < 0.08
        else rng.choice(COMMON)
        if rng.random() < 0.3
        else rng.choice(FILLER)
        for _ in range(rng.randint(120, 400))
    ]
    return "\n\n".join(
        " ".join(words[i : i + 40]).capitalize() + "." for i in range(0, len(words), 40)
    )


def measure(client: Client, url: str, params: list[dict]) -> tuple[list[float], list[int]]:
    for query in params[:WARM_UP]:
        assert client.get(url, query).status_code == 200
    timings, counts = [], []
    for n in range(REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params[n % len(params)])
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        counts.append(len(queries))
    return timings, counts


def report(name: str, timings: list[float], counts: list[int]) -> float:
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"  {name:<28} median {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms   "
        f"queries {min(counts)}–{max(counts)}"
    )
    return p95


@pytest.mark.django_db(transaction=True)
def test_search_and_suggestions_over_ten_thousand_articles():
    rng = random.Random(5)
    writer = get_user_model().objects.create_user("bench-writer")
    categories = ArticleCategory.objects.bulk_create(
        ArticleCategory(name=f"Topic {n}", slug=f"topic-{n}") for n in range(12)
    )
    now = timezone.now()
    for start in range(0, ARTICLES, 2000):
        batch = []
        for n in range(start, min(start + 2000, ARTICLES)):
            verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
            body = body_for(rng, [verb, noun, rng.choice(NOUNS)])
            html = render_markdown(body)
            batch.append(
                Article(
                    title=f"How to {verb} your {noun} ({n})",
                    slug=f"how-to-{verb}-your-{noun}-{n}",
                    summary=f"Everything about your {noun} and how to {verb} it.",
                    body=body,
                    body_html=html,
                    body_text=plain_text(html),
                    category=categories[n % len(categories)],
                    tags=f"{noun}, {verb}",
                    # A few internal articles and drafts, as on a real desk.
                    audience=Audience.INTERNAL if n % 10 == 0 else Audience.PUBLIC,
                    status=ArticleStatus.DRAFT if n % 25 == 0 else ArticleStatus.PUBLISHED,
                    author=writer,
                    last_editor=writer,
                    published_at=now,
                )
            )
        Article.objects.bulk_create(batch)
    started = time.perf_counter()
    search.index_articles(Article.objects.all())
    indexing = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_article")
    plan = (
        Article.objects.public()
        .only("title", "slug", "summary")
        .suggested_for("Where is my refund", language="en", typing=True)[:5]
        .explain()
    )

    client = Client()
    search_times, search_queries = measure(
        client, reverse("knowledge:search"), [{"q": query} for query in SEARCHES]
    )
    suggest_times, suggest_queries = measure(
        client,
        reverse("knowledge:suggest"),
        [{"subject": subject, "message": ""} for subject in SUBJECTS],
    )

    public = Article.objects.public().count()
    print(f"\nKnowledge base: {ARTICLES:,} articles ({public:,} public and published)")
    print(f"  search vectors for all articles in {indexing:.1f} s (bulk update per language)")
    report("public search /kb/search/", search_times, search_queries)
    p95 = report("suggestions /kb/suggest/", suggest_times, suggest_queries)
    print("  plan of the suggestion query:\n    " + plan.replace("\n", "\n    "))
    assert max(suggest_queries) <= 2
    assert max(search_queries) <= 2
    assert "article_title_search_idx" in plan
    assert p95 < 50, f"suggestions took {p95:.1f} ms at the 95th percentile"
