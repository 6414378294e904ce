"""The verification state machine (PRODUCT §4): pending -> ownership-verified -> verified, and broken."""

from __future__ import annotations

import pytest

from yunmail.domains.states import BROKEN, OWNERSHIP_VERIFIED, PENDING, VERIFIED, is_settled, next_state
from yunmail.domains.verify import DomainState

PASS, FAIL, UNKNOWN = DomainState.VERIFIED, DomainState.UNVERIFIED, DomainState.UNKNOWN


@pytest.mark.parametrize(("mode", "reached"), [("full", VERIFIED), ("ownership", OWNERSHIP_VERIFIED)])
def test_passing_check_reaches_the_modes_verified_state(mode: str, reached: str) -> None:
    assert next_state(PENDING, mode, PASS) == reached


def test_failing_check_leaves_a_pending_domain_pending() -> None:
    assert next_state(PENDING, "full", FAIL) == PENDING


def test_failing_check_breaks_a_fully_verified_domain() -> None:
    assert next_state(VERIFIED, "full", FAIL) == BROKEN


def test_failing_check_breaks_an_ownership_only_domain_whose_token_vanished() -> None:
    assert next_state(OWNERSHIP_VERIFIED, "ownership", FAIL) == BROKEN


def test_domain_upgrading_to_full_mode_keeps_its_proven_ownership_while_records_are_missing() -> None:
    assert next_state(OWNERSHIP_VERIFIED, "full", FAIL) == OWNERSHIP_VERIFIED


def test_upgraded_domain_becomes_fully_verified_when_its_full_records_pass() -> None:
    assert next_state(OWNERSHIP_VERIFIED, "full", PASS) == VERIFIED


def test_broken_domain_recovers_when_its_records_pass_again() -> None:
    assert next_state(BROKEN, "full", PASS) == VERIFIED


@pytest.mark.parametrize("current", [PENDING, OWNERSHIP_VERIFIED, VERIFIED, BROKEN])
def test_dns_outage_never_changes_the_state(current: str) -> None:
    assert next_state(current, "full", UNKNOWN) == current


def test_ownership_verified_is_settled_only_in_ownership_mode() -> None:
    assert (is_settled(OWNERSHIP_VERIFIED, "ownership"), is_settled(OWNERSHIP_VERIFIED, "full")) == (
        True,
        False,
    )
