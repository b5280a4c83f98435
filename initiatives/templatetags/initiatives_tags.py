from django import template
from django.utils.translation import gettext as _

from ..models import ANONYMOUS_LABEL
from ..permissions import can_see_author
from ..selectors import home_ideas, home_initiatives, pending_total, urgent_open_total

register = template.Library()


@register.simple_tag
def author_label(obj, user) -> str:
    """The author's name as `user` may see it: anonymous content names its author only to
    organisers and to the author themselves."""
    if not obj.is_anonymous:
        return obj.author.display_name
    if can_see_author(user, obj.author_id):
        return _("%(name)s (anonymous to others)") % {"name": obj.author.display_name}
    return str(ANONYMOUS_LABEL)


@register.simple_tag
def cocreator_label(cocreator, user) -> str:
    """A co-creator as `user` may see them: one who chose not to be named (the author of an
    anonymous idea merged into the initiative) is named only to organisers and themselves."""
    if cocreator.show_name:
        return cocreator.user.display_name
    if can_see_author(user, cocreator.user_id):
        return _("%(name)s (anonymous to others)") % {"name": cocreator.user.display_name}
    return str(ANONYMOUS_LABEL)


@register.inclusion_tag("initiatives/_home_ideas.html", takes_context=True)
def home_ideas_block(context) -> dict:
    return {
        "ideas": home_ideas(),
        "initiatives": home_initiatives(),
        "user": context.get("user"),
    }


@register.simple_tag
def moderation_pending_count() -> int:
    return pending_total()


@register.simple_tag
def moderation_urgent_count() -> int:
    """Urgent reports still open (content items and people): the badge shows them first."""
    return urgent_open_total()


@register.filter
def warnings_open(user) -> bool:
    """True when the reader chose to see text under content warnings expanded."""
    return getattr(user, "content_warning_display", "collapsed") == "expanded"


@register.simple_tag
def restriction_state(person) -> str:
    """ "blocked", "suspended" (until a time still to come) or "" for the People tab."""
    return str(person.restriction_in_force())


@register.simple_tag
def draft_author_label(obj, user) -> str:
    """Who wrote a draft version or a draft comment, as `user` may see it: "Anonymous
    participant" for a co-creator who is not named (named to organisers and themselves),
    "Former participant" once the author's account is gone."""
    if obj.author_id is None:
        return obj.public_author_name
    if not obj.author_anonymous:
        return obj.author.display_name
    if can_see_author(user, obj.author_id):
        return _("%(name)s (anonymous to others)") % {"name": obj.author.display_name}
    return str(ANONYMOUS_LABEL)
