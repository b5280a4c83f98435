"""initiatives' part of "Download my data" (accounts.personal_data): the person's ideas and
the moderation decisions about them and their comments, comments, supports, reports,
co-creator roles and pledges, initiatives and updates; and, for moderators and organisers,
the decisions they made."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import (
    CoCreator,
    Comment,
    DraftComment,
    DraftVersion,
    Follow,
    Idea,
    Initiative,
    InitiativeUpdate,
    ModerationLog,
    Mute,
    PersonReport,
    Report,
    Support,
    TargetKind,
)


def _decisions(user):
    """Moderation decisions about the person's own ideas and comments (not who made them)."""
    ideas = Idea.objects.filter(author=user).values("pk")
    comments = Comment.objects.filter(author=user).values("pk")
    return ModerationLog.objects.filter(
        Q(target_kind=TargetKind.IDEA, target_id__in=ideas)
        | Q(target_kind=TargetKind.COMMENT, target_id__in=comments)
    ).order_by("created_at", "pk")


register(
    Section(
        key="ideas",
        title=_("Your ideas"),
        description=_("Each idea you wrote, drafts included, and where it stands."),
        columns=(
            Column("idea_id", _("The number of the idea."), "id"),
            Column("title", _("Its title.")),
            Column("body", _("What you wrote.")),
            Column("language", _("The language you wrote it in.")),
            Column("harm_category", _("The harm it addresses."), "harm_category__name"),
            Column("solution_area", _("Its solution area."), "solution_area__name"),
            Column("session", _("The session it is linked to, if any."), "session__title"),
            Column("is_anonymous", _("Whether it is shown as anonymous.")),
            Column("status", _("Where it stands (draft, submitted, approved, ...).")),
            Column("moderator_note", _("The note from the moderator about the last decision.")),
            Column("created_at", _("When you started it.")),
            Column("submitted_at", _("When you submitted it.")),
            Column("decided_at", _("When the last decision was made.")),
            Column("support_count", _("How many people support it.")),
            Column(
                "personal_data_found",
                _("Kinds of personal data the privacy check found."),
                "personal_data_kinds",
            ),
        ),
        queryset=lambda user: Idea.objects.filter(author=user).order_by("created_at", "pk"),
        covers=("initiatives.Idea.author",),
        order=30,
    ),
    Section(
        key="moderation_decisions",
        title=_("Moderation decisions about your ideas and comments"),
        description=_(
            "Each decision moderators made about what you wrote, and the reason they gave."
        ),
        columns=(
            Column("when", _("When."), "created_at"),
            Column("content", _("idea or comment."), "target_kind"),
            Column("content_id", _("The number of the idea or comment."), "target_id"),
            Column("action", _("What was done (a code).")),
            Column("from_status", _("The status before.")),
            Column("to_status", _("The status after.")),
            Column("reason", _("The reason given.")),
        ),
        queryset=_decisions,
        order=31,
    ),
    Section(
        key="comments",
        title=_("Your comments"),
        description=_("Each comment you posted on an idea."),
        columns=(
            Column("comment_id", _("The number of the comment."), "id"),
            Column("idea_id", _("The idea it is on."), "idea_id"),
            Column("body", _("What you wrote.")),
            Column("language", _("The language you wrote it in.")),
            Column("is_anonymous", _("Whether it is shown as anonymous.")),
            Column("status", _("published, pending, hidden or deleted.")),
            Column("posted_at", _("When you posted it."), "created_at"),
        ),
        queryset=lambda user: Comment.objects.filter(author=user).order_by("created_at", "pk"),
        covers=("initiatives.Comment.author",),
        order=32,
    ),
    Section(
        key="supports",
        title=_("Ideas you support"),
        description=_("Each idea you added your support to."),
        columns=(
            Column("idea_id", _("The idea."), "idea_id"),
            Column("idea_title", _("Its title."), "idea__title"),
            Column("supported_at", _("When you supported it."), "created_at"),
        ),
        queryset=lambda user: Support.objects.filter(user=user).order_by("created_at", "pk"),
        covers=("initiatives.Support.user",),
        order=33,
    ),
    Section(
        key="reports_made",
        title=_("Reports you made"),
        description=_("Each idea or comment you reported to the moderators."),
        columns=(
            Column("report_id", _("The number of the report."), "id"),
            Column("idea_id", _("The idea reported, if an idea."), "idea_id"),
            Column("comment_id", _("The comment reported, if a comment."), "comment_id"),
            Column("reason", _("The reason you chose.")),
            Column("note", _("What you added.")),
            Column("status", _("open, upheld or dismissed.")),
            Column("reported_at", _("When you reported it."), "created_at"),
        ),
        queryset=lambda user: Report.objects.filter(reporter=user).order_by("created_at", "pk"),
        covers=("initiatives.Report.reporter",),
        order=34,
    ),
    Section(
        key="person_reports_made",
        title=_("Reports you made about people"),
        description=_(
            "Each person you reported to the moderators, by where you saw them. The person "
            "reported is not named here: you may have reported an anonymous author."
        ),
        columns=(
            Column("report_id", _("The number of the report."), "id"),
            Column("reported_from", _("idea, comment or cocreator: where you saw them."), "via"),
            Column("item_id", _("The number of that idea, comment or entry."), "via_id"),
            Column("reason", _("The reason you chose.")),
            Column("note", _("What you added.")),
            Column("status", _("open, acted (an organiser acted) or closed.")),
            Column("reported_at", _("When you reported it."), "created_at"),
        ),
        queryset=lambda user: PersonReport.objects.filter(reporter=user).order_by("pk"),
        covers=("initiatives.PersonReport.reporter",),
        order=34,
    ),
    Section(
        key="reports_about_you",
        title=_("Reports about you"),
        description=_(
            "How many reports other people made about you, by reason and outcome. Who made "
            "them and what they wrote are theirs and are not shown."
        ),
        columns=(
            Column("reason", _("The reason they chose.")),
            Column("status", _("open, acted (an organiser acted) or closed.")),
            Column("reported_at", _("When.")),
        ),
        # The month only: an exact time could tell the person who reported them.
        read=lambda user: [
            {
                "reason": report.reason,
                "status": report.status,
                "reported_at": timezone.localtime(report.created_at).strftime("%Y-%m"),
            }
            for report in PersonReport.objects.filter(person=user).order_by("created_at", "pk")
        ],
        covers=("initiatives.PersonReport.person",),
        order=34,
    ),
    Section(
        key="comments_hidden_from_you",
        title=_("People whose comments you hid"),
        description=_("Each person whose comments you chose not to see, and when."),
        columns=(
            Column("comment_id", _("The comment you chose it from."), "via_comment_id"),
            Column("hidden_since", _("When."), "created_at"),
        ),
        queryset=lambda user: Mute.objects.filter(user=user).order_by("pk"),
        # Who hid the person (Mute.muted) is theirs and is not shown to the person.
        covers=("initiatives.Mute.user", "initiatives.Mute.muted"),
        order=34,
    ),
    Section(
        key="cocreator_roles",
        title=_("Initiatives you joined"),
        description=_("Each initiative you joined as a co-creator, how you help and your pledge."),
        columns=(
            Column("initiative", _("The initiative."), "initiative__title"),
            Column("role", _("How you help.")),
            Column("pledge", _("Your pledge.")),
            Column("joined_at", _("When you joined.")),
        ),
        queryset=lambda user: CoCreator.objects.filter(user=user).order_by("joined_at", "pk"),
        covers=("initiatives.CoCreator.user",),
        order=35,
    ),
    Section(
        key="initiatives_followed",
        title=_("Initiatives you follow"),
        description=_("Each initiative you follow, whose news we email you once a day."),
        columns=(
            Column("initiative", _("The initiative."), "initiative__title"),
            Column("followed_at", _("When you started to follow it."), "created_at"),
        ),
        queryset=lambda user: Follow.objects.filter(user=user).order_by("created_at", "pk"),
        covers=("initiatives.Follow.user",),
        order=36,
    ),
    Section(
        key="initiatives_led",
        title=_("Initiatives you lead or created"),
        description=_("Initiatives that name you as a lead, or that you created."),
        columns=(
            Column("initiative_id", _("The number of the initiative."), "id"),
            Column("title", _("Its title.")),
            Column("created_at", _("When it was created.")),
        ),
        queryset=lambda user: (
            Initiative.objects.filter(Q(leads=user) | Q(created_by=user)).distinct().order_by("pk")
        ),
        covers=("initiatives.Initiative.leads", "initiatives.Initiative.created_by"),
        order=36,
    ),
    Section(
        key="initiative_updates",
        title=_("Updates you posted on initiatives"),
        description=_("Progress updates you wrote."),
        columns=(
            Column("initiative", _("The initiative."), "initiative__title"),
            Column("title", _("The update's title.")),
            Column("body", _("What you wrote.")),
            Column("posted_at", _("When."), "created_at"),
        ),
        queryset=lambda user: InitiativeUpdate.objects.filter(author=user).order_by("pk"),
        covers=("initiatives.InitiativeUpdate.author",),
        order=37,
    ),
    Section(
        key="draft_versions",
        title=_("Versions you saved of initiative drafts"),
        description=_(
            "Each version of an initiative's working draft you saved, with your note on what "
            "changed. The text is the co-creators' shared work; the version history shows it."
        ),
        columns=(
            Column("initiative", _("The initiative."), "initiative__title"),
            Column("version", _("The version number."), "number"),
            Column("note", _("Your note on what changed.")),
            Column(
                "shown_as_anonymous", _("Whether it is shown as anonymous."), "author_anonymous"
            ),
            Column("saved_at", _("When you saved it."), "created_at"),
        ),
        queryset=lambda user: DraftVersion.objects.filter(author=user).order_by("pk"),
        covers=("initiatives.DraftVersion.author",),
        order=37,
    ),
    Section(
        key="draft_comments",
        title=_("Your comments on initiative drafts"),
        description=_("Each comment you posted on a section of an initiative's working draft."),
        columns=(
            Column("initiative", _("The initiative."), "initiative__title"),
            Column("section", _("The section it is on.")),
            Column("body", _("What you wrote.")),
            Column("version", _("The version you were reading."), "version_number"),
            Column(
                "shown_as_anonymous", _("Whether it is shown as anonymous."), "author_anonymous"
            ),
            Column("posted_at", _("When you posted it."), "created_at"),
        ),
        queryset=lambda user: DraftComment.objects.filter(author=user).order_by("pk"),
        covers=("initiatives.DraftComment.author",),
        order=37,
    ),
    Section(
        key="moderation_work",
        title=_("Your moderation work"),
        description=_(
            "As a moderator: the decisions on ideas you made last, the reports you "
            "resolved, and the moderation log entries you wrote."
        ),
        columns=(
            Column("what", _("idea_decision, report_resolved or moderation_log.")),
            Column("record_id", _("The number of the idea, report or log entry.")),
            Column("when", _("When.")),
        ),
        read=lambda user: [
            *(
                {"what": "idea_decision", "record_id": pk, "when": when}
                for pk, when in Idea.objects.filter(decided_by=user)
                .order_by("pk")
                .values_list("pk", "decided_at")
            ),
            *(
                {"what": "report_resolved", "record_id": pk, "when": when}
                for pk, when in Report.objects.filter(resolved_by=user)
                .order_by("pk")
                .values_list("pk", "resolved_at")
            ),
            *(
                {"what": "person_report_closed", "record_id": pk, "when": when}
                for pk, when in PersonReport.objects.filter(resolved_by=user)
                .order_by("pk")
                .values_list("pk", "resolved_at")
            ),
            *(
                {"what": "moderation_log", "record_id": pk, "when": when}
                for pk, when in ModerationLog.objects.filter(actor=user)
                .order_by("pk")
                .values_list("pk", "created_at")
            ),
        ],
        covers=(
            "initiatives.Idea.decided_by",
            "initiatives.Report.resolved_by",
            "initiatives.PersonReport.resolved_by",
            "initiatives.ModerationLog.actor",
        ),
        order=62,
    ),
)
