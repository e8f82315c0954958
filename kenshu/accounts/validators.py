import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Katakana, hiragana, the long-vowel mark, middle dot and spaces.
_KANA = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u3000 ]+$")


def normalise_kana(value: str) -> str:
    """Half-width katakana to full-width (NFKC), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def validate_kana(value: str) -> None:
    if value and not _KANA.match(normalise_kana(value)):
        raise ValidationError(
            _("Please enter this in kana (katakana or hiragana)."), code="not_kana"
        )
