"""The personal-data check of the forms people write in (ideas, comments, feedback): one
message per field, beside the field whose text holds the detail, naming what was found."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .pii import Finding, detect_personal_data


def _in_words(findings: list[Finding]) -> str:
    parts = [
        _("%(kind)s (“%(text)s”)") % {"kind": finding.label, "text": finding.text}
        for finding in findings
    ]
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def personal_data_message(*, subject: str, findings: list[Finding]) -> str:
    """'Your idea seems to include a phone number (“9123 4567”). Take it out, or ...'"""
    return ngettext(
        "%(subject)s seems to include %(found)s. Take it out, or tick the box below if it "
        "must stay.",
        "%(subject)s seems to include %(found)s. Take them out, or tick the box below if "
        "they must stay.",
        len(findings),
    ) % {"subject": subject, "found": _in_words(findings)}


class PrivacyCheckMixin:
    """For a form with a `confirm_personal_data` box: each text field that seems to hold
    personal data gets an error of its own, naming what was found, until the writer removes
    it or ticks the box (a second submit then goes through, and the service keeps the kinds
    for the moderator). `privacy_findings` maps each such field's name to what was found;
    the template shows the box only when it is not empty."""

    def privacy_subjects(self) -> dict[str, str]:
        """Each checked field's name and how a sentence names it ("Your idea")."""
        raise NotImplementedError

    def check_privacy(self, cleaned: dict) -> None:
        self.privacy_findings = {}
        for name, subject in self.privacy_subjects().items():
            findings = detect_personal_data(cleaned.get(name) or "")
            if findings:
                self.privacy_findings[name] = findings
                if not cleaned.get("confirm_personal_data"):
                    self.add_error(name, personal_data_message(subject=subject, findings=findings))
