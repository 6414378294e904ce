"""Bounce classifier behaviour: order of evidence, code reading, permanence, local failures, words."""

from __future__ import annotations

import dataclasses
import re

import pytest

import yunmail.delivery
from yunmail.delivery import BounceCause, BounceCauseId, LocalFailure, classify, classify_local
from yunmail.delivery.bounce_causes import CAUSE_TEXTS

C = BounceCauseId
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- order of evidence ------------------------------------------------------------------------


def test_specific_enhanced_code_wins_over_contradicting_text() -> None:
    result = classify(550, "5.2.2", "User unknown")

    assert result.cause is C.MAILBOX_FULL
    assert result.basis == "enhanced:5.2.2"


def test_specific_enhanced_code_read_from_text_wins_over_the_rest_of_the_text() -> None:
    result = classify(None, None, "552 5.3.4 Mailbox full")

    assert result.cause is C.MESSAGE_TOO_LARGE


def test_text_wins_over_a_generic_enhanced_code() -> None:
    result = classify(554, "5.7.1", "<bob@example.net>: Relay access denied")

    assert result.cause is C.RELAYING_DENIED
    assert result.basis == "text:relay access denied"


def test_microsoft_recipient_not_found_with_5_1_10_is_not_taken_for_null_mx() -> None:
    result = classify(
        550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    )

    assert result.cause is C.RECIPIENT_UNKNOWN


@pytest.mark.parametrize(
    ("code", "enhanced", "expected"),
    [
        (550, "5.1.10", C.NULL_MX),
        (554, "5.7.1", C.SPAM_OR_CONTENT_REJECTED),
        (450, "4.2.1", C.ACCOUNT_DISABLED_OR_SUSPENDED),
        (550, "5.4.1", C.NETWORK_OR_REMOTE_TROUBLE),
        (451, "4.4.3", C.NO_MX_OR_DNS_FAILURE),
    ],
)
def test_generic_enhanced_code_decides_when_the_text_says_nothing_known(
    code: int, enhanced: str, expected: BounceCauseId
) -> None:
    result = classify(code, enhanced, "Requested action not taken")

    assert result.cause is expected
    assert result.basis == f"hint:{enhanced}"


@pytest.mark.parametrize(
    ("code", "expected", "permanent"),
    [
        (421, C.NETWORK_OR_REMOTE_TROUBLE, False),
        (551, C.RECIPIENT_UNKNOWN, True),
        (553, C.BAD_ADDRESS_SYNTAX, True),
        (554, C.SPAM_OR_CONTENT_REJECTED, True),
    ],
)
def test_reply_code_decides_when_neither_enhanced_code_nor_text_does(
    code: int, expected: BounceCauseId, permanent: bool
) -> None:
    result = classify(code, None, "Go away")

    assert (result.cause, result.permanent, result.basis) == (expected, permanent, f"reply_code:{code}")


def test_unrecognised_transient_reply_is_remote_trouble() -> None:
    result = classify(450, None, "Frobnication pending")

    assert (result.cause, result.permanent, result.basis) == (C.NETWORK_OR_REMOTE_TROUBLE, False, "class:4")


def test_unrecognised_permanent_reply_is_other_with_the_raw_reply_kept() -> None:
    raw = "550 5.0.0 Frobnication not supported at this site"

    result = classify(None, None, raw)

    assert result.cause is C.OTHER
    assert result.permanent is True
    assert result.text == raw
    assert (result.reply_code, result.enhanced, result.basis) == (550, "5.0.0", "class:5")


def test_reply_without_any_code_or_known_words_is_other() -> None:
    result = classify(None, None, "something odd happened")

    assert (result.cause, result.basis, result.text) == (C.OTHER, "none", "something odd happened")


def test_phrase_split_over_a_multi_line_reply_is_recognised() -> None:
    result = classify(None, None, "550-Relay access\r\n550 denied")

    assert result.cause is C.RELAYING_DENIED


def test_phrase_split_by_continuation_inside_an_unfolded_diagnostic_is_recognised() -> None:
    result = classify(
        None, "5.0.0", "550-5.0.0 Sorry, your message to bob@example.net is 550-5.0.0 over quota"
    )

    assert result.cause is C.MAILBOX_FULL


