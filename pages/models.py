"""Site pages: About, Help, Terms, Privacy, Contact, written and edited by operators."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coupzii.core.models import TimeStampedModel


class Page(TimeStampedModel):
    """One page of plain text at /pages/<slug>/. The body is shown as paragraphs (a blank
    line starts a new one) with addresses turned into links; no HTML is taken from it, so
    nothing an operator pastes can run in a shopper's browser. Title and body have Hindi
    columns (pages/translation.py) that fall back to English when empty."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(
        _("summary"),
        max_length=200,
        blank=True,
        help_text=_("One sentence under the title, also used by search engines."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. Leave a blank line between paragraphs; web and email addresses "
            "become links. HTML is shown as typed, not run."
        ),
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")

    def __str__(self) -> str:
        return self.title
