import pytest

from harms.pii import detect_personal_data, nric_is_valid, personal_data_kinds


def kinds(text: str) -> list[str]:
    return personal_data_kinds(detect_personal_data(text))


def found(text: str, kind: str) -> list[str]:
    return [finding.text for finding in detect_personal_data(text) if finding.kind == kind]


@pytest.mark.parametrize(
    "number",
    ["S1234567D", "T1234567J", "F1234567N", "G1234567X", "M1234567K", "s1234567d"],
)
def test_valid_nric_and_fin_numbers_pass_the_checksum(number):
    assert nric_is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "S1234567A",  # wrong check letter
        "T1234567D",  # S's letter on a T number (the offset matters)
        "F1234567D",  # S's letter table on a FIN
        "M1234567L",  # wrong M-series letter
        "A1234567D",  # no such prefix
        "S123456D",  # six digits
        "S12345678D",  # eight digits
    ],
)
def test_near_miss_nric_numbers_are_refused(number):
    assert not nric_is_valid(number)


def test_nric_in_text_is_found_only_with_a_valid_check_letter():
    assert found("Her IC is S1234567D, please help", "nric") == ["S1234567D"]
    assert found("Reference S1234567A on the form", "nric") == []


@pytest.mark.parametrize(
    "text",
    [
        "Call me at +65 9123 4567",
        "Call me at +6591234567",
        "Call me at +65-8123-4567",
        "WhatsApp 91234567 anytime",
        "office line 6123 4567",
        "hotline 3158-1234",
    ],
)
def test_singapore_phone_numbers_are_found(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "We surveyed 1234 5678 students",  # starts with 1
        "About 40 of 120 respondents agreed",
        "The budget is 51234567 dollars",  # starts with 5
        "Order 912345678 was late",  # nine digits
    ],
)
def test_numbers_that_are_not_singapore_phones_are_ignored(text):
    assert "phone" not in kinds(text)


def test_email_addresses_are_found_and_not_counted_as_handles():
    text = "Write to jane.tan+afa@example.com.sg for details"
    assert found(text, "email") == ["jane.tan+afa@example.com.sg"]
    assert found(text, "handle") == []
    assert found(text, "url") == []


def test_handles_and_urls_are_found():
    text = "He posts as @bad_actor_99 on https://forum.example.com/thread/12 and www.vice.sg."
    assert found(text, "handle") == ["@bad_actor_99"]
    assert found(text, "url") == ["https://forum.example.com/thread/12", "www.vice.sg"]


@pytest.mark.parametrize(
    "text",
    [
        "She lives at Blk 123 Jurong West",
        "Block 45A, near the market",
        "12 Orchard Road #05-12",
        "somewhere in Singapore 520123",
        "unit #12-345",
    ],
)
def test_street_addresses_are_found(text):
    assert "address" in kinds(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mr Tan from the next block kept messaging", "Mr Tan"),
        ("Mdm Siti Rahmah said so", "Mdm Siti Rahmah"),
        ("my friend Aisyah was targeted", "Aisyah"),
        ("My colleague, Wei Ling, found the photos", "Wei Ling"),
        ("a man called Kumar sent them", "Kumar"),
    ],
)
def test_names_of_other_people_are_found(text, name):
    assert name in found(text, "name")


def test_plain_policy_text_raises_no_warning():
    text = (
        "Schools should teach students how to report image-based abuse to platforms.\n"
        "Parents need a simple guide, in four languages, on privacy settings. Singapore "
        "could require platforms to act within 24 hours."
    )
    assert detect_personal_data(text) == []


def test_each_finding_has_a_readable_label():
    (finding,) = detect_personal_data("ring 91234567")
    assert finding.label == "a phone number"
