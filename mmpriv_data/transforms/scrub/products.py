"""Goods named for the people they are made for (round 17, heldout18's and heldout19's
wrongly changed words): "a pair of women's running shoes", "Men's wetsuits size L", "girls'
age 7-8 school dresses", "a children's picture book". A plural possessive of a gender or age
noun with no determiner before it ("the boys' shoes" are the boys' own) and goods or a size
within three words after it names a kind of goods, not people.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("A pair of women's running shoes, size 7, in pink and grey.").text
"A pair of women's running shoes, size 7, in pink and grey."
>>> scrub("The women's shoes are muddy.").text
"The people's shoes are muddy."
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub.context_words import MODIFIED

_PLURAL_POSSESSIVES = frozenset({"men's", "women's", "children's", "menfolk's"})
GOODS = (
    frozenset(
        "shoes boots trainers sneakers sandals slippers wetsuits wetsuit jackets jacket coats coat "
        "parka parkas shirts shirt t-shirts tee tees dresses dress jeans trousers pants shorts "
        "socks "
        "tights leggings underwear swimwear sportswear clothing clothes wear fashion outerwear "
        "knitwear pyjamas pajamas nightwear hats watches watch bike bikes bicycle bicycles razors "
        "razor perfume fragrance cologne deodorant vitamins department aisle rack racks range "
        "picture picture-book storybook novel novels comic comics ward sizes xl xs age "
        "version edition".split()  # "the children's version" (round 18)
    )
    | MODIFIED
)


def goods_after(lows: list[str], i: int, suffix: str) -> bool:
    """lows[i] ("women's", or "girls" before "'") names a kind of goods."""
    n = len(lows)
    k = i + 1
    if lows[i] not in _PLURAL_POSSESSIVES:
        if suffix or k >= n or lows[k] != "'" or not lows[i].endswith("s"):
            return False
        k += 1  # "girls' age 7-8 school dresses"
    before = lows[i - 1] if i else ""
    if before not in ("a", "an") and (
        before in g.DETERMINERS or before in g.POSSESSIVES or before.isdigit()
    ):
        return False  # "the boys' shoes", "her sons' bikes": their own; "a children's book"
    if k < n and lows[k][:1].isdigit():
        return True  # a size: "Women's 7", "Men's 10" on a shoe box (round 18)
    return any(low in GOODS for low in lows[k : k + 3])
