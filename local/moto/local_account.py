"""Local mode's stand-in for the caller's AWS account (not moto bug fixes: see fixes.py for those).

A cluster spec names things that exist in its owner's real account, such as the Route 53 hosted zone
of its API endpoint (`apiEndpoints[].loadBalancer.hostedZone.id`). The emulator starts empty, and
Route 53 ids are random, so local mode creates each such zone with the id the spec names. This uses
moto's own custom-id mechanism (moto_id_manager); the request opts in with a CallerReference of
`kaws-local-zone:<id>`, so every other CreateHostedZone behaves as moto does.
"""

ZONE_ID_REFERENCE_PREFIX = "kaws-local-zone:"


def hosted_zone_with_chosen_id() -> None:
    from moto.route53.models import HostedZoneIdentifier, Route53Backend
    from moto.utilities.id_generator import moto_id_manager

    original = Route53Backend.create_hosted_zone

    def create(self, name, private_zone, caller_reference=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if caller_reference and caller_reference.startswith(ZONE_ID_REFERENCE_PREFIX):
            chosen = caller_reference[len(ZONE_ID_REFERENCE_PREFIX) :]
            delegation_set_id = kwargs.get("delegation_set_id") or (args[3] if len(args) > 3 else None)
            identifier = HostedZoneIdentifier(self.account_id, name, delegation_set_id)
            moto_id_manager.set_custom_id(identifier, chosen)
            try:
                return original(self, name, private_zone, caller_reference, *args, **kwargs)
            finally:
                moto_id_manager.unset_custom_id(identifier)
        return original(self, name, private_zone, caller_reference, *args, **kwargs)

    Route53Backend.create_hosted_zone = create  # type: ignore[method-assign]


LOCAL_ACCOUNT = [hosted_zone_with_chosen_id]


def apply_all() -> None:
    for extension in LOCAL_ACCOUNT:
        extension()
