using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Domain.Values;

/// <summary>
/// What merging one submission into an org's current values changes: the values to write (only those that change)
/// and the figures for the receipt. Pure, so the rules are testable without storage.
/// </summary>
public sealed record PlannedMerge(
    IReadOnlyDictionary<string, StoredValue> Writes,
    IReadOnlyList<ValueChange> Changes,
    int Changed,
    int Unchanged,
    int ConfirmedPrefill,
    IReadOnlyList<string> PrefillConflicts)
{
    public bool WritesNothing => Writes.Count == 0;

    public MergeReceipt ToReceipt(MergeRequest request, int entitiesWritten) => new()
    {
        SubmissionId = request.SubmissionId,
        OrgCode = request.OrgCode,
        Period = request.Period,
        ReceivedAt = request.ReceivedAt,
        Changed = Changed,
        Unchanged = Unchanged,
        ConfirmedPrefill = ConfirmedPrefill,
        PrefillConflicts = PrefillConflicts,
        Channel = request.Channel,
        EntitiesWritten = entitiesWritten,
    };
}

/// <summary>
/// The merge rules:
/// <list type="bullet">
/// <item>a value equal to the stored one is not written;</item>
/// <item>a typed value equal to a pre-filled one confirms it (counted, not written);</item>
/// <item>a typed value that differs from a pre-filled one is kept and flagged with the pre-filled value;</item>
/// <item>a pre-filled write never overwrites what the village typed: it only flags a difference;</item>
/// <item>a carried-forward value only fills a gap;</item>
/// <item>the village changing its own reported value is a correction.</item>
/// </list>
/// </summary>
public static class MergePlanner
{
    public static PlannedMerge Plan(IReadOnlyDictionary<string, StoredValue> current, MergeRequest request)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(request);

        var writes = new Dictionary<string, StoredValue>(StringComparer.Ordinal);
        var changes = new List<ValueChange>();
        var conflicts = new List<string>();
        int changed = 0, unchanged = 0, confirmed = 0;

        foreach (var (fieldId, value) in request.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            current.TryGetValue(fieldId, out var existing);
            var explanation = request.Explanations.GetValueOrDefault(fieldId);
            var fresh = new StoredValue(value, request.Origin, request.SubmissionId, request.ReceivedAt) { Explanation = explanation };

            if (existing is null)
            {
                writes[fieldId] = fresh;
                changes.Add(new ValueChange(fieldId, null, value.Canonical));
                changed++;
                continue;
            }

            switch (request.Origin)
            {
                case ValueOrigin.CarriedForward:
                    // A suggestion from last period never replaces anything already there.
                    unchanged++;
                    break;

                case ValueOrigin.Prefilled when IsVillages(existing.Origin):
                    // Upper-level data must not silently overwrite what the village reported: flag the difference instead.
                    if (Same(existing.Value, value))
                    {
                        unchanged++;
                        if (existing.ConflictsWithPrefill is not null)
                        {
                            writes[fieldId] = existing with { ConflictsWithPrefill = null };
                        }
                    }
                    else
                    {
                        unchanged++;
                        conflicts.Add(fieldId);
                        if (existing.ConflictsWithPrefill is not { } flagged || !Same(flagged, value))
                        {
                            writes[fieldId] = existing with { ConflictsWithPrefill = value };
                        }
                    }
                    break;

                case ValueOrigin.Prefilled:
                    if (Same(existing.Value, value))
                    {
                        unchanged++;
                    }
                    else
                    {
                        writes[fieldId] = fresh;
                        changes.Add(new ValueChange(fieldId, existing.Value.Canonical, value.Canonical));
                        changed++;
                    }
                    break;

                default: // Typed or Corrected: the village's own value
                    if (existing.Origin == ValueOrigin.Prefilled)
                    {
                        if (Same(existing.Value, value))
                        {
                            confirmed++;
                            unchanged++;
                        }
                        else
                        {
                            writes[fieldId] = fresh with { ConflictsWithPrefill = existing.Value };
                            changes.Add(new ValueChange(fieldId, existing.Value.Canonical, value.Canonical));
                            conflicts.Add(fieldId);
                            changed++;
                        }
                    }
                    else if (existing.Origin == ValueOrigin.CarriedForward)
                    {
                        // Kept or changed, last period's suggestion becomes the village's own figure, so that later
                        // pre-fill can no longer replace it.
                        writes[fieldId] = fresh;
                        changes.Add(new ValueChange(fieldId, existing.Value.Canonical, value.Canonical));
                        changed++;
                    }
                    else if (Same(existing.Value, value))
                    {
                        unchanged++;
                        if (existing.ConflictsWithPrefill is not null)
                        {
                            conflicts.Add(fieldId);
                        }

                        if (explanation is not null && explanation != existing.Explanation)
                        {
                            // The clerk confirmed an unchanged value: the explanation is kept with it, the value is not "changed".
                            writes[fieldId] = existing with { Explanation = explanation };
                        }
                    }
                    else
                    {
                        var origin = IsVillages(existing.Origin) ? ValueOrigin.Corrected : request.Origin;
                        var prefill = existing.ConflictsWithPrefill;
                        if (prefill is { } p && Same(p, value))
                        {
                            // The village came round to the pre-filled value: the flag has nothing left to say.
                            prefill = null;
                            confirmed++;
                        }
                        else if (prefill is not null)
                        {
                            conflicts.Add(fieldId);
                        }
                        writes[fieldId] = fresh with { Origin = origin, ConflictsWithPrefill = prefill };
                        changes.Add(new ValueChange(fieldId, existing.Value.Canonical, value.Canonical));
                        changed++;
                    }
                    break;
            }
        }

        return new PlannedMerge(writes, changes, changed, unchanged, confirmed, conflicts);
    }

    private static bool IsVillages(ValueOrigin origin) => ValueOrigins.IsOwnReport(origin);

    private static bool Same(FieldValue a, FieldValue b) => a.Type == b.Type && string.Equals(a.Canonical, b.Canonical, StringComparison.Ordinal);
}
