from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HarmCategory(models.Model):
    """A kind of online harm the Alliance works on; sub-categories point to a parent."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"))
    content_warning = models.CharField(
        _("content warning"),
        max_length=300,
        help_text=_("Shown before the description, so readers can choose whether to go on."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("harm category")
        verbose_name_plural = _("harm categories")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="harmcategory_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("harms:category_detail", kwargs={"slug": self.slug})


class SolutionArea(models.Model):
    """A broad kind of response: public education, partnerships, regulation."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("solution area")
        verbose_name_plural = _("solution areas")

    def __str__(self) -> str:
        return self.name


class SupportResource(models.Model):
    """A help service shown beside sensitive content and in the footer."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("website"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    categories = models.ManyToManyField(
        HarmCategory,
        verbose_name=_("harm categories served"),
        related_name="support_resources",
        blank=True,
    )
    show_in_footer = models.BooleanField(_("show in the site footer"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("support resource")
        verbose_name_plural = _("support resources")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="", url=""), name="supportresource_has_contact"
            ),
        ]

    def __str__(self) -> str:
        return self.name
