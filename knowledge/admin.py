from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from audit.admin import AuditedModelAdmin
from knowledge import services
from knowledge.models import (
    DEFLECTION_WINDOW,
    Article,
    ArticleCategory,
    ArticleUse,
    ArticleVersion,
    SuggestionOpen,
)
from knowledge.rendering import render_markdown


def _count_of(queryset):
    """A per-article count as a subquery, so several counts never multiply each other."""
    counted = queryset.filter(article=OuterRef("pk")).order_by().values("article")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ArticleVersionInline(admin.TabularInline):
    """The history: each row is the content an edit replaced, with a way to bring it back."""

    model = ArticleVersion
    extra = 0
    can_delete = False
    fields = ["saved_at", "editor", "title", "replaced_at", "restore"]
    readonly_fields = fields
    verbose_name = "earlier version"
    verbose_name_plural = "history (earlier versions, newest first)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def restore(self, version):
        url = reverse("admin:knowledge_article_restore", args=[version.article_id, version.pk])
        return format_html('<a class="button" href="{}">Restore this version…</a>', url)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("editor")


class TranslationInline(admin.TabularInline):
    """The original's translations, each opened to edit on its own page (saved through the
    service like any article)."""

    model = Article
    fk_name = "translation_of"
    extra = 0
    can_delete = False
    fields = ["title", "language", "status", "audience", "open"]
    readonly_fields = fields
    verbose_name = "translation"
    verbose_name_plural = "translations (other languages of this article)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def open(self, translation):
        url = reverse("admin:knowledge_article_change", args=[translation.pk])
        return format_html('<a href="{}">Edit this translation</a>', url)


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin):
    list_display = [
        "title",
        "language",
        "category",
        "audience",
        "status",
        "updated_at",
        "suggested_count",
        "opened",
        "deflected",
        "helpful_yes",
        "helpful_no",
        "helpful",
        "used",
    ]
    list_filter = ["status", "audience", "category", "language"]
    list_select_related = ["category"]
    search_fields = ["title", "slug", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["translation_of"]
    readonly_fields = [
        "add_translation",
        "author",
        "last_editor",
        "created_at",
        "updated_at",
        "published_at",
    ]
    fields = [
        "title",
        "slug",
        "summary",
        "category",
        "tags",
        "language",
        "translation_of",
        "audience",
        "status",
        "body",
        *readonly_fields,
    ]
    inlines = [TranslationInline, ArticleVersionInline]

    @admin.display(description="")
    def add_translation(self, article):
        """From an original: a new article already marked as its translation."""
        if article.pk is None or article.translation_of_id is not None:
            return "—"
        initial = {"translation_of": article.pk, "category": article.category_id}
        url = reverse("admin:knowledge_article_add") + "?" + urlencode(initial)
        return format_html('<a class="button" href="{}">Add a translation…</a>', url)

    def get_queryset(self, request):
        cutoff = timezone.now() - DEFLECTION_WINDOW
        opens = SuggestionOpen.objects.all()
        return (
            super()
            .get_queryset(request)
            .annotate(
                opened_count=_count_of(opens),
                deflected_count=_count_of(opens.filter(case__isnull=True, opened_at__lt=cutoff)),
                used_count=_count_of(ArticleUse.objects.all()),
            )
        )

    @admin.display(description="opened", ordering="opened_count")
    def opened(self, article):
        return article.opened_count

    @admin.display(description="deflected", ordering="deflected_count")
    def deflected(self, article):
        return article.deflected_count

    @admin.display(description="helpful")
    def helpful(self, article):
        ratio = article.helpful_ratio
        return "—" if ratio is None else f"{ratio:.0%}"

    @admin.display(description="used on cases", ordering="used_count")
    def used(self, article):
        return article.used_count

    def save_model(self, request, obj, form, change):
        # Through the service: rendering, sanitising, the version history and the index.
        services.article_save(article=obj, editor=request.user)

    def get_urls(self):
        restore = self.admin_site.admin_view(self.restore_view)
        return [
            path(
                "<int:article_id>/restore/<int:version_id>/",
                restore,
                name="knowledge_article_restore",
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request, article_id, version_id):
        """Show an earlier version; on POST make it the current content again."""
        version = get_object_or_404(
            ArticleVersion.objects.select_related("article", "editor"),
            pk=version_id,
            article_id=article_id,
        )
        if not self.has_change_permission(request, version.article):
            raise PermissionDenied
        if request.method == "POST":
            services.article_restore(version=version, editor=request.user)
            self.message_user(
                request, f"Restored the version saved {version.saved_at:%d %b %Y %H:%M}."
            )
            return redirect("admin:knowledge_article_change", article_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Restore an earlier version of “{version.article.title}”",
            "version": version,
            "article": version.article,
            "body_html": render_markdown(version.body),
        }
        return TemplateResponse(request, "admin/knowledge/restore.html", context)
