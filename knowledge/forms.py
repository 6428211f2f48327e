from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.models import Article


class ArticleForm(forms.ModelForm):
    """Writing an article on the desk; the saving service renders, versions and indexes it."""

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "category",
            "tags",
            "language",
            "audience",
            "status",
            "body",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "class": "font-monospace"})}


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes"
    )
