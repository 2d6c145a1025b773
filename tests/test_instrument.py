"""The ALSFRS as data: ten items, five levels each, both item 5 variants, totals 0-40."""

from __future__ import annotations

import pytest

from conversations.domain.instrument import (
    ITEM_NUMBERS,
    ITEMS,
    LEVELS,
    MAX_TOTAL,
    Item5Variant,
    item,
    total,
)
from locales import LANGUAGES, Language, translator


def test_ten_items_with_item_5_in_two_variants() -> None:
    assert tuple(range(1, 11)) == ITEM_NUMBERS
    assert sorted({it.number for it in ITEMS}) == list(range(1, 11))
    fives = [it for it in ITEMS if it.number == 5]
    assert {it.variant for it in fives} == {
        Item5Variant.WITHOUT_GASTROSTOMY,
        Item5Variant.WITH_GASTROSTOMY,
    }
    assert all(it.variant is None for it in ITEMS if it.number != 5)


def test_five_levels_from_4_down_to_0() -> None:
    assert LEVELS == (4, 3, 2, 1, 0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_item_has_a_name_questions_and_five_distinct_level_texts(
    language: Language,
) -> None:
    t = translator(language)
    for it in ITEMS:
        assert t(it.name_key)
        assert t(it.question_key(proxy=False)) != t(it.question_key(proxy=True))
        texts = [t(it.level_key(score)) for score in LEVELS]
        assert len(set(texts)) == 5, (it, texts)


def test_reference_meanings_are_kept_in_english() -> None:
    t = translator("en")
    assert t(item(1).level_key(4)) == "Normal speech"
    assert t(item(1).level_key(0)) == "No useful speech"
    assert t(item(3).level_key(1)) == "Needs supplemental tube feeding"
    assert "handkerchief" in t(item(2).level_key(0))
    assert t(item(5, Item5Variant.WITH_GASTROSTOMY).level_key(2)) == (
        "Some help needed with closures and fasteners"
    )
    assert t(item(10).level_key(2)) == "Short of breath at rest"


def test_item_5_needs_its_variant() -> None:
    assert item(5, Item5Variant.WITH_GASTROSTOMY).slug == "cutting-tube"
    assert item(5, Item5Variant.WITHOUT_GASTROSTOMY).slug == "cutting"
    with pytest.raises(KeyError):
        item(5)
    with pytest.raises(KeyError):
        item(11)
    assert Item5Variant.for_gastrostomy(True) is Item5Variant.WITH_GASTROSTOMY
    assert Item5Variant.for_gastrostomy(False) is Item5Variant.WITHOUT_GASTROSTOMY


def test_totals_run_from_0_to_40() -> None:
    assert MAX_TOTAL == 40
    assert total(dict.fromkeys(ITEM_NUMBERS, 4)) == 40
    assert total(dict.fromkeys(ITEM_NUMBERS, 0)) == 0
    assert total({n: n % 5 for n in ITEM_NUMBERS}) == sum(n % 5 for n in ITEM_NUMBERS)


def test_an_incomplete_or_invalid_set_has_no_total() -> None:
    scores = dict.fromkeys(ITEM_NUMBERS, 3)
    del scores[7]
    assert total(scores) is None
    assert total({}) is None
    with pytest.raises(ValueError):
        total({**dict.fromkeys(ITEM_NUMBERS, 3), 4: 5})
    with pytest.raises(ValueError):
        item(1).level_key(5)
