"""What blocking or suspending a person does to ideas and comments (accounts.restrictions)."""

from accounts.restrictions import RestrictionEffects, restriction_hook

from .services import person_content_hide


@restriction_hook
def hide_published_content(*, person, by, reason, hide_content, **_options) -> RestrictionEffects:
    if not hide_content:
        return RestrictionEffects()
    return RestrictionEffects(
        hidden_items=person_content_hide(person=person, moderator=by, reason=reason)
    )
