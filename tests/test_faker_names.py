"""User records' names come from Faker's person providers imported without the `faker`
package (`content/faker_names.py`): the same providers and draws as `faker.Faker`, and a
later `import faker` is left as it was."""

import json
import subprocess
import sys

import faker
import pytest
from faker.factory import Factory

import mmpriv_data.content.identities as ids
from mmpriv_data.content import faker_names


@pytest.mark.parametrize("locale", sorted(ids.LOCALES))
def test_each_locale_gets_the_provider_fakers_factory_picks(locale):
    theirs, found, _ = Factory._find_provider_class(faker_names.PERSON, locale)
    ours, ours_found = faker_names.person_provider(locale)
    assert (ours.__module__, ours.__qualname__, ours_found) == (
        theirs.__module__,
        theirs.__qualname__,
        found,
    )
    assert ours is not theirs  # a private copy: faker's own classes are left alone


def test_default_locale_is_fakers():
    assert faker_names.DEFAULT_LOCALE == faker.config.DEFAULT_LOCALE
    assert faker_names.person_provider("xx_XX")[1] == faker.config.DEFAULT_LOCALE


@pytest.mark.parametrize("locale", sorted(ids.LOCALES))
def test_names_are_the_draws_of_fakers_person_faker(locale):
    ours = faker_names.name_generator(locale)
    theirs = faker.Faker(locale, providers=[faker_names.PERSON])
    methods = ("first_name_male", "first_name_female", "first_name_nonbinary", "last_name")

    def draws(fake):
        out = []
        for seed in range(40):
            fake.seed_instance(seed * 7919 + 1)
            out += [getattr(fake, method)() for method in methods * 2]
        return out

    assert draws(ours) == draws(theirs)


# In a fresh process: the user sets of seeds 0-3 with no faker imported before, and faker
# imported afterwards as usual.
CHILD = """
import json, sys
from mmpriv_data.content.identities import make_user_sets
sets = {seed: make_user_sets(seed) for seed in range(4)}
before = sorted(m for m in sys.modules if m.split(".")[0] == "faker")
import faker
import faker.providers.person
name = faker.Faker("de_DE").name()
print(json.dumps({"sets": sets, "before": before, "attr": hasattr(faker, "providers")}))
"""


def test_user_sets_without_faker_match_fakers_own(monkeypatch):
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    child = json.loads(done.stdout)
    assert child["before"] == []  # faker's package (its locale scan) was not imported
    assert child["attr"]

    # The same sets through faker.Faker itself, as user records were drawn before.
    ids._names.cache_clear()
    monkeypatch.setattr(
        ids,
        "_names",
        lambda locale: ids._NamesOnly(faker.Faker(locale, providers=[faker_names.PERSON])),
    )
    theirs = {str(seed): ids.make_user_sets(seed) for seed in range(4)}
    assert child["sets"] == json.loads(json.dumps(theirs))
