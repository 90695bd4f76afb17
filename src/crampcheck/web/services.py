"""Where the results page sends a person next, by country: the emergency number to call (a ``tel:`` button), and
the official service that finds a doctor. The country comes from the browser's Accept-Language region
("en-GB" -> GB); without one, from the page language (English -> 112, the number that works in Europe and on
most mobile phones; Chinese -> 120, mainland China). Every text in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_zh: str
    emergency: str  # the number for an ambulance
    also: str = ""  # another number that works too (e.g. 112 in the UK)
    urgent: str = ""  # a non-emergency urgent-care number (NHS 111)
    find_doctor: str = ""  # an official "find a doctor / GP" service

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country(
            "GB",
            "the UK",
            "英国",
            "999",
            also="112",
            urgent="111",
            find_doctor="https://www.nhs.uk/service-search/find-a-gp",
        ),
        Country("IE", "Ireland", "爱尔兰", "112", also="999"),
        Country("US", "the US", "美国", "911", find_doctor="https://findahealthcenter.hrsa.gov/"),
        Country("CA", "Canada", "加拿大", "911"),
        Country("AU", "Australia", "澳大利亚", "000", also="112"),
        Country("NZ", "New Zealand", "新西兰", "111"),
        Country("IN", "India", "印度", "112"),
        Country("CN", "mainland China", "中国大陆", "120"),
        Country("HK", "Hong Kong", "香港", "999"),
        Country("MO", "Macao", "澳门", "999"),
        Country("TW", "Taiwan", "台湾", "119"),
        Country("SG", "Singapore", "新加坡", "995"),
        Country("EU", "Europe", "欧洲", "112"),
    )
}
# a region the table does not name, in the European Union / EEA: 112
_EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
        "CH",
    ]
)
DEFAULT = {"en": "EU", "zh": "CN"}


def country_for(accept_language: str | None, lang: str) -> Country:
    """The country of the first Accept-Language tag with a region (a tag in the page language first)."""
    tags: list[tuple[str, str]] = []
    for part in (accept_language or "").split(",")[:20]:
        tag = part.split(";")[0].strip().replace("_", "-")
        bits = tag.split("-")
        if len(bits) >= 2:
            region = next((b.upper() for b in bits[1:] if len(b) == 2 and b.isalpha()), "")
            if not region and bits[0].lower() == "zh":  # zh-Hans / zh-Hant without a region
                region = "CN" if bits[1].lower() == "hans" else "TW" if bits[1].lower() == "hant" else ""
            if region:
                tags.append((bits[0].lower(), region))
    for want_same in (True, False):
        for language, region in tags:
            if want_same and language != lang:
                continue
            if region in COUNTRIES:
                return COUNTRIES[region]
            if region in _EU:
                return COUNTRIES["EU"]
    return COUNTRIES[DEFAULT.get(lang, "EU")]
