"""Articles at scale for benchmarks (used by `manage.py seed_scale` and tests/bench)."""

import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from knowledge import search
from knowledge.models import Article, ArticleCategory, ArticleStatus, Audience
from knowledge.rendering import plain_text, render_markdown

VERBS = ["change", "cancel", "reset", "update", "track", "return", "export", "connect", "pay"]
NOUNS = [
    "order", "password", "invoice", "address", "parcel", "refund", "account", "printer",
    "subscription", "card", "report", "delivery", "login", "phone", "email", "plan", "seat",
]  # fmt: skip
FILLER = [f"{stem}{n}" for stem in ("lorem", "ipsum", "dolor", "amet", "elit") for n in range(400)]
COMMON = ["the", "your", "you", "can", "when", "after", "before", "within", "days", "our", "team"]
BATCH = 2000


def body_for(rng: random.Random, topic: list[str]) -> str:
    """A body of 120 to 400 words, a few of them about the topic."""
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


def seed_articles(*, count: int, rng: random.Random, progress=None) -> None:
    """Bulk-create `count` articles (a tenth internal, a few drafts) and index them."""
    writer, _ = get_user_model().objects.get_or_create(username="bench-writer")
    categories = ArticleCategory.objects.bulk_create(
        ArticleCategory(name=f"Topic {n}", slug=f"topic-{n}") for n in range(12)
    )
    bar = progress("articles", count) if progress else None
    now = timezone.now()
    for start in range(0, count, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, count)):
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
                    audience=Audience.INTERNAL if n % 10 == 0 else Audience.PUBLIC,
                    status=ArticleStatus.DRAFT if n % 25 == 0 else ArticleStatus.PUBLISHED,
                    author=writer,
                    last_editor=writer,
                    published_at=now,
                )
            )
        Article.objects.bulk_create(batch)
        if bar:
            bar.add(len(batch))
    search.index_articles(Article.objects.all())
