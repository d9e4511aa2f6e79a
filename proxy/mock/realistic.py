"""Realistic dynamic values with Faker: by format first, else by the property's name.

``dynamic=true`` answers read like real data (``"Jane Doe"``, ``"+49 89 1234567"``,
``"DE89370400440532013000"``) instead of random words. Every value comes from the request's
``random.Random`` (Faker draws from it), so ``seed=`` repeats a body exactly; dates lie near
today (anchored at today's midnight UTC, so a seed repeats within the day). A value is only
offered: the generator keeps it only if the schema's pattern and lengths accept it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from faker import Faker
from faker.config import AVAILABLE_LOCALES

__all__ = ["DEFAULT_LOCALE", "LOCALES", "RealisticRandom", "realistic_random"]

DEFAULT_LOCALE: Final = "en_US"
LOCALES: Final = frozenset(AVAILABLE_LOCALES)
_NEAR_TODAY_DAYS: Final = 30

Maker = Callable[[Faker, random.Random], str]


def _moment(fake: Faker, rng: random.Random) -> datetime:
    """A moment within a month of today (today's midnight UTC is the anchor)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    span = _NEAR_TODAY_DAYS * 86400
    return today + timedelta(seconds=rng.randrange(-span, span))


_BY_FORMAT: Final[dict[str, Maker]] = {
    "email": lambda fake, _: fake.email(),
    "idn-email": lambda fake, _: fake.email(),
    "date-time": lambda fake, rng: _moment(fake, rng).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda fake, rng: _moment(fake, rng).strftime("%Y-%m-%d"),
    "time": lambda fake, rng: _moment(fake, rng).strftime("%H:%M:%SZ"),
    "uri": lambda fake, _: fake.url(),
    "url": lambda fake, _: fake.url(),
    "iri": lambda fake, _: fake.url(),
    "hostname": lambda fake, _: fake.hostname(),
    "ipv4": lambda fake, _: fake.ipv4(),
    "ipv6": lambda fake, _: fake.ipv6(),
    "uuid": lambda fake, _: fake.uuid4(),
    "password": lambda fake, _: fake.password(length=12),
}

_BY_NAME: Final[dict[str, Maker]] = {
    "firstname": lambda fake, _: fake.first_name(),
    "givenname": lambda fake, _: fake.first_name(),
    "lastname": lambda fake, _: fake.last_name(),
    "surname": lambda fake, _: fake.last_name(),
    "familyname": lambda fake, _: fake.last_name(),
    "name": lambda fake, _: fake.name(),
    "fullname": lambda fake, _: fake.name(),
    "displayname": lambda fake, _: fake.name(),
    "contactname": lambda fake, _: fake.name(),
    "email": lambda fake, _: fake.email(),
    "emailaddress": lambda fake, _: fake.email(),
    "mail": lambda fake, _: fake.email(),
    "phone": lambda fake, _: fake.phone_number(),
    "phonenumber": lambda fake, _: fake.phone_number(),
    "telephone": lambda fake, _: fake.phone_number(),
    "mobile": lambda fake, _: fake.phone_number(),
    "fax": lambda fake, _: fake.phone_number(),
    "faxnumber": lambda fake, _: fake.phone_number(),
    "street": lambda fake, _: fake.street_address(),
    "streetaddress": lambda fake, _: fake.street_address(),
    "address": lambda fake, _: fake.street_address(),
    "addressline1": lambda fake, _: fake.street_address(),
    "city": lambda fake, _: fake.city(),
    "town": lambda fake, _: fake.city(),
    "country": lambda fake, _: fake.country(),
    "countrycode": lambda fake, _: fake.country_code(),
    "postcode": lambda fake, _: fake.postcode(),
    "postalcode": lambda fake, _: fake.postcode(),
    "zip": lambda fake, _: fake.postcode(),
    "zipcode": lambda fake, _: fake.postcode(),
    "company": lambda fake, _: fake.company(),
    "companyname": lambda fake, _: fake.company(),
    "organization": lambda fake, _: fake.company(),
    "organisation": lambda fake, _: fake.company(),
    "url": lambda fake, _: fake.url(),
    "website": lambda fake, _: fake.url(),
    "homepage": lambda fake, _: fake.url(),
    "iban": lambda fake, _: fake.iban(),
    "bic": lambda fake, _: fake.swift(),
    "swift": lambda fake, _: fake.swift(),
    "username": lambda fake, _: fake.user_name(),
    "login": lambda fake, _: fake.user_name(),
    "jobtitle": lambda fake, _: fake.job(),
    "currency": lambda fake, _: fake.currency_code(),
    "currencycode": lambda fake, _: fake.currency_code(),
    "description": lambda fake, _: fake.sentence(),
    "comment": lambda fake, _: fake.sentence(),
    "note": lambda fake, _: fake.sentence(),
    "summary": lambda fake, _: fake.sentence(),
}
_NOT_A_LETTER: Final = re.compile(r"[^a-z0-9]")


def _name_key(name: str) -> str:
    """``first_name``, ``firstName`` and ``First-Name`` are one key: ``firstname``."""
    return _NOT_A_LETTER.sub("", name.lower())


class RealisticRandom(random.Random):
    """The request's random source, carrying the Faker of its locale: generation asks it for
    realistic strings and draws everything else from it as from any ``random.Random``."""

    def __init__(self, seed: int | None, locale: str) -> None:
        super().__init__(seed)
        self.locale = locale

    def realistic_string(self, name: str | None, fmt: str | None) -> str | None:
        """A realistic value for a string with this format, else this property name; None
        when neither says what the value is (or the locale cannot make one)."""
        if fmt is not None:
            maker = _BY_FORMAT.get(fmt)
        else:
            maker = _BY_NAME.get(_name_key(name)) if name else None
        if maker is None:
            return None
        fake = _faker(self.locale)
        # Faker draws from this request's source, so seed= repeats (the stubs omit the setter)
        fake.random = self  # type: ignore[attr-defined]
        try:
            return maker(fake, self)
        except AttributeError:  # a provider this locale lacks
            return None


_FAKERS: dict[str, Faker] = {}


def _faker(locale: str) -> Faker:
    """One Faker per locale, made on first use (about 20 ms each); locales are the config's,
    checked against Faker's list when it is loaded, so this table stays small."""
    fake = _FAKERS.get(locale)
    if fake is None:
        fake = _FAKERS[locale] = Faker(locale)
    return fake


def realistic_random(seed: int | None, locale: str = DEFAULT_LOCALE) -> RealisticRandom:
    """The random source of one dynamic answer."""
    return RealisticRandom(seed, locale)
