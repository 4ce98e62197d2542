using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Tests.Stores;

namespace ReportPipeline.Storage.Tests.Values;

public sealed class MergePlannerTests
{
    private static readonly DateTimeOffset Earlier = Submissions.Morning.AddDays(-3);

    private static FieldValue N(string text) => new(FieldType.Integer, text);

    private static Dictionary<string, StoredValue> Current(params (string Field, string Value, ValueOrigin Origin)[] values)
        => values.ToDictionary(v => v.Field, v => new StoredValue(N(v.Value), v.Origin, "old", Earlier));

    [Fact]
    public void Unchanged_values_are_not_written()
    {
        var plan = MergePlanner.Plan(Current(("a", "1", ValueOrigin.Typed)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("1") }));

        Assert.True(plan.WritesNothing);
        Assert.Equal((0, 1), (plan.Changed, plan.Unchanged));
    }

    [Fact]
    public void A_village_changing_its_own_value_is_a_correction_with_the_before_value_recorded()
    {
        var plan = MergePlanner.Plan(Current(("a", "1", ValueOrigin.Typed)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("2") }, "s2"));

        Assert.Equal(ValueOrigin.Corrected, plan.Writes["a"].Origin);
        Assert.Equal("s2", plan.Writes["a"].SourceId);
        Assert.Equal([new ReportPipeline.Domain.Ports.ValueChange("a", "1", "2")], plan.Changes);
    }

    [Fact]
    public void Confirming_a_prefill_counts_without_writing()
    {
        var plan = MergePlanner.Plan(Current(("a", "5", ValueOrigin.Prefilled)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("5") }));

        Assert.True(plan.WritesNothing);
        Assert.Equal(1, plan.ConfirmedPrefill);
    }

    [Fact]
    public void Differing_from_a_prefill_keeps_the_village_value_and_flags_the_prefill()
    {
        var plan = MergePlanner.Plan(Current(("a", "5", ValueOrigin.Prefilled)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("6") }));

        Assert.Equal("6", plan.Writes["a"].Value.Canonical);
        Assert.Equal("5", plan.Writes["a"].ConflictsWithPrefill?.Canonical);
        Assert.Equal(["a"], plan.PrefillConflicts);
    }

    [Fact]
    public void A_prefill_only_flags_a_typed_value_and_leaves_it()
    {
        var plan = MergePlanner.Plan(Current(("a", "5", ValueOrigin.Typed)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("7") }, origin: ValueOrigin.Prefilled));

        Assert.Equal("5", plan.Writes["a"].Value.Canonical);
        Assert.Equal(ValueOrigin.Typed, plan.Writes["a"].Origin);
        Assert.Equal("7", plan.Writes["a"].ConflictsWithPrefill?.Canonical);
        Assert.Equal(0, plan.Changed);
    }

    [Fact]
    public void A_prefill_replaces_an_older_prefill()
    {
        var plan = MergePlanner.Plan(Current(("a", "5", ValueOrigin.Prefilled)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("7") }, origin: ValueOrigin.Prefilled));

        Assert.Equal(("7", ValueOrigin.Prefilled), (plan.Writes["a"].Value.Canonical, plan.Writes["a"].Origin));
    }

    [Fact]
    public void A_carried_forward_value_only_fills_a_gap()
    {
        var plan = MergePlanner.Plan(Current(("a", "5", ValueOrigin.Typed)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("4"), ["b"] = N("9") }, origin: ValueOrigin.CarriedForward));

        Assert.Equal(["b"], plan.Writes.Keys);
        Assert.Equal(ValueOrigin.CarriedForward, plan.Writes["b"].Origin);
    }

    [Fact]
    public void Coming_round_to_the_prefill_clears_the_flag()
    {
        var current = new Dictionary<string, StoredValue> { ["a"] = new(N("6"), ValueOrigin.Typed, "old", Earlier) { ConflictsWithPrefill = N("5") } };

        var plan = MergePlanner.Plan(current, Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["a"] = N("5") }));

        Assert.Null(plan.Writes["a"].ConflictsWithPrefill);
        Assert.Empty(plan.PrefillConflicts);
        Assert.Equal(1, plan.ConfirmedPrefill);
    }

    [Fact]
    public void Keeping_a_carried_forward_value_makes_it_the_villages_own_so_a_later_prefill_cannot_replace_it()
    {
        var confirm = MergePlanner.Plan(Current(("pop", "3120", ValueOrigin.CarriedForward)), Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["pop"] = N("3120") }, "village"));
        var afterwards = Current(("pop", "3120", confirm.Writes["pop"].Origin));
        var prefill = MergePlanner.Plan(afterwards, Submissions.Request("500103001001", new Dictionary<string, FieldValue> { ["pop"] = N("3000") }, "seed", ValueOrigin.Prefilled));

        Assert.Equal(ValueOrigin.Typed, confirm.Writes["pop"].Origin);
        Assert.False(prefill.Writes.TryGetValue("pop", out var replaced) && replaced.Value.Canonical == "3000" && replaced.Origin == ValueOrigin.Prefilled);
    }
}
