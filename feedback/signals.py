"""What feedback tells the apps above it, which it must not import (reports keeps digests
that quote feedback). The receivers are connected in those apps' AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the transaction, with `feedback_id`, when an approved quote stops being
# quotable: consent withdrawn, the quoted text changed, or the feedback deleted. A receiver
# that starts work does it on commit (the row may be gone by then).
quote_withdrawn = Signal()
