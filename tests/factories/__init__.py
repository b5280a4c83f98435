"""The one set of test data builders: a factory_boy factory per model, one module per app.

Factories write rows straight to the tables, in the state a test starts from; the services
under test move them on. `created_at=` on a dated factory sets the auto_now_add column after the
insert. Scenarios that compose these (the known export data set) live in tests/scenarios.py.
"""

from .accounts import (
    PASSWORD,
    TOTP_PERIOD,
    PersonalDataArchiveFactory,
    UserFactory,
    current_totp_code,
)
from .base import SGT, DatedFactory, sgt
from .engagement import EngagementSessionFactory, RegistrationFactory
from .exports import ExportJobFactory
from .feedback import FeedbackFactory, FeedbackSuggestionFactory, SessionQuestionFactory, answer
from .harms import SupportResourceFactory, area, category
from .initiatives import (
    CoCreatorFactory,
    CommentFactory,
    DraftCommentFactory,
    DraftVersionFactory,
    FollowFactory,
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    ReportFactory,
    SupportFactory,
)
from .process import PhaseFactory, phase_fields
from .reports import DigestFactory, DigestSubscriptionFactory, SessionSummaryFactory

__all__ = [
    "PASSWORD",
    "PhaseFactory",
    "phase_fields",
    "SGT",
    "TOTP_PERIOD",
    "CoCreatorFactory",
    "CommentFactory",
    "DraftCommentFactory",
    "DraftVersionFactory",
    "DatedFactory",
    "DigestFactory",
    "DigestSubscriptionFactory",
    "SessionSummaryFactory",
    "EngagementSessionFactory",
    "ExportJobFactory",
    "FeedbackFactory",
    "FeedbackSuggestionFactory",
    "IdeaFactory",
    "FollowFactory",
    "InitiativeFactory",
    "InitiativeUpdateFactory",
    "PersonalDataArchiveFactory",
    "RegistrationFactory",
    "SessionQuestionFactory",
    "ReportFactory",
    "SupportFactory",
    "SupportResourceFactory",
    "UserFactory",
    "answer",
    "area",
    "category",
    "current_totp_code",
    "sgt",
]
