from kubealign.transform.placement import NodeRequirement, translate_placement


def test_labels_and_platform_constraints() -> None:
    result = translate_placement(
        ("node.labels.gpu == gh200", "node.platform.arch!=x86_64", "node.labels.zone==\"eu\""),
        ("node.labels.rack",),
    )
    assert result.requirements == (
        NodeRequirement("gpu", "In", ("gh200",)),
        NodeRequirement("kubernetes.io/arch", "NotIn", ("amd64",)),
        NodeRequirement("zone", "In", ("eu",)),
    )
    assert result.spread_keys == ("rack",)
    assert result.notes == ()


def test_unportable_constraints_are_noted() -> None:
    result = translate_placement(
        ("node.role == manager", "engine.labels.x==y", "garbage"), ("engine.labels.az",)
    )
    assert result.requirements == ()
    assert len(result.notes) == 4


def test_hostname_is_kept_with_a_note() -> None:
    result = translate_placement(("node.hostname == sophia-gh200-01",), ())
    assert result.requirements == (
        NodeRequirement("kubernetes.io/hostname", "In", ("sophia-gh200-01",)),
    )
    assert "pins a host" in result.notes[0]


def test_empty_constraint_values_give_no_requirement() -> None:
    # Issue 11: an empty selector value (an unset variable) leaves the pod unschedulable.
    result = translate_placement(("node.labels.role == ''", 'node.platform.os==""',
                                  "node.labels.role =="), ())
    assert result.requirements == ()
    assert len(result.notes) == 3
