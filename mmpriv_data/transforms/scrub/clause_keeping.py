"""Clauses of a longer sentence that keep their other words (round 18, heldout20's wrongly
changed words). A clause before or after a semicolon (or after a colon or a quotation mark)
that stated a biometric was deleted whole, and its subject went with it: "The shopper has
purple hair and brown eyes; she's plus-sized" lost "The shopper has". Where the sentence
goes on, such a clause now keeps what is not biometric:

- a person phrase the phrase rules left as "a person" stays ("the rider in the front car is
  a person; they seem thrilled"): `phrase_clauses.settle` asks `in_longer_sentence`;
- a colour of hair or eyes after "has" loses the colour only ("the shopper has hair and
  eyes;") when the subject says more than who (`subject_kept`; not "both have hair"):
  `features` asks;
- "is ADJECTIVE with a FEATURE" after a subject that is not a pronoun becomes "has a
  FEATURE" ("the man behind the counter has a quiff;") when the rules left nothing after
  "with" but an article and a head of hair or eyes: `has_instead`, run by
  `phrase_clauses.settle` once every rule has run;
- ", and his eyes are dark" at the end of a sentence goes alone ("Dr Ames retired at 70; he
  still lectures, and his eyes are grey." keeps "he still lectures"):
  `coordinated_feature_end`.

Each clause kept so is deleted after all where nothing else of its sentence is left
(`rest_kept`): the sentence is then dropped whole, as before.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The vet nurse is tanned with auburn hair; the dog waits.").text
'The vet nurse has hair; the dog waits.'
>>> scrub("The chubby toddler in the high chair has ginger hair; he's covered in food.").text
"The person in the high chair has hair; they're covered in food."
>>> scrub("She is tall with red hair. The dog waits.").text  # a sentence of biometrics only
'The dog waits.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx

# "is thin with a quiff" -> "has a quiff"
_HAVE_FORMS = {"is": "has", "are": "have", "was": "had", "were": "had"}
_ARTICLES = frozenset({"a", "an", "the"})
_WHO = g.PERSON_PRONOUNS | g.POSSESSIVES | {"one", "other", "another", "both", "each", "all"}
_COLOURS = lx.FEATURE_ADJECTIVES["hair_color"] | lx.FEATURE_ADJECTIVES["eye_color"]


def in_longer_sentence(view, i: int) -> bool:
    """The clause of token i is one part of a sentence: a semicolon, colon or quotation mark
    sets it apart from words of the same sentence before or after it."""
    lows = view.low
    a = view.sentence_start(i)
    if (
        a > 0
        and lows[a - 1] not in g.FULL_STOPS
        and "\n" not in view.text[view.end[a - 1] : view.start[a]]
    ):
        return True
    b = view.sentence_end(i)
    return b + 1 < view.n and lows[b] == ";" and view.is_word[b + 1]


_COLOUR_HEADS = frozenset(
    w for w, attribute in lx.FEATURE_HEADS.items() if attribute in ("hair_color", "eye_color")
)


def has_instead(view, c: int, k: int, attribute: str) -> bool:
    """'the tutor is heavy-set with a white goatee' -> 'the tutor has a goatee' when the
    rules left nothing after "with" (k) but an article and a head of hair or eyes; otherwise
    the clause goes as before. Returns whether the clause was kept."""
    lows, dele = view.low, view.dele
    end = view.sentence_end(k + 1)
    left = [m for m in range(k + 1, end) if m not in dele and view.is_word[m]]
    heads = [m for m in range(k + 1, end) if lows[m] in _COLOUR_HEADS]
    if (
        c in dele
        or not subject_kept(view, c)  # "The boy is about ten with sandy hair": nothing lost
        or len(heads) != 1
        or any(m in view.repl or lows[m] not in _ARTICLES and m != heads[0] for m in left)
    ):  # "with a beer belly", "a man bun": the clause goes as before
        view.delete_sentence(c, attribute)
        return False
    dele.pop(heads[0], None)  # "with auburn hair" went whole: "has hair"
    view.replace(c, g.match_case(view.tok[c], _HAVE_FORMS[lows[c]]), attribute)
    view.delete(c + 1, k + 1, attribute)
    return True


def subject_kept(view, c: int) -> bool:
    """A word of the clause before c that the rules keep and that says more than who: not an
    article, a pronoun or "one", "both" ("both have hair" says nothing; "the shopper has")."""
    lows, dele, repl = view.low, view.dele, view.repl
    return any(
        view.is_word[m] and m not in dele and m not in repl
        and lows[m] not in _ARTICLES and lows[m] not in _WHO
        for m in range(view.sentence_start(c), c)
    )  # fmt: skip


def rest_kept(view, i: int) -> bool:
    """Words of i's sentence outside i's clause are left: if none are, the clause goes too
    and the sentence is dropped whole, as before (nothing of it is lost that was not said
    about a person's body)."""
    lows, dele, is_word = view.low, view.dele, view.is_word
    a, b = view.sentence_start(i), view.sentence_end(i)
    m = a - 1
    while m >= 0 and lows[m] not in g.FULL_STOPS:
        if is_word[m] and m not in dele:
            return True
        m -= 1
    m = b + 1
    while m < view.n and lows[m - 1] not in g.FULL_STOPS:
        if is_word[m] and m not in dele:
            return True
        m += 1
    return False


def predicate_clause(view, c: int, p: int, k: int, kind: str, contracted: bool, attribute: str):
    """What goes of a predicate clause that states a biometric and nothing else (the copula at
    c, its subject ending at p, the predicate ending at k): the clause, as before, unless it
    is ", and his eyes are dark" or "the tutor is heavy-set with ..." in a longer sentence."""
    if kind == "feature" and view.lw(p - 1) in g.POSSESSIVES:
        start = coordinated_feature_end(view, p, k)
        if start is not None:
            view.delete(start, k, attribute)
            return
    if (
        kind == "person" and not contracted and view.lw(k) == "with"
        and view.low[c] in _HAVE_FORMS and view.lw(p) not in g.PERSON_PRONOUNS
        and _feature_ends_clause(view, k) and in_longer_sentence(view, c)
    ):  # fmt: skip
        view.phrase_clauses = (*view.phrase_clauses, (c, attribute, k))  # read by settle
        return
    view.delete_sentence(c, attribute)


def _feature_ends_clause(view, k: int) -> bool:
    """After "with" at k: an article, a few words of colour or style and a head of hair or
    eyes that ends the clause ("with a black quiff;", "with auburn hair.")."""
    m = k + 1 + (view.lw(k + 1) in _ARTICLES)
    stop = m + 4
    while m < stop and view.word(m) and view.low[m] not in _COLOUR_HEADS:
        m += 1
    return view.lw(m) in _COLOUR_HEADS and (m + 1 >= view.n or view.low[m + 1] in g.SENTENCE_END)


def coordinated_feature_end(view, p: int, k: int) -> int | None:
    """Start of ", and his eyes are dark" (its coordinator) when the feature at p is owned
    ("his"), joined by "and" to a clause before it, and the predicate ends the sentence at k."""
    if view.lw(p - 2) != "and" or not (k >= view.n or view.low[k] in g.SENTENCE_END):
        return None
    start = p - 2 - (view.lw(p - 3) == ",")
    a = view.sentence_start(p)
    if any(view.low[m] in _COLOURS for m in range(a, start)):
        return None  # "his hair went from black to white, and ...": the clause goes whole
    return start if start > a else None