def test_matching_ignores_case() -> None:
    assert classify(None, None, "USER UNKNOWN").cause is C.RECIPIENT_UNKNOWN


def test_block_list_named_spamhaus_is_not_taken_for_a_spam_verdict() -> None:
    assert classify(554, None, "blocked using zen.spamhaus.org").cause is C.BLACKLISTED_IP_OR_SENDER


def test_service_unavailable_is_a_block_only_with_554() -> None:
    assert classify(554, None, "Service unavailable").cause is C.BLACKLISTED_IP_OR_SENDER
    assert classify(421, None, "Service unavailable").cause is C.NETWORK_OR_REMOTE_TROUBLE


# --- reading codes from the text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "enhanced"),
    [
        ("550 5.1.1 <bob@example.net>: User unknown", 550, "5.1.1"),
        ("550-5.1.1 The email account that you tried to reach does not exist.", 550, "5.1.1"),
        (
            "host mx.example.net[192.0.2.25] said: 550 5.1.1 <bob@example.net>: Recipient address "
            "rejected: User unknown (in reply to RCPT TO command)",
            550,
            "5.1.1",
        ),
        (
            "SMTP error from remote mail server after RCPT TO:<bob@example.net>: 452 4.2.2 Over quota",
            452,
            "4.2.2",
        ),
        ("Sorry, no mailbox here by that name. (#5.1.1)", None, "5.1.1"),
        ("<mx.example.net #5.2.2 smtp;552 5.2.2 Mailbox full>", 552, "5.2.2"),
        ("5.7.1 Message rejected", None, "5.7.1"),
        ("554 Service unavailable", 554, None),
        ("- see 4.16.55.1 for details", None, None),
    ],
)
def test_codes_missing_from_the_call_are_read_from_the_text(
    text: str, code: int | None, enhanced: str | None
) -> None:
    result = classify(None, None, text)

    assert (result.reply_code, result.enhanced) == (code, enhanced)


def test_codes_given_by_the_caller_are_kept_over_those_in_the_text() -> None:
    result = classify(552, "5.2.2", "550 5.1.1 user unknown")

    assert (result.reply_code, result.enhanced, result.cause) == (552, "5.2.2", C.MAILBOX_FULL)


def test_malformed_enhanced_code_is_ignored() -> None:
    result = classify(550, "5.1", "User unknown")

    assert (result.enhanced, result.cause) == (None, C.RECIPIENT_UNKNOWN)


def test_enhanced_code_of_another_class_than_the_reply_code_is_not_read() -> None:
    result = classify(None, None, "550 4.2.2 Mailbox full")

    assert (result.reply_code, result.enhanced) == (550, None)


# --- permanence ---------------------------------------------------------------------------------


def test_permanence_follows_the_reply_code_class() -> None:
    assert classify(452, None, "Mailbox full").permanent is False
    assert classify(552, None, "Mailbox full").permanent is True


def test_permanence_follows_the_enhanced_class_without_a_reply_code() -> None:
    assert classify(None, "4.2.2", "").permanent is False
    assert classify(None, "5.2.2", "").permanent is True


def test_permanence_falls_back_to_the_cause_default_without_any_code() -> None:
    assert classify(None, None, "Mailbox full").permanent is False
    assert classify(None, None, "User unknown").permanent is True


def test_expired_delivery_is_permanent_despite_its_4_4_7_status() -> None:
    result = classify(450, "4.4.7", "QUEUE.Expired; message expired")

    assert (result.cause, result.permanent) == (C.DELIVERY_EXPIRED, True)


