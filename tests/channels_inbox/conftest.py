import pytest

from channels_inbox.models import ChannelAccount, ChannelKind
from tests.channels_inbox import meta_payloads as mp

GRAPH = "https://graph.test/v21.0"


@pytest.fixture
def wa_account(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.WHATSAPP,
        name="Hotel A WhatsApp",
        external_id=mp.PHONE_NUMBER_ID,
        display_number="+90 242 710 10 00",
        access_token="EAAG-test-token",
        app_secret=mp.APP_SECRET,
        verify_token=mp.VERIFY_TOKEN,
        api_base_url=GRAPH,
    )


@pytest.fixture
def ig_account(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.INSTAGRAM,
        name="@hotela",
        external_id=mp.IG_ACCOUNT_ID,
        access_token="IGAA-test-token",
        app_secret=mp.APP_SECRET,
        verify_token=mp.VERIFY_TOKEN,
        api_base_url=GRAPH,
    )


@pytest.fixture
def messenger_account(hotel_a):
    return ChannelAccount.objects.create(
        property=hotel_a,
        kind=ChannelKind.MESSENGER,
        name="Hotel A page",
        external_id=mp.PAGE_ID,
        access_token="EAAG-page-token",
        app_secret=mp.APP_SECRET,
        api_base_url=GRAPH,
    )
