using Azure.Data.Tables;

namespace ReportPipeline.Storage.Stores;

/// <summary>The OData filters and the retry pause the table stores share (values, approvals).</summary>
internal static class TableFilters
{
    public static string PartitionIs(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    public static string RowKeyIs(string rowKey) => TableClient.CreateQueryFilter($"RowKey eq {rowKey}");

    public static string And(string a, string b) => $"({a}) and ({b})";

    public static string Or(params IEnumerable<string> terms) => string.Join(" or ", terms.Select(t => $"({t})"));

    /// <summary>Row keys starting with the prefix: from the prefix up to (excluding) the prefix with its last character incremented.</summary>
    public static string PrefixRange(string prefix)
    {
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        return TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {upper}");
    }

    /// <summary>
    /// Some orgs' rows of one kind in one partition: per org when at most 4 are asked for, else the kind's whole range
    /// (<paramref name="allPrefix"/>), which the caller filters to the orgs in memory.
    /// </summary>
    public static string OrgRows(string partition, IReadOnlyCollection<string> orgs, string allPrefix, Func<string, string> orgRow)
    {
        // The service allows at most 15 comparisons in a filter; beyond a few orgs the whole kind's range is cheaper anyway.
        if (orgs.Count <= 4)
        {
            var perOrg = orgs.Order(StringComparer.Ordinal).Select(org => allPrefix == ValueKeys.AllValuesPrefix ? PrefixRange(orgRow(org)) : RowKeyIs(orgRow(org))).ToArray();
            return And(PartitionIs(partition), Or(perOrg));
        }
        return And(PartitionIs(partition), PrefixRange(allPrefix));
    }

    /// <summary>A short, jittered, growing pause before re-reading after losing a race on a row.</summary>
    public static Task BackOffAsync(int attempt, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * Math.Min(attempt, 8)), time, cancellationToken);
}
