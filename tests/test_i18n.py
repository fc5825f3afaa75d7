"""The message catalogs: Turkish is complete, the committed .mo files match their
.po files, and the UI really speaks Turkish (the default) and English.

Regenerate and compile with:
    .venv/bin/python manage.py makemessages -l tr -l en \
        --ignore=.venv --ignore=tests --ignore=bench --ignore=static
    .venv/bin/python manage.py compilemessages --ignore=.venv

The .po files are parsed by hand (no polib); msgfmt is only needed for the
test that recompiles a catalog, which is skipped on machines without gettext.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


# --- A small .po reader --------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPES |= {"f": "\f", "v": "\v"}


def _unquote(token: str, where: str) -> str:
    if not (len(token) >= 2 and token[0] == token[-1] == '"'):
        raise ValueError(f"{where}: expected a quoted string, got {token!r}")

    def replace(match: re.Match) -> str:
        char = match.group(1)
        if char in _ESCAPES:
            return _ESCAPES[char]
        raise ValueError(f"{where}: unknown escape \\{char}")

    return re.sub(r"\\(.)", replace, token[1:-1])


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header ("" msgid) included, obsolete #~ left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field a continuation line extends
    pending_flags: set[str] = set()
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')

    def finish() -> None:
        nonlocal entry
        if entry is not None:
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()
            if line.startswith("#,"):
                pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            name, index = target
            text = _unquote(line, where)
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, (getattr(entry, name) or "") + text)
            continue
        match = keyword.match(line)
        if match is None:
            raise ValueError(f"{where}: cannot parse {raw!r}")
        name, index, token = match.group(1), match.group(2), match.group(3)
        text = _unquote(token, where)
        if name in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
            finish()
            entry = Entry(line=number, flags=pending_flags)
            pending_flags = set()
        if entry is None:
            raise ValueError(f"{where}: {name} before msgid")
        if name.startswith("msgstr"):
            slot = int(index) if index is not None else 0
            entry.msgstr[slot] = text
            target = ("msgstr", slot)
        else:
            setattr(entry, name, text)
            target = (name, None)
    finish()
    return entries


def messages(lang: str) -> list[Entry]:
    """The catalog's real messages: everything but the header."""
    return [e for e in parse_po(po_path(lang)) if e.msgid or e.msgctxt]


def header(lang: str) -> dict[str, str]:
    head = next(e for e in parse_po(po_path(lang)) if not e.msgid and not e.msgctxt)
    fields = (line.partition(":") for line in head.msgstr[0].splitlines() if ":" in line)
    return {key.strip().lower(): value.strip() for key, _colon, value in fields}


def expected_mo_catalog(lang: str) -> dict:
    """What msgfmt puts in the .mo, keyed the way gettext.GNUTranslations keys
    its catalog: translated, non-fuzzy messages only; plural forms as
    (msgid, n); a context as "ctxt\\x04msgid"."""
    catalog: dict = {}
    for entry in messages(lang):
        if "fuzzy" in entry.flags or not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            catalog[key] = entry.msgstr[0]
        else:
            catalog.update({(key, n): text for n, text in entry.msgstr.items()})
    return catalog


