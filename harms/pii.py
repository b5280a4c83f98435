"""A heuristic check for personal data in free text written by participants.

It runs before an idea, comment or feedback is sent, so the writer can take out details
that identify someone (often the person harmed). It warns; it never blocks and never stores
what it found beyond the kinds. It errs towards warning: a false alarm costs a second look,
a miss can expose someone.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "name": _("a name of another person"),
    "nric": _("an NRIC or FIN number"),
    "phone": _("a phone number"),
    "email": _("an email address"),
    "address": _("a street address or postal code"),
    "handle": _("a social media handle"),
    "url": _("a web address"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


# --- NRIC / FIN -----------------------------------------------------------------

# Bounded by Latin letters and digits only, not by \b: in Chinese, Malay or Tamil text a
# number or an NRIC often touches the words around it ("我的电话是91234567", "身份证S1234567D号"),
# and \b sees no boundary between two Unicode word characters.
_NRIC_RE = re.compile(r"(?<![A-Za-z0-9])([STFGM])(\d{7})([A-Z])(?![A-Za-z0-9])", re.IGNORECASE)
_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_ST_LETTERS = "JZIHGFEDCBA"
_FG_LETTERS = "XWUTRQPNMLK"
_M_LETTERS = "KLJNPQRTUWX"


def nric_is_valid(value: str) -> bool:
    """True for a Singapore NRIC (S, T) or FIN (F, G, M) whose check letter is right."""
    match = _NRIC_RE.fullmatch(value.strip())
    if not match:
        return False
    prefix, digits, check = (part.upper() for part in match.groups())
    total = sum(int(digit) * weight for digit, weight in zip(digits, _WEIGHTS, strict=True))
    if prefix in "TG":
        total += 4
    elif prefix == "M":
        total += 3
    remainder = total % 11
    if prefix in "ST":
        expected = _ST_LETTERS[remainder]
    elif prefix in "FG":
        expected = _FG_LETTERS[remainder]
    else:
        expected = _M_LETTERS[10 - remainder]
    return check == expected


# --- Other patterns -------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)
_URL_RE = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:com|sg|net|org|io|me|ly|co)(?:/[^\s<>\"']*)?\b",
    re.IGNORECASE,
)
# +65 then 8 digits starting 3, 6, 8 or 9 (spaces or dashes allowed), or the 8 digits alone.
_PHONE_RE = re.compile(
    r"(?:(?<![A-Za-z0-9+])\+65[\s-]?|(?<![A-Za-z0-9+]))(?:\(?65\)?[\s-]?)?[3689]\d{3}[\s-]?\d{4}"
    r"(?!\d)"
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,29})\b")
_ADDRESS_RES = [
    re.compile(r"\b(?:Blk|Block)\.?\s*\d{1,4}[A-Z]?\b", re.IGNORECASE),
    re.compile(
        r"\b\d{1,4}[A-Z]?\s+(?:[A-Z][a-z]+\s+){1,4}"
        r"(?:Street|St|Road|Rd|Avenue|Ave|Drive|Dr|Lane|Crescent|Close|Walk|Way|Link|Central)\b"
        r"(?:\s+\d{1,2})?(?:\s*,?\s*#\d{1,3}-\d{1,5})?",
    ),
    re.compile(r"#\d{1,3}-\d{1,5}\b"),
    re.compile(r"\bSingapore\s*\(?\d{6}\)?(?!\d)", re.IGNORECASE),
    re.compile(r"\bS\(\d{6}\)"),
]
_HONORIFICS = r"(?:Mr|Mrs|Ms|Mdm|Miss|Dr|Prof|Mx|Encik|Puan|Cik|Madam|Uncle|Auntie|Aunty)"
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+){0,2}"
_RELATION = (
    r"(?:friend|colleague|classmate|boss|manager|neighbour|neighbor|ex|boyfriend|girlfriend|"
    r"husband|wife|partner|daughter|son|sister|brother|cousin|teacher|student|tutor|coach|"
    r"supervisor|roommate|housemate|niece|nephew)"
)
_NAME_RES = [
    re.compile(rf"\b{_HONORIFICS}\.?\s+{_NAME}"),
    re.compile(rf"\b(?i:my|our|her|his|their)\s+(?:\w+\s+)?(?i:{_RELATION}),?\s+({_NAME})"),
    re.compile(rf"\b(?i:named|called)\s+({_NAME})"),
]


def _add(findings: list[Finding], seen: set, kind: str, text: str) -> None:
    key = (kind, text.strip().lower())
    if key not in seen:
        seen.add(key)
        findings.append(Finding(kind=kind, text=text.strip()))


def detect_personal_data(text: str) -> list[Finding]:
    """Every piece of likely personal data in `text`, in the order of the kinds above."""
    findings: list[Finding] = []
    seen: set = set()
    if not text:
        return findings
    for match in _NAME_RES[0].finditer(text):
        _add(findings, seen, "name", match.group(0))
    for pattern in _NAME_RES[1:]:
        for match in pattern.finditer(text):
            _add(findings, seen, "name", match.group(1))
    for match in _NRIC_RE.finditer(text):
        if nric_is_valid(match.group(0)):
            _add(findings, seen, "nric", match.group(0))
    emails = list(_EMAIL_RE.finditer(text))
    email_spans = [m.span() for m in emails]

    def inside_email(span: tuple[int, int]) -> bool:
        return any(start <= span[0] and span[1] <= end for start, end in email_spans)

    for match in _PHONE_RE.finditer(text):
        _add(findings, seen, "phone", match.group(0))
    for match in emails:
        _add(findings, seen, "email", match.group(0))
    for pattern in _ADDRESS_RES:
        for match in pattern.finditer(text):
            _add(findings, seen, "address", match.group(0))
    for match in _HANDLE_RE.finditer(text):
        if not inside_email(match.span()):
            _add(findings, seen, "handle", match.group(0))
    for match in _URL_RE.finditer(text):
        if not inside_email(match.span()):
            _add(findings, seen, "url", match.group(0).rstrip(".,;:!?)"))
    order = list(KIND_LABELS)
    findings.sort(key=lambda finding: order.index(finding.kind))
    return findings


def personal_data_kinds(findings: list[Finding]) -> list[str]:
    """The distinct kinds found, in a stable order (what a moderator's marker shows)."""
    kinds = {finding.kind for finding in findings}
    return [kind for kind in KIND_LABELS if kind in kinds]


def kind_labels(kinds: list[str]) -> list[str]:
    """Stored kinds (a JSON list on feedback, ideas and comments) in words a moderator reads
    at a glance."""
    return [str(KIND_LABELS.get(kind, kind)) for kind in kinds]
