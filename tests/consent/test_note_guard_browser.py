"""The note guardrail in a real browser: an agent types a note with a valid
T.C. kimlik no into the card, saves it, is told it was refused and why
(the category, where), the number is marked in her draft, and nothing is
saved anywhere."""

from consent.guardrails import tckn_valid
from guestview.models import GuestNote, Language, Role
from tests.browser import MARKS
from tests.factories import PASSWORD, ContactPointFactory, GuestFactory, PropertyFactory, persona

TCKN = "10000000146"

pytestmark = MARKS


def test_a_note_with_a_valid_tckn_is_refused_with_its_category_and_not_saved(
    asgi_live_server, browser, caplog
):
    assert tckn_valid(TCKN)
    hotel = PropertyFactory(name="Hotel A Lara", code="hotel-a")
    persona("alice", role=Role.AGENT, properties=[hotel], languages=[Language.TR])
    guest = GuestFactory(property=hotel, first_name="Ahmet", last_name="Yılmaz")
    ContactPointFactory(guest=guest, raw_value="0532 123 45 67")

    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{asgi_live_server}/login/?next=/guests/{guest.pk}/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{asgi_live_server}/guests/{guest.pk}/")

    note = page.locator(f"#note-{guest.pk}")
    note.fill(f"Misafir kimlik no {TCKN} verdi, deniz manzaralı oda istiyor")
    page.click(".noteform button[type=submit].primary")

    error = page.wait_for_selector(".noteform .error[role=alert]")
    assert "T.C. kimlik numarası" in error.inner_text()  # the category, in the console's language
    assert "19–29" in error.inner_text()  # where: characters 19 to 29
    marked = page.wait_for_selector(".noteform mark.kvkk")
    assert marked.inner_text() == TCKN
    assert TCKN in note.input_value()  # her draft is kept in the box to fix, not stored
    assert not page.locator(".noteform .saved").count()

    assert not GuestNote.objects.exists()
    assert TCKN not in caplog.text

    # Without the number it is saved.
    note.fill("Misafir deniz manzaralı oda istiyor, 12-19 Temmuz")
    page.click(".noteform button[type=submit].primary")
    page.wait_for_selector(".noteform .saved")
    assert GuestNote.objects.get().text.startswith("Misafir deniz manzaralı")
