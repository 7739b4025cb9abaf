"""The test app's subscription table (blog_project/subscriptions.py holds the real one)."""

from contexts.kernel.events.subscriptions import SubscriptionTable
from tests.eventsapp import handlers
from tests.eventsapp.events import Burst, DoomedThing, FlakyThing, ThingHappened

TEST_SUBSCRIPTIONS: SubscriptionTable = {
    ThingHappened: [handlers.record_effect, "tests.eventsapp.handlers.audit_effect"],
    FlakyThing.type_name: [handlers.flaky],
    DoomedThing: [handlers.doomed],
    Burst: [handlers.record_burst],
}