def load_mo(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def mo_messages(translations: gettext.GNUTranslations) -> dict:
    """The translations a .mo holds, without its header entry."""
    return {key: text for key, text in translations._catalog.items() if key != ""}


_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


# --- (a) Turkish is complete ---------------------------------------------------


def test_catalogs_exist_for_every_language():
    for lang in LANGUAGE_CODES:
        assert po_path(lang).is_file(), f"{po_path(lang)} is missing: run makemessages"
        assert mo_path(lang).is_file(), f"{mo_path(lang)} is missing: run compilemessages"


def test_turkish_catalog_header():
    fields = header("tr")
    assert fields["language"] == "tr"
    assert fields["content-type"] == "text/plain; charset=UTF-8"
    assert fields["plural-forms"].startswith("nplurals=2;")


def test_turkish_catalog_is_complete_and_not_fuzzy():
    entries = messages("tr")
    assert len(entries) > 100, "the Turkish catalog looks truncated"
    untranslated = [e.label for e in entries if not e.translated]
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    assert not (untranslated or fuzzy), (
        f"untranslated Turkish messages: {untranslated}; "
        f"fuzzy ones (check them, then drop the flag): {fuzzy}"
    )
    plural_forms = [e.label for e in entries if e.msgid_plural and sorted(e.msgstr) != [0, 1]]
    assert not plural_forms, f"plural messages need msgstr[0] and msgstr[1]: {plural_forms}"


def test_turkish_header_is_not_fuzzy():
    head = next(e for e in parse_po(po_path("tr")) if not e.msgid)
    assert "fuzzy" not in head.flags


def test_turkish_translations_keep_their_placeholders():
    wrong = []
    for entry in messages("tr"):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted = set().union(*(placeholders(s) for s in sources))
        wrong += [
            f"{entry.label} msgstr[{n}]"
            for n, text in entry.msgstr.items()
            if text and placeholders(text) != wanted
        ]
    assert not wrong, f"placeholders changed in: {wrong}"


# --- (b) the committed .mo files are up to date --------------------------------


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_committed_mo_matches_po(lang):
    """Needs no gettext tools: the .mo must hold exactly what the .po says."""
    assert mo_messages(load_mo(mo_path(lang))) == expected_mo_catalog(lang), (
        f"{mo_path(lang)} is stale: run compilemessages and commit the .mo"
    )


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_committed_mo_equals_a_fresh_msgfmt_compile(lang, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [msgfmt, "--check-format", "-o", str(fresh), str(po_path(lang))],
        check=True,
        capture_output=True,
    )
    committed, compiled = load_mo(mo_path(lang)), load_mo(fresh)
    assert mo_messages(committed) == mo_messages(compiled), (
        f"{mo_path(lang)} is older than its .po: run compilemessages and commit the .mo"
    )
    for key in ("language", "plural-forms", "content-type"):
        assert committed.info().get(key) == compiled.info().get(key), key


# --- (c) the UI speaks Turkish and English ------------------------------------

KEY_STRINGS = {
    "Guests": "Misafirler",
    "Sign in": "Giriş yap",
    "Log out": "Çıkış",
    "Stay history": "Konaklama geçmişi",
    "Missed calls": "Cevapsız çağrılar",
    "Queue": "Kuyruk",
    "Leads": "Talepler",
    "Property": "Tesis",
    "All inclusive": "Her şey dahil",
    "In house": "Konaklıyor",
    "Online": "Çevrimiçi",
}


def test_turkish_is_the_default_language():
    assert settings.LANGUAGE_CODE == "tr"


@pytest.mark.parametrize(("english", "turkish"), KEY_STRINGS.items())
def test_key_strings_in_turkish_and_english(english, turkish):
    with translation.override("tr"):
        assert translation.gettext(english) == turkish
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_plural_and_placeholders():
    singular, plural = "%(counter)s guest", "%(counter)s guests"
    with translation.override("tr"):
        for n in (0, 1, 2, 25):
            text = translation.ngettext(singular, plural, n) % {"counter": n}
            assert text == f"{n} misafir"
        assert translation.gettext("Page %(n)s of %(total)s") % {"n": 2, "total": 9} == (
            "Sayfa 2 / 9"
        )
    with translation.override("en"):
        assert translation.ngettext(singular, plural, 1) % {"counter": 1} == "1 guest"
        assert translation.ngettext(singular, plural, 3) % {"counter": 3} == "3 guests"


def test_model_choices_and_verbose_names_translate():
    from guestview.models import Board, Guest, StayStatus

    with translation.override("tr"):
        assert str(Board.BB.label) == "Oda kahvaltı"
        assert str(Board.UAI.label) == "Ultra her şey dahil"
        assert str(StayStatus.NO_SHOW.label) == "Gelmedi (no-show)"
        assert str(Guest._meta.verbose_name_plural) == "misafirler"
    with translation.override("en"):
        assert str(Board.BB.label) == "Bed & breakfast"
        assert str(Guest._meta.verbose_name_plural) == "guests"


def test_templates_render_in_turkish():
    template = Template(
        "{% load i18n %}{% translate 'Sign in' %}|"
        "{% blocktranslate count counter=n %}{{ counter }} guest{% plural %}"
        "{{ counter }} guests{% endblocktranslate %}|"
        "{% blocktranslate with q=q %}No guest matches “{{ q }}” in your properties."
        "{% endblocktranslate %}"
    )
    context = {"n": 3, "q": "yılmaz"}
    with translation.override("tr"):
        assert template.render(Context(context)) == (
            "Giriş yap|3 misafir|Tesislerinizde “yılmaz” ile eşleşen misafir yok."
        )
    with translation.override("en"):
        assert template.render(Context(context)) == (
            "Sign in|3 guests|No guest matches “yılmaz” in your properties."
        )


def test_django_own_turkish_still_loads_next_to_ours():
    """Our catalog must not shadow Django's (e.g. through a clashing header)."""
    with translation.override("tr"):
        assert translation.gettext("This field is required.") != "This field is required."
