"""Minimal, named fixes to moto 5.2.1 bugs that block a correct kaws template.

Each fix is a function named after the bug it fixes, listed in FIXES, applied by `apply_all()`,
and covered by a test in test/local/. Add one only when kaws's real template cannot be deployed
otherwise; never change a template to suit the emulator.
"""


def event_bus_ref_returns_name() -> None:
    """`!Ref` of an AWS::Events::EventBus must return the bus name (AWS docs); moto 5.2.1's
    EventBus has no physical_resource_id, so Ref renders the Python object's repr instead."""
    from moto.events.models import EventBus

    if not hasattr(EventBus, "physical_resource_id"):
        EventBus.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]


def kms_key_policy_object_from_cloudformation() -> None:
    """CloudFormation takes AWS::KMS::Key KeyPolicy as a JSON object (AWS docs); moto 5.2.1 stores
    the object as-is and every later KMS call on the key fails with a 500 parsing it as a string.
    Serialize it to the JSON text that KMS itself stores."""
    import json

    from moto.kms.models import Key

    original = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        properties = cloudformation_json.get("Properties", {})
        if isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    Key.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


FIXES = [event_bus_ref_returns_name, kms_key_policy_object_from_cloudformation]

# kaws's store needs DynamoDB's atomicity under concurrency: see dynamodb_fixes.py.
from dynamodb_fixes import DYNAMODB_FIXES  # noqa: E402

FIXES += DYNAMODB_FIXES


def apply_all() -> None:
    for fix in FIXES:
        fix()
