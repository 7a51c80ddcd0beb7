"""The never-real rules of the fictitious identities (DESIGN.md, "Synthetic identities are never
real"): each identifier `identities` draws is plausible in shape but can never belong to a real
person, mailbox, phone line or card; `NEVER_REAL_RULES` says why, and the ``is_*`` checkers test
a value against its rule.

Kept apart from `identities`, which draws the people, so that the rules and their checkers
read as one piece; `identities` re-exports them.
"""

from __future__ import annotations

import re

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
CARD_PREFIX = "0"  # ISO/IEC 7812 major industry identifier 0: ISO/TC 68, never a payment card.

NEVER_REAL_RULES: dict[str, str] = {
    "email": "E-mail addresses use only the RFC 2606 reserved domains example.com, example.org "
    "and example.net, which can never be registered, so no mailbox is real.",
    "phone": "Phone numbers are North American numbers in the 555-0100 to 555-0199 range, "
    "which is reserved for fictional use under every area code.",
    "national_id": "National ids are US-SSN-shaped numbers with area 666 or 000, which the "
    "Social Security Administration never issues.",
    "card_number": "Card numbers are 16-digit Luhn-valid numbers starting with 0, an ISO/IEC 7812 "
    "major industry identifier reserved for ISO/TC 68 and never used for payment cards.",
    "user_id": "User ids are random 10-digit integers of a fictitious service; they identify "
    "nothing outside the dataset.",
}


# ---------------------------------------------------------------- never-real checkers
_EMAIL_RE = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9.-]+)")
_PHONE_RE = re.compile(r"(?:\+1[ .-]?)?\(?([2-9]\d{2})\)?[ .-]?555[ .-]?01(\d{2})")
_SSN_RE = re.compile(r"(\d{3})-(\d{2})-(\d{4})")


def is_reserved_email(s: str) -> bool:
    """True if ``s`` is an e-mail address whose domain is example.com, .org or .net."""
    m = _EMAIL_RE.fullmatch(s) if isinstance(s, str) else None
    return bool(m) and m.group(1).lower() in EMAIL_DOMAINS


def is_fictional_phone(s: str) -> bool:
    """True if ``s`` is a NANP number in the fictional 555-0100..555-0199 range."""
    return isinstance(s, str) and _PHONE_RE.fullmatch(s.strip()) is not None


def is_never_issued_national_id(s: str) -> bool:
    """True if ``s`` is AAA-GG-SSSS, area 666 or 000 (never issued), GG 01-99, SSSS 0001-9999."""
    m = _SSN_RE.fullmatch(s) if isinstance(s, str) else None
    return bool(m) and m.group(1) in ("666", "000") and m.group(2) != "00" and m.group(3) != "0000"


def luhn_ok(digits: str) -> bool:
    """Luhn checksum of a digit string."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def is_never_issued_card(s: str) -> bool:
    """True if ``s`` is 16 Luhn-valid digits starting with MII 0 (spaces/hyphens allowed)."""
    if not isinstance(s, str):
        return False
    digits = s.replace(" ", "").replace("-", "")
    ok = len(digits) == 16 and digits.isascii() and digits.isdigit()
    return ok and digits.startswith(CARD_PREFIX) and luhn_ok(digits)


def luhn_complete(body: str) -> str:
    """`body` + the one check digit that makes it Luhn-valid."""
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")
