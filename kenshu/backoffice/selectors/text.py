"""Search words as staff type them (full/half width, hiragana/katakana)."""

import unicodedata

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_KATAKANA_TO_HIRAGANA = {code + 0x60: code for code in range(0x3041, 0x3097)}


def search_terms(q: str) -> list[str]:
    """Words of a search box, full/half-width folded (「ヤマダ　ﾀﾛｳ」 → ["ヤマダ", "タロウ"])."""
    return unicodedata.normalize("NFKC", q or "").split()


def kana_variants(term: str) -> set[str]:
    """A word as typed, in katakana and in hiragana: kana is stored either way."""
    return {term, term.translate(_HIRAGANA_TO_KATAKANA), term.translate(_KATAKANA_TO_HIRAGANA)}
