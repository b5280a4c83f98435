"""How each kind of outbound email is rendered. Apps register their kinds in their own
`emails` module (autodiscovered by OutboxConfig.ready); the outbox never imports them."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """What send_templated_email needs, apart from the address (the recipient's, at send time).
    Subjects stay discreet: never a harm, a title or a name."""

    subject: str
    template: str
    context: dict
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)
    # A Reply-To header: only ever a shared address (settings.SUPPORT_EMAIL), never the
    # address of the person who wrote the text, which would be disclosed to every recipient.
    reply_to: list[str] = field(default_factory=list)
    # Extra headers (List-Unsubscribe and List-Unsubscribe-Post of the follow digest); never
    # an address or anything else personal beyond the recipient's own signed link.
    headers: dict[str, str] = field(default_factory=dict)


# A renderer gets the row (kind, recipient, params) and returns the message, or None when there
# is nothing to tell any more (what it was about went away meanwhile).
Renderer = Callable[..., Message | None]
RENDERERS: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    def decorator(renderer: Renderer) -> Renderer:
        if kind in RENDERERS and RENDERERS[kind] is not renderer:
            raise ValueError(f"Outbound email kind {kind!r} is registered twice")
        RENDERERS[kind] = renderer
        return renderer

    return decorator
