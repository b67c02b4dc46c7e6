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


def elbv2_load_balancer_type_from_cloudformation() -> None:
    """AWS::ElasticLoadBalancingV2::LoadBalancer's `Type` picks an application or a network load
    balancer (AWS docs); moto 5.2.1 ignores it and always creates an application load balancer, so
    a network load balancer's TCP listener fails ("Listener protocol 'TCP' must be one of 'HTTP,
    HTTPS'"). Pass Type through, as moto's own CreateLoadBalancer API does."""
    from moto.elbv2.models import FakeLoadBalancer, elbv2_backends

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        properties = cloudformation_json["Properties"]
        return elbv2_backends[account_id][region_name].create_load_balancer(
            resource_name,
            properties.get("SecurityGroups"),
            properties.get("Subnets"),
            scheme=properties.get("Scheme", "internet-facing"),
            loadbalancer_type=properties.get("Type", "application"),
        )

    FakeLoadBalancer.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def route53_private_hosted_zone_from_cloudformation() -> None:
    """AWS::Route53::HostedZone with `VPCs` is a private zone associated with those VPCs (AWS docs);
    moto 5.2.1 ignores VPCs and creates a public zone. Create it private, with its VPCs and comment."""
    from moto.route53.models import FakeZone, route53_backends
    from moto.utilities.utils import get_partition

    original = FakeZone.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        properties = cloudformation_json.get("Properties", {})
        vpcs = properties.get("VPCs") or []
        if not vpcs:
            return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        backend = route53_backends[account_id][get_partition(region_name)]
        zone = backend.create_hosted_zone(
            resource_name,
            private_zone=True,
            vpcid=vpcs[0]["VPCId"],
            vpcregion=vpcs[0]["VPCRegion"],
            comment=(properties.get("HostedZoneConfig") or {}).get("Comment"),
        )
        for vpc in vpcs[1:]:
            zone.add_vpc(vpc["VPCId"], vpc["VPCRegion"])
        return zone

    FakeZone.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def ec2_volume_properties_from_cloudformation() -> None:
    """AWS::EC2::Volume takes Encrypted, VolumeType, Iops, Throughput, KmsKeyId and Tags (AWS docs);
    moto 5.2.1 reads only Size and AvailabilityZone, so an encrypted, tagged gp3 volume comes out
    unencrypted, untagged gp2. Pass them through to moto's own CreateVolume and CreateTags."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.elastic_block_store import Volume

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        properties = cloudformation_json["Properties"]
        optional_int = lambda key: int(properties[key]) if key in properties else None  # noqa: E731
        volume = ec2_backends[account_id][region_name].create_volume(
            size=int(properties["Size"]),
            zone_name=properties.get("AvailabilityZone"),
            snapshot_id=properties.get("SnapshotId"),
            encrypted=str(properties.get("Encrypted", False)).lower() == "true",
            kms_key_id=properties.get("KmsKeyId"),
            volume_type=properties.get("VolumeType"),
            iops=optional_int("Iops"),
            throughput=optional_int("Throughput"),
        )
        volume.add_tags({tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])})
        return volume

    Volume.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def elb_subnets_and_security_groups_from_cloudformation() -> None:
    """AWS::ElasticLoadBalancing::LoadBalancer in a VPC takes Subnets and SecurityGroups (AWS docs);
    moto 5.2.1 drops both, so the load balancer has no subnets, no VPC and a default security group.
    Record them as moto's own CreateLoadBalancer does."""
    from moto.ec2.models import ec2_backends
    from moto.elb.models import LoadBalancer

    original = LoadBalancer.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        load_balancer = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        properties = cloudformation_json["Properties"]
        subnets = properties.get("Subnets") or []
        if subnets:
            load_balancer.subnets = list(subnets)
            load_balancer.vpc_id = ec2_backends[account_id][region_name].get_subnet(subnets[0]).vpc_id
        if properties.get("SecurityGroups"):
            load_balancer.security_groups = list(properties["SecurityGroups"])
        return load_balancer

    LoadBalancer.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def subnet_route_table_association_from_cloudformation() -> None:
    """AWS::EC2::SubnetRouteTableAssociation associates a subnet with a route table (AWS docs); moto
    5.2.1 records it where DescribeRouteTables never looks, so the subnet seems to use the main
    table. Associate through moto's own AssociateRouteTable, which DescribeRouteTables reports."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.subnets import SubnetRouteTableAssociation

    original = SubnetRouteTableAssociation.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        association = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        properties = cloudformation_json["Properties"]
        ec2_backends[account_id][region_name].associate_route_table(
            properties["RouteTableId"], subnet_id=properties["SubnetId"]
        )
        return association

    SubnetRouteTableAssociation.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign]


def cloudformation_update_reaches_dependents() -> None:
    """On UpdateStack, CloudFormation resolves Ref and Fn::GetAtt again and updates every resource
    whose resolved properties changed: an Auto Scaling group that uses its launch template's
    LatestVersionNumber moves to the new version (AWS docs, update behaviors). moto 5.2.1 updates
    only resources whose template text changed, so the group stays on the old version. Also update
    the resources that reference an updated one (transitively)."""
    from moto.cloudformation.parsing import ResourceMap

    def references(value, names):  # type: ignore[no-untyped-def]
        found = set()
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "Ref" and child in names:
                    found.add(child)
                elif key == "Fn::GetAtt":
                    target = child[0] if isinstance(child, list) else str(child).split(".")[0]
                    if target in names:
                        found.add(target)
                elif key == "Fn::Sub":
                    text = child[0] if isinstance(child, list) else child
                    found.update(n for n in names if f"${{{n}}}" in text or f"${{{n}." in text)
                    found.update(references(child, names))
                else:
                    found.update(references(child, names))
        elif isinstance(value, list):
            for child in value:
                found.update(references(child, names))
        return found

    original = ResourceMap.build_resource_diff

    def build_resource_diff(self, other_template, parameters=None):  # type: ignore[no-untyped-def]
        actions = original(self, other_template, parameters)
        new = other_template["Resources"]
        modified = set(actions["Modify"])
        changed = True
        while changed:
            changed = False
            for name, resource in new.items():
                if name in modified or name in actions["Add"] or name not in self._resource_json_map:
                    continue
                if references(resource.get("Properties", {}), modified):
                    modified.add(name)
                    actions["Modify"].append(name)
                    changed = True
        return actions

    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]


def route_table_deleted_with_its_stack() -> None:
    """DeleteStack deletes the stack's AWS::EC2::RouteTable (AWS docs); moto 5.2.1's RouteTable has
    no delete_from_cloudformation_json, so the table (and its subnet associations) outlives its stack,
    and the VPC of the same stack then refuses to go ("has dependencies"): no network stack could ever
    be deleted. Delete it as DeleteRouteTable does, once its associations (resources of the same
    stack, which CloudFormation deletes first) are gone."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.route_tables import RouteTable

    def delete(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        backend = ec2_backends[account_id][region_name]
        table = backend.route_tables.get(resource_name)
        if table is None:
            return
        # The associations were made by this stack's SubnetRouteTableAssociation resources.
        table._associations.clear()
        backend.delete_route_table(resource_name)

    RouteTable.delete_from_cloudformation_json = classmethod(delete)  # type: ignore[method-assign]


FIXES = [
    event_bus_ref_returns_name,
    kms_key_policy_object_from_cloudformation,
    elbv2_load_balancer_type_from_cloudformation,
    route53_private_hosted_zone_from_cloudformation,
    ec2_volume_properties_from_cloudformation,
    elb_subnets_and_security_groups_from_cloudformation,
    subnet_route_table_association_from_cloudformation,
    cloudformation_update_reaches_dependents,
    route_table_deleted_with_its_stack,
]

# kaws's store needs DynamoDB's atomicity under concurrency: see dynamodb_fixes.py.
from dynamodb_fixes import DYNAMODB_FIXES  # noqa: E402

FIXES += DYNAMODB_FIXES


def apply_all() -> None:
    for fix in FIXES:
        fix()
