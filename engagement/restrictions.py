"""What blocking or suspending a person does to their registrations (accounts.restrictions)."""

from accounts.restrictions import RestrictionEffects, restriction_hook

from .services import registrations_cancel_for_restriction


@restriction_hook
def cancel_future_registrations(
    *, person, by, cancel_registrations, **_options
) -> RestrictionEffects:
    if not cancel_registrations:
        return RestrictionEffects()
    return RestrictionEffects(
        cancelled_registrations=registrations_cancel_for_restriction(person=person, by=by)
    )
