"""Faker's person providers for the names of user records, without `import faker`.

`import faker` runs the package's __init__, which imports `faker.config`: it imports about 25
provider packages and lists the locale folders of each (about 40 ms, more than drawing the 20
users of `mmpriv embed`). A user record needs one person provider per locale and a Generator
to hold its seeded `random.Random`. Python runs a package's __init__ before any submodule, so
while these few modules are imported a bare module object stands in for the `faker` package
(its path set, its __init__ not run). Between imports they are kept here, out of
`sys.modules`: a later `import faker` (full profiles, `identities.make_person`) loads the
whole package as usual, and each side keeps its own classes. Only imports made through this
module see the stand-in; it is in `sys.modules` while they run, so it is not for threads
that import faker at the same time (people are drawn before any pool starts).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from types import ModuleType

PERSON = "faker.providers.person"
# faker.config.DEFAULT_LOCALE: where Faker's factory takes the person provider from for a
# locale that has none (en_AU). tests/test_faker_names.py checks both against faker's own.
DEFAULT_LOCALE = "en_US"

_MODULES: dict[str, ModuleType] = {}  # faker's modules imported here, out of sys.modules


def _take_faker_modules() -> dict[str, ModuleType]:
    """Faker's modules, taken out of sys.modules."""
    names = [name for name in sys.modules if name == "faker" or name.startswith("faker.")]
    return {name: sys.modules.pop(name) for name in names}


def _import(name: str) -> ModuleType:
    """importlib.import_module(name) for a faker submodule, faker/__init__ not run."""
    theirs = _take_faker_modules()
    try:
        if not _MODULES:
            spec = importlib.util.find_spec("faker")
            if spec is None or spec.submodule_search_locations is None:
                raise ModuleNotFoundError("No module named 'faker'", name="faker")
            _MODULES["faker"] = importlib.util.module_from_spec(spec)  # not executed
        sys.modules.update(_MODULES)
        return importlib.import_module(name)
    finally:
        _MODULES.update(_take_faker_modules())
        sys.modules.update(theirs)


@cache
def person_provider(locale: str) -> tuple[type, str]:
    """(Provider class, its locale): `locale`'s person provider, or DEFAULT_LOCALE's where
    faker has none, as `faker.Factory` picks it."""
    try:
        return _import(f"{PERSON}.{locale}").Provider, locale
    except ModuleNotFoundError as error:
        if error.name != f"{PERSON}.{locale}":
            raise
    return _import(f"{PERSON}.{DEFAULT_LOCALE}").Provider, DEFAULT_LOCALE


def name_generator(locale: str):
    """A Faker Generator with `locale`'s person provider alone, set up as
    `faker.Faker(locale, providers=[PERSON])` sets it up (same draws for the same seed)."""
    provider_class, found = person_provider(locale)
    generator = _import("faker.generator").Generator(locale=locale, use_weighting=True)
    provider = provider_class(generator)
    provider.__use_weighting__ = True
    provider.__provider__ = PERSON
    provider.__lang__ = found
    generator.add_provider(provider)
    return generator
