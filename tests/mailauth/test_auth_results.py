"""Authentication-Results (RFC 8601): render, parse, and the helpers for SPF, DKIM and DMARC outcomes."""

from __future__ import annotations

import pytest

from yunmail.mailauth.dkim import DkimResult, DkimVerification
from yunmail.mailauth.dmarc import DmarcOutcome, DmarcPolicy, DmarcResult
from yunmail.mailauth.results import (
    AuthenticationResults,
    AuthResultsSyntaxError,
    MethodResult,
    dkim_results,
    dmarc_result,
    parse,
    render,
    render_field,
    spf_result,
)
from yunmail.mailauth.spf import SpfOutcome, SpfResult


def test_render_folds_one_clause_per_line() -> None:
    results = AuthenticationResults(
        "mx.yunmail.test",
        (
            MethodResult("spf", "pass", properties=(("smtp", "mailfrom", "user@example.com"),)),
            MethodResult("dkim", "fail", "body hash did not verify", (("header", "d", "example.com"),)),
        ),
    )
    assert render(results) == (
        "mx.yunmail.test;\r\n"
        "\tspf=pass smtp.mailfrom=user@example.com;\r\n"
        '\tdkim=fail reason="body hash did not verify" header.d=example.com'
    )
    assert render_field(results).startswith(b"Authentication-Results: mx.yunmail.test;\r\n")


def test_no_results_render_as_none() -> None:
    # RFC 8601 §2.2 no-result
    assert render(AuthenticationResults("mx.yunmail.test")) == "mx.yunmail.test; none"
    assert parse("mx.yunmail.test; none") == AuthenticationResults("mx.yunmail.test")


def test_round_trip() -> None:
    results = AuthenticationResults(
        "mx.yunmail.test",
        (
            MethodResult("dkim", "pass", None, (("header", "d", "例子.测试"), ("header", "b", "ab+/=cd"))),
            MethodResult("dmarc", "pass", properties=(("header", "from", "example.com"),)),
        ),
        version=1,
    )
    assert parse(render(results)) == results


def test_rfc8601_appendix_b_examples_parse() -> None:
    # Appendix B.3 / B.4 (comments, versions, several results)
    b4 = (
        "example.com;\r\n"
        "          spf=pass smtp.mailfrom=example.net\r\n"
        "          (comment) ; sender-id=pass header.from=example.net (note)"
    )
    parsed = parse(b4)
    assert parsed.authserv_id == "example.com"
    assert [(r.method, r.result) for r in parsed.results] == [("spf", "pass"), ("sender-id", "pass")]
    assert parsed.results[0].property("smtp", "mailfrom") == "example.net"
    b6 = (
        "example.com 1; dkim/1=pass (good signature) header.i=@mail-router.example.net; "
        'auth=pass smtp.auth="sender@example.com"'
    )
    parsed = parse(b6)
    assert parsed.version == 1
    assert (
        parsed.results[0].version == 1
        and parsed.results[0].property("header", "i") == "@mail-router.example.net"
    )
    assert parsed.results[1].property("smtp", "auth") == "sender@example.com"


@pytest.mark.parametrize(
    "text", ["", "example.com", "example.com; spf", "example.com; spf=pass smtp", "a; (open"]
)
def test_malformed_values_raise(text: str) -> None:
    with pytest.raises(AuthResultsSyntaxError):
        parse(text)


def test_helpers_turn_outcomes_into_results() -> None:
    spf = spf_result(SpfOutcome(SpfResult.SOFTFAIL, "example.com"), "a@example.com")
    assert (spf.method, spf.result, spf.property("smtp", "mailfrom")) == ("spf", "softfail", "a@example.com")
    helo = spf_result(SpfOutcome(SpfResult.PASS, "relay.example.com"), "", "relay.example.com")
    assert helo.property("smtp", "helo") == "relay.example.com"
    assert dkim_results([]) == [MethodResult("dkim", "none")]
    (dkim,) = dkim_results(
        [DkimVerification(DkimResult.PASS, "example.com", "s1", "rsa-sha256", None, "abcd1234")]
    )
    assert dkim.property("header", "b") == "abcd1234" and dkim.property("header", "s") == "s1"
    dmarc = dmarc_result(
        DmarcOutcome(DmarcResult.FAIL, "example.com", DmarcPolicy.REJECT, DmarcPolicy.REJECT)
    )
    assert (dmarc.result, dmarc.property("header", "from")) == ("fail", "example.com")
