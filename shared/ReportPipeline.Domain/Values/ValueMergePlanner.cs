namespace ReportPipeline.Domain.Values;

/// <summary>What a merge would change: the values to write and how the rest were counted.</summary>
public sealed record MergePlan(
    IReadOnlyDictionary<string, StoredValue> Writes,
    int Unchanged,
    int ConfirmedPrefill,
    IReadOnlyList<string> PrefillConflicts);

/// <summary>
/// Merge semantics, without storage: only changed values are written; a village value equal to a pre-filled one
/// confirms it; a village value that differs from a pre-filled one is kept and flagged, never silently replacing the
/// upper-level value's record; a pre-filled value never overwrites what a village typed; a later village value that
/// changes an earlier one is a correction.
/// </summary>
public static class ValueMergePlanner
{
    public static MergePlan Plan(
        IReadOnlyDictionary<string, StoredValue> current,
        IReadOnlyDictionary<string, FieldValue> incoming,
        ValueOrigin origin,
        string sourceId,
        DateTimeOffset at)
    {
        var writes = new Dictionary<string, StoredValue>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        int unchanged = 0, confirmed = 0;
        foreach (var (fieldId, value) in incoming)
        {
            current.TryGetValue(fieldId, out var existing);
            var same = existing is not null && existing.Value.Canonical == value.Canonical;
            if (origin is ValueOrigin.Prefilled or ValueOrigin.CarriedForward)
            {
                if (existing is not null && (same || existing.Origin is ValueOrigin.Typed or ValueOrigin.Corrected))
                {
                    unchanged++;
                }
                else
                {
                    writes[fieldId] = new StoredValue(value, origin, sourceId, at);
                }

                continue;
            }

            switch (existing)
            {
                case null:
                    writes[fieldId] = new StoredValue(value, origin, sourceId, at);
                    break;
                case { Origin: ValueOrigin.Prefilled } when same:
                    confirmed++;
                    break;
                case { Origin: ValueOrigin.Prefilled }:
                    conflicts.Add(fieldId);
                    writes[fieldId] = new StoredValue(value, origin, sourceId, at) { ConflictsWithPrefill = existing.Value };
                    break;
                case { Origin: ValueOrigin.CarriedForward }:
                    // Confirmed or changed, last period's suggestion is now the village's own figure.
                    writes[fieldId] = new StoredValue(value, origin, sourceId, at);
                    break;
                case var _ when same:
                    unchanged++;
                    break;
                default:
                    writes[fieldId] = new StoredValue(value, ValueOrigin.Corrected, sourceId, at) { ConflictsWithPrefill = existing.ConflictsWithPrefill };
                    if (existing.ConflictsWithPrefill is not null)
                    {
                        conflicts.Add(fieldId);
                    }

                    break;
            }
        }

        return new MergePlan(writes, unchanged, confirmed, conflicts);
    }
}