# --- failures we meet ourselves -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "expected", "permanent", "enhanced"),
    [
        (LocalFailure.DNS_NXDOMAIN, C.NO_MX_OR_DNS_FAILURE, True, "5.1.2"),
        (LocalFailure.DNS_NO_MAIL_HOST, C.NO_MX_OR_DNS_FAILURE, True, "5.4.4"),
        (LocalFailure.DNS_TEMPORARY, C.NO_MX_OR_DNS_FAILURE, False, "4.4.3"),
        (LocalFailure.NULL_MX, C.NULL_MX, True, "5.1.10"),
        (LocalFailure.CONNECTION_TIMEOUT, C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.1"),
        (LocalFailure.CONNECTION_REFUSED, C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.1"),
        (LocalFailure.CONNECTION_LOST, C.NETWORK_OR_REMOTE_TROUBLE, False, "4.4.2"),
        (LocalFailure.TLS_FAILURE, C.TLS_FAILURE, False, "4.7.5"),
        (LocalFailure.MAIL_LOOP, C.MAIL_LOOP, True, "5.4.6"),
        (LocalFailure.EXPIRED, C.DELIVERY_EXPIRED, True, "4.4.7"),
    ],
)
def test_local_failure_maps_to_its_cause_and_dsn_status(
    failure: LocalFailure, expected: BounceCauseId, permanent: bool, enhanced: str
) -> None:
    result = classify_local(failure)

    assert (result.cause, result.permanent, result.enhanced) == (expected, permanent, enhanced)
    assert (result.reply_code, result.basis) == (None, f"local:{failure.value}")


def test_every_local_failure_is_mapped() -> None:
    for failure in LocalFailure:
        assert classify_local(failure).basis == f"local:{failure.value}"


def test_local_failure_keeps_its_detail_as_raw_text() -> None:
    detail = "last attempt: 421 4.7.0 Try again later"

    assert classify_local(LocalFailure.EXPIRED, detail).text == detail


# --- words ----------------------------------------------------------------------------------------


def test_every_cause_has_words_in_both_languages() -> None:
    assert set(CAUSE_TEXTS) == set(BounceCauseId)
    for cause, words in CAUSE_TEXTS.items():
        for english in (words.title_en, words.explanation_en, words.advice_en):
            assert english.strip() and not CJK.search(english), cause
        for chinese in (words.title_zh, words.explanation_zh, words.advice_zh):
            assert CJK.search(chinese), cause


def test_every_cause_has_its_own_title() -> None:
    assert len({w.title_en for w in CAUSE_TEXTS.values()}) == len(CAUSE_TEXTS)
    assert len({w.title_zh for w in CAUSE_TEXTS.values()}) == len(CAUSE_TEXTS)


def test_cause_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CAUSE_TEXTS[C.OTHER] = CAUSE_TEXTS[C.VIRUS]  # type: ignore[index]


def test_result_carries_the_words_of_its_cause() -> None:
    result = classify(550, "5.1.1", "User unknown")
    words = CAUSE_TEXTS[C.RECIPIENT_UNKNOWN]

    assert (result.explanation_en, result.explanation_zh) == (words.explanation_en, words.explanation_zh)
    assert (result.advice_en, result.advice_zh) == (words.advice_en, words.advice_zh)


@pytest.mark.parametrize(
    ("lang", "chinese"), [("zh", True), ("zh-CN", True), ("ZH-hans", True), ("en-GB", False)]
)
def test_words_follow_the_requested_language(lang: str, chinese: bool) -> None:
    result = classify(552, "5.2.2", "Mailbox full")

    for text in (result.title(lang), result.explanation(lang), result.advice(lang)):
        assert bool(CJK.search(text)) is chinese


def test_result_is_immutable() -> None:
    result = classify(550, "5.1.1", "User unknown")

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cause = C.OTHER  # type: ignore[misc]


def test_cause_ids_are_stable_strings() -> None:
    assert C.RECIPIENT_UNKNOWN.value == "recipient_unknown"
    assert C.NULL_MX.value == "null_mx"
    assert C("mailbox_full") is C.MAILBOX_FULL
    assert isinstance(classify(550, "5.1.1", "").cause.value, str)


def test_package_exports_the_bounce_api() -> None:
    # Subset, not equality: the rest of the delivery package adds its own names here later.
    exported = set(yunmail.delivery.__all__)

    assert {
        "BounceCause",
        "BounceCauseId",
        "Dsn",
        "DsnFormat",
        "DsnRecipient",
        "LocalFailure",
        "classify",
        "classify_local",
        "parse_dsn",
    } <= exported
    assert all(hasattr(yunmail.delivery, name) for name in exported)
    assert BounceCause is yunmail.delivery.BounceCause
