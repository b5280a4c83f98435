"""The personal-data check inside Chinese, Malay and Tamil text (issue 14, item 5): a number,
an NRIC or an email that touches the words around it is still found, and a mixed-language
text is checked without a crash."""

import pytest

from harms.pii import detect_personal_data


def _kinds(text):
    return sorted({finding.kind for finding in detect_personal_data(text)})


@pytest.mark.parametrize(
    "text,kinds",
    [
        ("我的电话是 9123 4567", ["phone"]),
        ("我的电话是91234567，请联系", ["phone"]),
        ("nombor saya 91234567", ["phone"]),
        ("என்னுடைய எண் 91234567", ["phone"]),
        ("身份证S1234567D号", ["nric"]),
        ("IC saya S1234567D", ["nric"]),
        ("电邮a.b@example.com联系我", ["email"]),
        ("மின்னஞ்சல் priya@example.sg இல்", ["email"]),
        ("她说 hello, call +65 9123 4567 நன்றி terima kasih", ["phone"]),
    ],
)
def test_personal_details_are_found_in_every_official_language(text, kinds):
    assert _kinds(text) == kinds


@pytest.mark.parametrize("text", ["abc91234567", "订单号A91234567", "S1234567DX"])
def test_digits_inside_latin_codes_are_not_taken_for_phones_or_nrics(text):
    assert _kinds(text) == []
